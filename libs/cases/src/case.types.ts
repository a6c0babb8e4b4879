/**
 * Vocabulary shared by the case's commands, events and state. English names follow
 * docs/glossary.md.
 */

/** Who may act, as carried by the caller's token and recorded on every event. */
export type Role =
  'resident' | 'channel' | 'cadre' | 'dispatcher' | 'office_staff' | 'supervisor' | 'admin' | 'system';

export interface ActorRef {
  readonly id: string;
  readonly role: Role;
  /** Org unit code, e.g. `pc.nanguan.yongtai` (district.street.community). */
  readonly orgUnit?: string;
}

/** Where a request came in (同源发布: every channel publishes into the same intake). */
export type Channel =
  | 'portal'
  | 'app'
  | 'mini_program'
  | 'hotline'
  | 'walk_in'
  | 'third_party'
  | 'grid_patrol'
  | 'filed_on_behalf';

/** Every channel, for validation at the edges (commands and queries alike). */
export const CHANNELS: readonly Channel[] = [
  'portal',
  'app',
  'mini_program',
  'hotline',
  'walk_in',
  'third_party',
  'grid_patrol',
  'filed_on_behalf',
];

/**
 * An org unit code: district, then up to four dotted segments (`pc.gucheng.taiyangcheng`).
 * Segments are lower-case codes or the glossary's camelCase unit names (`publicServiceOffice`).
 */
export const ORG_UNIT_CODE = /^[a-z0-9]+(\.[a-zA-Z0-9-]+){0,4}$/;

export interface ResidentContact {
  readonly name: string;
  /** Mainland mobile number, validated at the edge. Masked in every read view and log. */
  readonly phone: string;
  /** Resident ID number (GB 11643), optional. */
  readonly idNumber?: string;
}

export interface CaseLocation {
  readonly address?: string;
  readonly communityCode?: string;
  readonly gridCode?: string;
  readonly latitude?: number;
  readonly longitude?: number;
}

export interface AttachmentRef {
  /** Reference into the attachment store; files never travel inside events. */
  readonly ref: string;
  readonly name?: string;
  readonly contentType?: string;
}

export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'unsatisfied';

/** The two SLA clocks a case records warnings and breaches for: respond (contact the resident) and resolve. */
export type SlaClock = 'response' | 'resolution';

/**
 * Every clock the SLA rules time: dispatch (submission to the first dispatch), the two of
 * `SlaClock`, and the feedback window after a resolution.
 */
export type TimedClock = 'dispatch' | SlaClock | 'feedbackWindow';

/**
 * The clocks warnings and breaches are recorded for: dispatch (派单: the case waits for its one
 * cadre), response and resolution. The feedback window ends by the system's expiry instead.
 */
export type AlertClock = 'dispatch' | SlaClock;

export const TIMED_CLOCKS: readonly TimedClock[] = Object.freeze([
  'dispatch',
  'response',
  'resolution',
  'feedbackWindow',
]);

/**
 * One clock's due time as the SLA watcher computed it on the business calendar (ADR 0029): what
 * every case view shows, without a calendar of its own.
 */
export interface DueTime {
  readonly clock: TimedClock;
  /** 1, and one more per reopen for the resolution clock and the feedback window. */
  readonly round: number;
  /** When it runs out, after pauses and extensions; null while paused. */
  readonly dueAt: Instant | null;
  /** Counted time the limit allows, extensions included (milliseconds). */
  readonly budgetMs: number;
  /** Counted time used up to the event's `at` (milliseconds). */
  readonly usedMs: number;
  /** How the clock counts: business hours on business days, or all the time. */
  readonly counting: 'business' | 'calendar';
  /** Counting at the event's `at` (false: paused, met or stopped). */
  readonly running: boolean;
}

/** Why the due times were set again: the case changed, or the calendar or the catalogue did. */
export type DueTimesCause = 'case' | 'calendar' | 'policy';

/** An escalation after a breach and its grace period: to whom, for which breach. */
export interface Escalation {
  readonly clock: SlaClock;
  /** The breached due time (RecordSlaBreach's `dueAt`). */
  readonly dueAt: Instant;
  /** The unit escalated to: the street of the case's owner (or queue), or the district. */
  readonly toOrgUnit: string;
}

export type ReferralTarget = 'office' | 'agency';

export type ContactMethod = 'phone' | 'visit' | 'message' | 'in_person';

/** ISO-8601 instant with offset, e.g. `2026-11-27T09:30:00+08:00`. */
export type Instant = string;

/**
 * Text with something in it: at least one character that is not white space (as JavaScript's
 * `\s` and `trim()` define it, so the ideographic space U+3000 a Chinese keyboard types counts as
 * white space). Required text (a title, a reason, a note) is refused without it, at the edge and
 * again by the decider; the same pattern is stated in the OpenAPI document.
 */
export const NOT_BLANK = /\S/;

export function isBlankText(value: unknown): boolean {
  return typeof value !== 'string' || !NOT_BLANK.test(value);
}
