import {
  designatedOf,
  ownerOf,
  type CaseEvent,
  type CaseLifecycle,
  type CaseSubmitted,
  type LifecycleStatus,
  type Satisfaction,
} from '@tongban/cases';
import {
  column,
  defineTable,
  type Projection,
  type ProjectionContext,
  type RowOf,
} from '@tongban/projections';
import { lastOwner, lifecycleProjection, moved, type LifecycleStep } from './case-projection';
import { shanghaiDay } from './view-values';

/**
 * `rm_kpi_daily`: counters per org unit × Asia/Shanghai day ('YYYY-MM-DD') × matter
 * (`unclassified` for cases without one); only ever incremented.
 */
export const kpiDailyTable = defineTable({
  table: 'rm_kpi_daily',
  kind: 'counter',
  key: ['org_unit', 'day', 'matter_code'],
  columns: {
    org_unit: column.text(),
    day: column.date(),
    matter_code: column.text(),
    received: column.integer(),
    returned: column.integer(),
    responded: column.integer(),
    responded_in_time: column.integer(),
    resolved: column.integer(),
    resolved_in_time: column.integer(),
    rated: column.integer(),
    satisfied: column.integer(),
    basically_satisfied: column.integer(),
    unsatisfied: column.integer(),
    solved: column.integer(),
    breached: column.integer(),
    reopened: column.integer(),
  },
});
export const KPI_DAILY_TABLE = kpiDailyTable.table;

export type KpiCounter = Exclude<keyof typeof kpiDailyTable.columns, (typeof kpiDailyTable.key)[number]>;
/** Every counter column of `rm_kpi_daily` (the columns outside its key). */
export const KPI_COUNTERS = kpiDailyTable.counters as readonly KpiCounter[];

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

/** `rm_kpi_case`: what the KPI projection needs to attribute a case's next event. No query reads it. */
export const kpiCaseTable = defineTable({
  table: 'rm_kpi_case',
  key: ['case_id'],
  columns: {
    case_id: column.uuid(),
    status: column.text<LifecycleStatus>(),
    matter_code: column.text(),
    community_code: column.text().nullable(),
    designated_org_unit: column.text().nullable(),
    owner_org_unit: column.text().nullable(),
    /** Accountable unit: the owner's, else the designated cadre's, else the location's community. */
    org_unit: column.text(),
    contacted: column.boolean(),
    /** Breaches recorded in the current round (a reopen starts a new resolution round). */
    response_breached: column.boolean(),
    resolution_breached: column.boolean(),
    /** Ruled unreasonable: its contributions were taken back and nothing more is counted. */
    excluded: column.boolean(),
    contributions: column.jsonb<readonly KpiContribution[]>(),
    /** The case's lifecycle after the last event applied (the domain's fold). */
    lifecycle: column.jsonb<CaseLifecycle>().nullable(),
  },
});
export const KPI_CASE_TABLE = kpiCaseTable.table;
export type KpiCaseRow = RowOf<typeof kpiCaseTable>;

/**
 * `kpi_daily`: counters per org unit × Asia/Shanghai day × matter, the facts behind the three
 * rates and first-dispatch accuracy. Each count goes to the unit accountable when it happened,
 * on the day of the event. A case ruled unreasonable is taken out of every count it was in
 * (negative increments) by that audited event; nothing is deleted.
 */
export const kpiDailyProjection: Projection<CaseEvent> = lifecycleProjection<KpiCaseRow>({
  name: 'kpi_daily',
  tables: [kpiDailyTable, kpiCaseTable],
  streamsTable: 'rm_kpi_daily_streams',
  caseTable: KPI_CASE_TABLE,
  start: (event, _recorded, lifecycle) => submittedCase(event, lifecycle),
  // What each event counts, for the unit accountable before it. Withdrawals, merges, closures
  // only change the status: what was counted stays counted (a ruling alone takes it back).
  on: {
    // Every dispatch is a receipt by the unit it went to (redispatches included).
    'case.dispatched': (row, step, context) =>
      step.after.status === 'dispatched' && step.after !== step.before
        ? counted(row, step, context, [[step.event.ownerOrgUnit, 'received', 1]])
        : row,
    // A refused hand-over is no return (退单): the owner stays accountable.
    'case.returned': (row, step, context) =>
      moved(step) ? counted(row, step, context, [[row.org_unit, 'returned', 1]]) : row,
    'case.resident_contacted': (row, step, context) => {
      if (step.before.contacted) return row;
      return counted(
        row,
        step,
        context,
        done(row.org_unit, 'responded', step.before.deadlines.response.breached),
      );
    },
    'case.resolved': (row, step, context) => {
      if (!moved(step)) return row;
      return counted(
        row,
        step,
        context,
        done(row.org_unit, 'resolved', step.before.deadlines.resolution.breached),
      );
    },
    'case.feedback_recorded': (row, step, context) => {
      if (step.before.status !== 'resolved') return row;
      const counts: Count[] = [
        [row.org_unit, 'rated', 1],
        [row.org_unit, SATISFACTION_COUNTERS[step.event.satisfaction], 1],
      ];
      if (step.event.solved) counts.push([row.org_unit, 'solved', 1]);
      return counted(row, step, context, counts);
    },
    'case.sla_breached': (row, step, context) => counted(row, step, context, [[row.org_unit, 'breached', 1]]),
    'case.reopened': (row, step, context) =>
      moved(step) ? counted(row, step, context, [[row.org_unit, 'reopened', 1]]) : row,
    // Takes the case out of every count it was in (negative increments), once.
    'case.ruled_unreasonable': (row, step, context) => {
      if (step.before.ruledUnreasonable) return row;
      incrementAll(context, negated(row.contributions));
      return row;
    },
  },
  each: (row, { after }) => {
    const memory: KpiCaseRow = {
      ...row,
      status: after.status,
      designated_org_unit: designatedOf(after)?.orgUnit ?? null,
      owner_org_unit: lastOwner(after, ownerOf(after)?.orgUnit ?? null, row.owner_org_unit),
      contacted: after.contacted,
      response_breached: after.deadlines.response.breached,
      resolution_breached: after.deadlines.resolution.breached,
      excluded: after.ruledUnreasonable,
    };
    return { ...memory, org_unit: accountableUnit(memory) };
  },
});

function submittedCase(event: CaseSubmitted, lifecycle: CaseLifecycle): KpiCaseRow {
  const memory: KpiCaseRow = {
    case_id: event.caseId,
    status: lifecycle.status,
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
    lifecycle,
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
 * `counts` made on the day of the event and remembered in the row, so that a ruling can take
 * them back exactly; nothing is counted for a case ruled unreasonable.
 */
/** Responded or resolved, and in time as well unless that clock was breached first. */
function done(unit: string, counter: 'responded' | 'resolved', breached: boolean): Count[] {
  return breached
    ? [[unit, counter, 1]]
    : [
        [unit, counter, 1],
        [unit, `${counter}_in_time`, 1],
      ];
}

function counted(
  row: KpiCaseRow,
  step: LifecycleStep,
  context: ProjectionContext,
  counts: readonly Count[],
): KpiCaseRow {
  if (step.before.ruledUnreasonable || counts.length === 0) return row;
  const day = shanghaiDay(step.event.at);
  const made = counts.map(([org_unit, counter, n]) => ({
    org_unit,
    day,
    matter_code: row.matter_code,
    counter,
    n,
  }));
  incrementAll(context, made);
  return { ...row, contributions: [...row.contributions, ...made] };
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
