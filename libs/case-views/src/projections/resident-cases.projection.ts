import type { CaseEvent, CaseSubmitted } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import { toInstant, type Projection, type ProjectionContext, type RowRef } from '@tongban/projections';
import { CASE_STREAMS, decodeCaseEvent } from './case-event-decoding';
import { isTerminal, nextStatus, type CaseViewStatus } from './case-lifecycle';
import { maskText } from './view-values';
import { STAFF_ONLY_EVENT_TYPES } from './case-timeline.projection';

export const RESIDENT_CASE_TABLE = 'rm_resident_case';

/** One row of `rm_resident_case`: a case as the resident who filed it sees it in "my cases". */
export type ResidentCaseRow = {
  readonly case_id: string;
  readonly submitter_id: string;
  readonly case_number: string;
  readonly title: string;
  readonly channel: string;
  readonly status: CaseViewStatus;
  readonly matter_code: string | null;
  readonly submitted_at: string;
  readonly last_event_at: string;
  readonly resolved_at: string | null;
  readonly closed_at: string | null;
  /** Resolved, and neither feedback nor the window's expiry has come in this round. */
  readonly awaiting_feedback: boolean;
  readonly satisfaction: string | null;
  readonly version: number;
};

/**
 * `resident_cases`: the cases residents filed themselves. Cases filed by a hotline agent, a
 * grid worker or on someone's behalf have no row: their submitter is not the resident's account.
 */
export const residentCasesProjection: Projection<CaseEvent> = {
  name: 'resident_cases',
  tables: [
    {
      table: RESIDENT_CASE_TABLE,
      key: ['case_id'],
      kind: 'document',
      timestamps: ['submitted_at', 'last_event_at', 'resolved_at', 'closed_at'],
    },
  ],
  streamsTable: 'rm_resident_case_streams',
  filter: CASE_STREAMS,
  decode: decodeCaseEvent,

  reads(event: CaseEvent): readonly RowRef[] {
    return event.type === 'case.submitted'
      ? []
      : [{ table: RESIDENT_CASE_TABLE, key: { case_id: event.caseId } }];
  },

  handle(event: CaseEvent, recorded: RecordedEvent, context: ProjectionContext): void {
    if (event.type === 'case.submitted') {
      if (event.by.role === 'resident') context.put(RESIDENT_CASE_TABLE, submittedRow(event, recorded));
      return;
    }
    const current = context.get(RESIDENT_CASE_TABLE, { case_id: event.caseId }) as
      ResidentCaseRow | undefined;
    if (!current) return;
    const stamped: ResidentCaseRow = {
      ...current,
      version: recorded.version,
      // A staff-only record (a reveal of their phone number) is not news on the resident's list.
      last_event_at: STAFF_ONLY_EVENT_TYPES.includes(event.type)
        ? current.last_event_at
        : toInstant(event.at),
    };
    if (isTerminal(current.status)) {
      context.put(RESIDENT_CASE_TABLE, stamped);
      return;
    }
    const status = nextStatus(current.status, event);
    context.put(RESIDENT_CASE_TABLE, { ...evolveRow(stamped, event, status !== current.status), status });
  },
};

function submittedRow(event: CaseSubmitted, recorded: RecordedEvent): ResidentCaseRow {
  return {
    case_id: event.caseId,
    submitter_id: event.by.id,
    case_number: event.caseNumber,
    title: maskText(event.title),
    channel: event.channel,
    status: 'submitted',
    matter_code: event.matterCode ?? null,
    submitted_at: toInstant(event.at),
    last_event_at: toInstant(event.at),
    resolved_at: null,
    closed_at: null,
    awaiting_feedback: false,
    satisfaction: null,
    version: recorded.version,
  };
}

/** `row.status` is still the status before the event; `changed` says the event moved it. */
function evolveRow(row: ResidentCaseRow, event: CaseEvent, changed: boolean): ResidentCaseRow {
  switch (event.type) {
    case 'case.resolved':
      return changed ? { ...row, resolved_at: toInstant(event.at), awaiting_feedback: true } : row;
    case 'case.feedback_recorded':
      return row.status === 'resolved'
        ? { ...row, satisfaction: event.satisfaction, awaiting_feedback: false }
        : row;
    case 'case.feedback_window_expired':
      return row.status === 'resolved' ? { ...row, awaiting_feedback: false } : row;
    case 'case.closed':
      return changed ? { ...row, closed_at: toInstant(event.at), awaiting_feedback: false } : row;
    case 'case.reopened':
      // Back in handling: the last round's resolution and rating are history (see the timeline).
      return changed
        ? { ...row, resolved_at: null, closed_at: null, satisfaction: null, awaiting_feedback: false }
        : row;
    case 'case.withdrawn':
    case 'case.merged_into':
      return changed ? { ...row, awaiting_feedback: false } : row;
    case 'case.submitted':
    case 'case.dispatched':
    case 'case.accepted':
    case 'case.returned':
    case 'case.resident_contacted':
    case 'case.handling_step_recorded':
    case 'case.step_referred':
    case 'case.referral_completed':
    case 'case.suspended':
    case 'case.resumed':
    case 'case.handed_over':
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.ruled_unreasonable':
    case 'case.sla_warning_raised':
    case 'case.sla_breached':
    case 'case.resident_info_supplemented':
    case 'case.contact_revealed':
      return row;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}
