import { maskIdNumber, maskPhone } from '@tongban/logging';
import type {
  ActorRef,
  CaseEvent,
  CaseEventType,
  CaseRouted,
  DueTimesSet,
  ReferralTarget,
  Role,
  SlaClock,
  TimedClock,
} from '@tongban/cases';
import { formatPosition, type RecordedEvent } from '@tongban/event-store';
import {
  column,
  defineTable,
  toInstant,
  type RowOf,
  type CellValue,
  type Projection,
  type ProjectionContext,
  type RowRef,
} from '@tongban/projections';
import { CASE_STREAMS, decodeCaseEvent } from './case-event-decoding';
import { maskText } from './view-values';

/** `rm_case_timeline`: one event of a case per row, for the audit history. */
export const caseTimelineTable = defineTable({
  table: 'rm_case_timeline',
  key: ['case_id', 'version'],
  columns: {
    case_id: column.uuid(),
    version: column.integer(),
    /** The event's global position (opaque token; rows older than ADR 0011 hold `<tx>-<seq>`). */
    position: column.text(),
    type: column.text(),
    at: column.timestamptz(),
    recorded_at: column.timestamptz(),
    actor_id: column.text(),
    actor_role: column.text(),
    actor_org_unit: column.text().nullable(),
    channel: column.text().nullable(),
    summary: column.text(),
    changes: column.jsonb<{ readonly [field: string]: CellValue }>(),
  },
});
export const CASE_TIMELINE_TABLE = caseTimelineTable.table;
export type CaseTimelineRow = RowOf<typeof caseTimelineTable>;

/**
 * `case_timeline`: every event of a case as one row (keyed by stream version), with who did it,
 * a one-line English summary and what it changed. Rows are only ever added, so the projection
 * reads nothing.
 */
export const caseTimelineProjection: Projection<CaseEvent> = {
  name: 'case_timeline',
  tables: [caseTimelineTable],
  streamsTable: 'rm_case_timeline_streams',
  filter: CASE_STREAMS,
  decode: decodeCaseEvent,

  reads(): readonly RowRef[] {
    return [];
  },

  handle(event: CaseEvent, recorded: RecordedEvent, context: ProjectionContext): void {
    const row: CaseTimelineRow = {
      case_id: event.caseId,
      version: recorded.version,
      position: formatPosition(recorded.position),
      type: event.type,
      at: toInstant(event.at),
      recorded_at: toInstant(recorded.recordedAt),
      actor_id: event.by.id,
      actor_role: event.by.role,
      actor_org_unit: event.by.orgUnit ?? null,
      channel: recorded.metadata.channel ?? null,
      summary: maskText(timelineSummary(event, 'staff')),
      changes: changesOf(event),
    };
    context.put(CASE_TIMELINE_TABLE, row);
  },
};

/** The event's own data: what every event carries (case, time, actor, type) has its columns. */
function changesOf(event: CaseEvent): { readonly [field: string]: CellValue } {
  const { caseId: _caseId, at: _at, by: _by, type: _type, ...data } = event;
  const out: Record<string, CellValue> = {};
  for (const [field, value] of Object.entries(data)) out[field] = sanitize(field, value);
  return out;
}

/** Fields holding an instant: normalized here because the engine does not look inside jsonb. */
const INSTANT_FIELDS = new Set(['dueAt', 'suspendedAt', 'expiresAt', 'expiredAt']);

/** Masks personal numbers wherever they are, and normalizes instants, at any depth. */
function sanitize(field: string | null, value: unknown): CellValue {
  if (typeof value === 'string') {
    if (field === 'phone') return maskPhone(value);
    if (field === 'idNumber') return maskIdNumber(value);
    if (field !== null && INSTANT_FIELDS.has(field)) return toInstant(value);
    return maskText(value);
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => sanitize(null, item));
  if (typeof value === 'object') {
    const out: Record<string, CellValue> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = sanitize(key, item);
    }
    return out;
  }
  throw new Error(`Not a JSON value in a case event: ${typeof value}`);
}

const CLOCK_NAMES: Readonly<Record<SlaClock, string>> = { response: 'Response', resolution: 'Resolution' };

/**
 * Who reads a timeline. Staff see who did what, by id; a resident sees what happened and which
 * kind of staff did it, never a staff member's id or a unit code (issue 10).
 */
export type TimelineAudience = 'staff' | 'resident';

/** Events only staff see: the resident's timeline leaves them out (and their list does not move). */
export const STAFF_ONLY_EVENT_TYPES: readonly CaseEventType[] = ['case.contact_revealed'];

/** How a resident's timeline names an actor: by role alone. */
const ROLE_WORDS: Readonly<Record<Role, string>> = {
  resident: 'the resident',
  channel: 'a service channel',
  cadre: 'a community cadre',
  dispatcher: 'the dispatch centre',
  office_staff: 'a street office',
  supervisor: 'a supervisor',
  admin: 'an administrator',
  system: 'the system',
};

/** One naming rule for both audiences: the summaries below never name a person directly. */
function namer(audience: TimelineAudience): {
  actor: (by: ActorRef) => string;
  cadre: (id: string, orgUnit?: string) => string;
  unit: (target: ReferralTarget, code: string) => string;
} {
  if (audience === 'resident') {
    return {
      actor: (by) => ROLE_WORDS[by.role],
      cadre: () => ROLE_WORDS.cadre,
      unit: (target) => (target === 'office' ? 'a street office' : 'a stationed agency'),
    };
  }
  return {
    actor: (by) => `${by.role} ${by.id}`,
    cadre: (id, orgUnit) => `cadre ${id}${orgUnit === undefined ? '' : ` of ${orgUnit}`}`,
    unit: (target, code) => `${target} ${code}`,
  };
}

/**
 * One line for people scanning a history. Ids and codes only: free text stays in `changes`. The
 * projection stores the staff line; the resident's is made from the same event when it is read.
 */
export function timelineSummary(event: CaseEvent, audience: TimelineAudience): string {
  const name = namer(audience);
  const staff = audience === 'staff';
  switch (event.type) {
    case 'case.submitted':
      return `Submitted via ${words(event.channel)} by ${name.actor(event.by)}${
        event.matterCode === undefined ? '' : ` (matter ${event.matterCode})`
      }`;
    case 'case.dispatched':
      return `${event.redispatch ? 'Redispatched' : 'Dispatched'} to ${name.cadre(event.ownerId, event.ownerOrgUnit)}${
        staff ? ` (rule ${event.rule}, directory v${event.directoryVersion})` : ''
      }`;
    case 'case.routed':
      return `${ROUTED_TO[event.rule]}${staff ? ` ${event.queue} (rule ${event.rule}, directory v${event.directoryVersion})` : ''}`;
    case 'case.accepted':
      return event.viaHandOver
        ? `Hand-over accepted by ${name.cadre(event.ownerId, event.ownerOrgUnit)}, now the owner`
        : `Accepted by ${name.cadre(event.ownerId, event.ownerOrgUnit)}`;
    case 'case.returned':
      return event.handOverRefused
        ? `Hand-over refused by ${name.cadre(event.by.id)}`
        : `Returned to dispatch by ${name.cadre(event.by.id)}`;
    case 'case.resident_contacted':
      return `${event.firstContact ? 'First contact' : 'Contact'} with the resident (${words(event.method)})`;
    case 'case.handling_step_recorded':
      return `Handling step recorded${attachmentNote(event.attachments.length)}`;
    case 'case.step_referred':
      return `Step referred to ${name.unit(event.target, event.toOrgUnit)}${
        staff ? ` (referral ${event.referralId})` : ''
      }`;
    case 'case.referral_completed':
      return staff
        ? `Referral ${event.referralId} completed by ${event.by.orgUnit ?? event.by.id}`
        : `Referred step completed by ${name.actor(event.by)}`;
    case 'case.suspended':
      return 'Handling suspended';
    case 'case.resumed':
      return 'Handling resumed';
    case 'case.handed_over':
      return staff
        ? `Hand-over offered by ${name.cadre(event.fromCadreId)} to ${name.cadre(event.toCadreId, event.toOrgUnit)}`
        : 'Hand-over offered to another community cadre';
    case 'case.hand_over_withdrawn':
      return staff
        ? `Hand-over to ${name.cadre(event.toCadreId)} withdrawn by ${name.cadre(event.by.id)}`
        : 'Hand-over withdrawn: the same community cadre keeps the case';
    case 'case.hand_over_expired':
      return staff
        ? `Hand-over to ${name.cadre(event.toCadreId)} lapsed unanswered at ${toInstant(event.expiredAt)}`
        : 'Hand-over lapsed unanswered: the same community cadre keeps the case';
    case 'case.resolved':
      return `Resolved by ${name.cadre(event.by.id)}`;
    case 'case.feedback_recorded':
      return `Feedback: ${words(event.satisfaction)}, ${event.solved ? 'solved' : 'not solved'}`;
    case 'case.closed':
      return 'Closed';
    case 'case.reopened':
      return `Reopened by ${name.actor(event.by)}`;
    case 'case.withdrawn':
      return `Withdrawn by ${name.actor(event.by)}`;
    case 'case.merged_into':
      return staff
        ? `Merged into case ${event.intoCaseId}`
        : 'Merged into another case about the same matter';
    case 'case.supervised':
      if (event.escalation !== undefined) {
        const breach = `${CLOCK_NAMES[event.escalation.clock]} deadline passed ${toInstant(event.escalation.dueAt)} and not met`;
        return staff
          ? `Escalated to ${event.escalation.toOrgUnit}: ${breach}`
          : `Escalated for supervision: ${breach}`;
      }
      return `Supervision instruction from ${staff ? event.by.id : name.actor(event.by)}`;
    case 'case.extension_granted':
      return `${CLOCK_NAMES[event.clock]} deadline extended by ${event.extraBusinessDays} business day${
        event.extraBusinessDays === 1 ? '' : 's'
      }`;
    case 'case.ruled_unreasonable':
      return 'Ruled unreasonable: excluded from KPIs';
    case 'case.sla_warning_raised':
      return `${TIMED_CLOCK_NAMES[event.clock]} deadline near: due ${toInstant(event.dueAt)}`;
    case 'case.sla_breached':
      return `${TIMED_CLOCK_NAMES[event.clock]} deadline passed: was due ${toInstant(event.dueAt)}`;
    case 'case.due_times_set':
      return dueTimesText(event);
    case 'case.feedback_window_expired':
      return 'Feedback window expired without feedback';
    case 'case.resident_info_supplemented':
      return `Resident supplemented information${attachmentNote(event.attachments.length)}`;
    case 'case.contact_revealed':
      return `Resident's full phone number revealed to ${name.actor(event.by)}`;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

const TIMED_CLOCK_NAMES: Readonly<Record<TimedClock, string>> = {
  dispatch: 'Dispatch',
  ...CLOCK_NAMES,
  feedbackWindow: 'Feedback window',
};

/** The due times the SLA rules set, in words: the running clocks' due times, paused ones as such. */
function dueTimesText(event: DueTimesSet): string {
  const parts = event.clocks
    .filter((c) => c.running || c.dueAt === null)
    .map((c) =>
      c.dueAt === null
        ? `${TIMED_CLOCK_NAMES[c.clock]} paused`
        : `${TIMED_CLOCK_NAMES[c.clock]} due ${toInstant(c.dueAt)}`,
    );
  const why =
    event.cause === 'calendar'
      ? 'Due times moved by a calendar change'
      : event.cause === 'policy'
        ? 'Due times moved by a time-limit change'
        : 'Due times set';
  return parts.length === 0 ? why : `${why}: ${parts.join('; ')}`;
}

/** Where a routed case waits, in words. */
const ROUTED_TO: Readonly<Record<CaseRouted['rule'], string>> = {
  community_queue: "Waiting in the community's dispatch queue",
  street_dispatcher: "Sent to the street's dispatcher",
  second_return: "Returned twice: sent to the street's dispatcher",
  district_dispatcher: "Sent to the district's dispatcher",
};

/** `mini_program` → `mini program`. */
function words(code: string): string {
  return code.replace(/_/g, ' ');
}

function attachmentNote(count: number): string {
  if (count === 0) return '';
  return ` with ${count} attachment${count === 1 ? '' : 's'}`;
}
