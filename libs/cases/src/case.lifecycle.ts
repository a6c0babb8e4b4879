import type { CaseEvent, CaseEventType, CaseSubmitted } from './case.events';
import type { AlertClock, Instant, ReferralTarget, SlaClock } from './case.types';

/**
 * The case lifecycle: status, who has the case (designated cadre, accountable owner, a pending
 * hand-over), suspension, contact, referrals, the resolution round and the deadlines of the
 * current round — everything about a case that both a rule and a reader need. It is plain JSON
 * data (no Map, no Set, no Date), so a read model can keep it in a row between batches, and it is
 * folded by ONE function, `evolveLifecycle`, which the decider's `evolve` uses for its own state:
 * the decider's state is this lifecycle plus the facts only rules need (`case.state.ts`), so the
 * write side and the read side cannot disagree about a case (ADR 0018).
 */

/** A step referred to an office or agency (by the id the caller chose for it). */
export interface Referral {
  readonly referralId: string;
  readonly target: ReferralTarget;
  readonly toOrgUnit: string;
  readonly completed: boolean;
}

/** A hand-over the owner offered and the named cadre has not yet accepted or refused. */
export interface HandOverOffer {
  readonly toCadreId: string;
  readonly toOrgUnit: string;
  /**
   * When it lapses unanswered (`hasLapsed`). Absent for offers made before hand-overs expired —
   * and in lifecycle snapshots stored before then — which never lapse.
   */
  readonly expiresAt?: Instant;
}

/**
 * One SLA clock in the current round as the case knows it: the deadline the SLA watcher last
 * announced (warnings and breaches carry it) and whether a breach was recorded. A reopen starts a
 * new resolution round: its deadline and breach start afresh.
 */
export interface Deadline {
  readonly dueAt: Instant | null;
  readonly breached: boolean;
}

/** Lifecycle facts that hold from submission on, whatever the status. */
export interface LifecycleFacts {
  /** The resident has been contacted at least once (the response clock has stopped). */
  readonly contacted: boolean;
  /** Every referral ever made, in the order made (one per referral id). */
  readonly referrals: readonly Referral[];
  /** Times a designated cadre returned the case to dispatch (退单); refused hand-overs excluded. */
  readonly returnCount: number;
  /** Times the case was reopened: the resolution round is `reopenCount + 1`. */
  readonly reopenCount: number;
  readonly ruledUnreasonable: boolean;
  readonly deadlines: Readonly<Record<SlaClock, Deadline>>;
}

export interface SubmittedLifecycle extends LifecycleFacts {
  readonly status: 'submitted';
}

/** Dispatched to a cadre who has not accepted yet: a designated owner, not yet accountable. */
export interface DispatchedLifecycle extends LifecycleFacts {
  readonly status: 'dispatched';
  readonly designatedOwnerId: string;
  readonly designatedOrgUnit: string;
}

export interface InHandlingLifecycle extends LifecycleFacts {
  readonly status: 'in_handling';
  /** The ONE accountable owner; changes only when a hand-over is accepted. */
  readonly ownerId: string;
  readonly ownerOrgUnit: string;
  readonly pendingHandOver: HandOverOffer | null;
  readonly suspended: boolean;
  /** When the current suspension began; null when not suspended. */
  readonly suspendedAt: Instant | null;
}

/** Returned by the designated cadre (退单): nobody owns it until it is dispatched again. */
export interface ReturnedLifecycle extends LifecycleFacts {
  readonly status: 'returned';
}

export interface ResolvedLifecycle extends LifecycleFacts {
  readonly status: 'resolved';
  readonly ownerId: string;
  readonly ownerOrgUnit: string;
  /** Feedback recorded in the current resolution round (reset by a reopen). */
  readonly feedbackRecorded: boolean;
  /** The feedback window of the current resolution round expired without feedback. */
  readonly feedbackWindowExpired: boolean;
}

/** Closed, but a reopen brings it back to the same owner, so the owner is kept. */
export interface ClosedLifecycle extends LifecycleFacts {
  readonly status: 'closed';
  readonly ownerId: string;
  readonly ownerOrgUnit: string;
}

export interface WithdrawnLifecycle extends LifecycleFacts {
  readonly status: 'withdrawn';
}

export interface MergedLifecycle extends LifecycleFacts {
  readonly status: 'merged';
  readonly intoCaseId: string;
}

export type CaseLifecycle =
  | SubmittedLifecycle
  | DispatchedLifecycle
  | InHandlingLifecycle
  | ReturnedLifecycle
  | ResolvedLifecycle
  | ClosedLifecycle
  | WithdrawnLifecycle
  | MergedLifecycle;

/** The status of a case that exists. */
export type LifecycleStatus = CaseLifecycle['status'];

/** Before resolution: the case is still being routed or handled. */
export const UNRESOLVED_STATUSES = ['submitted', 'dispatched', 'returned', 'in_handling'] as const;
/** Open: not closed, withdrawn or merged (a resolved case is still open until it is closed). */
export const OPEN_STATUSES = [...UNRESOLVED_STATUSES, 'resolved'] as const;

/** Statuses no event leaves. ('closed' is not one of them: a closed case can be reopened.) */
export function isTerminal(status: LifecycleStatus): status is 'withdrawn' | 'merged' {
  return status === 'withdrawn' || status === 'merged';
}

/**
 * The status changes, as data: which event moves a case from which statuses to which. An event
 * in any other status changes no status (`decide` never produces one; a replay stays total).
 * `case.returned` with `handOverRefused` is no return (the owner keeps the case) and moves nothing.
 */
export const STATUS_TRANSITIONS: {
  readonly [T in CaseEventType]?: { readonly from: readonly LifecycleStatus[]; readonly to: LifecycleStatus };
} = {
  'case.dispatched': { from: ['submitted', 'returned', 'dispatched'], to: 'dispatched' },
  'case.accepted': { from: ['dispatched'], to: 'in_handling' },
  'case.returned': { from: ['dispatched'], to: 'returned' },
  'case.resolved': { from: ['in_handling'], to: 'resolved' },
  'case.closed': { from: ['resolved'], to: 'closed' },
  'case.reopened': { from: ['resolved', 'closed'], to: 'in_handling' },
  'case.withdrawn': { from: UNRESOLVED_STATUSES, to: 'withdrawn' },
  'case.merged_into': { from: OPEN_STATUSES, to: 'merged' },
};

/**
 * The event types that can change a lifecycle. For every other type `evolveLifecycle` returns
 * the lifecycle it was given (a unit test holds it to that), so a reader that keeps a lifecycle
 * need not see them.
 */
export const LIFECYCLE_EVENT_TYPES: readonly CaseEventType[] = [
  'case.submitted',
  'case.dispatched',
  'case.accepted',
  'case.returned',
  'case.resident_contacted',
  'case.step_referred',
  'case.referral_completed',
  'case.suspended',
  'case.resumed',
  'case.handed_over',
  'case.hand_over_withdrawn',
  'case.hand_over_expired',
  'case.resolved',
  'case.feedback_recorded',
  'case.feedback_window_expired',
  'case.closed',
  'case.reopened',
  'case.withdrawn',
  'case.merged_into',
  'case.ruled_unreasonable',
  'case.sla_warning_raised',
  'case.sla_breached',
];

const NO_DEADLINE: Deadline = { dueAt: null, breached: false };

/** The lifecycle a submission starts. */
export function startLifecycle(_event: CaseSubmitted): CaseLifecycle {
  return {
    status: 'submitted',
    contacted: false,
    referrals: [],
    returnCount: 0,
    reopenCount: 0,
    ruledUnreasonable: false,
    deadlines: { response: NO_DEADLINE, resolution: NO_DEADLINE },
  };
}

/** `event` moves the case out of `status` (see STATUS_TRANSITIONS). */
export function movesStatus(status: LifecycleStatus, event: CaseEvent): boolean {
  if (event.type === 'case.returned' && event.handOverRefused) return false;
  const transition = STATUS_TRANSITIONS[event.type];
  return transition !== undefined && transition.from.includes(status);
}

/**
 * The lifecycle after one recorded event: the ONE fold, used by the decider's `evolve` and by
 * every read model. Total and lenient like `evolve`: an event that does not fit the status (which
 * `decide` never produces) changes nothing, so a replay never stops half-way. A withdrawn or
 * merged case takes no more changes. Returns `lifecycle` itself when the event does not apply
 * (a new object, perhaps equal, when it does).
 */
export function evolveLifecycle(lifecycle: CaseLifecycle, event: CaseEvent): CaseLifecycle {
  const s = lifecycle;
  if (isTerminal(s.status)) return s;
  const moves = movesStatus(s.status, event);
  switch (event.type) {
    case 'case.dispatched':
      return moves
        ? {
            status: 'dispatched',
            ...factsOf(s),
            designatedOwnerId: event.ownerId,
            designatedOrgUnit: event.ownerOrgUnit,
          }
        : s;
    case 'case.accepted':
      if (moves) return inHandling(factsOf(s), event.ownerId, event.ownerOrgUnit);
      // Within handling: a hand-over completes and the cadre it was offered to owns the case.
      return s.status === 'in_handling'
        ? { ...s, ownerId: event.ownerId, ownerOrgUnit: event.ownerOrgUnit, pendingHandOver: null }
        : s;
    case 'case.returned':
      if (event.handOverRefused) {
        return s.status === 'in_handling' ? { ...s, pendingHandOver: null } : s;
      }
      return moves ? { status: 'returned', ...factsOf(s), returnCount: s.returnCount + 1 } : s;
    case 'case.resident_contacted':
      return { ...s, contacted: true };
    case 'case.step_referred': {
      const referral: Referral = {
        referralId: event.referralId,
        target: event.target,
        toOrgUnit: event.toOrgUnit,
        completed: false,
      };
      // A referral id made again replaces the earlier referral, in its place.
      const at = s.referrals.findIndex((r) => r.referralId === event.referralId);
      return {
        ...s,
        referrals: at < 0 ? [...s.referrals, referral] : s.referrals.map((r, i) => (i === at ? referral : r)),
      };
    }
    case 'case.referral_completed': {
      const at = s.referrals.findIndex((r) => r.referralId === event.referralId);
      if (at < 0) return s;
      return { ...s, referrals: s.referrals.map((r, i) => (i === at ? { ...r, completed: true } : r)) };
    }
    case 'case.suspended':
      return s.status === 'in_handling' ? { ...s, suspended: true, suspendedAt: event.at } : s;
    case 'case.resumed':
      return s.status === 'in_handling' ? { ...s, suspended: false, suspendedAt: null } : s;
    case 'case.handed_over':
      return s.status === 'in_handling'
        ? {
            ...s,
            pendingHandOver: {
              toCadreId: event.toCadreId,
              toOrgUnit: event.toOrgUnit,
              ...(event.expiresAt !== undefined ? { expiresAt: event.expiresAt } : {}),
            },
          }
        : s;
    // Withdrawn or lapsed: the owner keeps the case, as after a refusal.
    case 'case.hand_over_withdrawn':
    case 'case.hand_over_expired':
      return s.status === 'in_handling' ? { ...s, pendingHandOver: null } : s;
    case 'case.resolved':
      return moves && s.status === 'in_handling'
        ? {
            status: 'resolved',
            ...factsOf(s),
            ownerId: s.ownerId,
            ownerOrgUnit: s.ownerOrgUnit,
            feedbackRecorded: false,
            feedbackWindowExpired: false,
          }
        : s;
    case 'case.feedback_recorded':
      return s.status === 'resolved' ? { ...s, feedbackRecorded: true } : s;
    case 'case.feedback_window_expired':
      return s.status === 'resolved' ? { ...s, feedbackWindowExpired: true } : s;
    case 'case.closed':
      return moves && s.status === 'resolved'
        ? { status: 'closed', ...factsOf(s), ownerId: s.ownerId, ownerOrgUnit: s.ownerOrgUnit }
        : s;
    case 'case.reopened': {
      if (!moves || (s.status !== 'resolved' && s.status !== 'closed')) return s;
      // A new resolution round: the last round's deadline and breach are history (the timeline
      // and the KPIs keep them); the SLA watcher announces the new deadline.
      const facts = factsOf(s);
      return inHandling(
        {
          ...facts,
          reopenCount: s.reopenCount + 1,
          deadlines: { ...facts.deadlines, resolution: NO_DEADLINE },
        },
        s.ownerId,
        s.ownerOrgUnit,
      );
    }
    case 'case.withdrawn':
      return moves ? { status: 'withdrawn', ...factsOf(s) } : s;
    case 'case.merged_into':
      return moves ? { status: 'merged', ...factsOf(s), intoCaseId: event.intoCaseId } : s;
    case 'case.ruled_unreasonable':
      return { ...s, ruledUnreasonable: true };
    // The lifecycle keeps the response and resolution deadlines; the dispatch clock's alerts are
    // the timeline's and the SLA clocks' (it ends with the dispatch).
    case 'case.sla_warning_raised':
      return event.clock === 'dispatch'
        ? s
        : withDeadline(s, event.clock, { ...s.deadlines[event.clock], dueAt: event.dueAt });
    case 'case.sla_breached':
      return event.clock === 'dispatch'
        ? s
        : withDeadline(s, event.clock, { dueAt: event.dueAt, breached: true });
    // No lifecycle fact in them (see LIFECYCLE_EVENT_TYPES): the timeline, the SLA clocks and the
    // KPIs read them, and the decider counts supplements among its own facts. A routed case
    // waits in a queue in the status it had.
    case 'case.submitted':
    case 'case.routed':
    case 'case.handling_step_recorded':
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.due_times_set':
    case 'case.resident_info_supplemented':
    case 'case.contact_revealed':
      return s;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The lifecycle after a whole stream (oldest first, starting with its submission); null when empty. */
export function foldLifecycle(events: readonly CaseEvent[]): CaseLifecycle | null {
  let lifecycle: CaseLifecycle | null = null;
  for (const event of events) {
    if (lifecycle !== null) lifecycle = evolveLifecycle(lifecycle, event);
    else if (event.type === 'case.submitted') lifecycle = startLifecycle(event);
  }
  return lifecycle;
}

// ---- what readers ask of a lifecycle ------------------------------------------------------------

/** A cadre and the org unit they act for on the case. */
export interface Assignment {
  readonly cadreId: string;
  readonly orgUnit: string;
}

/** The cadre the case is dispatched to, who has not accepted yet (status `dispatched` only). */
export function designatedOf(lifecycle: CaseLifecycle): Assignment | null {
  return lifecycle.status === 'dispatched'
    ? { cadreId: lifecycle.designatedOwnerId, orgUnit: lifecycle.designatedOrgUnit }
    : null;
}

/** The ONE accountable owner: in handling, resolved or closed. */
export function ownerOf(lifecycle: CaseLifecycle): Assignment | null {
  switch (lifecycle.status) {
    case 'in_handling':
    case 'resolved':
    case 'closed':
      return { cadreId: lifecycle.ownerId, orgUnit: lifecycle.ownerOrgUnit };
    case 'submitted':
    case 'dispatched':
    case 'returned':
    case 'withdrawn':
    case 'merged':
      return null;
    default: {
      const _exhaustive: never = lifecycle;
      return _exhaustive;
    }
  }
}

/** The cadre a pending hand-over is offered to (in handling only). */
export function handOverOf(lifecycle: CaseLifecycle): Assignment | null {
  return lifecycle.status === 'in_handling' && lifecycle.pendingHandOver !== null
    ? { cadreId: lifecycle.pendingHandOver.toCadreId, orgUnit: lifecycle.pendingHandOver.toOrgUnit }
    : null;
}

/**
 * The offer's time ran out by `at` (its `expiresAt` is at or before it): the cadre it was offered
 * to can no longer take it, and the owner acts as if none were pending. Whether that has been
 * recorded yet is the lifecycle's `pendingHandOver`: a lapsed offer stays pending until a
 * `case.hand_over_expired` says so. An offer without `expiresAt` never lapses.
 */
export function hasLapsed(offer: HandOverOffer, at: Instant): boolean {
  return offer.expiresAt !== undefined && Date.parse(offer.expiresAt) <= Date.parse(at);
}

export function isSuspended(lifecycle: CaseLifecycle): boolean {
  return lifecycle.status === 'in_handling' && lifecycle.suspended;
}

/**
 * Referrals not yet completed, in the order made. Withdrawing or merging the case cancels them:
 * nobody works on a referred step of a case that will not be handled any more.
 */
export function openReferrals(lifecycle: CaseLifecycle): readonly Referral[] {
  return isTerminal(lifecycle.status) ? [] : lifecycle.referrals.filter((r) => !r.completed);
}

/**
 * Resolved, and neither feedback nor the window's expiry has come in this round: the resident's
 * rating is awaited.
 */
export function awaitsFeedback(lifecycle: CaseLifecycle): boolean {
  return lifecycle.status === 'resolved' && !lifecycle.feedbackRecorded && !lifecycle.feedbackWindowExpired;
}

/**
 * The dispatch clock runs until the case's first dispatch to a cadre (a queue is no dispatch; a
 * returned case was dispatched once), the response clock until the first contact, the resolution
 * clock until resolution (and again after a reopen); closing, withdrawing or merging stops them
 * all. A suspended case's clocks are paused, not stopped: their deadlines still matter, so they
 * count as running here.
 */
export function clockRunning(lifecycle: CaseLifecycle, clock: AlertClock): boolean {
  const ended = lifecycle.status === 'closed' || isTerminal(lifecycle.status);
  if (ended) return false;
  switch (clock) {
    case 'dispatch':
      return lifecycle.status === 'submitted';
    case 'response':
      return !lifecycle.contacted;
    case 'resolution':
      return lifecycle.status !== 'resolved';
    default: {
      const _exhaustive: never = clock;
      return _exhaustive;
    }
  }
}

function factsOf(s: CaseLifecycle): LifecycleFacts {
  return {
    contacted: s.contacted,
    referrals: s.referrals,
    returnCount: s.returnCount,
    reopenCount: s.reopenCount,
    ruledUnreasonable: s.ruledUnreasonable,
    deadlines: s.deadlines,
  };
}

function inHandling(facts: LifecycleFacts, ownerId: string, ownerOrgUnit: string): InHandlingLifecycle {
  return {
    status: 'in_handling',
    ...facts,
    ownerId,
    ownerOrgUnit,
    pendingHandOver: null,
    suspended: false,
    suspendedAt: null,
  };
}

function withDeadline(s: CaseLifecycle, clock: SlaClock, deadline: Deadline): CaseLifecycle {
  return { ...s, deadlines: { ...s.deadlines, [clock]: deadline } };
}
