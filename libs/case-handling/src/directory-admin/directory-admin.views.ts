import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { CATALOGUE_STREAM, DIRECTORY_STREAM, type DirectoryStreamId } from '@tongban/directory';

/** What every change answers: the versions after it (the ones routing now cites) and its events. */
export class RecordedChangeView {
  @ApiProperty({ example: 'directory.grid_cadre_assigned' }) type!: string;
  @ApiProperty({ example: 24, description: 'The event’s version in its stream.' }) version!: number;
}

export class DirectoryChangeResponse {
  @ApiProperty({ example: 24, description: 'The `directory` stream’s version after the change.' })
  directoryVersion!: number;
  @ApiProperty({ example: 1, description: 'The `catalogue` stream’s version after the change.' })
  catalogueVersion!: number;
  @ApiProperty({ type: [RecordedChangeView], description: 'The events that record the change.' })
  events!: RecordedChangeView[];
}

export class DistrictView {
  @ApiProperty({ example: 'pc' }) code!: string;
  @ApiProperty({ example: '平城区' }) name!: string;
}

/** How many of each kind of record the directory holds. */
export class DirectoryCountsView {
  @ApiProperty() streets!: number;
  @ApiProperty() communities!: number;
  @ApiProperty() grids!: number;
  @ApiProperty({ description: 'Every cadre the directory has known, in post or not.' }) cadres!: number;
  @ApiProperty() cadresInPost!: number;
  @ApiProperty({ description: 'Dispatchers, office and agency staff, supervisors, admins.' }) staff!: number;
  @ApiProperty({ description: 'Streets’ offices, service units and stationed agencies.' }) units!: number;
  @ApiProperty({ description: 'Matters of the responsibility catalogue (权责清单).' }) matters!: number;
  @ApiProperty({ description: 'Community-days of the duty rota.' }) dutyDays!: number;
  @ApiProperty({ description: 'Weeks of in-service party members’ rotation (在职党员下沉轮值).' })
  rotations!: number;
  @ApiProperty() addresses!: number;
}

export class DirectoryStatusView {
  @ApiProperty({
    enum: ['store', 'demo'],
    description: 'DIRECTORY_SOURCE: `demo` seeds the demo district into an empty store at start.',
  })
  source!: 'store' | 'demo';
  @ApiProperty({ type: DistrictView, nullable: true, description: 'Null until a district is named.' })
  district!: DistrictView | null;
  @ApiProperty({ example: 23 }) directoryVersion!: number;
  @ApiProperty({ example: 1 }) catalogueVersion!: number;
  @ApiProperty({ type: DirectoryCountsView }) counts!: DirectoryCountsView;
}

export class ChangedByView {
  @ApiProperty({ example: 'demo-admin' }) id!: string;
  @ApiProperty({ example: 'admin' }) role!: string;
}

export class DirectoryChangeView {
  @ApiProperty({ enum: [DIRECTORY_STREAM, CATALOGUE_STREAM] }) stream!: DirectoryStreamId;
  @ApiProperty({ example: 24 }) version!: number;
  @ApiProperty({ example: 'directory.grid_cadre_assigned' }) type!: string;
  @ApiProperty({ type: ChangedByView, description: 'Who made the change.' }) by!: ChangedByView;
  @ApiProperty({ example: '2026-12-01T02:15:00.000Z', description: 'When (ISO-8601).' }) at!: string;
  @ApiProperty({ example: '原网格长调岗，由新任委员负责', description: 'Why, as they said.' })
  reason!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { grid: 'pc.gucheng.taiyangcheng.g01', cadreId: 'demo-cadre-taiyangcheng-2' },
    description:
      'What changed: the event’s data but who, when and why. An import (`*.records_imported`) shows its data ' +
      'set, part and `recordCount`, never the records.',
  })
  changed!: Record<string, unknown>;
}

export class DirectoryChangesView {
  @ApiProperty({ enum: [DIRECTORY_STREAM, CATALOGUE_STREAM] }) stream!: DirectoryStreamId;
  @ApiProperty({ type: [DirectoryChangeView], description: 'Newest first.' })
  changes!: DirectoryChangeView[];
  @ApiProperty({
    type: Number,
    nullable: true,
    example: 4,
    description: 'The `before` of the next (older) page; null on the last page.',
  })
  next!: number | null;
}

export const CHANGES_PAGE = { default: 50, max: 200 } as const;

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;

export class DirectoryChangesQuery {
  @ApiPropertyOptional({
    enum: [DIRECTORY_STREAM, CATALOGUE_STREAM],
    default: DIRECTORY_STREAM,
    description: 'The org tree and people (`directory`) or the responsibility catalogue (`catalogue`).',
  })
  @IsOptional()
  @IsIn([DIRECTORY_STREAM, CATALOGUE_STREAM])
  stream?: DirectoryStreamId;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: Number.MAX_SAFE_INTEGER,
    description: 'Only changes with a version below this: the `next` of the previous page.',
  })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  before?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: CHANGES_PAGE.max,
    default: CHANGES_PAGE.default,
  })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(CHANGES_PAGE.max)
  limit?: number;
}
