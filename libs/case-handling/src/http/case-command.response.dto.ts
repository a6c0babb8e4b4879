import { ApiProperty } from '@nestjs/swagger';
import { formatPosition } from '@tongban/event-store';

/** What every action on a case answers: the new version (also the ETag) and the consistency token. */
export class CaseCommandResponse {
  @ApiProperty({ example: '1b0c6a5e-3f7d-4c1e-9a55-0d2b6f7e8a91', format: 'uuid' })
  caseId!: string;

  @ApiProperty({
    example: 3,
    description: 'Stream version after the command: send it as If-Match next time.',
  })
  version!: number;

  @ApiProperty({
    type: String,
    example: formatPosition({ tx: 7421n, seq: 118n }),
    nullable: true,
    description:
      'Consistency token: pass as ?after= to a query to see this command reflected. Null when the command ' +
      'changed nothing (it was already done).',
  })
  position!: string | null;

  @ApiProperty({ example: ['case.accepted'], description: 'Types of the events the command recorded.' })
  events!: string[];
}
