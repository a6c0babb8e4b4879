import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TongbanError, ValidationFailedError } from '@tongban/errors';
import { columnsOf, ReadModelConsistency } from '@tongban/projections';
import { principalUnit, type OrgUnit, type Principal } from '@tongban/security';
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
  type KpiRates,
} from '@tongban/sla';
import { kpiCadreDailyTable, kpiDailyTable, type KpiCounter } from '../projections';
import { READ_MODEL_WAIT_MS } from '../queries/case-reads';
import { supervisedUnitInScope } from '../queries/unit-scope';
import { readConsistently, type ConsistencyView } from '../queries/paging';
import {
  KPI_LEVELS,
  type KpiCadreQuery,
  type KpiCadresQuery,
  type KpiCadresView,
  type KpiCadreView,
  type KpiDefinitionView,
  type KpiFilters,
  type KpiLevel,
  type KpiQuery,
  type KpiRankingsQuery,
  type KpiRankingsView,
  type KpiView,
} from './kpi.dto';
import { MATTER_CATEGORIES, type MatterCategories } from './matter-categories';

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

/**
 * No KPI facts for the cadre in the range, or the cadre is outside the caller's scope: the two
 * answer alike (same status, code and detail), so cadres cannot be probed.
 */
export class KpiCadreNotFoundError extends TongbanError {
  readonly code = 'kpi.cadre_not_found';
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

/** Where a caller may read a cadre's KPI facts: under `within` (a unit code), or anywhere (null). */
export interface CadreKpiScope {
  readonly within: string | null;
}

/**
 * Whose per-cadre KPIs a caller may read: a cadre their own (all of them, in whichever unit they
 * answered for a case); a dispatcher, supervisor or admin those any cadre counted in the unit they
 * act for (`supervisedUnitInScope` of their own unit: a street's, its communities; a district's,
 * all of it). Nobody else, and no other cadre's: undefined, which answers like no facts (404).
 */
export function cadreKpiScope(principal: Principal, cadre: string): CadreKpiScope | undefined {
  if (principal.role === 'cadre') {
    return principal.id === cadre && principalUnit(principal) !== undefined ? { within: null } : undefined;
  }
  const own = principalUnit(principal);
  const unit = own && supervisedUnitInScope(principal, own.code, KPI_LEVELS);
  return unit ? { within: unit.code } : undefined;
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
  /** The group: a unit cut to the `by` level, a cadre, or '' for one group. */
  readonly key: string;
  readonly counts: KpiCounts;
}

/** Which facts to sum, and how to group them. */
interface FactsQuery {
  readonly facts: 'unit' | 'cadre';
  /** Facts counted under this unit (itself included); anywhere when null. */
  readonly under: string | null;
  readonly cadre?: string;
  /** Per unit cut to this many code segments, per cadre, or all in one. */
  readonly group: { readonly depth: number } | 'cadre' | 'all';
  readonly period: KpiPeriodKind;
  readonly from: string;
  readonly to: string;
  /** These matter codes only; every matter when undefined. */
  readonly matters: readonly string[] | undefined;
}

/** A question's common parts, checked. */
interface Asked {
  readonly definition: KpiDefinition;
  readonly period: KpiPeriodKind;
  readonly matters: readonly string[] | undefined;
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
    @Inject(MATTER_CATEGORIES) private readonly categories: MatterCategories,
  ) {}

  async kpiOf(principal: Principal, query: KpiQuery): Promise<KpiView> {
    const { definition, period, matters } = this.asked(query);
    const consistency = await this.consistent('kpi_daily', query.after);
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
    const sums = await this.sums({
      facts: 'unit',
      under: unit.code,
      group: { depth: DEPTH[by] },
      period,
      from: query.from,
      to: query.to,
      matters,
    });
    if (sums.length === 0) throw notFound;
    return {
      unit: unit.code,
      by,
      period,
      from: query.from,
      to: query.to,
      matter: query.matter ?? null,
      category: query.category ?? null,
      definition: definitionView(definition),
      items: perPeriod(query, period, definition, sums).map(({ key, ...row }) => ({ ...row, unit: key })),
      consistency,
    };
  }

  /** One cadre's KPIs per period, within the caller's scope (`cadreKpiScope`). */
  async cadreKpiOf(principal: Principal, query: KpiCadreQuery): Promise<KpiCadreView> {
    const { definition, period, matters } = this.asked(query);
    const consistency = await this.consistent('kpi_cadre_daily', query.after);
    const scope = cadreKpiScope(principal, query.cadre);
    const notFound = new KpiCadreNotFoundError(
      `No KPI facts for cadre ${query.cadre} from ${query.from} to ${query.to}.`,
    );
    if (!scope) throw notFound;
    const sums = await this.sums({
      facts: 'cadre',
      under: scope.within,
      cadre: query.cadre,
      group: 'all',
      period,
      from: query.from,
      to: query.to,
      matters,
    });
    if (sums.length === 0) throw notFound;
    return {
      cadre: query.cadre,
      period,
      from: query.from,
      to: query.to,
      matter: query.matter ?? null,
      category: query.category ?? null,
      definition: definitionView(definition),
      items: perPeriod(query, period, definition, sums).map(({ period: p, counts, rates }) => ({
        period: p,
        counts,
        rates,
      })),
      consistency,
    };
  }

  /** The cadres who counted facts under a unit, per period: the unit's scope (`kpiUnitInScope`). */
  async cadresKpiOf(principal: Principal, query: KpiCadresQuery): Promise<KpiCadresView> {
    const { definition, period, matters } = this.asked(query);
    const consistency = await this.consistent('kpi_cadre_daily', query.after);
    const unit = kpiUnitInScope(principal, query.unit);
    const notFound = new KpiUnitNotFoundError(
      `No KPI facts for ${query.unit} from ${query.from} to ${query.to}.`,
    );
    if (!unit) throw notFound;
    const sums = await this.sums({
      facts: 'cadre',
      under: unit.code,
      group: 'cadre',
      period,
      from: query.from,
      to: query.to,
      matters,
    });
    if (sums.length === 0) throw notFound;
    return {
      unit: unit.code,
      period,
      from: query.from,
      to: query.to,
      matter: query.matter ?? null,
      category: query.category ?? null,
      definition: definitionView(definition),
      items: perPeriod(query, period, definition, sums).map(({ key, ...row }) => ({ ...row, cadre: key })),
      consistency,
    };
  }

  /** The street's communities ranked for one month, as the monthly 12345 bulletins publish them. */
  async rankingsOf(principal: Principal, query: KpiRankingsQuery): Promise<KpiRankingsView> {
    const range = monthRange(query.month);
    if (range === null) throw invalid('month', 'matches', 'month must be YYYY-MM');
    const definition = definitionOf(query.definition);
    const consistency = await this.consistent('kpi_daily', query.after);
    const street = kpiUnitInScope(principal, query.street);
    const notFound = new KpiUnitNotFoundError(`No KPI facts for ${query.street} in ${query.month}.`);
    if (!street || street.level !== 'street') throw notFound;
    const sums = await this.sums({
      facts: 'unit',
      under: street.code,
      group: { depth: DEPTH.community },
      period: 'month',
      from: range.from,
      to: range.to,
      matters: undefined,
    });
    if (sums.length === 0) throw notFound;
    const ranked = rankByKpi(
      definition,
      sums,
      (s) => s.counts,
      (s) => s.key,
    );
    return {
      street: street.code,
      month: query.month,
      definition: definitionView(definition),
      items: ranked.map((r) => ({
        rank: r.rank,
        unit: r.item.key,
        counts: { ...r.item.counts },
        rates: { ...r.rates },
      })),
      consistency,
    };
  }

  /** The range, definition and period checked (400 otherwise); the matter codes asked for. */
  private asked(query: KpiFilters): Asked {
    const problem = kpiRangeProblem(query.from, query.to);
    if (problem !== null) {
      const [field, message] = RANGE_MESSAGES[problem];
      throw invalid(field, problem, message);
    }
    return {
      definition: definitionOf(query.definition),
      period: query.period ?? 'month',
      matters: this.mattersAsked(query.matter, query.category),
    };
  }

  /**
   * The matter codes a question is about: the matter, the category's matters (the catalogue's
   * now), both (the matter if the category holds it), or every matter (undefined).
   */
  private mattersAsked(
    matter: string | undefined,
    category: string | undefined,
  ): readonly string[] | undefined {
    if (category === undefined) return matter === undefined ? undefined : [matter];
    const inCategory = this.categories.mattersOf(category);
    return matter === undefined ? inCategory : inCategory.filter((code) => code === matter);
  }

  private consistent(
    projection: 'kpi_daily' | 'kpi_cadre_daily',
    after: string | undefined,
  ): Promise<ConsistencyView> {
    return readConsistently(this.consistency, [projection], after, this.waitMs);
  }

  /**
   * One statement: the counters of the facts asked for (per unit, `rm_kpi_daily`; per cadre,
   * `rm_kpi_cadre_daily`) summed per period and group — each org unit under `under` (itself
   * included) cut to its first `depth` code segments, each cadre, or all in one. Grouped by unit,
   * org units with fewer segments than the level (and `unassigned`, under no unit) are left out.
   * Codes hold no LIKE wildcards (`_`, `%`): the format allows letters, digits and dots only.
   */
  private async sums(q: FactsQuery): Promise<Sums[]> {
    if (q.matters !== undefined && q.matters.length === 0) return [];
    // Both tables share the counters, `org_unit`, `day` and `matter_code` (one definition of each).
    const table = q.facts === 'unit' ? kpiDailyTable.table : kpiCadreDailyTable.table;
    const k = columnsOf(kpiDailyTable, 'k');
    const params: unknown[] = [];
    const param = (value: unknown): string => {
      params.push(value);
      return `$${params.length}`;
    };
    const start = q.period === 'day' ? k.day : `date_trunc('${q.period}', ${k.day}::timestamp)::date`;
    const segments = `string_to_array(${k.org_unit}, '.')`;
    const where = [`${k.day} BETWEEN ${param(q.from)}::date AND ${param(q.to)}::date`];
    if (q.under !== null) {
      const under = param(q.under);
      where.push(`(${k.org_unit} = ${under} OR ${k.org_unit} LIKE ${under} || '.%')`);
    }
    let group = "''";
    if (q.group === 'cadre') {
      group = columnsOf(kpiCadreDailyTable, 'k').cadre_id;
    } else if (q.group !== 'all') {
      const depth = param(q.group.depth);
      where.push(`cardinality(${segments}) >= ${depth}`);
      group = `array_to_string((${segments})[1:${depth}], '.')`;
    }
    if (q.cadre !== undefined)
      where.push(`${columnsOf(kpiCadreDailyTable, 'k').cadre_id} = ${param(q.cadre)}`);
    if (q.matters !== undefined) where.push(`${k.matter_code} = ANY(${param(q.matters)}::text[])`);
    const rows = await this.data.query<Array<Record<string, unknown>>>(
      `SELECT to_char(${start}, 'YYYY-MM-DD') AS period,
              ${group} AS key,
              ${KPI_COUNTS.map((c) => `sum(${k[c]})::int8 AS ${c}`).join(', ')}
         FROM ${table} k
        WHERE ${where.join('\n          AND ')}
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      params,
    );
    return rows.map((raw) => ({
      period: String(raw['period']),
      key: String(raw['key']),
      counts: Object.fromEntries(KPI_COUNTS.map((c) => [c, Number(raw[c])])) as KpiCounts,
    }));
  }
}

/**
 * Every period of the range × every group with facts in it (by key), zeros where nothing
 * happened, with the rates by the definition.
 */
function perPeriod(
  range: { readonly from: string; readonly to: string },
  period: KpiPeriodKind,
  definition: KpiDefinition,
  sums: readonly Sums[],
): Array<{
  period: { label: string; from: string; to: string };
  key: string;
  counts: KpiCounts;
  rates: KpiRates;
}> {
  const keys = [...new Set(sums.map((s) => s.key))].sort();
  const byKey = new Map(sums.map((s) => [`${s.period}|${s.key}`, s.counts]));
  return kpiPeriods(range.from, range.to, period).flatMap((p) =>
    keys.map((key) => {
      const counts = byKey.get(`${p.key}|${key}`) ?? NO_KPI_COUNTS;
      return {
        period: { label: p.label, from: p.from, to: p.to },
        key,
        counts: { ...counts },
        rates: { ...kpiRates(definition, counts) },
      };
    }),
  );
}
