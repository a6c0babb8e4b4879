import { ApiProperty } from '@nestjs/swagger';
import { formatPosition, type JsonValue } from '@tongban/event-store';

export class HistoryActorView {
  @ApiProperty({ example: 'demo-cadre-taiyangcheng' }) id!: string;
  @ApiProperty({ example: 'cadre' }) role!: string;
  @ApiProperty({ required: false, example: 'pc.gucheng.taiyangcheng' }) orgUnit?: string;
}

export class HistoryEntryView {
  @ApiProperty({ example: 2, description: 'The stream version this event made.' }) version!: number;
  @ApiProperty({ example: 'case.accepted' }) type!: string;
  @ApiProperty({ example: 1, description: 'The shape `data` is shown in: the current one for its type.' })
  schemaVersion!: number;
  @ApiProperty({
    example: 1,
    description:
      'The shape the event was stored in. Older than `schemaVersion` when it was upcast to be shown (the ' +
      'stored row is never changed).',
  })
  storedSchemaVersion!: number;
  @ApiProperty({
    example: formatPosition({ tx: 7421n, seq: 118n }),
    description: 'Its place in the global order (an opaque consistency token).',
  })
  position!: string;
  @ApiProperty({ format: 'date-time' }) recordedAt!: string;
  @ApiProperty({
    type: HistoryActorView,
    nullable: true,
    description: 'Who acted; null for an event the system recorded without one.',
  })
  actor!: JsonValue;
  @ApiProperty({ type: String, nullable: true, description: 'The request id of the command.' })
  correlationId!: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The event as recorded, brought to its current shape by the case event codec when it was stored in an ' +
      'older one; phone and ID numbers masked (in free text too).',
  })
  data!: JsonValue;
}

export class CaseHistoryView {
  @ApiProperty({ format: 'uuid' }) caseId!: string;
  @ApiProperty({ description: 'The current version: the ETag to send as If-Match.' }) version!: number;
  @ApiProperty({ type: [HistoryEntryView], description: 'Every event, oldest first.' })
  events!: HistoryEntryView[];
}
