import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TongbanError, ValidationFailedError } from '@tongban/errors';
import { columnsOf, ReadModelConsistency } from '@tongban/projections';
import type { OrgUnit, Principal } from '@tongban/security';
import {
  KPI_COUNTS,
  KPI_MAX_RANGE_DAYS,
  LATEST_KPI_DEFINITION,
  NO_KPI_COUNTS,
  findKpiDefinition,
  kpiPeriods,
  kpiRangeProblem,
  kpiRates,
  monthRange,
  rankByKpi,
  type KpiCount,
  type KpiCounts,
  type KpiDefinition,
  type KpiPeriodKind,
  type KpiRangeProblem,
} from '@tongban/sla';
import { kpiDailyTable, type KpiCounter } from '../projections';
import { READ_MODEL_WAIT_MS } from '../queries/case-reads';
import { supervisedUnitInScope } from '../queries/unit-scope';
import { readConsistently, type ConsistencyView } from '../queries/paging';
import {
  KPI_LEVELS,
  type KpiDefinitionView,
  type KpiLevel,
  type KpiQuery,
  type KpiRankingsQuery,
  type KpiRankingsView,
  type KpiView,
} from './kpi.dto';

/**
 * The definitions read the counters of `rm_kpi_daily` by name: the two lists are one. A counter
 * added to the table and not to `KPI_COUNTS` (or the reverse) fails to compile here.
 */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const COUNTERS_ARE_THE_DEFINITIONS_COUNTS: Same<KpiCounter, KpiCount> = true;
void COUNTERS_ARE_THE_DEFINITIONS_COUNTS;

/**
 * No KPI facts for the unit in the range, or the unit is outside the caller's scope: the two
 * answer alike (same status, code and detail), so units cannot be probed.
 */
export class KpiUnitNotFoundError extends TongbanError {
  readonly code = 'kpi.unit_not_found';
  readonly kind = 'not_found';
}

type KpiUnit = Extract<OrgUnit, { level: KpiLevel }>;

const isKpiUnit = (unit: OrgUnit): unit is KpiUnit => (KPI_LEVELS as readonly string[]).includes(unit.level);

/** How many code segments a unit of each level has: `pc`, `pc.gucheng`, `pc.gucheng.taiyangcheng`. */
const DEPTH: Readonly<Record<KpiLevel, number>> = { district: 1, street: 2, community: 3 };

/**
 * The district, street or community `unit` names, when the caller may see its KPIs: the scope of
 * supervised units (`supervisedUnitInScope`) a dispatcher, supervisor or admin reads figures in.
 */
export function kpiUnitInScope(principal: Principal, unit: string): KpiUnit | undefined {
  const found = supervisedUnitInScope(principal, unit, KPI_LEVELS);
  return found && isKpiUnit(found) ? found : undefined;
}

const RANGE_MESSAGES: Readonly<Record<KpiRangeProblem, [field: string, message: string]>> = {
  fromNotADate: ['from', 'from must be a real date YYYY-MM-DD'],
  toNotADate: ['to', 'to must be a real date YYYY-MM-DD'],
  reversed: ['to', 'to must not be before from'],
  tooLong: ['to', `a KPI range covers at most ${KPI_MAX_RANGE_DAYS} days`],
};

function invalid(field: string, reason: string, message: string): ValidationFailedError {
  return new ValidationFailedError('The request did not pass validation.', [{ field, reason, message }]);
}

function definitionOf(name: string | undefined): KpiDefinition {
  // The DTO admits only published names; an unknown one here is a programming error.
  const definition = name === undefined ? LATEST_KPI_DEFINITION : findKpiDefinition(name);
  if (!definition) throw invalid('definition', 'isIn', `unknown KPI definition ${name}`);
  return definition;
}

const definitionView = (d: KpiDefinition): KpiDefinitionView => ({
  name: d.name,
  version: d.version,
  title: d.title,
});

interface Sums {
  readonly period: string;
  readonly unit: string;
  readonly counts: KpiCounts;
}

/**
 * The three rates (三率) and their companions: the counters of `rm_kpi_daily` summed in
 * PostgreSQL (one statement, grouped by period and unit), the rates computed here by a named,
 * versioned KPI definition (`@tongban/sla`).
 */
@Injectable()
export class KpiReads {
  constructor(
    private readonly data: DataSource,
    private readonly consistency: ReadModelConsistency,
    @Inject(READ_MODEL_WAIT_MS) private readonly waitMs: number,
  ) {}

  async kpiOf(principal: Principal, query: KpiQuery): Promise<KpiView> {
    const problem = kpiRangeProblem(query.from, query.to);
    if (problem !== null) {
      const [field, message] = RANGE_MESSAGES[problem];
      throw invalid(field, problem, message);
    }
    const definition = definitionOf(query.definition);
    const period: KpiPeriodKind = query.period ?? 'month';
    const consistency = await this.consistent(query.after);
    const unit = kpiUnitInScope(principal, query.unit);
    const notFound = new KpiUnitNotFoundError(
      `No KPI facts for ${query.unit} from ${query.from} to ${query.to}.`,
    );
    if (!unit) throw notFound;
    const by = query.by ?? (unit.level === 'district' ? 'street' : 'community');
    if (DEPTH[by] < DEPTH[unit.level]) {
      throw invalid(
        'by',
        'isIn',
        `a ${unit.level} is reported by its own level or one below it, not by ${by}`,
      );
    }
    const sums = await this.sums(unit.code, DEPTH[by], period, query.from, query.to, query.matter);
    if (sums.length === 0) throw notFound;

    const units = [...new Set(sums.map((s) => s.unit))].sort();
    const byKey = new Map(sums.map((s) => [`${s.period}|${s.unit}`, s.counts]));
    const items = kpiPeriods(query.from, query.to, period).flatMap((p) =>
      units.map((u) => {
        const counts = byKey.get(`${p.key}|${u}`) ?? NO_KPI_COUNTS;
        return {
          period: { label: p.label, from: p.from, to: p.to },
          unit: u,
          counts: { ...counts },
          rates: { ...kpiRates(definition, counts) },
        };
      }),
    );
    return {
      unit: unit.code,
      by,
      period,
      from: query.from,
      to: query.to,
      matter: query.matter ?? null,
      definition: definitionView(definition),
      items,
      consistency,
    };
  }

  /** The street's communities ranked for one month, as the monthly 12345 bulletins publish them. */
  async rankingsOf(principal: Principal, query: KpiRankingsQuery): Promise<KpiRankingsView> {
    const range = monthRange(query.month);
    if (range === null) throw invalid('month', 'matches', 'month must be YYYY-MM');
    const definition = definitionOf(query.definition);
    const consistency = await this.consistent(query.after);
    const street = kpiUnitInScope(principal, query.street);
    const notFound = new KpiUnitNotFoundError(`No KPI facts for ${query.street} in ${query.month}.`);
    if (!street || street.level !== 'street') throw notFound;
    const sums = await this.sums(street.code, DEPTH.community, 'month', range.from, range.to, undefined);
    if (sums.length === 0) throw notFound;
    const ranked = rankByKpi(
      definition,
      sums,
      (s) => s.counts,
      (s) => s.unit,
    );
    return {
      street: street.code,
      month: query.month,
      definition: definitionView(definition),
      items: ranked.map((r) => ({
        rank: r.rank,
        unit: r.item.unit,
        counts: { ...r.item.counts },
        rates: { ...r.rates },
      })),
      consistency,
    };
  }

  private consistent(after: string | undefined): Promise<ConsistencyView> {
    return readConsistently(this.consistency, ['kpi_daily'], after, this.waitMs);
  }

  /**
   * One statement: the counters of every org unit under `unit` (itself included), cut to its
   * first `depth` code segments (the `by` level) and summed per period. Org units with fewer
   * segments than the level (and `unassigned`, under no unit) are left out. Codes hold no LIKE
   * wildcards (`_`, `%`): the format allows letters, digits and dots only.
   */
  private async sums(
    unit: string,
    depth: number,
    period: KpiPeriodKind,
    from: string,
    to: string,
    matter: string | undefined,
  ): Promise<Sums[]> {
    const k = columnsOf(kpiDailyTable, 'k');
    const start = period === 'day' ? k.day : `date_trunc('${period}', ${k.day}::timestamp)::date`;
    const segments = `string_to_array(${k.org_unit}, '.')`;
    const rows = await this.data.query<Array<Record<string, unknown>>>(
      `SELECT to_char(${start}, 'YYYY-MM-DD') AS period,
              array_to_string((${segments})[1:$4], '.') AS unit,
              ${KPI_COUNTS.map((c) => `sum(${k[c]})::int8 AS ${c}`).join(', ')}
         FROM ${kpiDailyTable.table} k
        WHERE (${k.org_unit} = $1 OR ${k.org_unit} LIKE $1 || '.%')
          AND ${k.day} BETWEEN $2::date AND $3::date
          AND cardinality(${segments}) >= $4
          ${matter === undefined ? '' : `AND ${k.matter_code} = $5`}
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      [unit, from, to, depth, ...(matter === undefined ? [] : [matter])],
    );
    return rows.map((raw) => ({
      period: String(raw['period']),
      unit: String(raw['unit']),
      counts: Object.fromEntries(KPI_COUNTS.map((c) => [c, Number(raw[c])])) as KpiCounts,
    }));
  }
}
