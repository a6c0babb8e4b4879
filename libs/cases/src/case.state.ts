import type { ActorRef, Instant, ReferralTarget, SlaClock } from './case.types';

/**
 * What the decider needs to know about a case, rebuilt from its events by `evolve`. Only facts a
 * rule reads are kept: the read models, not this state, hold what people look at.
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
}

/** Facts that hold from submission on, whatever the status. */
export interface CaseFacts {
  readonly caseId: string;
  readonly caseNumber: string;
  /** Who filed the case: a resident acting on it must be this actor. */
  readonly submitter: ActorRef;
  /** The resident has been contacted at least once (the response clock has stopped). */
  readonly contacted: boolean;
  /** Every referral ever made, by referral id. */
  readonly referrals: ReadonlyMap<string, Referral>;
  readonly ruledUnreasonable: boolean;
  /** SLA warnings already raised, by `slaAlertKey(clock, dueAt)`. */
  readonly slaWarnings: ReadonlySet<string>;
  /** SLA breaches already recorded, by `slaAlertKey(clock, dueAt)`. */
  readonly slaBreaches: ReadonlySet<string>;
  /** Times a designated cadre returned the case to dispatch (退单); refused hand-overs excluded. */
  readonly returnCount: number;
  readonly reopenCount: number;
  /** Supplements the resident (or someone for them) added, in every status: capped per case. */
  readonly supplements: number;
  /**
   * Every org unit ever answerable for the case — the community it is located in, each unit it
   * was dispatched, handed over, accepted or referred to — and every cadre ever designated,
   * offered or owning it. They only grow: whoever once had the case can still find it. The access
   * policy reads them (a cadre's community, a supervisor's street), as the list queries do.
   */
  readonly involvedUnits: ReadonlySet<string>;
  readonly involvedCadres: ReadonlySet<string>;
}

export interface NoCase {
  readonly status: 'none';
}

export interface SubmittedCase extends CaseFacts {
  readonly status: 'submitted';
}

/** Dispatched to a cadre who has not accepted yet: a designated owner, not yet accountable. */
export interface DispatchedCase extends CaseFacts {
  readonly status: 'dispatched';
  readonly designatedOwnerId: string;
  readonly designatedOrgUnit: string;
}

export interface InHandlingCase extends CaseFacts {
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
export interface ReturnedCase extends CaseFacts {
  readonly status: 'returned';
}

export interface ResolvedCase extends CaseFacts {
  readonly status: 'resolved';
  readonly ownerId: string;
  readonly ownerOrgUnit: string;
  /** Feedback recorded in the current resolution round (reset by a reopen). */
  readonly feedbackRecorded: boolean;
  /** The feedback window of the current resolution round expired without feedback. */
  readonly feedbackWindowExpired: boolean;
}

/** Closed, but a reopen brings it back to the same owner, so the owner is kept. */
export interface ClosedCase extends CaseFacts {
  readonly status: 'closed';
  readonly ownerId: string;
  readonly ownerOrgUnit: string;
}

export interface WithdrawnCase extends CaseFacts {
  readonly status: 'withdrawn';
}

export interface MergedCase extends CaseFacts {
  readonly status: 'merged';
  readonly intoCaseId: string;
}

export type CaseState =
  | NoCase
  | SubmittedCase
  | DispatchedCase
  | InHandlingCase
  | ReturnedCase
  | ResolvedCase
  | ClosedCase
  | WithdrawnCase
  | MergedCase;

export type CaseStatus = CaseState['status'];

/** A case that exists (anything but 'none'). */
export type ExistingCase = Exclude<CaseState, NoCase>;

export const initialState: CaseState = { status: 'none' };

export const CASE_STATUSES: readonly CaseStatus[] = [
  'none',
  'submitted',
  'dispatched',
  'in_handling',
  'returned',
  'resolved',
  'closed',
  'withdrawn',
  'merged',
];

/** Statuses no command leaves. ('closed' is not one of them: a closed case can be reopened.) */
export const TERMINAL_STATUSES: readonly CaseStatus[] = ['withdrawn', 'merged'];

/** Key of a raised SLA warning or breach: one per clock and deadline. */
export const slaAlertKey = (clock: SlaClock, dueAt: Instant): string => `${clock}@${dueAt}`;
