import type { CaseEvent, CaseSubmitted } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import { toInstant, type Projection, type ProjectionContext, type RowRef } from '@tongban/projections';
import { CASE_STREAMS, decodeCaseEvent } from './case-event-decoding';
import {
  evolveDueFacts,
  evolveRouting,
  summarizeDue,
  type Assignment,
  type CaseViewStatus,
  type DueFacts,
  type Routing,
} from './case-lifecycle';
import { maskText, sortedUnion } from './view-values';

export const WORKLIST_TABLE = 'rm_worklist';
export const WORKLIST_CASE_TABLE = 'rm_worklist_case';

/** Why a case is on a cadre's worklist. */
export type WorklistReason = 'designated' | 'owner' | 'handover_offered';

/** One row of `rm_worklist`: a case a cadre must act on, and why. */
export type WorklistRow = {
  readonly case_id: string;
  readonly cadre_id: string;
  readonly org_unit: string;
  readonly reason: WorklistReason;
  readonly case_number: string;
  readonly title: string;
  readonly status: CaseViewStatus;
  readonly matter_code: string | null;
  readonly suspended: boolean;
  readonly next_due_at: string | null;
  readonly overdue: boolean;
  readonly submitted_at: string;
  /** When this row's reason began (dispatch, acceptance or reopen, hand-over offer). */
  readonly since: string;
  readonly version: number;
};

/**
 * One row of `rm_worklist_case`: what the worklist remembers of a case so that any event can
 * rewrite the case's worklist rows whole (the engine only lets a handler read rows it can name
 * from the event, so the rows' content and the cadres who have one live here).
 */
export type WorklistCaseRow = {
  readonly case_id: string;
  readonly case_number: string;
  readonly title: string;
  readonly matter_code: string | null;
  readonly submitted_at: string;
  readonly status: CaseViewStatus;
  readonly suspended: boolean;
  readonly designated_id: string | null;
  readonly designated_org_unit: string | null;
  readonly designated_since: string | null;
  readonly owner_id: string | null;
  readonly owner_org_unit: string | null;
  readonly owner_since: string | null;
  readonly handover_to_id: string | null;
  readonly handover_to_org_unit: string | null;
  readonly handover_since: string | null;
  readonly contacted: boolean;
  readonly response_due_at: string | null;
  readonly resolution_due_at: string | null;
  readonly response_breached: boolean;
  readonly resolution_breached: boolean;
  /** The cadres who have a row in `rm_worklist` for this case now. */
  readonly cadre_ids: readonly string[];
  readonly version: number;
};

/**
 * `worklist`: per cadre, the cases waiting for them — dispatched to them and not yet accepted,
 * owned while in handling or resolved, or offered to them in a hand-over. A row disappears when
 * its reason ends.
 */
export const worklistProjection: Projection<CaseEvent> = {
  name: 'worklist',
  tables: [
    {
      table: WORKLIST_TABLE,
      key: ['case_id', 'cadre_id'],
      kind: 'document',
      timestamps: ['next_due_at', 'submitted_at', 'since'],
    },
    {
      table: WORKLIST_CASE_TABLE,
      key: ['case_id'],
      kind: 'document',
      timestamps: [
        'submitted_at',
        'designated_since',
        'owner_since',
        'handover_since',
        'response_due_at',
        'resolution_due_at',
      ],
    },
  ],
  streamsTable: 'rm_worklist_streams',
  filter: CASE_STREAMS,
  decode: decodeCaseEvent,

  reads(event: CaseEvent): readonly RowRef[] {
    return event.type === 'case.submitted'
      ? []
      : [{ table: WORKLIST_CASE_TABLE, key: { case_id: event.caseId } }];
  },

  handle(event: CaseEvent, recorded: RecordedEvent, context: ProjectionContext): void {
    if (event.type === 'case.submitted') {
      // Nobody has to act on a case before it is dispatched: the dispatchers' queue is elsewhere.
      context.put(WORKLIST_CASE_TABLE, submittedCase(event, recorded));
      return;
    }
    const before = context.get(WORKLIST_CASE_TABLE, { case_id: event.caseId }) as WorklistCaseRow | undefined;
    if (!before) return;
    const after = evolveCase(before, event, recorded);
    const rows = worklistRows(after);
    for (const row of rows) context.put(WORKLIST_TABLE, row);
    for (const cadreId of before.cadre_ids) {
      if (!rows.some((row) => row.cadre_id === cadreId)) {
        context.delete(WORKLIST_TABLE, { case_id: event.caseId, cadre_id: cadreId });
      }
    }
    context.put(WORKLIST_CASE_TABLE, after);
  },
};

function submittedCase(event: CaseSubmitted, recorded: RecordedEvent): WorklistCaseRow {
  return {
    case_id: event.caseId,
    case_number: event.caseNumber,
    title: maskText(event.title),
    matter_code: event.matterCode ?? null,
    submitted_at: toInstant(event.at),
    status: 'submitted',
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
    cadre_ids: [],
    version: recorded.version,
  };
}

function evolveCase(before: WorklistCaseRow, event: CaseEvent, recorded: RecordedEvent): WorklistCaseRow {
  const routing = evolveRouting(routingOf(before), event);
  const facts = evolveDueFacts(dueFactsOf(before), event, before.status, routing.status);
  const at = toInstant(event.at);
  const designated = activeDesignated(routing);
  const owner = activeOwner(routing);
  const handOver = activeHandOver(routing);
  const after: WorklistCaseRow = {
    ...before,
    status: routing.status,
    suspended: routing.suspended,
    designated_id: routing.designated?.cadreId ?? null,
    designated_org_unit: routing.designated?.orgUnit ?? null,
    designated_since: sinceOf(activeDesignated(routingOf(before)), designated, before.designated_since, at),
    owner_id: routing.owner?.cadreId ?? null,
    owner_org_unit: routing.owner?.orgUnit ?? null,
    owner_since: sinceOf(activeOwner(routingOf(before)), owner, before.owner_since, at),
    handover_to_id: routing.handOver?.cadreId ?? null,
    handover_to_org_unit: routing.handOver?.orgUnit ?? null,
    handover_since: sinceOf(activeHandOver(routingOf(before)), handOver, before.handover_since, at),
    contacted: facts.contacted,
    response_due_at: facts.responseDueAt,
    resolution_due_at: facts.resolutionDueAt,
    response_breached: facts.responseBreached,
    resolution_breached: facts.resolutionBreached,
    version: recorded.version,
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

function activeDesignated(routing: Routing): Assignment | null {
  return routing.status === 'dispatched' ? routing.designated : null;
}

function activeOwner(routing: Routing): Assignment | null {
  return routing.status === 'in_handling' || routing.status === 'resolved' ? routing.owner : null;
}

function activeHandOver(routing: Routing): Assignment | null {
  return routing.status === 'in_handling' ? routing.handOver : null;
}

/** The case's worklist rows; one per cadre (the owner's reason wins, though the rules never overlap). */
function worklistRows(c: WorklistCaseRow): WorklistRow[] {
  const routing = routingOf(c);
  const due = summarizeDue(c.status, dueFactsOf(c));
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
      next_due_at: due.nextDueAt,
      overdue: due.overdue,
      submitted_at: c.submitted_at,
      since,
      version: c.version,
    });
  };
  add(activeDesignated(routing), 'designated', c.designated_since);
  add(activeHandOver(routing), 'handover_offered', c.handover_since);
  add(activeOwner(routing), 'owner', c.owner_since);
  return [...byCadre.values()].sort((a, b) =>
    a.cadre_id < b.cadre_id ? -1 : a.cadre_id > b.cadre_id ? 1 : 0,
  );
}

function routingOf(c: WorklistCaseRow): Routing {
  return {
    status: c.status,
    designated: assignment(c.designated_id, c.designated_org_unit),
    owner: assignment(c.owner_id, c.owner_org_unit),
    handOver: assignment(c.handover_to_id, c.handover_to_org_unit),
    suspended: c.suspended,
  };
}

function dueFactsOf(c: WorklistCaseRow): DueFacts {
  return {
    contacted: c.contacted,
    responseDueAt: c.response_due_at,
    resolutionDueAt: c.resolution_due_at,
    responseBreached: c.response_breached,
    resolutionBreached: c.resolution_breached,
  };
}

function assignment(cadreId: string | null, orgUnit: string | null): Assignment | null {
  return cadreId === null || orgUnit === null ? null : { cadreId, orgUnit };
}
