import {
  designatedOf,
  ownerOf,
  type CaseEvent,
  type CaseLifecycle,
  type CaseSubmitted,
  type LifecycleStatus,
} from '@tongban/cases';
import { column, defineTable, type Projection, type RowOf } from '@tongban/projections';
import { lastOwner, lifecycleProjection } from './case-projection';
import { incrementAll, kpiHandlers, negated } from './kpi-facts';
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
 * rates and first-dispatch accuracy. What each event counts is the one rule set of `kpi-facts.ts`
 * (the per-cadre facts count by it too); each count goes to the unit accountable when it happened
 * (a dispatch's to the unit it went to), on the day of the event. A case ruled unreasonable is
 * taken out of every count it was in (negative increments) by that audited event; nothing is
 * deleted.
 */
export const kpiDailyProjection: Projection<CaseEvent> = lifecycleProjection<KpiCaseRow>({
  name: 'kpi_daily',
  tables: [kpiDailyTable, kpiCaseTable],
  streamsTable: 'rm_kpi_daily_streams',
  caseTable: KPI_CASE_TABLE,
  start: (event, _recorded, lifecycle) => submittedCase(event, lifecycle),
  on: kpiHandlers<KpiCaseRow>({
    count: (row, step, context, facts) => {
      const day = shanghaiDay(step.event.at);
      const made = facts.map(([party, counter, n]): KpiContribution => ({
        // The unit accountable before the event (the location's community while nobody is),
        // or for a receipt the unit the case was dispatched to.
        org_unit: party === 'receiver' ? (designatedOf(step.after)?.orgUnit ?? row.org_unit) : row.org_unit,
        day,
        matter_code: row.matter_code,
        counter,
        n,
      }));
      incrementAll(context, KPI_DAILY_TABLE, made);
      return { ...row, contributions: [...row.contributions, ...made] };
    },
    exclude: (row, _step, context) => {
      incrementAll(context, KPI_DAILY_TABLE, negated(row.contributions));
      return row;
    },
  }),
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
