import type { CaseEvent, CaseStatus, SlaClock } from '@tongban/cases';
import { toInstant } from '@tongban/projections';
import { earliest } from './view-values';

/**
 * The parts of the case's `evolve` (libs/cases/src/case.decider.ts) the read models need, over
 * the facts they keep in their rows. They follow `evolve` exactly, including its leniency: an
 * event that does not fit the status (which `decide` never produces) changes nothing, so a view
 * never disagrees with the state the next command is decided on.
 */

/** A case that exists: read models have no row for 'none'. */
export type CaseViewStatus = Exclude<CaseStatus, 'none'>;

const UNRESOLVED: readonly CaseViewStatus[] = ['submitted', 'dispatched', 'returned', 'in_handling'];
const OPEN: readonly CaseViewStatus[] = [...UNRESOLVED, 'resolved'];
const DISPATCHABLE: readonly CaseViewStatus[] = ['submitted', 'returned', 'dispatched'];

export function isTerminal(status: CaseViewStatus): boolean {
  return status === 'withdrawn' || status === 'merged';
}

/** The status after `event`. */
export function nextStatus(status: CaseViewStatus, event: CaseEvent): CaseViewStatus {
  if (isTerminal(status)) return status;
  switch (event.type) {
    case 'case.dispatched':
      return DISPATCHABLE.includes(status) ? 'dispatched' : status;
    case 'case.accepted':
      return status === 'dispatched' ? 'in_handling' : status;
    case 'case.returned':
      return !event.handOverRefused && status === 'dispatched' ? 'returned' : status;
    case 'case.resolved':
      return status === 'in_handling' ? 'resolved' : status;
    case 'case.closed':
      return status === 'resolved' ? 'closed' : status;
    case 'case.reopened':
      return status === 'resolved' || status === 'closed' ? 'in_handling' : status;
    case 'case.withdrawn':
      return UNRESOLVED.includes(status) ? 'withdrawn' : status;
    case 'case.merged_into':
      return OPEN.includes(status) ? 'merged' : status;
    case 'case.submitted':
    case 'case.resident_contacted':
    case 'case.handling_step_recorded':
    case 'case.step_referred':
    case 'case.referral_completed':
    case 'case.suspended':
    case 'case.resumed':
    case 'case.handed_over':
    case 'case.feedback_recorded':
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.ruled_unreasonable':
    case 'case.sla_warning_raised':
    case 'case.sla_breached':
    case 'case.feedback_window_expired':
    case 'case.resident_info_supplemented':
    case 'case.contact_revealed':
      return status;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** A cadre and the org unit they act for on this case. */
export interface Assignment {
  readonly cadreId: string;
  readonly orgUnit: string;
}

/** Who the case is with. */
export interface Routing {
  readonly status: CaseViewStatus;
  /** Dispatched, not yet accepted (status `dispatched` only). */
  readonly designated: Assignment | null;
  /**
   * The ONE accountable owner, from acceptance on. Unlike the decider's state it is kept after a
   * withdrawal or merge: "who had it last" is what a reader of a finished case asks.
   */
  readonly owner: Assignment | null;
  /** A hand-over the owner offered that the named cadre has not answered (in handling only). */
  readonly handOver: Assignment | null;
  readonly suspended: boolean;
}

export const NEW_CASE_ROUTING: Routing = {
  status: 'submitted',
  designated: null,
  owner: null,
  handOver: null,
  suspended: false,
};

export function evolveRouting(routing: Routing, event: CaseEvent): Routing {
  const status = nextStatus(routing.status, event);
  const left = status !== routing.status;
  switch (event.type) {
    case 'case.dispatched':
      // A reassignment before acceptance keeps the status but names another cadre.
      if (status !== 'dispatched') return routing;
      return { ...routing, status, designated: { cadreId: event.ownerId, orgUnit: event.ownerOrgUnit } };
    case 'case.accepted':
      if (status !== 'in_handling') return routing;
      // From `dispatched` (first acceptance) or within handling (a hand-over completes).
      return {
        ...routing,
        status,
        designated: null,
        owner: { cadreId: event.ownerId, orgUnit: event.ownerOrgUnit },
        handOver: null,
        suspended: left ? false : routing.suspended,
      };
    case 'case.returned':
      if (event.handOverRefused) {
        return routing.status === 'in_handling' ? { ...routing, handOver: null } : routing;
      }
      return left ? { ...routing, status, designated: null } : routing;
    case 'case.suspended':
      return routing.status === 'in_handling' ? { ...routing, suspended: true } : routing;
    case 'case.resumed':
      return routing.status === 'in_handling' ? { ...routing, suspended: false } : routing;
    case 'case.handed_over':
      return routing.status === 'in_handling'
        ? { ...routing, handOver: { cadreId: event.toCadreId, orgUnit: event.toOrgUnit } }
        : routing;
    case 'case.resolved':
    case 'case.closed':
    case 'case.reopened':
    case 'case.withdrawn':
    case 'case.merged_into':
      // Every status change starts the new status afresh: nothing pending, nothing suspended.
      return left ? { ...routing, status, designated: null, handOver: null, suspended: false } : routing;
    case 'case.submitted':
    case 'case.resident_contacted':
    case 'case.handling_step_recorded':
    case 'case.step_referred':
    case 'case.referral_completed':
    case 'case.feedback_recorded':
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.ruled_unreasonable':
    case 'case.sla_warning_raised':
    case 'case.sla_breached':
    case 'case.feedback_window_expired':
    case 'case.resident_info_supplemented':
    case 'case.contact_revealed':
      return routing;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The cadres the routing involves (designated, owner, offered a hand-over). */
export function assignmentsOf(routing: Routing): Assignment[] {
  return [routing.designated, routing.owner, routing.handOver].filter((a): a is Assignment => a !== null);
}

/**
 * What the views know about the two SLA clocks before the SLA rules exist: the deadlines the SLA
 * watcher announced (warnings and breaches carry `dueAt`) and whether a breach was recorded in
 * the current round.
 */
export interface DueFacts {
  /** The resident has been contacted (the response clock has stopped). */
  readonly contacted: boolean;
  readonly responseDueAt: string | null;
  readonly resolutionDueAt: string | null;
  readonly responseBreached: boolean;
  readonly resolutionBreached: boolean;
}

export const NO_DUE_FACTS: DueFacts = {
  contacted: false,
  responseDueAt: null,
  resolutionDueAt: null,
  responseBreached: false,
  resolutionBreached: false,
};

/** `before`/`after`: the case status around `event`. */
export function evolveDueFacts(
  facts: DueFacts,
  event: CaseEvent,
  before: CaseViewStatus,
  after: CaseViewStatus,
): DueFacts {
  if (isTerminal(before)) return facts;
  switch (event.type) {
    case 'case.resident_contacted':
      return { ...facts, contacted: true };
    case 'case.sla_warning_raised':
      return withDue(facts, event.clock, toInstant(event.dueAt));
    case 'case.sla_breached':
      return event.clock === 'response'
        ? { ...withDue(facts, event.clock, toInstant(event.dueAt)), responseBreached: true }
        : { ...withDue(facts, event.clock, toInstant(event.dueAt)), resolutionBreached: true };
    case 'case.reopened':
      // A reopen starts a new resolution round: the last round's deadline and breach are history
      // (the timeline and the KPIs keep them); the SLA watcher announces the new deadline.
      return before !== after ? { ...facts, resolutionDueAt: null, resolutionBreached: false } : facts;
    case 'case.submitted':
    case 'case.dispatched':
    case 'case.accepted':
    case 'case.returned':
    case 'case.handling_step_recorded':
    case 'case.step_referred':
    case 'case.referral_completed':
    case 'case.suspended':
    case 'case.resumed':
    case 'case.handed_over':
    case 'case.resolved':
    case 'case.feedback_recorded':
    case 'case.closed':
    case 'case.withdrawn':
    case 'case.merged_into':
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.ruled_unreasonable':
    case 'case.feedback_window_expired':
    case 'case.resident_info_supplemented':
    case 'case.contact_revealed':
      return facts;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function withDue(facts: DueFacts, clock: SlaClock, dueAt: string): DueFacts {
  return clock === 'response' ? { ...facts, responseDueAt: dueAt } : { ...facts, resolutionDueAt: dueAt };
}

/**
 * The response clock runs until the first contact, the resolution clock until resolution (and
 * again after a reopen); closing, withdrawing or merging stops both. A suspended case's clocks
 * are paused, not stopped: their deadlines still matter, so they count as running here.
 */
export function clockRunning(clock: SlaClock, status: CaseViewStatus, contacted: boolean): boolean {
  const ended = status === 'closed' || isTerminal(status);
  return clock === 'response' ? !contacted && !ended : !ended && status !== 'resolved';
}

export interface DueSummary {
  /** Earliest deadline of the clocks still running. */
  readonly nextDueAt: string | null;
  /** A breach was recorded on a clock that is still running. */
  readonly overdue: boolean;
}

export function summarizeDue(status: CaseViewStatus, facts: DueFacts): DueSummary {
  const response = clockRunning('response', status, facts.contacted);
  const resolution = clockRunning('resolution', status, facts.contacted);
  return {
    nextDueAt: earliest([response ? facts.responseDueAt : null, resolution ? facts.resolutionDueAt : null]),
    overdue: (response && facts.responseBreached) || (resolution && facts.resolutionBreached),
  };
}
