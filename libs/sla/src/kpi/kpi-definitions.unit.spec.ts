import {
  KPI_COUNTS,
  KPI_DEFINITIONS,
  KPI_RATES,
  LATEST_KPI_DEFINITION,
  NO_KPI_COUNTS,
  TONGBAN_2026_1,
  TONGBAN_2026_2,
  addKpiCounts,
  findKpiDefinition,
  kpiRates,
  rankByKpi,
  type KpiCounts,
} from './kpi-definitions';

const counts = (some: Partial<KpiCounts>): KpiCounts => ({ ...NO_KPI_COUNTS, ...some });

/**
 * A community's month, written by hand: 10 dispatches received, 2 of them returned (退单); 7 first
 * contacts, 6 of them in time; 6 resolutions, 5 in time; 5 rated — 2 满意, 2 基本满意, 1 不满意 —
 * 4 of them saying solved; 1 reopened.
 */
const month = counts({
  received: 10,
  returned: 2,
  responded: 7,
  responded_in_time: 6,
  resolved: 6,
  resolved_in_time: 5,
  rated: 5,
  satisfied: 2,
  basically_satisfied: 2,
  unsatisfied: 1,
  solved: 4,
  breached: 1,
  reopened: 1,
});

describe('the KPI definitions', () => {
  it('computes every rate of tongban-2026.1 from the counters (基本满意 counts as satisfied)', () => {
    expect(kpiRates(TONGBAN_2026_1, month)).toEqual({
      responseRate: 6 / 8,
      resolutionRate: 4 / 5,
      satisfactionRate: 4 / 5,
      onTimeResolutionRate: 5 / 6,
      firstDispatchAccuracy: 8 / 10,
      reopenRate: 1 / 6,
    });
  });

  it('computes tongban-2026.2 alike but for the satisfaction rate (only 满意 counts)', () => {
    expect(kpiRates(TONGBAN_2026_2, month)).toEqual({
      ...kpiRates(TONGBAN_2026_1, month),
      satisfactionRate: 2 / 5,
    });
  });

  it('answers null, never 0 or 100 %, where the denominator is zero', () => {
    expect(kpiRates(TONGBAN_2026_2, NO_KPI_COUNTS)).toEqual(
      Object.fromEntries(KPI_RATES.map((r) => [r, null])),
    );
    // Received but nothing resolved or rated yet: only the dispatch-based rates exist.
    expect(kpiRates(TONGBAN_2026_2, counts({ received: 3, returned: 1 }))).toEqual({
      responseRate: 0,
      resolutionRate: null,
      satisfactionRate: null,
      onTimeResolutionRate: null,
      firstDispatchAccuracy: 2 / 3,
      reopenRate: null,
    });
    // Every dispatch returned: nobody kept a case to respond to.
    expect(kpiRates(TONGBAN_2026_2, counts({ received: 2, returned: 2 })).responseRate).toBeNull();
  });

  it('are found by name, the latest by default, each name and version once', () => {
    expect(findKpiDefinition('tongban-2026.1')).toBe(TONGBAN_2026_1);
    expect(findKpiDefinition('tongban-2026.2')).toBe(TONGBAN_2026_2);
    expect(findKpiDefinition('tongban-2027.9')).toBeUndefined();
    expect(LATEST_KPI_DEFINITION).toBe(TONGBAN_2026_2);
    expect(new Set(KPI_DEFINITIONS.map((d) => d.name)).size).toBe(KPI_DEFINITIONS.length);
    expect(new Set(KPI_DEFINITIONS.map((d) => d.version)).size).toBe(KPI_DEFINITIONS.length);
    for (const definition of KPI_DEFINITIONS) {
      expect(definition.excludes).toContain('ruled unreasonable');
      for (const rate of KPI_RATES) {
        for (const [counter] of [
          ...definition.rates[rate].numerator,
          ...definition.rates[rate].denominator,
        ]) {
          expect(KPI_COUNTS).toContain(counter);
        }
      }
    }
  });

  it('adds counters up', () => {
    expect(addKpiCounts(month, counts({ received: 1, solved: 2 }))).toEqual({
      ...month,
      received: 11,
      solved: 6,
    });
  });
});

describe('rankings', () => {
  const units: ReadonlyArray<readonly [string, KpiCounts]> = [
    ['c.empty', NO_KPI_COUNTS],
    // 满意 1/2, solved 1/2.
    ['c.low', counts({ received: 2, responded_in_time: 2, rated: 2, satisfied: 1, solved: 1 })],
    // 满意 2/2.
    ['c.top', counts({ received: 2, responded_in_time: 1, rated: 2, satisfied: 2, solved: 1 })],
    // 满意 1/2 like c.low, solved 2/2: ahead of it on the resolution rate.
    ['c.mid', counts({ received: 2, responded_in_time: 0, rated: 2, satisfied: 1, solved: 2 })],
    // Received, nothing rated yet: no satisfaction rate, after every unit with one.
    ['c.unrated', counts({ received: 4, responded_in_time: 4 })],
    // Exactly like c.low: the same rank, listed by code.
    ['c.another', counts({ received: 2, responded_in_time: 2, rated: 2, satisfied: 1, solved: 1 })],
  ];

  it('orders by satisfaction, then resolution, then response rate; no cases last; ties share a rank', () => {
    const ranked = rankByKpi(
      TONGBAN_2026_2,
      units,
      ([, c]) => c,
      ([unit]) => unit,
    );
    expect(ranked.map((r) => [r.rank, r.item[0]])).toEqual([
      [1, 'c.top'],
      [2, 'c.mid'],
      [3, 'c.another'],
      [3, 'c.low'],
      [5, 'c.unrated'],
      [6, 'c.empty'],
    ]);
    expect(ranked[0]?.rates.satisfactionRate).toBe(1);
  });

  it('depends on the definition: 基本满意 lifts a unit under tongban-2026.1 only', () => {
    const a = counts({ received: 2, rated: 2, satisfied: 1, basically_satisfied: 1, solved: 2 });
    const b = counts({ received: 2, rated: 2, satisfied: 2, solved: 1 });
    const order = (definition: typeof TONGBAN_2026_1): string[] =>
      rankByKpi(
        definition,
        [
          ['a', a],
          ['b', b],
        ] as const,
        ([, c]) => c,
        ([unit]) => unit,
      ).map((r) => r.item[0]);
    expect(order(TONGBAN_2026_2)).toEqual(['b', 'a']);
    // Both 100 % satisfied: the resolution rate decides.
    expect(order(TONGBAN_2026_1)).toEqual(['a', 'b']);
  });
});
