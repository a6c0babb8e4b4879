import {
  designatedOf,
  ownerOf,
  type Assignment,
  type CaseLifecycle,
  type Satisfaction,
} from '@tongban/cases';
import type { KpiCount } from '@tongban/sla';
import type { ProjectionContext, Row } from '@tongban/projections';
import { moved, type EventOf, type LifecycleHandlers, type LifecycleStep } from './case-projection';

/**
 * What each case event counts towards the KPIs, and for whom — ONE set of rules for every table
 * of KPI facts (per unit: `kpi_daily`; per cadre: `kpi_cadre_daily`), so the two can never count
 * differently. A rule names the party a count goes to, not a table key; each projection resolves
 * the party to its own key (a unit, or a cadre in a unit).
 *
 * - `receiver`: whom a dispatch went to — the cadre (and unit) it is dispatched to after it.
 * - `accountable`: who answered for the case just before the event — its owner (in handling,
 *   resolved, closed), else the cadre it is dispatched to and has not accepted yet. So a return
 *   (退单) counts against the cadre who returned it, a contact or resolution for the owner who
 *   made it, feedback and a reopening against the owner who resolved it, a breach against whoever
 *   held the case when its deadline passed; counts made before a hand-over stay with the cadre who
 *   made them.
 */
export type KpiParty = 'receiver' | 'accountable';

/** One count a case event makes: `n` on `counter`, for `party`. */
export type KpiFact = readonly [party: KpiParty, counter: KpiCount, n: number];

/**
 * The cadre accountable for a case as its lifecycle stands: the owner, else the cadre it is
 * dispatched to (who has not accepted or returned it yet); null while nobody is (submitted, in a
 * queue, returned and not dispatched again).
 */
export function accountableCadre(lifecycle: CaseLifecycle): Assignment | null {
  return ownerOf(lifecycle) ?? designatedOf(lifecycle);
}

/** The event types that count something, with what they count. */
const RULES = {
  // Every dispatch is a receipt by whom it went to (redispatches included).
  'case.dispatched': (step) =>
    step.after.status === 'dispatched' && step.after !== step.before ? [['receiver', 'received', 1]] : [],
  // A refused hand-over is no return (退单): the status stays and the owner stays accountable.
  'case.returned': (step) => (moved(step) ? [['accountable', 'returned', 1]] : []),
  'case.resident_contacted': (step) =>
    step.before.contacted ? [] : done('responded', step.before.deadlines.response.breached),
  'case.resolved': (step) => (moved(step) ? done('resolved', step.before.deadlines.resolution.breached) : []),
  'case.feedback_recorded': (step) => {
    if (step.before.status !== 'resolved') return [];
    const facts: KpiFact[] = [
      ['accountable', 'rated', 1],
      ['accountable', SATISFACTION_COUNTERS[step.event.satisfaction], 1],
    ];
    if (step.event.solved) facts.push(['accountable', 'solved', 1]);
    return facts;
  },
  'case.sla_breached': () => [['accountable', 'breached', 1]],
  'case.reopened': (step) => (moved(step) ? [['accountable', 'reopened', 1]] : []),
} satisfies { readonly [T in KpiCountingType]: (step: LifecycleStep<EventOf<T>>) => readonly KpiFact[] };

type KpiCountingType =
  | 'case.dispatched'
  | 'case.returned'
  | 'case.resident_contacted'
  | 'case.resolved'
  | 'case.feedback_recorded'
  | 'case.sla_breached'
  | 'case.reopened';

const SATISFACTION_COUNTERS: Readonly<Record<Satisfaction, KpiCount>> = {
  satisfied: 'satisfied',
  basically_satisfied: 'basically_satisfied',
  unsatisfied: 'unsatisfied',
};

/** Responded or resolved, and in time as well unless that clock was breached first. */
function done(counter: 'responded' | 'resolved', breached: boolean): KpiFact[] {
  return breached
    ? [['accountable', counter, 1]]
    : [
        ['accountable', counter, 1],
        ['accountable', `${counter}_in_time`, 1],
      ];
}

export interface KpiFiling<R> {
  /**
   * Files the facts of one event (never empty, never for a case already ruled unreasonable): the
   * row after it, remembering what it counted.
   */
  count(row: R, step: LifecycleStep, context: ProjectionContext, facts: readonly KpiFact[]): R;
  /**
   * The case is ruled unreasonable (case.ruled_unreasonable, once): take back everything it
   * counted. Withdrawals, merges and closures only change the status: what was counted stays
   * counted — a ruling alone takes it back.
   */
  exclude(row: R, step: LifecycleStep, context: ProjectionContext): R;
}

/** The lifecycle handlers of a KPI projection: the rules above, filed the projection's way. */
export function kpiHandlers<R>(filing: KpiFiling<R>): LifecycleHandlers<R> {
  const counting = <T extends KpiCountingType>(type: T) => {
    const rule = RULES[type] as (step: LifecycleStep<EventOf<T>>) => readonly KpiFact[];
    return (row: R, step: LifecycleStep<EventOf<T>>, context: ProjectionContext): R => {
      if (step.before.ruledUnreasonable) return row;
      const facts = rule(step);
      return facts.length === 0 ? row : filing.count(row, step, context, facts);
    };
  };
  return {
    'case.dispatched': counting('case.dispatched'),
    'case.returned': counting('case.returned'),
    'case.resident_contacted': counting('case.resident_contacted'),
    'case.resolved': counting('case.resolved'),
    'case.feedback_recorded': counting('case.feedback_recorded'),
    'case.sla_breached': counting('case.sla_breached'),
    'case.reopened': counting('case.reopened'),
    'case.ruled_unreasonable': (row, step, context) =>
      step.before.ruledUnreasonable ? row : filing.exclude(row, step, context),
  };
}

/** One increment a projection made for a case, kept so that a ruling can take it back exactly. */
export type KpiIncrement<K> = K & { readonly counter: KpiCount; readonly n: number };

/** Increments summed per key and counter, with the opposite sign (what a ruling takes back). */
export function negated<K extends object>(increments: readonly KpiIncrement<K>[]): KpiIncrement<K>[] {
  const sums = new Map<string, KpiIncrement<K>>();
  for (const increment of increments) {
    const { n, ...at } = increment;
    const id = idOf(at);
    sums.set(id, { ...increment, n: (sums.get(id)?.n ?? 0) - n });
  }
  return [...sums.values()].filter((c) => c.n !== 0);
}

/** One `increment` per counter row of `table`, all its counters at once. */
export function incrementAll<K extends object>(
  context: ProjectionContext,
  table: string,
  increments: readonly KpiIncrement<K>[],
): void {
  const rows = new Map<string, { key: Row; deltas: Record<string, number> }>();
  for (const increment of increments) {
    const { counter, n, ...rest } = increment;
    const key = rest as Row;
    const id = idOf(key);
    let row = rows.get(id);
    if (!row) {
      row = { key, deltas: {} };
      rows.set(id, row);
    }
    row.deltas[counter] = (row.deltas[counter] ?? 0) + n;
  }
  for (const { key, deltas } of rows.values()) {
    context.increment(table, key, deltas);
  }
}

/** The same id for the same fields in any order (jsonb gives an object's keys back in its own order). */
function idOf(fields: object): string {
  return JSON.stringify(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
