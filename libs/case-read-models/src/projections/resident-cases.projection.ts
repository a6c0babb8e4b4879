import {
  awaitsFeedback,
  type CaseEvent,
  type CaseLifecycle,
  type CaseSubmitted,
  type LifecycleStatus,
} from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import { column, defineTable, toInstant, type Projection, type RowOf } from '@tongban/projections';
import { lifecycleProjection, moved } from './case-projection';
import { maskText } from './view-values';
import { STAFF_ONLY_EVENT_TYPES } from './case-timeline.projection';

/** `rm_resident_case`: a case as the resident who filed it sees it in "my cases". */
export const residentCaseTable = defineTable({
  table: 'rm_resident_case',
  key: ['case_id'],
  columns: {
    case_id: column.uuid(),
    /** The resident's account: the list's filter. */
    submitter_id: column.text().internal(),
    case_number: column.text(),
    title: column.text(),
    channel: column.text(),
    status: column.text<LifecycleStatus>(),
    matter_code: column.text().nullable(),
    submitted_at: column.timestamptz(),
    last_event_at: column.timestamptz(),
    resolved_at: column.timestamptz().nullable(),
    closed_at: column.timestamptz().nullable(),
    /** Resolved, and neither feedback nor the window's expiry has come in this round. */
    awaiting_feedback: column.boolean(),
    satisfaction: column.text().nullable(),
    version: column.integer(),
    /** The case's lifecycle after `version` (the domain's fold). */
    lifecycle: column.jsonb<CaseLifecycle>().nullable().internal(),
  },
});
export const RESIDENT_CASE_TABLE = residentCaseTable.table;
export type ResidentCaseRow = RowOf<typeof residentCaseTable>;

/**
 * `resident_cases`: the cases residents filed themselves. Cases filed by a hotline agent, a
 * grid worker or on someone's behalf have no row: their submitter is not the resident's account.
 */
export const residentCasesProjection: Projection<CaseEvent> = lifecycleProjection<ResidentCaseRow>({
  name: 'resident_cases',
  tables: [residentCaseTable],
  streamsTable: 'rm_resident_case_streams',
  caseTable: RESIDENT_CASE_TABLE,
  // Every event moves `version` (and, unless staff-only, `last_event_at`).
  everyEvent: true,
  start: (event, recorded, lifecycle) =>
    event.by.role === 'resident' ? submittedRow(event, recorded, lifecycle) : null,
  on: {
    'case.resolved': (row, step) => (moved(step) ? { ...row, resolved_at: toInstant(step.event.at) } : row),
    'case.feedback_recorded': (row, { event, before }) =>
      before.status === 'resolved' ? { ...row, satisfaction: event.satisfaction } : row,
    'case.closed': (row, step) => (moved(step) ? { ...row, closed_at: toInstant(step.event.at) } : row),
    // Back in handling: the last round's resolution and rating are history (see the timeline).
    'case.reopened': (row, step) =>
      moved(step) ? { ...row, resolved_at: null, closed_at: null, satisfaction: null } : row,
  },
  each: (row, { event, recorded, after }) => ({
    ...row,
    status: after.status,
    awaiting_feedback: awaitsFeedback(after),
    version: recorded.version,
    // A staff-only record (a reveal of their phone number) is not news on the resident's list.
    last_event_at: STAFF_ONLY_EVENT_TYPES.includes(event.type) ? row.last_event_at : toInstant(event.at),
  }),
});

function submittedRow(
  event: CaseSubmitted,
  recorded: RecordedEvent,
  lifecycle: CaseLifecycle,
): ResidentCaseRow {
  return {
    case_id: event.caseId,
    submitter_id: event.by.id,
    case_number: event.caseNumber,
    title: maskText(event.title),
    channel: event.channel,
    status: lifecycle.status,
    matter_code: event.matterCode ?? null,
    submitted_at: toInstant(event.at),
    last_event_at: toInstant(event.at),
    resolved_at: null,
    closed_at: null,
    awaiting_feedback: awaitsFeedback(lifecycle),
    satisfaction: null,
    version: recorded.version,
    lifecycle,
  };
}
