import type { CaseEvent, CaseSubmitted, Satisfaction } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import type { Projection, ProjectionContext, RowRef } from '@tongban/projections';
import { CASE_STREAMS, decodeCaseEvent } from './case-event-decoding';
import { isTerminal, nextStatus, type CaseViewStatus } from './case-lifecycle';
import { shanghaiDay } from './view-values';

export const KPI_DAILY_TABLE = 'rm_kpi_daily';
export const KPI_CASE_TABLE = 'rm_kpi_case';

export const KPI_COUNTERS = [
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

export type KpiCounter = (typeof KPI_COUNTERS)[number];

/** Cases without a matter code are counted under this one, so the key never holds a null. */
export const UNCLASSIFIED_MATTER = 'unclassified';
/** The org unit of a case nobody is accountable for yet and whose location names no community. */
export const UNASSIGNED_UNIT = 'unassigned';

/** One increment made for a case, kept so that a ruling can take it back exactly. */
export type KpiContribution = {
  readonly org_unit: string;
  readonly day: string;
  readonly matter_code: string;
  readonly counter: KpiCounter;
  readonly n: number;
};

/** One row of `rm_kpi_case`: what the KPI projection needs to attribute a case's next event. */
export type KpiCaseRow = {
  readonly case_id: string;
  readonly status: CaseViewStatus;
  readonly matter_code: string;
  readonly community_code: string | null;
  readonly designated_org_unit: string | null;
  readonly owner_org_unit: string | null;
  /** Accountable unit: the owner's, else the designated cadre's, else the location's community. */
  readonly org_unit: string;
  readonly contacted: boolean;
  /** Breaches recorded in the current round (a reopen starts a new resolution round). */
  readonly response_breached: boolean;
  readonly resolution_breached: boolean;
  /** Ruled unreasonable: its contributions were taken back and nothing more is counted. */
  readonly excluded: boolean;
  readonly contributions: readonly KpiContribution[];
};

/**
 * `kpi_daily`: counters per org unit × Asia/Shanghai day × matter, the facts behind the three
 * rates and first-dispatch accuracy. Each count goes to the unit accountable when it happened,
 * on the day of the event. A case ruled unreasonable is taken out of every count it was in
 * (negative increments) by that audited event; nothing is deleted.
 */
export const kpiDailyProjection: Projection<CaseEvent> = {
  name: 'kpi_daily',
  tables: [
    {
      table: KPI_DAILY_TABLE,
      key: ['org_unit', 'day', 'matter_code'],
      kind: 'counter',
      counters: KPI_COUNTERS,
    },
    { table: KPI_CASE_TABLE, key: ['case_id'], kind: 'document', timestamps: [] },
  ],
  streamsTable: 'rm_kpi_daily_streams',
  filter: CASE_STREAMS,
  decode: decodeCaseEvent,

  reads(event: CaseEvent): readonly RowRef[] {
    return event.type === 'case.submitted' ? [] : [{ table: KPI_CASE_TABLE, key: { case_id: event.caseId } }];
  },

  handle(event: CaseEvent, _recorded: RecordedEvent, context: ProjectionContext): void {
    if (event.type === 'case.submitted') {
      context.put(KPI_CASE_TABLE, submittedCase(event));
      return;
    }
    const before = context.get(KPI_CASE_TABLE, { case_id: event.caseId }) as KpiCaseRow | undefined;
    // Withdrawn and merged cases take no more changes (as in `evolve`).
    if (!before || isTerminal(before.status)) return;
    const status = nextStatus(before.status, event);
    const { memory, counts } = countEvent({ ...before, status }, before, event, status !== before.status);
    const day = shanghaiDay(event.at);
    let after = memory;
    if (event.type === 'case.ruled_unreasonable') {
      if (!before.excluded) {
        incrementAll(context, negated(before.contributions));
        after = { ...memory, excluded: true };
      }
    } else if (!before.excluded && counts.length > 0) {
      const made = counts.map(([org_unit, counter, n]) => ({
        org_unit,
        day,
        matter_code: before.matter_code,
        counter,
        n,
      }));
      incrementAll(context, made);
      after = { ...memory, contributions: [...memory.contributions, ...made] };
    }
    context.put(KPI_CASE_TABLE, { ...after, org_unit: accountableUnit(after) });
  },
};

function submittedCase(event: CaseSubmitted): KpiCaseRow {
  const memory: KpiCaseRow = {
    case_id: event.caseId,
    status: 'submitted',
    matter_code: event.matterCode ?? UNCLASSIFIED_MATTER,
    community_code: event.location.communityCode ?? null,
    designated_org_unit: null,
    owner_org_unit: null,
    org_unit: UNASSIGNED_UNIT,
    contacted: false,
    response_breached: false,
    resolution_breached: false,
    excluded: false,
    contributions: [],
  };
  return { ...memory, org_unit: accountableUnit(memory) };
}

function accountableUnit(c: KpiCaseRow): string {
  return c.owner_org_unit ?? c.designated_org_unit ?? c.community_code ?? UNASSIGNED_UNIT;
}

type Count = readonly [orgUnit: string, counter: KpiCounter, n: number];

const SATISFACTION_COUNTERS: Readonly<Record<Satisfaction, KpiCounter>> = {
  satisfied: 'satisfied',
  basically_satisfied: 'basically_satisfied',
  unsatisfied: 'unsatisfied',
};

/**
 * The case's memory after the event (`memory` has the new status already) and what the event
 * counts, for the unit accountable before it (`before`). `changed`: the event moved the status.
 */
function countEvent(
  memory: KpiCaseRow,
  before: KpiCaseRow,
  event: CaseEvent,
  changed: boolean,
): { memory: KpiCaseRow; counts: readonly Count[] } {
  const unit = accountableUnit(before);
  switch (event.type) {
    case 'case.dispatched':
      // Every dispatch is a receipt by the unit it went to (redispatches included).
      return memory.status === 'dispatched'
        ? {
            memory: { ...memory, designated_org_unit: event.ownerOrgUnit },
            counts: [[event.ownerOrgUnit, 'received', 1]],
          }
        : { memory, counts: [] };
    case 'case.accepted':
      // From `dispatched`, or within handling when a hand-over completes.
      return memory.status === 'in_handling'
        ? { memory: { ...memory, owner_org_unit: event.ownerOrgUnit, designated_org_unit: null }, counts: [] }
        : { memory, counts: [] };
    case 'case.returned':
      // A refused hand-over is no return (退单): the owner stays accountable.
      return changed
        ? { memory: { ...memory, designated_org_unit: null }, counts: [[unit, 'returned', 1]] }
        : { memory, counts: [] };
    case 'case.resident_contacted':
      if (before.contacted) return { memory, counts: [] };
      return {
        memory: { ...memory, contacted: true },
        counts: before.response_breached
          ? [[unit, 'responded', 1]]
          : [
              [unit, 'responded', 1],
              [unit, 'responded_in_time', 1],
            ],
      };
    case 'case.resolved':
      if (!changed) return { memory, counts: [] };
      return {
        memory,
        counts: before.resolution_breached
          ? [[unit, 'resolved', 1]]
          : [
              [unit, 'resolved', 1],
              [unit, 'resolved_in_time', 1],
            ],
      };
    case 'case.feedback_recorded': {
      if (before.status !== 'resolved') return { memory, counts: [] };
      const counts: Count[] = [
        [unit, 'rated', 1],
        [unit, SATISFACTION_COUNTERS[event.satisfaction], 1],
      ];
      if (event.solved) counts.push([unit, 'solved', 1]);
      return { memory, counts };
    }
    case 'case.sla_breached':
      return {
        memory:
          event.clock === 'response'
            ? { ...memory, response_breached: true }
            : { ...memory, resolution_breached: true },
        counts: [[unit, 'breached', 1]],
      };
    case 'case.reopened':
      return changed
        ? { memory: { ...memory, resolution_breached: false }, counts: [[unit, 'reopened', 1]] }
        : { memory, counts: [] };
    // Only the status changes: what was counted stays counted (a ruling alone takes it back).
    case 'case.withdrawn':
    case 'case.merged_into':
    case 'case.closed':
    case 'case.ruled_unreasonable':
    case 'case.handling_step_recorded':
    case 'case.step_referred':
    case 'case.referral_completed':
    case 'case.suspended':
    case 'case.resumed':
    case 'case.handed_over':
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.sla_warning_raised':
    case 'case.feedback_window_expired':
    case 'case.resident_info_supplemented':
    case 'case.contact_revealed':
    case 'case.submitted':
      return { memory, counts: [] };
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** Contributions summed per row and counter, with the opposite sign. */
function negated(contributions: readonly KpiContribution[]): KpiContribution[] {
  const sums = new Map<string, KpiContribution>();
  for (const c of contributions) {
    const key = JSON.stringify([c.org_unit, c.day, c.matter_code, c.counter]);
    const sum = sums.get(key);
    sums.set(key, { ...c, n: (sum?.n ?? 0) - c.n });
  }
  return [...sums.values()].filter((c) => c.n !== 0);
}

/** One increment per counter row, all its counters at once. */
function incrementAll(context: ProjectionContext, contributions: readonly KpiContribution[]): void {
  const rows = new Map<
    string,
    { key: { org_unit: string; day: string; matter_code: string }; deltas: Record<string, number> }
  >();
  for (const c of contributions) {
    const id = JSON.stringify([c.org_unit, c.day, c.matter_code]);
    let row = rows.get(id);
    if (!row) {
      row = { key: { org_unit: c.org_unit, day: c.day, matter_code: c.matter_code }, deltas: {} };
      rows.set(id, row);
    }
    row.deltas[c.counter] = (row.deltas[c.counter] ?? 0) + c.n;
  }
  for (const { key, deltas } of rows.values()) context.increment(KPI_DAILY_TABLE, key, deltas);
}
