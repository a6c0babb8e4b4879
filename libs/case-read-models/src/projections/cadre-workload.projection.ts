import {
  designatedOf,
  handOverOf,
  isSuspended,
  ownerOf,
  type Assignment,
  type CaseEvent,
  type CaseLifecycle,
  type CaseSubmitted,
} from '@tongban/cases';
import {
  column,
  defineTable,
  type Projection,
  type ProjectionContext,
  type RowOf,
} from '@tongban/projections';
import { dueAt, lifecycleProjection, type LifecycleStep } from './case-projection';

/**
 * `rm_cadre_workload`: per cadre and the org unit (community) they take cases in, what they carry
 * now — for dispatchers choosing the least loaded cadre. Counters, only ever incremented: every
 * event moves the case's share from the cadre it weighed on before to the one it weighs on after.
 * A cadre whose cases all went keeps a row of zeros (they are the least loaded, not unknown).
 */
export const cadreWorkloadTable = defineTable({
  table: 'rm_cadre_workload',
  kind: 'counter',
  key: ['org_unit', 'cadre_id'],
  columns: {
    /** The unit the cadre took the cases in (the dispatch's or hand-over's); the query's scope. */
    org_unit: column.text(),
    cadre_id: column.text(),
    /** Cases they own and that are still being handled: dispatched to them, or accepted (suspended too). */
    open_cases: column.integer(),
    /** Of `open_cases`, those accepted (in handling). */
    accepted: column.integer(),
    /** Of `accepted`, those suspended. */
    suspended: column.integer(),
    /** Hand-overs offered to them, not accepted or refused yet (not in `open_cases`: the owner still has them). */
    handovers_offered: column.integer(),
  },
});
export const CADRE_WORKLOAD_TABLE = cadreWorkloadTable.table;
export type CadreWorkloadRow = RowOf<typeof cadreWorkloadTable>;

/**
 * `rm_cadre_workload_case`: per case, which cadre it weighs on now and its resolution deadline.
 *
 * "Due soon" depends on the time of the question, and a projection has no clock (it must give the
 * same rows whenever it is rebuilt), so no counter can hold it: the projection keeps each counted
 * case's due instant here and the query counts, at the time it is asked, the deadlines of the
 * cadres it lists. Only cases that weigh on a cadre and whose deadline is known carry one, and a
 * partial index holds only those rows, so the count reads a street's open cases with a deadline
 * (hundreds), never the closed ones.
 */
export const cadreWorkloadCaseTable = defineTable({
  table: 'rm_cadre_workload_case',
  key: ['case_id'],
  columns: {
    case_id: column.uuid(),
    /** The cadre the case counts for in `open_cases` (designated or owner); null when it weighs on nobody. */
    cadre_id: column.text().nullable().internal(),
    org_unit: column.text().nullable().internal(),
    /** The resolution deadline the SLA watcher announced in this round, while the case weighs on `cadre_id`. */
    resolution_due_at: column.timestamptz().nullable().internal(),
    /** A breach of that deadline was recorded (overdue, whatever the time). */
    resolution_breached: column.boolean().internal(),
    /** The case's lifecycle after the last event applied (the domain's fold). */
    lifecycle: column.jsonb<CaseLifecycle>().nullable().internal(),
  },
});
export const CADRE_WORKLOAD_CASE_TABLE = cadreWorkloadCaseTable.table;
export type CadreWorkloadCaseRow = RowOf<typeof cadreWorkloadCaseTable>;

type WorkloadCounter = 'open_cases' | 'accepted' | 'suspended' | 'handovers_offered';
type Share = Readonly<Record<WorkloadCounter, number>>;

/**
 * The cadre a case weighs on: the one it is dispatched to until they accept or return it, then
 * its one accountable owner while it is in handling (suspended included). Resolved, closed,
 * returned, withdrawn and merged cases, and cases waiting in a queue (`case.routed`), weigh on
 * nobody. Who that is comes from the domain's lifecycle alone (ADR 0018), so a case counts once,
 * for exactly one cadre, at any time.
 */
export function carrierOf(lifecycle: CaseLifecycle): Assignment | null {
  if (lifecycle.status === 'dispatched') return designatedOf(lifecycle);
  if (lifecycle.status === 'in_handling') return ownerOf(lifecycle);
  return null;
}

/** What a case in `lifecycle` adds to each cadre's counters, by `org_unit`/`cadre_id`. */
function sharesOf(lifecycle: CaseLifecycle): Map<string, { cadre: Assignment; share: Share }> {
  const shares = new Map<string, { cadre: Assignment; share: Share }>();
  const add = (cadre: Assignment, share: Partial<Share>): void => {
    const key = `${cadre.orgUnit}\u0000${cadre.cadreId}`;
    const before = shares.get(key)?.share ?? NOTHING;
    shares.set(key, {
      cadre,
      share: {
        open_cases: before.open_cases + (share.open_cases ?? 0),
        accepted: before.accepted + (share.accepted ?? 0),
        suspended: before.suspended + (share.suspended ?? 0),
        handovers_offered: before.handovers_offered + (share.handovers_offered ?? 0),
      },
    });
  };
  const carrier = carrierOf(lifecycle);
  if (carrier !== null) {
    const accepted = lifecycle.status === 'in_handling';
    add(carrier, { open_cases: 1, accepted: accepted ? 1 : 0, suspended: isSuspended(lifecycle) ? 1 : 0 });
  }
  const offered = handOverOf(lifecycle);
  if (offered !== null) add(offered, { handovers_offered: 1 });
  return shares;
}

const NOTHING: Share = { open_cases: 0, accepted: 0, suspended: 0, handovers_offered: 0 };
const COUNTERS: readonly WorkloadCounter[] = ['open_cases', 'accepted', 'suspended', 'handovers_offered'];

/** Moves the case's share from what it was in `before` to what it is in `after`. */
function moveShares(before: CaseLifecycle, after: CaseLifecycle, context: ProjectionContext): void {
  const was = sharesOf(before);
  const is = sharesOf(after);
  for (const key of new Set([...was.keys(), ...is.keys()])) {
    const old = was.get(key);
    const now = is.get(key);
    const cadre = (now ?? old)!.cadre;
    const deltas: Partial<Record<WorkloadCounter, number>> = {};
    for (const counter of COUNTERS) {
      const delta = (now?.share[counter] ?? 0) - (old?.share[counter] ?? 0);
      if (delta !== 0) deltas[counter] = delta;
    }
    if (Object.keys(deltas).length > 0) {
      context.increment(CADRE_WORKLOAD_TABLE, { org_unit: cadre.orgUnit, cadre_id: cadre.cadreId }, deltas);
    }
  }
}

function caseRowOf(caseId: string, lifecycle: CaseLifecycle): CadreWorkloadCaseRow {
  const carrier = carrierOf(lifecycle);
  return {
    case_id: caseId,
    cadre_id: carrier?.cadreId ?? null,
    org_unit: carrier?.orgUnit ?? null,
    resolution_due_at: carrier === null ? null : dueAt(lifecycle, 'resolution'),
    resolution_breached: carrier !== null && lifecycle.deadlines.resolution.breached,
    lifecycle,
  };
}

/**
 * `cadre_workload`: per cadre, the open cases they carry (dispatched to them or accepted), how
 * many are accepted and suspended, the hand-overs offered to them, and — per case — the resolution
 * deadlines the query counts as due soon or overdue. Follows the lifecycle's event types only:
 * who carries a case is the lifecycle's alone, and so are the deadlines.
 */
export const cadreWorkloadProjection: Projection<CaseEvent> = lifecycleProjection<CadreWorkloadCaseRow>({
  name: 'cadre_workload',
  tables: [cadreWorkloadTable, cadreWorkloadCaseTable],
  streamsTable: 'rm_cadre_workload_streams',
  caseTable: CADRE_WORKLOAD_CASE_TABLE,
  // A submitted case weighs on nobody; its row keeps the lifecycle until it is dispatched.
  start: (event: CaseSubmitted, _recorded, lifecycle) => caseRowOf(event.caseId, lifecycle),
  on: {},
  each: (row: CadreWorkloadCaseRow, step: LifecycleStep, context: ProjectionContext) => {
    moveShares(step.before, step.after, context);
    const next = caseRowOf(row.case_id, step.after);
    return sameRow(row, next) ? row : next;
  },
});

/** Unchanged apart from the lifecycle (which the engine writes when it changed). */
function sameRow(a: CadreWorkloadCaseRow, b: CadreWorkloadCaseRow): boolean {
  return (
    a.cadre_id === b.cadre_id &&
    a.org_unit === b.org_unit &&
    a.resolution_due_at === b.resolution_due_at &&
    a.resolution_breached === b.resolution_breached
  );
}
