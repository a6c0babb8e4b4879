import type {
  ActorRef,
  AlertClock,
  AttachmentRef,
  CaseLocation,
  Channel,
  ContactMethod,
  DueTime,
  DueTimesCause,
  Escalation,
  Instant,
  ReferralTarget,
  ResidentContact,
  Satisfaction,
  SlaClock,
} from './case.types';

/**
 * The case's event catalogue (first version). Type strings are stable and independent of the
 * TypeScript names; a shape never changes in place — a new schema version comes with an
 * upcaster. Every event says when (`at`, from the command) and who (`by`).
 */
interface EventBase {
  readonly caseId: string;
  readonly at: Instant;
  readonly by: ActorRef;
}

export interface CaseSubmitted extends EventBase {
  readonly type: 'case.submitted';
  readonly caseNumber: string;
  readonly channel: Channel;
  readonly resident: ResidentContact;
  readonly location: CaseLocation;
  readonly matterCode?: string;
  readonly category?: string;
  readonly title: string;
  readonly description: string;
  readonly attachments: readonly AttachmentRef[];
}

export interface CaseDispatched extends EventBase {
  readonly type: 'case.dispatched';
  readonly ownerId: string;
  readonly ownerOrgUnit: string;
  /** The routing rule that chose the cadre (`grid_cadre`, `on_duty_cadre`), or `manual`. */
  readonly rule: string;
  readonly directoryVersion: number;
  /** Routing only: the catalogue version it read (absent on manual dispatches). */
  readonly catalogueVersion?: number;
  /** Routing only: how the case was located and where (absent on manual dispatches). */
  readonly located?: RoutingLocated;
  readonly note?: string;
  /** True when the case had been returned and is dispatched again (first-dispatch accuracy). */
  readonly redispatch: boolean;
}

/** Where routing found the case: how, and the community and grid (null when it could not tell). */
export interface RoutingLocated {
  readonly by: 'grid_code' | 'point' | 'address' | 'community_code' | 'none';
  readonly community: string | null;
  readonly grid: string | null;
}

/**
 * Routing found nobody to send the case to directly and put it in a queue where people choose:
 * the community's (nobody present), the street's dispatcher (not located in a community, or
 * returned twice), or the district's (nothing locates it: 兜底). The status does not change.
 */
/** The routing rules that leave the choice to people: a queue rather than a cadre. */
export const QUEUE_RULES = [
  'community_queue',
  'street_dispatcher',
  'second_return',
  'district_dispatcher',
] as const;

export interface CaseRouted extends EventBase {
  readonly type: 'case.routed';
  readonly rule: (typeof QUEUE_RULES)[number];
  /** Whose queue: a community, a street or the district. */
  readonly queue: string;
  readonly directoryVersion: number;
  readonly catalogueVersion: number;
  readonly located: RoutingLocated;
  /** Why the rules before it passed, in order (no personal data: ids, days and codes). */
  readonly passed: readonly string[];
}

export interface CaseAccepted extends EventBase {
  readonly type: 'case.accepted';
  /** The cadre who is now the ONE accountable owner. */
  readonly ownerId: string;
  /** The owner's org unit (community), so read models need no join with earlier events. */
  readonly ownerOrgUnit: string;
  /** True when this acceptance completes a hand-over. */
  readonly viaHandOver: boolean;
}

export interface CaseReturned extends EventBase {
  readonly type: 'case.returned';
  readonly reason: string;
  /** True when the cadre refused a hand-over (the previous owner stays accountable). */
  readonly handOverRefused: boolean;
}

export interface ResidentContacted extends EventBase {
  readonly type: 'case.resident_contacted';
  readonly method: ContactMethod;
  readonly note: string;
  /** True for the first contact: the response clock stops here. */
  readonly firstContact: boolean;
}

export interface HandlingStepRecorded extends EventBase {
  readonly type: 'case.handling_step_recorded';
  readonly note: string;
  readonly attachments: readonly AttachmentRef[];
}

export interface StepReferred extends EventBase {
  readonly type: 'case.step_referred';
  readonly referralId: string;
  readonly target: ReferralTarget;
  readonly toOrgUnit: string;
  readonly request: string;
}

export interface ReferralCompleted extends EventBase {
  readonly type: 'case.referral_completed';
  readonly referralId: string;
  readonly outcome: string;
}

export interface CaseSuspended extends EventBase {
  readonly type: 'case.suspended';
  readonly reason: string;
}

export interface CaseResumed extends EventBase {
  readonly type: 'case.resumed';
  readonly reason: string;
  /** When the suspension began, so the SLA pause is explained by this event alone. */
  readonly suspendedAt: Instant;
}

export interface CaseHandedOver extends EventBase {
  readonly type: 'case.handed_over';
  readonly fromCadreId: string;
  readonly toCadreId: string;
  readonly toOrgUnit: string;
  readonly reason: string;
  /**
   * When the offer lapses if nobody answers it (the HAND_OVER_EXPIRES_AFTER_HOURS setting, set by
   * the application). Absent on hand-overs offered before offers expired: those never lapse.
   */
  readonly expiresAt?: Instant;
}

/** The owner took back a hand-over nobody had answered (撤回移交): they keep the case. */
export interface HandOverWithdrawn extends EventBase {
  readonly type: 'case.hand_over_withdrawn';
  readonly toCadreId: string;
  readonly reason: string;
}

/**
 * A pending hand-over lapsed unanswered (移交超时): the owner keeps the case and the cadre it was
 * offered to can no longer accept it. Recorded by the system's timer, or first in the events of
 * the owner's next command after `expiredAt`, whichever comes first.
 */
export interface HandOverExpired extends EventBase {
  readonly type: 'case.hand_over_expired';
  readonly toCadreId: string;
  /** The offer's `expiresAt`: when it lapsed (`at` is when the lapse was recorded). */
  readonly expiredAt: Instant;
}

export interface CaseResolved extends EventBase {
  readonly type: 'case.resolved';
  readonly summary: string;
}

export interface FeedbackRecorded extends EventBase {
  readonly type: 'case.feedback_recorded';
  readonly satisfaction: Satisfaction;
  readonly solved: boolean;
  readonly comment?: string;
}

export interface CaseClosed extends EventBase {
  readonly type: 'case.closed';
}

export interface CaseReopened extends EventBase {
  readonly type: 'case.reopened';
  readonly reason: string;
}

export interface CaseWithdrawn extends EventBase {
  readonly type: 'case.withdrawn';
  readonly reason: string;
}

export interface CaseMergedInto extends EventBase {
  readonly type: 'case.merged_into';
  readonly intoCaseId: string;
  readonly reason: string;
}

export interface CaseSupervised extends EventBase {
  readonly type: 'case.supervised';
  readonly instruction: string;
  /**
   * Set when the system escalated an unmet breach after its grace period (ADR 0029): once per
   * clock and breached due time. Absent on a supervisor's own instruction (no new version).
   */
  readonly escalation?: Escalation;
}

export interface ExtensionGranted extends EventBase {
  readonly type: 'case.extension_granted';
  readonly clock: SlaClock;
  readonly extraBusinessDays: number;
  readonly reason: string;
}

export interface CaseRuledUnreasonable extends EventBase {
  readonly type: 'case.ruled_unreasonable';
  readonly reason: string;
}

export interface SlaWarningRaised extends EventBase {
  readonly type: 'case.sla_warning_raised';
  readonly clock: AlertClock;
  readonly dueAt: Instant;
  /**
   * The share of the time limit used that the warning is for (0.5, 0.8: in (0, 1)). Absent on
   * warnings raised before thresholds were recorded: those read as before (no new version).
   */
  readonly threshold?: number;
}

export interface SlaBreached extends EventBase {
  readonly type: 'case.sla_breached';
  readonly clock: AlertClock;
  readonly dueAt: Instant;
}

/**
 * The SLA watcher's due times for the case's clocks as the calendar and the catalogue's policy
 * make them (ADR 0029): set when a clock starts, pauses, resumes, is extended or restarts, and
 * again when a calendar or policy change moves them. Every clock started so far is listed.
 */
export interface DueTimesSet extends EventBase {
  readonly type: 'case.due_times_set';
  readonly policyId: string;
  /** The calendar stream's version they were computed on; null on the built-in calendar. */
  readonly calendarVersion: number | null;
  readonly cause: DueTimesCause;
  readonly clocks: readonly DueTime[];
}

export interface FeedbackWindowExpired extends EventBase {
  readonly type: 'case.feedback_window_expired';
}

export interface ResidentInfoSupplemented extends EventBase {
  readonly type: 'case.resident_info_supplemented';
  readonly note: string;
  readonly attachments: readonly AttachmentRef[];
}

/**
 * The resident's full phone number was shown to `by`, for `reason` (the audit trail of every
 * reveal). The number itself is not copied here: it stays in `case.submitted` alone.
 */
export interface ContactRevealed extends EventBase {
  readonly type: 'case.contact_revealed';
  readonly reason: string;
}

export type CaseEvent =
  | CaseSubmitted
  | CaseDispatched
  | CaseRouted
  | CaseAccepted
  | CaseReturned
  | ResidentContacted
  | HandlingStepRecorded
  | StepReferred
  | ReferralCompleted
  | CaseSuspended
  | CaseResumed
  | CaseHandedOver
  | HandOverWithdrawn
  | HandOverExpired
  | CaseResolved
  | FeedbackRecorded
  | CaseClosed
  | CaseReopened
  | CaseWithdrawn
  | CaseMergedInto
  | CaseSupervised
  | ExtensionGranted
  | CaseRuledUnreasonable
  | SlaWarningRaised
  | SlaBreached
  | DueTimesSet
  | FeedbackWindowExpired
  | ResidentInfoSupplemented
  | ContactRevealed;

export type CaseEventType = CaseEvent['type'];

/**
 * Current schema version of each event type's shape. Bump only with an upcaster in
 * CASE_EVENT_CODEC (case.codec.ts). `case.submitted` v2: every field present (v1 may lack some).
 * An optional field added to a shape needs no new version: data without it reads as before
 * (`case.handed_over`'s `expiresAt`, `case.dispatched`'s routing fields,
 * `case.sla_warning_raised`'s `threshold`, `case.supervised`'s `escalation`).
 */
export const CASE_EVENT_SCHEMA_VERSIONS: Readonly<Record<CaseEventType, number>> = {
  'case.submitted': 2,
  'case.dispatched': 1,
  'case.routed': 1,
  'case.accepted': 1,
  'case.returned': 1,
  'case.resident_contacted': 1,
  'case.handling_step_recorded': 1,
  'case.step_referred': 1,
  'case.referral_completed': 1,
  'case.suspended': 1,
  'case.resumed': 1,
  'case.handed_over': 1,
  'case.hand_over_withdrawn': 1,
  'case.hand_over_expired': 1,
  'case.resolved': 1,
  'case.feedback_recorded': 1,
  'case.closed': 1,
  'case.reopened': 1,
  'case.withdrawn': 1,
  'case.merged_into': 1,
  'case.supervised': 1,
  'case.extension_granted': 1,
  'case.ruled_unreasonable': 1,
  'case.sla_warning_raised': 1,
  'case.sla_breached': 1,
  'case.due_times_set': 1,
  'case.feedback_window_expired': 1,
  'case.resident_info_supplemented': 1,
  'case.contact_revealed': 1,
};

export const CASE_EVENT_TYPES = Object.keys(CASE_EVENT_SCHEMA_VERSIONS) as CaseEventType[];

/**
 * The system's timekeeping on a case (ADR 0029): due times the SLA watcher set, warnings it
 * raised, breaches it recorded. They change nothing a person decided on: they never make a
 * caller's `If-Match` stale (an escalation is a supervision, and does).
 */
export const TIMEKEEPING_EVENT_TYPES: readonly CaseEventType[] = Object.freeze([
  'case.due_times_set',
  'case.sla_warning_raised',
  'case.sla_breached',
]);

export const caseStreamId = (caseId: string): string => `case-${caseId}`;
