import {
  designatedOf,
  handOverOf,
  isSuspended,
  ownerOf,
  type Assignment,
  type CaseEvent,
  type CaseLifecycle,
  type CaseSubmitted,
  type LifecycleStatus,
} from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import { column, defineTable, toInstant, type Projection, type RowOf } from '@tongban/projections';
import {
  assignment,
  dueAt,
  lastOwner,
  lifecycleProjection,
  summarizeDue,
  type LifecycleStep,
} from './case-projection';
import { nextDueOf, rememberDueTimes, type CaseDueTimes } from './sla-clocks.due-times';
import { maskText, sortedUnion } from './view-values';

/** Why a case is on a cadre's worklist. */
export type WorklistReason = 'designated' | 'owner' | 'handover_offered';

/** `rm_worklist`: a case a cadre must act on, and why; one row per case and cadre. */
export const worklistTable = defineTable({
  table: 'rm_worklist',
  key: ['case_id', 'cadre_id'],
  columns: {
    case_id: column.uuid(),
    /** Whose list: the query's filter. */
    cadre_id: column.text().internal(),
    /** The cadre's unit when the row began (not in the API). */
    org_unit: column.text().internal(),
    reason: column.text<WorklistReason>(),
    case_number: column.text(),
    title: column.text(),
    status: column.text<LifecycleStatus>(),
    matter_code: column.text().nullable(),
    suspended: column.boolean(),
    /**
     * The nearest due time of the cadre's clocks still counting (response, resolution), as the
     * SLA watcher's due times set it (null while none counts, or while paused).
     */
    next_due_at: column.timestamptz().nullable(),
    overdue: column.boolean(),
    submitted_at: column.timestamptz(),
    /** When this row's reason began (dispatch, acceptance or reopen, hand-over offer). */
    since: column.timestamptz(),
    version: column.integer(),
  },
});
export const WORKLIST_TABLE = worklistTable.table;
export type WorklistRow = RowOf<typeof worklistTable>;

/**
 * `rm_worklist_case`: what the worklist remembers of a case so that any event can rewrite the
 * case's worklist rows whole (the engine only lets a handler read rows it can name from the
 * event, so the rows' content and the cadres who have one live here). No query reads it.
 */
export const worklistCaseTable = defineTable({
  table: 'rm_worklist_case',
  key: ['case_id'],
  columns: {
    case_id: column.uuid(),
    case_number: column.text(),
    title: column.text(),
    matter_code: column.text().nullable(),
    submitted_at: column.timestamptz(),
    status: column.text<LifecycleStatus>(),
    suspended: column.boolean(),
    designated_id: column.text().nullable(),
    designated_org_unit: column.text().nullable(),
    designated_since: column.timestamptz().nullable(),
    owner_id: column.text().nullable(),
    owner_org_unit: column.text().nullable(),
    owner_since: column.timestamptz().nullable(),
    handover_to_id: column.text().nullable(),
    handover_to_org_unit: column.text().nullable(),
    handover_since: column.timestamptz().nullable(),
    contacted: column.boolean(),
    response_due_at: column.timestamptz().nullable(),
    resolution_due_at: column.timestamptz().nullable(),
    response_breached: column.boolean(),
    resolution_breached: column.boolean(),
    /**
     * The cadre's clocks as the SLA watcher's due times last named them (`case.due_times_set`);
     * null before any (and on rows written before the due times were kept: a rebuild fills it).
     */
    due_times: column.jsonb<CaseDueTimes>().nullable(),
    /** The cadres who have a row in `rm_worklist` for this case now. */
    cadre_ids: column.textArray(),
    version: column.integer(),
    /** The case's lifecycle after `version` (the domain's fold): what the columns above derive from. */
    lifecycle: column.jsonb<CaseLifecycle>().nullable(),
  },
});
export const WORKLIST_CASE_TABLE = worklistCaseTable.table;

export type WorklistCaseRow = RowOf<typeof worklistCaseTable>;

/**
 * `worklist`: per cadre, the cases waiting for them — dispatched to them and not yet accepted,
 * owned while in handling or resolved, or offered to them in a hand-over. A row disappears when
 * its reason ends.
 */
export const worklistProjection: Projection<CaseEvent> = lifecycleProjection<WorklistCaseRow>({
  name: 'worklist',
  tables: [worklistTable, worklistCaseTable],
  streamsTable: 'rm_worklist_streams',
  caseTable: WORKLIST_CASE_TABLE,
  // The rows carry the case's version, so every event rewrites them.
  everyEvent: true,
  // Nobody has to act on a case before it is dispatched: the dispatchers' queue is elsewhere.
  start: (event, recorded, lifecycle) => submittedCase(event, recorded, lifecycle),
  // Who the case waits for is the lifecycle's alone: no event type needs more.
  on: {},
  each: (before, step, context) => {
    const after = evolveCase(before, step);
    const rows = worklistRows(after);
    for (const row of rows) context.put(WORKLIST_TABLE, row);
    for (const cadreId of before.cadre_ids) {
      if (!rows.some((row) => row.cadre_id === cadreId)) {
        context.delete(WORKLIST_TABLE, { case_id: after.case_id, cadre_id: cadreId });
      }
    }
    return after;
  },
});

function submittedCase(
  event: CaseSubmitted,
  recorded: RecordedEvent,
  lifecycle: CaseLifecycle,
): WorklistCaseRow {
  return {
    case_id: event.caseId,
    case_number: event.caseNumber,
    title: maskText(event.title),
    matter_code: event.matterCode ?? null,
    submitted_at: toInstant(event.at),
    status: lifecycle.status,
    suspended: false,
    designated_id: null,
    designated_org_unit: null,
    designated_since: null,
    owner_id: null,
    owner_org_unit: null,
    owner_since: null,
    handover_to_id: null,
    handover_to_org_unit: null,
    handover_since: null,
    contacted: false,
    response_due_at: null,
    resolution_due_at: null,
    response_breached: false,
    resolution_breached: false,
    due_times: null,
    cadre_ids: [],
    version: recorded.version,
    lifecycle,
  };
}

function evolveCase(before: WorklistCaseRow, step: LifecycleStep): WorklistCaseRow {
  const { after: lifecycle } = step;
  const at = toInstant(step.event.at);
  const owner = lastOwner(lifecycle, ownerOf(lifecycle), assignment(before.owner_id, before.owner_org_unit));
  const designated = designatedOf(lifecycle);
  const handOver = handOverOf(lifecycle);
  const after: WorklistCaseRow = {
    ...before,
    status: lifecycle.status,
    suspended: isSuspended(lifecycle),
    designated_id: designated?.cadreId ?? null,
    designated_org_unit: designated?.orgUnit ?? null,
    designated_since: sinceOf(
      activeDesignated(step.before),
      activeDesignated(lifecycle),
      before.designated_since,
      at,
    ),
    owner_id: owner?.cadreId ?? null,
    owner_org_unit: owner?.orgUnit ?? null,
    owner_since: sinceOf(activeOwner(step.before), activeOwner(lifecycle), before.owner_since, at),
    handover_to_id: handOver?.cadreId ?? null,
    handover_to_org_unit: handOver?.orgUnit ?? null,
    handover_since: sinceOf(
      activeHandOver(step.before),
      activeHandOver(lifecycle),
      before.handover_since,
      at,
    ),
    contacted: lifecycle.contacted,
    response_due_at: dueAt(lifecycle, 'response'),
    resolution_due_at: dueAt(lifecycle, 'resolution'),
    response_breached: lifecycle.deadlines.response.breached,
    resolution_breached: lifecycle.deadlines.resolution.breached,
    due_times:
      step.event.type === 'case.due_times_set'
        ? rememberDueTimes(before.due_times, step.event.clocks)
        : before.due_times,
    version: step.recorded.version,
    lifecycle,
  };
  return {
    ...after,
    cadre_ids: sortedUnion(
      [],
      worklistRows(after).map((row) => row.cadre_id),
    ),
  };
}

/** A reason that goes on keeps its start; a new one (or another cadre) starts now. */
function sinceOf(
  previous: Assignment | null,
  current: Assignment | null,
  previousSince: string | null,
  at: string,
): string | null {
  if (current === null) return null;
  if (previous !== null && previousSince !== null && sameAssignment(previous, current)) return previousSince;
  return at;
}

function sameAssignment(a: Assignment, b: Assignment): boolean {
  return a.cadreId === b.cadreId && a.orgUnit === b.orgUnit;
}

function activeDesignated(lifecycle: CaseLifecycle): Assignment | null {
  return designatedOf(lifecycle);
}

/** The owner has the case on their list while handling it and until it is closed. */
function activeOwner(lifecycle: CaseLifecycle): Assignment | null {
  return lifecycle.status === 'in_handling' || lifecycle.status === 'resolved' ? ownerOf(lifecycle) : null;
}

function activeHandOver(lifecycle: CaseLifecycle): Assignment | null {
  return handOverOf(lifecycle);
}

/** The case's worklist rows; one per cadre (the owner's reason wins, though the rules never overlap). */
function worklistRows(c: WorklistCaseRow): WorklistRow[] {
  const lifecycle = c.lifecycle!;
  const due = summarizeDue(lifecycle);
  const byCadre = new Map<string, WorklistRow>();
  const add = (assignment: Assignment | null, reason: WorklistReason, since: string | null): void => {
    if (assignment === null || since === null) return;
    byCadre.set(assignment.cadreId, {
      case_id: c.case_id,
      cadre_id: assignment.cadreId,
      org_unit: assignment.orgUnit,
      reason,
      case_number: c.case_number,
      title: c.title,
      status: c.status,
      matter_code: c.matter_code,
      suspended: c.suspended,
      next_due_at: nextDueOf(lifecycle, c.due_times),
      overdue: due.overdue,
      submitted_at: c.submitted_at,
      since,
      version: c.version,
    });
  };
  add(activeDesignated(lifecycle), 'designated', c.designated_since);
  add(activeHandOver(lifecycle), 'handover_offered', c.handover_since);
  add(activeOwner(lifecycle), 'owner', c.owner_since);
  return [...byCadre.values()].sort((a, b) =>
    a.cadre_id < b.cadre_id ? -1 : a.cadre_id > b.cadre_id ? 1 : 0,
  );
}
