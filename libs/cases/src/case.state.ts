import type {
  ClosedLifecycle,
  DispatchedLifecycle,
  InHandlingLifecycle,
  LifecycleFacts,
  MergedLifecycle,
  ResolvedLifecycle,
  ReturnedLifecycle,
  SubmittedLifecycle,
  WithdrawnLifecycle,
} from './case.lifecycle';
import type { ActorRef, AlertClock, DueTime, Instant } from './case.types';

/**
 * What the decider needs to know about a case, rebuilt from its events by `evolve`: the case's
 * lifecycle (`case.lifecycle.ts`, folded by `evolveLifecycle`, the same fold every read model
 * uses) plus the facts only rules read (`RuleFacts`). The read models, not this state, hold what
 * people look at.
 */

/** Facts only rules read, kept beside the lifecycle from submission on, whatever the status. */
export interface RuleFacts {
  readonly caseId: string;
  readonly caseNumber: string;
  /** Who filed the case: a resident acting on it must be this actor. */
  readonly submitter: ActorRef;
  /** SLA warnings already raised, by `slaAlertKey(clock, dueAt)`. */
  readonly slaWarnings: ReadonlySet<string>;
  /** SLA breaches already recorded, by `slaAlertKey(clock, dueAt)`. */
  readonly slaBreaches: ReadonlySet<string>;
  /** Escalations already issued, by `slaAlertKey(clock, dueAt)` of the breach escalated. */
  readonly escalations: ReadonlySet<string>;
  /** `dueTimesKey` of the due times last set; null before any. */
  readonly dueTimes: string | null;
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

/** Facts that hold from submission on, whatever the status: the lifecycle's and the rules' own. */
export type CaseFacts = LifecycleFacts & RuleFacts;

export interface NoCase {
  readonly status: 'none';
}

export type SubmittedCase = SubmittedLifecycle & RuleFacts;
/** Dispatched to a cadre who has not accepted yet: a designated owner, not yet accountable. */
export type DispatchedCase = DispatchedLifecycle & RuleFacts;
export type InHandlingCase = InHandlingLifecycle & RuleFacts;
/** Returned by the designated cadre (退单): nobody owns it until it is dispatched again. */
export type ReturnedCase = ReturnedLifecycle & RuleFacts;
export type ResolvedCase = ResolvedLifecycle & RuleFacts;
/** Closed, but a reopen brings it back to the same owner, so the owner is kept. */
export type ClosedCase = ClosedLifecycle & RuleFacts;
export type WithdrawnCase = WithdrawnLifecycle & RuleFacts;
export type MergedCase = MergedLifecycle & RuleFacts;

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

/**
 * Key of a raised SLA warning or breach: one per clock and deadline, and for a warning that names
 * its threshold, per threshold too (a warning without one keeps the key it always had).
 */
/**
 * What makes two sets of due times the same: the policy and each clock's round, due time, budget
 * and way of counting — not the time used (it moves with every instant), whether the clock still
 * runs (the case's own events say when it stops) nor the cause.
 */
export const dueTimesKey = (policyId: string, clocks: readonly DueTime[]): string =>
  JSON.stringify([
    policyId,
    [...clocks]
      .sort((a, b) => (a.clock < b.clock ? -1 : a.clock > b.clock ? 1 : 0))
      .map((c) => [c.clock, c.round, c.dueAt, c.budgetMs, c.counting]),
  ]);

export const slaAlertKey = (clock: AlertClock, dueAt: Instant, threshold?: number): string =>
  threshold === undefined ? `${clock}@${dueAt}` : `${clock}@${dueAt}#${threshold}`;
