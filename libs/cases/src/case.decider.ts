import type {
  AcceptCase,
  CaseCommand,
  CloseCase,
  CompleteReferral,
  DispatchCase,
  ExpireFeedbackWindow,
  ExpireHandOver,
  RouteCase,
  GrantExtension,
  HandOverCase,
  MergeCase,
  RaiseSlaWarning,
  RecordFeedback,
  RecordHandlingStep,
  RecordResidentContact,
  RecordSlaBreach,
  SetDueTimes,
  EscalateCase,
  ReferStep,
  ReopenCase,
  ResolveCase,
  ResumeCase,
  ReturnCase,
  RevealContact,
  RuleUnreasonable,
  SubmitCase,
  SuperviseCase,
  SupplementResidentInfo,
  SuspendCase,
  WithdrawCase,
  WithdrawHandOver,
} from './case.commands';
import { CaseError } from './case.errors';
import { QUEUE_RULES, type CaseEvent, type CaseRouted, type HandOverExpired } from './case.events';
import {
  OPEN_STATUSES,
  UNRESOLVED_STATUSES,
  clockRunning,
  evolveLifecycle,
  hasLapsed,
  isTerminal,
  openReferrals,
  startLifecycle,
  type CaseLifecycle,
  type HandOverOffer,
} from './case.lifecycle';
import {
  initialState,
  dueTimesKey,
  slaAlertKey,
  type CaseFacts,
  type CaseState,
  type CaseStatus,
  type ExistingCase,
  type InHandlingCase,
  type RuleFacts,
} from './case.state';
import {
  CHANNELS,
  TIMED_CLOCKS,
  isBlankText,
  type ActorRef,
  type DueTime,
  type Instant,
  type Role,
} from './case.types';

type StateIn<S extends CaseStatus> = Extract<CaseState, { status: S }>;

/** Before resolution: the case is still being routed or handled. */
const UNRESOLVED = UNRESOLVED_STATUSES;
/** Open: not closed, withdrawn or merged (a resolved case is still open until it is closed). */
const OPEN = OPEN_STATUSES;

/** Who may record a resident's feedback: the resident, a cadre, a hotline agent (回访), a supervisor. */
const FEEDBACK_ROLES: ReadonlySet<Role> = new Set<Role>(['resident', 'cadre', 'channel', 'supervisor']);

const MAX_EXTENSION_BUSINESS_DAYS = 60;

/**
 * The case's rules: what a command means in the current state, as events, or a `CaseError` with a
 * stable code. Checks run in one order: the case exists, the status allows the command, the actor
 * may do it, the input is complete, the state does not conflict (CompleteReferral looks the
 * referral up before it can check the actor). An empty result means "already done" and is
 * reserved for system timers (see README.md).
 */
export function decide(command: CaseCommand, state: CaseState): CaseEvent[] {
  if (command.type !== 'SubmitCase' && state.status === 'none') {
    throw new CaseError('case.not_found', `Case ${command.caseId} does not exist.`);
  }
  switch (command.type) {
    case 'SubmitCase':
      return submit(command, state);
    case 'DispatchCase':
      return dispatch(command, state);
    case 'RouteCase':
      return route(command, state);
    case 'AcceptCase':
      return accept(command, state);
    case 'ReturnCase':
      return returnCase(command, state);
    case 'RecordResidentContact':
      return asOwner(command, state, recordResidentContact);
    case 'RecordHandlingStep':
      return asOwner(command, state, recordHandlingStep);
    case 'ReferStep':
      return asOwner(command, state, referStep);
    case 'CompleteReferral':
      return completeReferral(command, state);
    case 'SuspendCase':
      return asOwner(command, state, suspend);
    case 'ResumeCase':
      return asOwner(command, state, resume);
    case 'HandOverCase':
      return asOwner(command, state, handOver);
    case 'WithdrawHandOver':
      return asOwner(command, state, withdrawHandOver);
    case 'ExpireHandOver':
      return expireHandOver(command, state);
    case 'ResolveCase':
      return asOwner(command, state, resolve);
    case 'RecordFeedback':
      return recordFeedback(command, state);
    case 'ExpireFeedbackWindow':
      return expireFeedbackWindow(command, state);
    case 'CloseCase':
      return close(command, state);
    case 'ReopenCase':
      return reopen(command, state);
    case 'WithdrawCase':
      return withdraw(command, state);
    case 'MergeCase':
      return merge(command, state);
    case 'SuperviseCase':
      return supervise(command, state);
    case 'GrantExtension':
      return grantExtension(command, state);
    case 'RuleUnreasonable':
      return ruleUnreasonable(command, state);
    case 'RaiseSlaWarning':
      return raiseSlaWarning(command, state);
    case 'RecordSlaBreach':
      return recordSlaBreach(command, state);
    case 'SetDueTimes':
      return setDueTimes(command, state);
    case 'EscalateCase':
      return escalate(command, state);
    case 'SupplementResidentInfo':
      return supplementResidentInfo(command, state);
    case 'RevealContact':
      return revealContact(command, state);
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

// ---- intake and routing ------------------------------------------------------------------------

function submit(c: SubmitCase, state: CaseState): CaseEvent[] {
  if (state.status !== 'none') {
    throw new CaseError('case.already_exists', `Case ${c.caseId} already exists.`);
  }
  requireSubmittedFields(c);
  requireText(c.title, 'title');
  requireText(c.description, 'description');
  return [
    {
      type: 'case.submitted',
      ...stamp(c),
      caseNumber: c.caseNumber,
      channel: c.channel,
      resident: c.resident,
      location: c.location,
      ...(c.matterCode !== undefined ? { matterCode: c.matterCode } : {}),
      ...(c.category !== undefined ? { category: c.category } : {}),
      title: c.title,
      description: c.description,
      attachments: c.attachments,
    },
  ];
}

/**
 * Routing's decision for a case waiting for someone (submitted, or returned): a dispatch to the
 * cadre it chose, or the queue it put the case in. Only the system routes (at intake, after a
 * return); people dispatch (`DispatchCase`).
 */
function route(c: RouteCase, state: CaseState): CaseEvent[] {
  if (c.actor.role !== 'system') {
    throw new CaseError('case.role_not_allowed', 'Only the system routes cases; dispatchers dispatch them.');
  }
  const s = requireStatus(state, ['submitted', 'returned'], c);
  const routing = {
    rule: c.rule,
    directoryVersion: c.directoryVersion,
    catalogueVersion: c.catalogueVersion,
    located: c.located,
  };
  if (c.target.kind === 'cadre') {
    return [
      {
        type: 'case.dispatched',
        ...stamp(c),
        ownerId: c.target.cadreId,
        ownerOrgUnit: c.target.orgUnit,
        ...routing,
        redispatch: s.status !== 'submitted',
      },
    ];
  }
  return [
    {
      type: 'case.routed',
      ...stamp(c),
      ...routing,
      rule: queueRule(c.rule),
      queue: c.target.orgUnit,
      passed: c.passed,
    },
  ];
}

function queueRule(rule: string): CaseRouted['rule'] {
  const found = QUEUE_RULES.find((r) => r === rule);
  // A programming error, not a caller's: routing names its own rules.
  if (!found) throw new Error(`Routing rule ${rule} does not queue a case.`);
  return found;
}

function dispatch(c: DispatchCase, state: CaseState): CaseEvent[] {
  if (state.status === 'in_handling') {
    throw new CaseError(
      'case.invalid_transition',
      'An accepted case is not dispatched again: its owner hands it over instead.',
    );
  }
  const s = requireStatus(state, ['submitted', 'returned', 'dispatched'], c);
  return [
    {
      type: 'case.dispatched',
      ...stamp(c),
      ownerId: c.ownerId,
      ownerOrgUnit: c.ownerOrgUnit,
      rule: c.rule,
      directoryVersion: c.directoryVersion,
      ...(c.note !== undefined ? { note: c.note } : {}),
      // A reassignment before acceptance is a redispatch too: the first choice was not the one.
      redispatch: s.status !== 'submitted',
    },
  ];
}

function accept(c: AcceptCase, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, ['dispatched', 'in_handling'], c);
  if (s.status === 'dispatched') {
    if (c.actor.id !== s.designatedOwnerId) {
      throw new CaseError('case.not_owner', 'Only the cadre the case was dispatched to can accept it.');
    }
    return [
      {
        type: 'case.accepted',
        ...stamp(c),
        ownerId: c.actor.id,
        ownerOrgUnit: s.designatedOrgUnit,
        viaHandOver: false,
      },
    ];
  }
  // Accepted already: there is nothing to accept unless a hand-over is on offer, and never for
  // the owner. A state conflict (409), not a question of who asks.
  const offer = s.pendingHandOver;
  if (c.actor.id === s.ownerId || !offer) {
    throw new CaseError(
      'case.invalid_transition',
      c.actor.id === s.ownerId ? 'You have accepted this case already.' : 'This case is accepted already.',
    );
  }
  if (offer.toCadreId !== c.actor.id) {
    throw new CaseError(
      'case.not_offered_to_actor',
      'The hand-over of this case is offered to someone else.',
    );
  }
  requireNotLapsed(offer, c);
  return [
    {
      type: 'case.accepted',
      ...stamp(c),
      ownerId: c.actor.id,
      ownerOrgUnit: offer.toOrgUnit,
      viaHandOver: true,
    },
  ];
}

function returnCase(c: ReturnCase, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, ['dispatched', 'in_handling'], c);
  if (s.status === 'dispatched') {
    if (c.actor.id !== s.designatedOwnerId) {
      throw new CaseError('case.not_owner', 'Only the cadre the case was dispatched to can return it.');
    }
    requireText(c.reason, 'reason');
    return [{ type: 'case.returned', ...stamp(c), reason: c.reason, handOverRefused: false }];
  }
  if (s.pendingHandOver?.toCadreId === c.actor.id) {
    requireNotLapsed(s.pendingHandOver, c);
    requireText(c.reason, 'reason');
    return [{ type: 'case.returned', ...stamp(c), reason: c.reason, handOverRefused: true }];
  }
  if (c.actor.id === s.ownerId) {
    throw new CaseError(
      'case.invalid_transition',
      'An accepted case is not returned: its owner hands it over instead.',
    );
  }
  throw new CaseError('case.not_offered_to_actor', 'No hand-over of this case is offered to you.');
}

// ---- handling by the owner ---------------------------------------------------------------------

function recordResidentContact(c: RecordResidentContact, s: InHandlingCase): CaseEvent[] {
  requireText(c.note, 'note');
  return [
    {
      type: 'case.resident_contacted',
      ...stamp(c),
      method: c.method,
      note: c.note,
      firstContact: !s.contacted,
    },
  ];
}

function recordHandlingStep(c: RecordHandlingStep): CaseEvent[] {
  requireNoteOrAttachment(c.note, c.attachments);
  return [{ type: 'case.handling_step_recorded', ...stamp(c), note: c.note, attachments: c.attachments }];
}

function referStep(c: ReferStep, s: InHandlingCase): CaseEvent[] {
  requireText(c.request, 'request');
  if (s.referrals.some((r) => r.referralId === c.referralId)) {
    throw new CaseError('case.referral_exists', `Referral ${c.referralId} was already made.`);
  }
  if (s.suspended) {
    throw new CaseError('case.suspended', 'The case is suspended: resume it before referring a step.');
  }
  return [
    {
      type: 'case.step_referred',
      ...stamp(c),
      referralId: c.referralId,
      target: c.target,
      toOrgUnit: c.toOrgUnit,
      request: c.request,
    },
  ];
}

function completeReferral(c: CompleteReferral, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, ['in_handling'], c);
  const referral = s.referrals.find((r) => r.referralId === c.referralId);
  if (!referral) {
    throw new CaseError('case.unknown_referral', `No referral ${c.referralId} on this case.`);
  }
  const fromReferredUnit = c.actor.role === 'office_staff' && c.actor.orgUnit === referral.toOrgUnit;
  if (!fromReferredUnit && c.actor.id !== s.ownerId) {
    throw new CaseError(
      'case.not_referral_unit',
      `Referral ${c.referralId} is completed by ${referral.toOrgUnit} or the case owner.`,
    );
  }
  requireText(c.outcome, 'outcome');
  if (referral.completed) {
    throw new CaseError('case.referral_completed', `Referral ${c.referralId} is already completed.`);
  }
  return [{ type: 'case.referral_completed', ...stamp(c), referralId: c.referralId, outcome: c.outcome }];
}

function suspend(c: SuspendCase, s: InHandlingCase): CaseEvent[] {
  requireText(c.reason, 'reason');
  if (s.suspended) throw new CaseError('case.suspended', 'The case is already suspended.');
  return [{ type: 'case.suspended', ...stamp(c), reason: c.reason }];
}

function resume(c: ResumeCase, s: InHandlingCase): CaseEvent[] {
  requireText(c.reason, 'reason');
  if (!s.suspended || s.suspendedAt === null) {
    throw new CaseError('case.not_suspended', 'The case is not suspended.');
  }
  return [{ type: 'case.resumed', ...stamp(c), reason: c.reason, suspendedAt: s.suspendedAt }];
}

function handOver(c: HandOverCase, s: InHandlingCase): CaseEvent[] {
  if (c.toCadreId === s.ownerId) {
    throw new CaseError('case.hand_over_to_self', 'A case is handed over to another cadre.');
  }
  requireText(c.reason, 'reason');
  if (s.pendingHandOver) {
    throw new CaseError(
      'case.hand_over_pending',
      `A hand-over to ${s.pendingHandOver.toCadreId} is still waiting for an answer.`,
    );
  }
  return [
    {
      type: 'case.handed_over',
      ...stamp(c),
      fromCadreId: s.ownerId,
      toCadreId: c.toCadreId,
      toOrgUnit: c.toOrgUnit,
      reason: c.reason,
      expiresAt: c.expiresAt,
    },
  ];
}

/** Only an offer nobody has answered can be taken back; a lapsed one is no longer pending. */
function withdrawHandOver(c: WithdrawHandOver, s: InHandlingCase): CaseEvent[] {
  requireText(c.reason, 'reason');
  const offer = s.pendingHandOver;
  if (!offer) {
    throw new CaseError('case.no_hand_over_pending', 'No hand-over of this case is waiting for an answer.');
  }
  return [{ type: 'case.hand_over_withdrawn', ...stamp(c), toCadreId: offer.toCadreId, reason: c.reason }];
}

/**
 * The system's timer for a pending hand-over. A late or repeated timer — the offer was answered,
 * withdrawn, or its lapse recorded already — is "already done"; one that comes too early is
 * refused, so the watcher knows to wait (an offer without an expiry never lapses).
 */
function expireHandOver(c: ExpireHandOver, state: CaseState): CaseEvent[] {
  if (c.actor.role !== 'system') {
    throw new CaseError(
      'case.role_not_allowed',
      'Only the system expires a hand-over; its owner withdraws it.',
    );
  }
  const s = requireStatus(state, OPEN, c);
  if (s.status !== 'in_handling' || s.pendingHandOver === null) return [];
  const offer = s.pendingHandOver;
  if (!hasLapsed(offer, c.at)) {
    throw new CaseError(
      'case.hand_over_not_expired',
      offer.expiresAt === undefined
        ? `The hand-over to ${offer.toCadreId} was offered without an expiry: it does not lapse.`
        : `The hand-over to ${offer.toCadreId} lapses at ${offer.expiresAt}, not yet.`,
    );
  }
  return [handOverExpired(c, offer)];
}

function resolve(c: ResolveCase, s: InHandlingCase): CaseEvent[] {
  requireText(c.summary, 'summary');
  if (s.suspended) throw new CaseError('case.suspended', 'The case is suspended: resume it first.');
  const open = openReferrals(s).map((r) => r.referralId);
  if (open.length > 0) {
    throw new CaseError('case.open_referrals', `Referred steps are still open: ${open.join(', ')}.`);
  }
  if (s.pendingHandOver) {
    throw new CaseError(
      'case.hand_over_pending',
      `A hand-over to ${s.pendingHandOver.toCadreId} is still waiting for an answer.`,
    );
  }
  return [{ type: 'case.resolved', ...stamp(c), summary: c.summary }];
}

// ---- feedback and closure ----------------------------------------------------------------------

function recordFeedback(c: RecordFeedback, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, ['resolved'], c);
  requireCaseResident(c.actor, s);
  if (!FEEDBACK_ROLES.has(c.actor.role)) {
    throw new CaseError('case.role_not_allowed', `A ${c.actor.role} does not record a resident's feedback.`);
  }
  if (s.feedbackRecorded) {
    throw new CaseError('case.feedback_recorded', 'Feedback on this resolution is already recorded.');
  }
  if (s.feedbackWindowExpired) {
    throw new CaseError(
      'case.feedback_window_expired',
      'The feedback window for this resolution has closed.',
    );
  }
  return [
    {
      type: 'case.feedback_recorded',
      ...stamp(c),
      satisfaction: c.satisfaction,
      solved: c.solved,
      ...(c.comment !== undefined ? { comment: c.comment } : {}),
    },
  ];
}

function expireFeedbackWindow(c: ExpireFeedbackWindow, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, ['resolved'], c);
  // A late or repeated timer: the round already has its outcome.
  if (s.feedbackRecorded || s.feedbackWindowExpired) return [];
  return [{ type: 'case.feedback_window_expired', ...stamp(c) }];
}

function close(c: CloseCase, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, ['resolved'], c);
  if (!s.feedbackRecorded && !s.feedbackWindowExpired) {
    throw new CaseError(
      'case.invalid_transition',
      'A resolved case closes after the feedback or after the feedback window expires.',
    );
  }
  return [{ type: 'case.closed', ...stamp(c) }];
}

function reopen(c: ReopenCase, state: CaseState): CaseEvent[] {
  requireStatus(state, ['resolved', 'closed'], c);
  requireText(c.reason, 'reason');
  return [{ type: 'case.reopened', ...stamp(c), reason: c.reason }];
}

// ---- any open case -----------------------------------------------------------------------------

function withdraw(c: WithdrawCase, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, UNRESOLVED, c);
  requireCaseResident(c.actor, s);
  requireText(c.reason, 'reason');
  return [{ type: 'case.withdrawn', ...stamp(c), reason: c.reason }];
}

function merge(c: MergeCase, state: CaseState): CaseEvent[] {
  requireStatus(state, OPEN, c);
  if (c.intoCaseId === c.caseId) {
    throw new CaseError('case.merge_into_self', 'A case is merged into another case.');
  }
  requireText(c.reason, 'reason');
  return [{ type: 'case.merged_into', ...stamp(c), intoCaseId: c.intoCaseId, reason: c.reason }];
}

function supervise(c: SuperviseCase, state: CaseState): CaseEvent[] {
  requireStatus(state, OPEN, c);
  requireText(c.instruction, 'instruction');
  return [{ type: 'case.supervised', ...stamp(c), instruction: c.instruction }];
}

function grantExtension(c: GrantExtension, state: CaseState): CaseEvent[] {
  requireStatus(state, UNRESOLVED, c);
  const days = c.extraBusinessDays;
  if (!Number.isInteger(days) || days < 1 || days > MAX_EXTENSION_BUSINESS_DAYS) {
    throw new CaseError(
      'case.invalid_extension',
      `An extension is a whole number of business days from 1 to ${MAX_EXTENSION_BUSINESS_DAYS}.`,
    );
  }
  requireText(c.reason, 'reason');
  return [
    {
      type: 'case.extension_granted',
      ...stamp(c),
      clock: c.clock,
      extraBusinessDays: days,
      reason: c.reason,
    },
  ];
}

function ruleUnreasonable(c: RuleUnreasonable, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, OPEN, c);
  requireText(c.reason, 'reason');
  if (s.ruledUnreasonable) {
    throw new CaseError('case.already_ruled_unreasonable', 'The case is already ruled unreasonable.');
  }
  return [{ type: 'case.ruled_unreasonable', ...stamp(c), reason: c.reason }];
}

function raiseSlaWarning(c: RaiseSlaWarning, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, OPEN, c);
  const { threshold } = c;
  if (threshold !== undefined && !(typeof threshold === 'number' && threshold > 0 && threshold < 1)) {
    throw new CaseError(
      'case.missing_field',
      'A warning threshold is a share of the time limit, in (0, 1).',
      [{ field: 'threshold', reason: 'missingField', message: 'a number greater than 0 and less than 1' }],
    );
  }
  if (s.slaWarnings.has(slaAlertKey(c.clock, c.dueAt, threshold)) || !clockRunning(s, c.clock)) return [];
  return [
    {
      type: 'case.sla_warning_raised',
      ...stamp(c),
      clock: c.clock,
      dueAt: c.dueAt,
      ...(threshold !== undefined ? { threshold } : {}),
    },
  ];
}

function recordSlaBreach(c: RecordSlaBreach, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, OPEN, c);
  if (s.slaBreaches.has(slaAlertKey(c.clock, c.dueAt)) || !clockRunning(s, c.clock)) return [];
  return [{ type: 'case.sla_breached', ...stamp(c), clock: c.clock, dueAt: c.dueAt }];
}

/**
 * The watcher's due times: recorded when they differ from those last set (a retried or raced
 * command records nothing twice). A closed case keeps the due times it had (like every timer,
 * refused there).
 */
function setDueTimes(c: SetDueTimes, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, OPEN, c);
  requireText(c.policyId, 'policyId');
  requireDueTimes(c.clocks);
  if (c.calendarVersion !== null && !(Number.isInteger(c.calendarVersion) && c.calendarVersion >= 0)) {
    throw invalidDueTimes('calendarVersion', 'a whole number from 0, or null');
  }
  if (s.dueTimes === dueTimesKey(c.policyId, c.clocks)) return [];
  return [
    {
      type: 'case.due_times_set',
      ...stamp(c),
      policyId: c.policyId,
      calendarVersion: c.calendarVersion,
      cause: c.cause,
      clocks: c.clocks,
    },
  ];
}

function requireDueTimes(clocks: readonly DueTime[]): void {
  const list: unknown = clocks; // untyped input may carry anything
  if (!Array.isArray(list) || clocks.length === 0 || clocks.length > TIMED_CLOCKS.length) {
    throw invalidDueTimes('clocks', `one to ${TIMED_CLOCKS.length} clocks`);
  }
  const seen = new Set<string>();
  for (const clock of clocks) {
    if (!TIMED_CLOCKS.includes(clock.clock) || seen.has(clock.clock)) {
      throw invalidDueTimes('clocks', 'each clock once, by its name');
    }
    seen.add(clock.clock);
    const whole = (n: number, min: number): boolean => Number.isSafeInteger(n) && n >= min;
    if (!whole(clock.round, 1) || !whole(clock.budgetMs, 0) || !whole(clock.usedMs, 0)) {
      throw invalidDueTimes('clocks', 'rounds from 1, budgets and time used in whole milliseconds');
    }
    if (clock.dueAt !== null && Number.isNaN(Date.parse(clock.dueAt))) {
      throw invalidDueTimes('clocks', 'due times are instants, or null while paused');
    }
    if (clock.counting !== 'business' && clock.counting !== 'calendar') {
      throw invalidDueTimes('clocks', "counting is 'business' or 'calendar'");
    }
  }
}

function invalidDueTimes(field: string, message: string): CaseError {
  return new CaseError('case.invalid_due_times', 'The due times are not ones the SLA rules make.', [
    { field, reason: 'invalidValue', message },
  ]);
}

/**
 * The system escalates a breach still unmet after its grace period to the street's supervisors:
 * once per breach (clock and breached due time), only for a breach recorded and a clock still
 * running — a clock met or stopped since has nothing left to escalate.
 */
function escalate(c: EscalateCase, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, OPEN, c);
  requireText(c.instruction, 'instruction');
  requireText(c.escalation.toOrgUnit, 'toOrgUnit');
  const key = slaAlertKey(c.escalation.clock, c.escalation.dueAt);
  if (!s.slaBreaches.has(key) || s.escalations.has(key) || !clockRunning(s, c.escalation.clock)) return [];
  return [
    {
      type: 'case.supervised',
      ...stamp(c),
      instruction: c.instruction,
      escalation: {
        clock: c.escalation.clock,
        dueAt: c.escalation.dueAt,
        toOrgUnit: c.escalation.toOrgUnit,
      },
    },
  ];
}

function supplementResidentInfo(c: SupplementResidentInfo, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, OPEN, c);
  requireCaseResident(c.actor, s);
  requireNoteOrAttachment(c.note, c.attachments);
  // Each supplement lands in the timeline every reader of the case loads: without a cap one
  // caller could grow a case without limit.
  if (s.supplements >= c.maxSupplements) {
    throw new CaseError(
      'case.too_many_supplements',
      `This case already has ${s.supplements} supplements, the most it takes (${c.maxSupplements}).`,
    );
  }
  return [{ type: 'case.resident_info_supplemented', ...stamp(c), note: c.note, attachments: c.attachments }];
}

/**
 * The number is for calling the resident back, which ends with the case: an open case only (a
 * resolved one too, for the feedback call). Who may ask is the access policy's row; the reason
 * is what makes the record worth reading, so it must say something.
 */
function revealContact(c: RevealContact, state: CaseState): CaseEvent[] {
  requireStatus(state, OPEN, c);
  requireText(c.reason, 'reason');
  return [{ type: 'case.contact_revealed', ...stamp(c), reason: c.reason }];
}

// ---- guards ------------------------------------------------------------------------------------

/** What every event copies from its command. */
function stamp(c: CaseCommand): { caseId: string; at: Instant; by: ActorRef } {
  return { caseId: c.caseId, at: c.at, by: c.actor };
}

function requireStatus<S extends CaseStatus>(
  state: CaseState,
  allowed: readonly S[],
  c: CaseCommand,
): StateIn<S> {
  if (isIn(state, allowed)) return state;
  throw new CaseError(
    'case.invalid_transition',
    `${c.type} is not allowed on a case in status ${state.status}.`,
  );
}

function isIn<S extends CaseStatus>(state: CaseState, allowed: readonly S[]): state is StateIn<S> {
  return (allowed as readonly CaseStatus[]).includes(state.status);
}

/**
 * An owner-only action: the case is in handling and the actor is its ONE accountable owner. A
 * hand-over they offered that has lapsed binds them no longer: `rule` decides on the state without
 * it, and the command's events start with its `case.hand_over_expired` — recorded once, by
 * whichever command meets the lapse first (this or the system's timer).
 */
function asOwner<C extends CaseCommand>(
  c: C,
  state: CaseState,
  rule: (c: C, s: InHandlingCase) => CaseEvent[],
): CaseEvent[] {
  const s = requireStatus(state, ['in_handling'], c);
  if (c.actor.id !== s.ownerId) {
    throw new CaseError('case.not_owner', `Only the case's owner can ${actionName(c)}.`);
  }
  const offer = s.pendingHandOver;
  if (offer === null || !hasLapsed(offer, c.at)) return rule(c, s);
  const expired = handOverExpired(c, offer);
  // The state the rule sees is the one fold's, as it will be replayed.
  const after = evolve(s, expired);
  if (after.status !== 'in_handling') throw new Error('A lapsed hand-over moved the case out of handling.');
  return [expired, ...rule(c, after)];
}

function handOverExpired(c: CaseCommand, offer: HandOverOffer): HandOverExpired {
  // `hasLapsed` held, so the offer has its expiry.
  const expiredAt = offer.expiresAt ?? c.at;
  return { type: 'case.hand_over_expired', ...stamp(c), toCadreId: offer.toCadreId, expiredAt };
}

/** The cadre a hand-over was offered to answers it only before it lapses. */
function requireNotLapsed(offer: HandOverOffer, c: CaseCommand): void {
  if (hasLapsed(offer, c.at)) {
    throw new CaseError(
      'case.hand_over_expired',
      `The hand-over lapsed at ${offer.expiresAt ?? c.at} unanswered: the owner keeps the case.`,
    );
  }
}

/** 'ReferStep' → 'refer step', for messages. */
function actionName(c: CaseCommand): string {
  return c.type.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

/** A resident acts only on a case they submitted; other roles are scoped outside the domain. */
function requireCaseResident(actor: ActorRef, s: CaseFacts): void {
  if (actor.role === 'resident' && actor.id !== s.submitter.id) {
    throw new CaseError('case.not_case_resident', 'A resident acts only on their own case.');
  }
}

function requireText(value: string, field: string): void {
  if (isBlankText(value)) {
    throw new CaseError('case.missing_text', `The ${field} must not be blank.`, [
      { field, reason: 'missingText', message: `${field} must not be blank` },
    ]);
  }
}

/**
 * Everything CaseSubmitted promises its readers (title and description aside: `requireText`).
 * Commands reach the decider as JSON from more than one edge, and a missing resident once slipped
 * past one and stopped every read model; so the shape is checked here whatever the types say.
 */
function requireSubmittedFields(c: SubmitCase): void {
  const missing: string[] = [];
  const need = (field: string, ok: boolean): void => {
    if (!ok) missing.push(field);
  };
  const actor: unknown = c.actor;
  const resident: unknown = c.resident;
  const location: unknown = c.location;
  const attachments: unknown = c.attachments;
  need('caseId', isText(c.caseId));
  need('at', isText(c.at) && !Number.isNaN(Date.parse(c.at)));
  need('actor', isRecord(actor) && isText(actor['id']) && isText(actor['role']));
  need('caseNumber', isText(c.caseNumber));
  need('channel', CHANNELS.includes(c.channel));
  if (!isRecord(resident)) need('resident', false);
  else {
    need('resident.name', isText(resident['name']));
    need('resident.phone', isText(resident['phone']));
    need('resident.idNumber', isOptional(resident['idNumber'], 'string'));
  }
  if (!isRecord(location)) need('location', false);
  else {
    for (const key of ['address', 'communityCode', 'gridCode'])
      need(`location.${key}`, isOptional(location[key], 'string'));
    for (const key of ['latitude', 'longitude']) need(`location.${key}`, isOptional(location[key], 'number'));
  }
  need('matterCode', isOptional(c.matterCode, 'string'));
  need('category', isOptional(c.category, 'string'));
  if (!Array.isArray(attachments)) need('attachments', false);
  else {
    attachments.forEach((a: unknown, i) =>
      need(
        `attachments.${i}`,
        isRecord(a) &&
          isText(a['ref']) &&
          isOptional(a['name'], 'string') &&
          isOptional(a['contentType'], 'string'),
      ),
    );
  }
  if (missing.length > 0) {
    throw new CaseError(
      'case.missing_field',
      `The case cannot be submitted without ${missing.join(', ')}.`,
      missing.map((field) => ({
        field,
        reason: 'missingField',
        message: `${field} is missing or malformed`,
      })),
    );
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOptional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || (type === 'number' ? Number.isFinite(value) : typeof value === type);
}

/** A photo alone says enough for a handling step or a resident's supplement; nothing at all does not. */
function requireNoteOrAttachment(note: string, attachments: readonly unknown[]): void {
  if (isBlankText(note) && attachments.length === 0) {
    throw new CaseError('case.missing_text', 'The note must not be blank when nothing is attached.');
  }
}

// ---- evolve ------------------------------------------------------------------------------------

/**
 * Applies one recorded event. The lifecycle part of the state is folded by `evolveLifecycle` —
 * the one fold the read models use too — and the facts only rules need beside it. Total: a status
 * change that does not fit the current status (which `decide` never produces) leaves the state as
 * it is, so a replay never fails half-way through a stream. Events that only add a fact (a
 * contact, an alert, a ruling) apply in any status.
 */
export function evolve(state: CaseState, event: CaseEvent): CaseState {
  if (state.status === 'none') {
    return event.type === 'case.submitted' ? submittedState(event) : state;
  }
  if (isTerminal(state.status)) return state;
  const before = lifecycleOf(state);
  const after = evolveLifecycle(before, event);
  const facts = evolveRuleFacts(ruleFactsOf(state), event, after !== before);
  if (after === before && facts === null) return state;
  return { ...(facts ?? ruleFactsOf(state)), ...after };
}

/**
 * The rule facts after `event`, or null when it changes none. `moved`: the event changed the
 * lifecycle — who became answerable through an event counts only when the event took effect.
 */
function evolveRuleFacts(facts: RuleFacts, event: CaseEvent, moved: boolean): RuleFacts | null {
  switch (event.type) {
    case 'case.dispatched':
    case 'case.accepted':
      return moved ? involve(facts, event.ownerOrgUnit, event.ownerId) : null;
    case 'case.handed_over':
      return moved ? involve(facts, event.toOrgUnit, event.toCadreId) : null;
    case 'case.step_referred':
      return moved ? involve(facts, event.toOrgUnit) : null;
    // The queue's unit may see the case (the located community may differ from the one given).
    case 'case.routed':
      return involve(facts, event.queue);
    case 'case.sla_warning_raised':
      return {
        ...facts,
        slaWarnings: new Set(facts.slaWarnings).add(slaAlertKey(event.clock, event.dueAt, event.threshold)),
      };
    case 'case.sla_breached':
      return { ...facts, slaBreaches: new Set(facts.slaBreaches).add(slaAlertKey(event.clock, event.dueAt)) };
    case 'case.supervised':
      return event.escalation === undefined
        ? null
        : {
            ...facts,
            escalations: new Set(facts.escalations).add(
              slaAlertKey(event.escalation.clock, event.escalation.dueAt),
            ),
          };
    case 'case.due_times_set':
      return { ...facts, dueTimes: dueTimesKey(event.policyId, event.clocks) };
    case 'case.resident_info_supplemented':
      return { ...facts, supplements: facts.supplements + 1 };
    // The location's community is involved from submission on (submittedState).
    case 'case.submitted':
    case 'case.returned':
    case 'case.hand_over_withdrawn':
    case 'case.hand_over_expired':
    case 'case.resident_contacted':
    case 'case.handling_step_recorded':
    case 'case.referral_completed':
    case 'case.suspended':
    case 'case.resumed':
    case 'case.resolved':
    case 'case.feedback_recorded':
    case 'case.feedback_window_expired':
    case 'case.closed':
    case 'case.reopened':
    case 'case.withdrawn':
    case 'case.merged_into':
    case 'case.extension_granted':
    case 'case.ruled_unreasonable':
    case 'case.contact_revealed':
      return null;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** `unit` (and `cadre`) added to those ever answerable for the case. */
function involve(facts: RuleFacts, unit: string, cadre?: string): RuleFacts | null {
  const units = facts.involvedUnits.has(unit) ? facts.involvedUnits : new Set(facts.involvedUnits).add(unit);
  const cadres =
    cadre === undefined || facts.involvedCadres.has(cadre)
      ? facts.involvedCadres
      : new Set(facts.involvedCadres).add(cadre);
  return units === facts.involvedUnits && cadres === facts.involvedCadres
    ? null
    : { ...facts, involvedUnits: units, involvedCadres: cadres };
}

/** The state after a whole stream, oldest event first. */
export function replay(events: readonly CaseEvent[]): CaseState {
  return events.reduce(evolve, initialState);
}

function submittedState(event: Extract<CaseEvent, { type: 'case.submitted' }>): CaseState {
  return {
    ...startLifecycle(event),
    caseId: event.caseId,
    caseNumber: event.caseNumber,
    submitter: event.by,
    slaWarnings: new Set(),
    slaBreaches: new Set(),
    escalations: new Set(),
    dueTimes: null,
    supplements: 0,
    involvedUnits: new Set(event.location.communityCode ? [event.location.communityCode] : []),
    involvedCadres: new Set(),
  };
}

/** The facts only rules read. */
function ruleFactsOf(s: ExistingCase): RuleFacts {
  return {
    caseId: s.caseId,
    caseNumber: s.caseNumber,
    submitter: s.submitter,
    slaWarnings: s.slaWarnings,
    slaBreaches: s.slaBreaches,
    escalations: s.escalations,
    dueTimes: s.dueTimes,
    supplements: s.supplements,
    involvedUnits: s.involvedUnits,
    involvedCadres: s.involvedCadres,
  };
}

/** The lifecycle part of the state: everything but the rule facts. */
export function lifecycleOf(s: ExistingCase): CaseLifecycle {
  const {
    caseId: _caseId,
    caseNumber: _caseNumber,
    submitter: _submitter,
    slaWarnings: _slaWarnings,
    slaBreaches: _slaBreaches,
    escalations: _escalations,
    dueTimes: _dueTimes,
    supplements: _supplements,
    involvedUnits: _involvedUnits,
    involvedCadres: _involvedCadres,
    ...lifecycle
  } = s;
  return lifecycle;
}
