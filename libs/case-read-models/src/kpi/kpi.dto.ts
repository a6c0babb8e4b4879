import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORG_UNIT_PLACE_SEGMENT } from '@tongban/security';
import {
  KPI_DEFINITION_NAMES,
  KPI_PERIODS,
  LATEST_KPI_DEFINITION,
  type KpiCounts,
  type KpiPeriodKind,
  type KpiRates,
} from '@tongban/sla';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { ConsistencyDto, ConsistencyQuery } from '../queries/case-queries.dto';

/** A place segment of an org unit code (`gucheng`), from the one format in @tongban/security. */
const SEGMENT = ORG_UNIT_PLACE_SEGMENT.source.replace(/^\^/, '').replace(/\$$/, '');
/** A district (`pc`), street (`pc.gucheng`) or community (`pc.gucheng.taiyangcheng`) code. */
export const KPI_UNIT = new RegExp(`^${SEGMENT}(?:\\.${SEGMENT}){0,2}$`);
/** A street code (`pc.gucheng`): what rankings are asked of. */
export const KPI_STREET = new RegExp(`^${SEGMENT}\\.${SEGMENT}$`);
/** A matter code of the catalogue (`SZ-LD-01`), or `unclassified` for cases filed without one. */
export const KPI_MATTER = /^(?:[A-Z0-9-]{2,40}|unclassified)$/;
/** A category of the catalogue (`物业管理`): printable text, no leading formula character. */
export const KPI_CATEGORY_MAX_LENGTH = 40;
// Control characters spelled as ranges (the Cc category): fuzzers and other generators cannot
// build values for `\p{Cc}`.
export const KPI_CATEGORY = new RegExp(
  `^[^\\s=+\\-@\\x00-\\x1f\\x7f-\\x9f][^\\x00-\\x1f\\x7f-\\x9f]{0,${KPI_CATEGORY_MAX_LENGTH - 1}}$`,
  'u',
);
/** A cadre's id, as the directory and the tokens spell it (`demo-cadre-taiyangcheng`). */
export const KPI_CADRE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MONTH = /^\d{4}-(?:0[1-9]|1[0-2])$/;

export const KPI_LEVELS = ['district', 'street', 'community'] as const;
export type KpiLevel = (typeof KPI_LEVELS)[number];

const DEFINITION_DESCRIPTION =
  `The KPI definition to compute the rates by (default: the latest, \`${LATEST_KPI_DEFINITION.name}\`). ` +
  '`tongban-2026.1` counts 基本满意 as satisfied; `tongban-2026.2` counts only 满意. See libs/sla/README.md.';

/** What every KPI question takes: the range, the periods, the definition and which cases. */
export class KpiFilters extends ConsistencyQuery {
  @ApiProperty({
    description: 'First day (Asia/Shanghai), YYYY-MM-DD. At most 366 days before `to`.',
    example: '2026-04-01',
    pattern: DATE.source,
  })
  @IsString()
  @Matches(DATE, { message: 'from must be a date YYYY-MM-DD' })
  from!: string;

  @ApiProperty({
    description: 'Last day (Asia/Shanghai), YYYY-MM-DD, included; not before `from`.',
    example: '2026-04-30',
    pattern: DATE.source,
  })
  @IsString()
  @Matches(DATE, { message: 'to must be a date YYYY-MM-DD' })
  to!: string;

  @ApiPropertyOptional({
    enum: KPI_PERIODS,
    default: 'month',
    description: 'Days; ISO weeks (Monday to Sunday); calendar months. Periods are clipped to the range.',
  })
  @IsOptional()
  @IsIn(KPI_PERIODS)
  period?: KpiPeriodKind;

  @ApiPropertyOptional({ enum: KPI_DEFINITION_NAMES, description: DEFINITION_DESCRIPTION })
  @IsOptional()
  @IsIn(KPI_DEFINITION_NAMES)
  definition?: string;

  @ApiPropertyOptional({
    description: 'Only cases of this matter (`unclassified`: cases filed without one).',
    example: 'SZ-LD-01',
    pattern: KPI_MATTER.source,
  })
  @IsOptional()
  @IsString()
  @Matches(KPI_MATTER, { message: 'matter must be a matter code such as SZ-LD-01, or unclassified' })
  matter?: string;

  @ApiPropertyOptional({
    description:
      'Only cases whose matter the responsibility catalogue (权责清单) files under this category, as the ' +
      'catalogue stands now (a matter moved to another category takes its history along). Cases filed ' +
      'without a matter belong to no category. A category the catalogue does not have has no facts.',
    example: '物业管理',
    maxLength: KPI_CATEGORY_MAX_LENGTH,
    pattern: KPI_CATEGORY.source,
  })
  @IsOptional()
  @IsString()
  @Matches(KPI_CATEGORY, {
    message: `category must be a catalogue category such as 物业管理 (at most ${KPI_CATEGORY_MAX_LENGTH} characters)`,
  })
  category?: string;
}

export class KpiQuery extends KpiFilters {
  @ApiProperty({
    description:
      'The district, street or community to report on (a street reports its communities by default).',
    example: 'pc.gucheng',
    pattern: KPI_UNIT.source,
  })
  @IsString()
  @Matches(KPI_UNIT, { message: 'unit must be a district, street or community code such as pc.gucheng' })
  unit!: string;

  @ApiPropertyOptional({
    enum: KPI_LEVELS,
    description:
      'The level to report by, at or below `unit`: one row per period and unit of that level under `unit`. ' +
      'Default: the level below `unit` (a district by street, a street by community), a community by itself.',
  })
  @IsOptional()
  @IsIn(KPI_LEVELS)
  by?: KpiLevel;
}

export class KpiCadreQuery extends KpiFilters {
  @ApiProperty({
    description:
      'The cadre whose KPIs to report: the cadre themselves, or a cadre of a unit the caller supervises.',
    example: 'demo-cadre-taiyangcheng',
    pattern: KPI_CADRE.source,
  })
  @IsString()
  @Matches(KPI_CADRE, { message: 'cadre must be a cadre id such as demo-cadre-taiyangcheng' })
  cadre!: string;
}

export class KpiCadresQuery extends KpiFilters {
  @ApiProperty({
    description: 'The district, street or community whose cadres to report on.',
    example: 'pc.gucheng.taiyangcheng',
    pattern: KPI_UNIT.source,
  })
  @IsString()
  @Matches(KPI_UNIT, { message: 'unit must be a district, street or community code such as pc.gucheng' })
  unit!: string;
}

export class KpiRankingsQuery extends ConsistencyQuery {
  @ApiProperty({
    description: 'The street whose communities to rank.',
    example: 'pc.gucheng',
    pattern: KPI_STREET.source,
  })
  @IsString()
  @Matches(KPI_STREET, { message: 'street must be a street code such as pc.gucheng' })
  street!: string;

  @ApiProperty({
    description: 'The calendar month, YYYY-MM (Asia/Shanghai days).',
    example: '2026-04',
    pattern: MONTH.source,
  })
  @IsString()
  @Matches(MONTH, { message: 'month must be YYYY-MM' })
  month!: string;

  @ApiPropertyOptional({ enum: KPI_DEFINITION_NAMES, description: DEFINITION_DESCRIPTION })
  @IsOptional()
  @IsIn(KPI_DEFINITION_NAMES)
  definition?: string;
}

const int = (description: string): PropertyDecorator => ApiProperty({ type: 'integer', description });
const rate = (description: string): PropertyDecorator =>
  ApiProperty({
    type: Number,
    nullable: true,
    description: `${description} A fraction (0.5 is 50 %); null when its denominator is zero.`,
  });

/** The counters of `rm_kpi_daily`, summed. */
export class KpiCountsView implements KpiCounts {
  @int('受理: dispatches the unit received (each redispatch too).') received!: number;
  @int('退单: dispatches it returned.') returned!: number;
  @int('First contacts with the resident.') responded!: number;
  @int('Of those, within the response time limit.') responded_in_time!: number;
  @int('办结: resolutions.') resolved!: number;
  @int('Of those, within the resolution time limit.') resolved_in_time!: number;
  @int('参评: feedback recorded.') rated!: number;
  @int('满意.') satisfied!: number;
  @int('基本满意.') basically_satisfied!: number;
  @int('不满意.') unsatisfied!: number;
  @int('Feedback saying the problem was solved.') solved!: number;
  @int('SLA breaches recorded.') breached!: number;
  @int('重新办理: reopenings.') reopened!: number;
}

export class KpiRatesView implements KpiRates {
  @rate('响应率: first contacts in time / (received − returned).') responseRate!: number | null;
  @rate('解决率: solved / rated.') resolutionRate!: number | null;
  @rate('满意率: by the definition (with or without 基本满意) / rated.') satisfactionRate!: number | null;
  @rate('按期办结率: resolved in time / resolved.') onTimeResolutionRate!: number | null;
  @rate('派单准确率: (received − returned) / received.') firstDispatchAccuracy!: number | null;
  @rate('重新办理率: reopened / resolved.') reopenRate!: number | null;
}

export class KpiDefinitionView {
  @ApiProperty({ example: 'tongban-2026.2' }) name!: string;
  @ApiProperty({ type: 'integer', example: 2 }) version!: number;
  @ApiProperty() title!: string;
}

export class KpiPeriodView {
  @ApiProperty({ description: '`2026-04-07`, `2026-W15` (ISO week) or `2026-04`.', example: '2026-04' })
  label!: string;
  @ApiProperty({ description: 'First day of the period within the range.', example: '2026-04-01' })
  from!: string;
  @ApiProperty({ description: 'Last day of the period within the range.', example: '2026-04-30' })
  to!: string;
}

export class KpiRowView {
  @ApiProperty({ type: KpiPeriodView }) period!: KpiPeriodView;
  @ApiProperty({ description: 'The unit at the `by` level.', example: 'pc.gucheng.taiyangcheng' })
  unit!: string;
  @ApiProperty({ type: KpiCountsView }) counts!: KpiCountsView;
  @ApiProperty({ type: KpiRatesView }) rates!: KpiRatesView;
}

export class KpiView {
  @ApiProperty({ example: 'pc.gucheng' }) unit!: string;
  @ApiProperty({ enum: KPI_LEVELS }) by!: KpiLevel;
  @ApiProperty({ enum: KPI_PERIODS }) period!: KpiPeriodKind;
  @ApiProperty({ example: '2026-04-01' }) from!: string;
  @ApiProperty({ example: '2026-04-30' }) to!: string;
  @ApiProperty({ nullable: true, type: String }) matter!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '物业管理' }) category!: string | null;
  @ApiProperty({ type: KpiDefinitionView }) definition!: KpiDefinitionView;
  @ApiProperty({
    type: [KpiRowView],
    description:
      'Per period (in order) and per unit under `unit` at the `by` level that has counts in the range (by code): ' +
      'every such unit has a row in every period, zeros where nothing happened.',
  })
  items!: KpiRowView[];
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class KpiCadreRowView {
  @ApiProperty({ type: KpiPeriodView }) period!: KpiPeriodView;
  @ApiProperty({ type: KpiCountsView }) counts!: KpiCountsView;
  @ApiProperty({ type: KpiRatesView }) rates!: KpiRatesView;
}

export class KpiCadreView {
  @ApiProperty({ example: 'demo-cadre-taiyangcheng' }) cadre!: string;
  @ApiProperty({ enum: KPI_PERIODS }) period!: KpiPeriodKind;
  @ApiProperty({ example: '2026-04-01' }) from!: string;
  @ApiProperty({ example: '2026-04-30' }) to!: string;
  @ApiProperty({ nullable: true, type: String }) matter!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '物业管理' }) category!: string | null;
  @ApiProperty({ type: KpiDefinitionView }) definition!: KpiDefinitionView;
  @ApiProperty({
    type: [KpiCadreRowView],
    description:
      'One row per period (in order), zeros where nothing happened: the cadre’s facts in every unit the ' +
      'caller may see them in, summed.',
  })
  items!: KpiCadreRowView[];
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class KpiCadresRowView {
  @ApiProperty({ type: KpiPeriodView }) period!: KpiPeriodView;
  @ApiProperty({ example: 'demo-cadre-taiyangcheng' }) cadre!: string;
  @ApiProperty({ type: KpiCountsView }) counts!: KpiCountsView;
  @ApiProperty({ type: KpiRatesView }) rates!: KpiRatesView;
}

export class KpiCadresView {
  @ApiProperty({ example: 'pc.gucheng.taiyangcheng' }) unit!: string;
  @ApiProperty({ enum: KPI_PERIODS }) period!: KpiPeriodKind;
  @ApiProperty({ example: '2026-04-01' }) from!: string;
  @ApiProperty({ example: '2026-04-30' }) to!: string;
  @ApiProperty({ nullable: true, type: String }) matter!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '物业管理' }) category!: string | null;
  @ApiProperty({ type: KpiDefinitionView }) definition!: KpiDefinitionView;
  @ApiProperty({
    type: [KpiCadresRowView],
    description:
      'Per period (in order) and per cadre with facts under `unit` in the range (by id), zeros where nothing ' +
      'happened: what each cadre counted while answering for cases in units under `unit`.',
  })
  items!: KpiCadresRowView[];
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}

export class KpiRankedView {
  @ApiProperty({
    type: 'integer',
    description: '1 for the first; units equal on every ranking rate share a rank.',
  })
  rank!: number;
  @ApiProperty({ example: 'pc.gucheng.taiyangcheng' }) unit!: string;
  @ApiProperty({ type: KpiCountsView }) counts!: KpiCountsView;
  @ApiProperty({ type: KpiRatesView }) rates!: KpiRatesView;
}

export class KpiRankingsView {
  @ApiProperty({ example: 'pc.gucheng' }) street!: string;
  @ApiProperty({ example: '2026-04' }) month!: string;
  @ApiProperty({ type: KpiDefinitionView }) definition!: KpiDefinitionView;
  @ApiProperty({
    type: [KpiRankedView],
    description:
      'The communities of the street with counts in the month, by the definition’s composite order: ' +
      'satisfaction rate, then resolution rate, then response rate, highest first (a missing rate after a ' +
      'present one); communities whose counts are all zero last.',
  })
  items!: KpiRankedView[];
  @ApiProperty({ type: ConsistencyDto }) consistency!: ConsistencyDto;
}
