import { CASE_EVENT_CODEC, CASE_EVENT_TYPES, type CaseEventType } from '@tongban/cases';
import { formatPosition, parsePosition } from '@tongban/event-store';
import { maskPersonalDataInText } from '@tongban/logging';
import type { ViewRowOf } from '@tongban/projections';
import { businessHoursLimit, calendarHours, countedTime, type BusinessCalendar } from '@tongban/sla';
import type { CadreWorkloadView } from '../cadre-workload/cadre-workload.dto';
import {
  timelineSummary,
  type cadreWorkloadTable,
  type caseDetailTable,
  type caseTimelineTable,
  type referralTable,
  type residentCaseTable,
  type slaClockTable,
  type worklistTable,
} from '../projections';
import type {
  CaseDetailView,
  CaseSummaryView,
  ReferralView,
  ResidentCaseView,
  SlaClockView,
  SlaClockViewStatus,
  TimelineEntryView,
  WorklistItemView,
} from './case-queries.dto';

/**
 * How a read row becomes what the API answers: one pure function per view, from the row type the
 * table's definition gives (`ViewRowOf`: the columns no view shows are left out). A column renamed
 * in the definition breaks these at compile time; a column added to a queried table and shown by
 * no view (nor marked internal) fails the drift test (read-tables.drift.int.spec.ts), which runs
 * each function over a row and records what it read.
 */

export type CaseDetailViewRow = ViewRowOf<typeof caseDetailTable>;
export type CaseTimelineViewRow = ViewRowOf<typeof caseTimelineTable>;
export type SlaClockViewRow = ViewRowOf<typeof slaClockTable>;
export type ResidentCaseViewRow = ViewRowOf<typeof residentCaseTable>;
export type WorklistViewRow = ViewRowOf<typeof worklistTable>;
export type ReferralViewRow = ViewRowOf<typeof referralTable>;
export type CadreWorkloadViewRow = ViewRowOf<typeof cadreWorkloadTable>;

/** What the workload query counts per cadre at the time it is asked (not stored: it depends on now). */
export interface DueCounts {
  readonly dueSoon: number;
  readonly overdue: number;
}

export function caseSummaryView(row: CaseDetailViewRow): CaseSummaryView {
  return {
    caseId: row.case_id,
    caseNumber: row.case_number,
    status: row.status,
    channel: row.channel,
    title: row.title,
    matterCode: row.matter_code,
    category: row.category,
    communityCode: row.community_code,
    streetCode: row.street_code,
    ownerId: row.owner_id,
    ownerOrgUnit: row.owner_org_unit,
    designatedOwnerId: row.designated_owner_id,
    designatedOrgUnit: row.designated_org_unit,
    resident: {
      name: row.resident_name,
      phone: row.resident_phone_masked,
      idNumber: row.resident_id_number_masked,
    },
    submittedAt: row.submitted_at,
    nextDueAt: row.next_due_at,
    overdue: row.overdue,
    suspended: row.suspended,
    version: row.version,
    lastEventAt: row.last_event_at,
  };
}

/** The detail's own fields beyond the summary (the timeline, clocks and consistency come apart). */
export function caseDetailFields(
  row: CaseDetailViewRow,
): Omit<
  CaseDetailView,
  keyof CaseSummaryView | 'timeline' | 'timelineNextCursor' | 'slaClocks' | 'consistency'
> {
  return {
    description: row.description,
    address: row.address,
    gridCode: row.grid_code,
    latitude: row.latitude,
    longitude: row.longitude,
    attachments: [...row.attachments],
    handoverToId: row.handover_to_id,
    openReferrals: row.open_referrals,
    responseDueAt: row.response_due_at,
    resolutionDueAt: row.resolution_due_at,
    firstContactAt: row.first_contact_at,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    satisfaction: row.satisfaction,
    solved: row.solved,
    returnCount: row.return_count,
    reopenCount: row.reopen_count,
    supervisionCount: row.supervision_count,
    ruledUnreasonable: row.ruled_unreasonable,
    mergedInto: row.merged_into,
  };
}

/** The instant a view is computed at and the calendar it counts business time on. */
export interface ClockTime {
  /** Epoch milliseconds. */
  readonly now: number;
  readonly calendar: BusinessCalendar;
}

/**
 * A clock as the case views show it at `time.now`. The row holds the time used as of `used_at`
 * (the SLA watcher's count, or a stop or resume since); counted on from there — calendar
 * milliseconds or business milliseconds on the calendar, as the clock counts — while it runs, and
 * up to its stop when it ended while counting. Its status:
 * - `running`: counting, before its due time;
 * - `breached`: counting, past its due time (or recorded breached in this round);
 * - `paused`: not counting while the case is suspended; no due time;
 * - `met`: ended by the event it waits for (dispatch, first contact, resolution, feedback), in
 *   time or not (`breachedAt` says);
 * - `stopped`: ended by anything else (closed, withdrawn, merged, the feedback window's expiry, a
 *   ruling of unreasonable, a reopen).
 */
export function slaClockView(row: SlaClockViewRow, time: ClockTime): SlaClockView {
  const used = row.used_ms + countedSince(row, time);
  return {
    clock: row.clock,
    round: row.round,
    status: statusOf(row, time.now),
    dueAt: row.due_at,
    budgetMs: row.budget_ms,
    counting: row.counting,
    businessMsUsed: used,
    remainingMs: row.budget_ms - used,
    stoppedAt: row.stopped_at,
    pausedSince: row.paused_since,
    pausedMs:
      row.paused_ms + (row.paused_since === null ? 0 : Math.max(0, time.now - Date.parse(row.paused_since))),
    extensionDays: row.extension_days,
    warnedAt: row.warned_at,
    breachedAt: row.breached_at,
    escalatedAt: row.escalated_at,
  };
}

function statusOf(row: SlaClockViewRow, now: number): SlaClockViewStatus {
  switch (row.status) {
    case 'running':
      return row.breached_at !== null || (row.due_at !== null && Date.parse(row.due_at) <= now)
        ? 'breached'
        : 'running';
    case 'paused':
    case 'met':
    case 'stopped':
      return row.status;
    default: {
      const _exhaustive: never = row.status;
      return _exhaustive;
    }
  }
}

/** Counted time since `used_at`: up to now while running, up to the stop for one that ended counting. */
function countedSince(row: SlaClockViewRow, time: ClockTime): number {
  const until =
    row.status === 'running'
      ? time.now
      : row.status === 'paused' || row.stopped_at === null
        ? null
        : Date.parse(row.stopped_at);
  const from = Date.parse(row.used_at);
  if (until === null || until <= from) return 0;
  const limit = row.counting === 'calendar' ? calendarHours(0) : businessHoursLimit(0);
  return countedTime(limit, from, until, time.calendar);
}

/**
 * One timeline entry. Residents see what happened and when, not the staff's ids or internal
 * notes (their line is the same summary rule applied with staff named by role only).
 */
export function timelineEntryView(row: CaseTimelineViewRow, resident: boolean): TimelineEntryView {
  return {
    version: row.version,
    type: row.type,
    at: row.at,
    recordedAt: row.recorded_at,
    actor: resident ? null : { id: row.actor_id, role: row.actor_role, orgUnit: row.actor_org_unit },
    channel: row.channel,
    summary: resident ? residentSummaryOf(row) : row.summary,
    changes: resident ? null : row.changes,
    // Rows written before tokens were opaque hold `<tx>-<seq>`: answered in today's form.
    position: formatPosition(parsePosition(row.position)),
  };
}

export function residentCaseView(row: ResidentCaseViewRow): ResidentCaseView {
  return {
    caseId: row.case_id,
    caseNumber: row.case_number,
    title: row.title,
    channel: row.channel,
    status: row.status,
    matterCode: row.matter_code,
    submittedAt: row.submitted_at,
    lastEventAt: row.last_event_at,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    awaitingFeedback: row.awaiting_feedback,
    satisfaction: row.satisfaction,
    version: row.version,
  };
}

export function worklistItemView(row: WorklistViewRow): WorklistItemView {
  return {
    caseId: row.case_id,
    caseNumber: row.case_number,
    title: row.title,
    status: row.status,
    reason: row.reason,
    matterCode: row.matter_code,
    suspended: row.suspended,
    nextDueAt: row.next_due_at,
    overdue: row.overdue,
    submittedAt: row.submitted_at,
    since: row.since,
    version: row.version,
  };
}

export function referralView(row: ReferralViewRow): ReferralView {
  return {
    caseId: row.case_id,
    referralId: row.referral_id,
    caseNumber: row.case_number,
    title: row.title,
    matterCode: row.matter_code,
    target: row.target,
    toOrgUnit: row.to_org_unit,
    request: row.request,
    referredAt: row.referred_at,
    referredBy: row.referred_by,
    status: row.status,
    completedAt: row.completed_at,
    outcome: row.outcome,
  };
}

export function cadreWorkloadView(row: CadreWorkloadViewRow, due: DueCounts): CadreWorkloadView {
  return {
    cadreId: row.cadre_id,
    orgUnit: row.org_unit,
    openCases: row.open_cases,
    accepted: row.accepted,
    suspended: row.suspended,
    handOversOffered: row.handovers_offered,
    dueSoon: due.dueSoon,
    overdue: due.overdue,
  };
}

/**
 * The resident's line for a stored timeline row: the same summary rule as the staff's line
 * (`timelineSummary`), applied to the event the row was made from, with staff named by role only.
 */
function residentSummaryOf(row: CaseTimelineViewRow): string {
  if (!KNOWN_EVENT_TYPES.has(row.type)) return row.summary;
  // The row keeps the event's data as the projection decoded it: today's shape.
  const type = row.type as CaseEventType;
  const event = CASE_EVENT_CODEC.decode({
    type,
    schemaVersion: CASE_EVENT_CODEC.versionOf(type),
    data: {
      ...row.changes,
      caseId: row.case_id,
      at: row.at,
      by: {
        id: row.actor_id,
        role: row.actor_role,
        ...(row.actor_org_unit === null ? {} : { orgUnit: row.actor_org_unit }),
      },
    },
  });
  return maskPersonalDataInText(timelineSummary(event, 'resident'));
}

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set<string>(CASE_EVENT_TYPES);
