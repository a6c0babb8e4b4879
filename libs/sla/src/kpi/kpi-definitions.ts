/**
 * KPI definitions: how the three rates (三率) and their companions are computed from the daily
 * KPI counters (`rm_kpi_daily`). A definition is named and versioned and never edited once
 * published: a changed rule is a new definition, so a past month can be recomputed under the
 * definition in force then, and any answer names the definition it used. Pure: no I/O.
 */

/**
 * The counters a definition reads: the counter columns of the read model `kpi_daily`, summed over
 * a unit and a period. The read model checks at compile time that its columns are exactly these.
 */
export const KPI_COUNTS = [
  'received',
  'returned',
  'responded',
  'responded_in_time',
  'resolved',
  'resolved_in_time',
  'rated',
  'satisfied',
  'basically_satisfied',
  'unsatisfied',
  'solved',
  'breached',
  'reopened',
] as const;
export type KpiCount = (typeof KPI_COUNTS)[number];
export type KpiCounts = Readonly<Record<KpiCount, number>>;

/** Counters of nothing: where sums start. */
export const NO_KPI_COUNTS: KpiCounts = Object.fromEntries(KPI_COUNTS.map((c) => [c, 0])) as KpiCounts;

/** The rates every definition computes, by their English names (docs/glossary.md). */
export const KPI_RATES = [
  'responseRate',
  'resolutionRate',
  'satisfactionRate',
  'onTimeResolutionRate',
  'firstDispatchAccuracy',
  'reopenRate',
] as const;
export type KpiRate = (typeof KPI_RATES)[number];
export type KpiRates = Readonly<Record<KpiRate, number | null>>;

/** The Chinese name of each rate, as bulletins and spreadsheets print it. */
export const KPI_RATE_NAMES_ZH: Readonly<Record<KpiRate, string>> = {
  responseRate: '响应率',
  resolutionRate: '解决率',
  satisfactionRate: '满意率',
  onTimeResolutionRate: '按期办结率',
  firstDispatchAccuracy: '派单准确率',
  reopenRate: '重新办理率',
};

/** A weighted sum of counters: `[counter, weight]` pairs. */
export type KpiTerm = readonly [counter: KpiCount, weight: number];

/** numerator / denominator, each a weighted sum of the summed counters. */
export interface KpiRateRule {
  readonly numerator: readonly KpiTerm[];
  readonly denominator: readonly KpiTerm[];
  /** The rule in words, for the documentation and the API. */
  readonly means: string;
}

export interface KpiDefinition {
  /** Stable, never reused: `tongban-2026.1`. */
  readonly name: string;
  /** Increases with each new definition; the highest is the default. */
  readonly version: number;
  readonly title: string;
  /** What differs from the definition before it, and why. */
  readonly changes: string;
  /** What no rate counts. */
  readonly excludes: string;
  readonly rates: Readonly<Record<KpiRate, KpiRateRule>>;
  /**
   * The composite order of the monthly bulletins' rankings: by these rates in turn, highest
   * first; a unit without the rate (null) after every unit with it.
   */
  readonly ranking: readonly KpiRate[];
}

const EXCLUDES =
  'Cases ruled unreasonable (case.ruled_unreasonable, 不合理诉求): the read model takes back every count ' +
  'such a case made, on the days it made them, so no counter and no rate includes them. Cases nobody ' +
  'was accountable for and whose location names no community (`unassigned`) belong to no unit.';

/** The rules both published definitions share; they differ in the satisfaction rate only. */
const COMMON_RATES = {
  responseRate: {
    numerator: [['responded_in_time', 1]],
    denominator: [
      ['received', 1],
      ['returned', -1],
    ],
    means:
      'first contacts with the resident made within the response time limit, over dispatches the unit kept ' +
      '(received − returned: a case returned (退单) and dispatched elsewhere counts for the unit that kept it)',
  },
  resolutionRate: {
    numerator: [['solved', 1]],
    denominator: [['rated', 1]],
    means: 'feedback saying the problem was solved, over feedback recorded (回访: 问题是否解决)',
  },
  onTimeResolutionRate: {
    numerator: [['resolved_in_time', 1]],
    denominator: [['resolved', 1]],
    means: 'resolutions within the resolution time limit (extensions and pauses included), over resolutions',
  },
  firstDispatchAccuracy: {
    numerator: [
      ['received', 1],
      ['returned', -1],
    ],
    denominator: [['received', 1]],
    means: '1 − returned / received: dispatches not returned (退单), over dispatches received',
  },
  reopenRate: {
    numerator: [['reopened', 1]],
    denominator: [['resolved', 1]],
    means: 'reopenings (重新办理) over resolutions',
  },
} satisfies Record<Exclude<KpiRate, 'satisfactionRate'>, KpiRateRule>;

const RANKING: readonly KpiRate[] = ['satisfactionRate', 'resolutionRate', 'responseRate'];

/** 基本满意 counts as satisfied: (满意 + 基本满意) / 参评. */
export const TONGBAN_2026_1: KpiDefinition = {
  name: 'tongban-2026.1',
  version: 1,
  title: '通办 2026 第 1 版：基本满意计入满意',
  changes: 'The first definition.',
  excludes: EXCLUDES,
  rates: {
    ...COMMON_RATES,
    satisfactionRate: {
      numerator: [
        ['satisfied', 1],
        ['basically_satisfied', 1],
      ],
      denominator: [['rated', 1]],
      means: '(satisfied + basically satisfied) / rated: 基本满意 counts as satisfied',
    },
  },
  ranking: RANKING,
};

/** Only 满意 counts as satisfied: 满意 / 参评. */
export const TONGBAN_2026_2: KpiDefinition = {
  name: 'tongban-2026.2',
  version: 2,
  title: '通办 2026 第 2 版：仅“满意”计入满意',
  changes:
    'The satisfaction rate counts only 满意: a 基本满意 answer no longer counts as satisfied, as the stricter ' +
    'bulletins print it. Every other rate as in tongban-2026.1.',
  excludes: EXCLUDES,
  rates: {
    ...COMMON_RATES,
    satisfactionRate: {
      numerator: [['satisfied', 1]],
      denominator: [['rated', 1]],
      means: 'satisfied / rated: only 满意 counts; 基本满意 and 不满意 do not',
    },
  },
  ranking: RANKING,
};

/** Every published definition, oldest first. */
export const KPI_DEFINITIONS: readonly KpiDefinition[] = [TONGBAN_2026_1, TONGBAN_2026_2];
export const KPI_DEFINITION_NAMES: readonly string[] = KPI_DEFINITIONS.map((d) => d.name);
/** The default: the highest version. */
export const LATEST_KPI_DEFINITION: KpiDefinition = KPI_DEFINITIONS.reduce((a, b) =>
  b.version > a.version ? b : a,
);

export function findKpiDefinition(name: string): KpiDefinition | undefined {
  return KPI_DEFINITIONS.find((d) => d.name === name);
}

/** Counters added up (a unit's days, a street's communities). */
export function addKpiCounts(a: KpiCounts, b: KpiCounts): KpiCounts {
  return Object.fromEntries(KPI_COUNTS.map((c) => [c, a[c] + b[c]])) as KpiCounts;
}

const weighted = (terms: readonly KpiTerm[], counts: KpiCounts): number =>
  terms.reduce((sum, [counter, weight]) => sum + weight * counts[counter], 0);

/**
 * One rate, a fraction (0.5 is 50 %). Null when its denominator is zero or less: no case to rate
 * is no rate — neither 0 nor 100 %. Counts are per period (a case received in one month and
 * responded to in the next counts in each), so a short period's rate can leave [0, 1].
 */
export function kpiRate(rule: KpiRateRule, counts: KpiCounts): number | null {
  const denominator = weighted(rule.denominator, counts);
  if (!(denominator > 0)) return null;
  return weighted(rule.numerator, counts) / denominator;
}

export function kpiRates(definition: KpiDefinition, counts: KpiCounts): KpiRates {
  return Object.fromEntries(KPI_RATES.map((r) => [r, kpiRate(definition.rates[r], counts)])) as KpiRates;
}

/** No case counted at all: every counter zero. */
export function hasNoCases(counts: KpiCounts): boolean {
  return KPI_COUNTS.every((c) => counts[c] === 0);
}

export interface KpiRanked<T> {
  /** 1 for the first; units equal on every ranking rate share a rank (1, 1, 3). */
  readonly rank: number;
  readonly item: T;
  readonly rates: KpiRates;
}

/**
 * Units ranked as the monthly bulletins publish them: by the definition's ranking rates in turn,
 * highest first, a missing rate after any present one; units with no cases at all last; ties
 * share a rank and are listed by `key`.
 */
export function rankByKpi<T>(
  definition: KpiDefinition,
  items: readonly T[],
  countsOf: (item: T) => KpiCounts,
  key: (item: T) => string,
): KpiRanked<T>[] {
  const rated = items.map((item) => {
    const counts = countsOf(item);
    return { item, rates: kpiRates(definition, counts), empty: hasNoCases(counts) };
  });
  type Rated = (typeof rated)[number];
  const byRates = (a: Rated, b: Rated): number => {
    if (a.empty !== b.empty) return a.empty ? 1 : -1;
    for (const rate of definition.ranking) {
      const x = a.rates[rate];
      const y = b.rates[rate];
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return y - x;
    }
    return 0;
  };
  const sorted = [...rated].sort((a, b) => byRates(a, b) || key(a.item).localeCompare(key(b.item)));
  let rank = 0;
  return sorted.map((entry, i) => {
    const previous = sorted[i - 1];
    if (previous === undefined || byRates(previous, entry) !== 0) rank = i + 1;
    return { rank, item: entry.item, rates: entry.rates };
  });
}
