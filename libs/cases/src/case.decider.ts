import type {
  AcceptCase,
  CaseCommand,
  CloseCase,
  CompleteReferral,
  DispatchCase,
  ExpireFeedbackWindow,
  GrantExtension,
  HandOverCase,
  MergeCase,
  RaiseSlaWarning,
  RecordFeedback,
  RecordHandlingStep,
  RecordResidentContact,
  RecordSlaBreach,
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
} from './case.commands';
import { CaseError } from './case.errors';
import type { CaseEvent } from './case.events';
import {
  initialState,
  slaAlertKey,
  type CaseFacts,
  type CaseState,
  type CaseStatus,
  type ExistingCase,
  type InHandlingCase,
} from './case.state';
import { CHANNELS, isBlankText, type ActorRef, type Instant, type Role, type SlaClock } from './case.types';

type StateIn<S extends CaseStatus> = Extract<CaseState, { status: S }>;

/** Before resolution: the case is still being routed or handled. */
const UNRESOLVED = ['submitted', 'dispatched', 'returned', 'in_handling'] as const;
/** Open: not closed, withdrawn or merged (a resolved case is still open until it is closed). */
const OPEN = [...UNRESOLVED, 'resolved'] as const;

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
    case 'AcceptCase':
      return accept(command, state);
    case 'ReturnCase':
      return returnCase(command, state);
    case 'RecordResidentContact':
      return recordResidentContact(command, state);
    case 'RecordHandlingStep':
      return recordHandlingStep(command, state);
    case 'ReferStep':
      return referStep(command, state);
    case 'CompleteReferral':
      return completeReferral(command, state);
    case 'SuspendCase':
      return suspend(command, state);
    case 'ResumeCase':
      return resume(command, state);
    case 'HandOverCase':
      return handOver(command, state);
    case 'ResolveCase':
      return resolve(command, state);
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

function recordResidentContact(c: RecordResidentContact, state: CaseState): CaseEvent[] {
  const s = ownedBy(c, state);
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

function recordHandlingStep(c: RecordHandlingStep, state: CaseState): CaseEvent[] {
  ownedBy(c, state);
  requireNoteOrAttachment(c.note, c.attachments);
  return [{ type: 'case.handling_step_recorded', ...stamp(c), note: c.note, attachments: c.attachments }];
}

function referStep(c: ReferStep, state: CaseState): CaseEvent[] {
  const s = ownedBy(c, state);
  requireText(c.request, 'request');
  if (s.referrals.has(c.referralId)) {
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
  const referral = s.referrals.get(c.referralId);
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

function suspend(c: SuspendCase, state: CaseState): CaseEvent[] {
  const s = ownedBy(c, state);
  requireText(c.reason, 'reason');
  if (s.suspended) throw new CaseError('case.suspended', 'The case is already suspended.');
  return [{ type: 'case.suspended', ...stamp(c), reason: c.reason }];
}

function resume(c: ResumeCase, state: CaseState): CaseEvent[] {
  const s = ownedBy(c, state);
  requireText(c.reason, 'reason');
  if (!s.suspended || s.suspendedAt === null) {
    throw new CaseError('case.not_suspended', 'The case is not suspended.');
  }
  return [{ type: 'case.resumed', ...stamp(c), reason: c.reason, suspendedAt: s.suspendedAt }];
}

function handOver(c: HandOverCase, state: CaseState): CaseEvent[] {
  const s = ownedBy(c, state);
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
    },
  ];
}

function resolve(c: ResolveCase, state: CaseState): CaseEvent[] {
  const s = ownedBy(c, state);
  requireText(c.summary, 'summary');
  if (s.suspended) throw new CaseError('case.suspended', 'The case is suspended: resume it first.');
  const open = [...s.referrals.values()].filter((r) => !r.completed).map((r) => r.referralId);
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
  if (s.slaWarnings.has(slaAlertKey(c.clock, c.dueAt)) || clockStopped(c.clock, s)) return [];
  return [{ type: 'case.sla_warning_raised', ...stamp(c), clock: c.clock, dueAt: c.dueAt }];
}

function recordSlaBreach(c: RecordSlaBreach, state: CaseState): CaseEvent[] {
  const s = requireStatus(state, OPEN, c);
  if (s.slaBreaches.has(slaAlertKey(c.clock, c.dueAt)) || clockStopped(c.clock, s)) return [];
  return [{ type: 'case.sla_breached', ...stamp(c), clock: c.clock, dueAt: c.dueAt }];
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

/** An owner-only action: the case is in handling and the actor is its ONE accountable owner. */
function ownedBy(c: CaseCommand, state: CaseState): InHandlingCase {
  const s = requireStatus(state, ['in_handling'], c);
  if (c.actor.id !== s.ownerId) {
    throw new CaseError('case.not_owner', `Only the case's owner can ${actionName(c)}.`);
  }
  return s;
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

/** The response clock stops at first contact, the resolution clock at resolution. */
function clockStopped(clock: SlaClock, s: ExistingCase): boolean {
  switch (clock) {
    case 'response':
      return s.contacted;
    case 'resolution':
      return s.status === 'resolved';
    default: {
      const _exhaustive: never = clock;
      return _exhaustive;
    }
  }
}

// ---- evolve ------------------------------------------------------------------------------------

/**
 * Applies one recorded event. Total: a status change that does not fit the current status (which
 * `decide` never produces) leaves the state as it is, so a replay never fails half-way through a
 * stream. Events that only add a fact (a contact, an alert, a ruling) apply in any status.
 */
export function evolve(state: CaseState, event: CaseEvent): CaseState {
  if (state.status === 'none') {
    return event.type === 'case.submitted' ? submittedState(event) : state;
  }
  if (state.status === 'withdrawn' || state.status === 'merged') return state;
  const next = evolveStatus(state, event);
  return next === state ? state : withInvolvement(next, event);
}

/** Who became answerable through `event`, added to the facts of the state it produced. */
function withInvolvement(state: ExistingCase, event: CaseEvent): ExistingCase {
  const [unit, cadre] = involvementOf(event);
  if (unit === undefined) return state;
  const units = state.involvedUnits.has(unit) ? state.involvedUnits : new Set(state.involvedUnits).add(unit);
  const cadres =
    cadre === undefined || state.involvedCadres.has(cadre)
      ? state.involvedCadres
      : new Set(state.involvedCadres).add(cadre);
  return units === state.involvedUnits && cadres === state.involvedCadres
    ? state
    : { ...state, involvedUnits: units, involvedCadres: cadres };
}

function involvementOf(event: CaseEvent): [unit?: string, cadre?: string] {
  switch (event.type) {
    case 'case.dispatched':
    case 'case.accepted':
      return [event.ownerOrgUnit, event.ownerId];
    case 'case.handed_over':
      return [event.toOrgUnit, event.toCadreId];
    case 'case.step_referred':
      return [event.toOrgUnit];
    // The location's community is involved from submission on (submittedState).
    case 'case.submitted':
    case 'case.returned':
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
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.ruled_unreasonable':
    case 'case.sla_warning_raised':
    case 'case.sla_breached':
    case 'case.resident_info_supplemented':
    case 'case.contact_revealed':
      return [];
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

function evolveStatus(state: ExistingCase, event: CaseEvent): ExistingCase {
  const facts = factsOf(state);
  switch (event.type) {
    case 'case.submitted':
      return state;
    case 'case.dispatched':
      if (!isIn(state, ['submitted', 'returned', 'dispatched'])) return state;
      return {
        status: 'dispatched',
        ...facts,
        designatedOwnerId: event.ownerId,
        designatedOrgUnit: event.ownerOrgUnit,
      };
    case 'case.accepted':
      if (state.status === 'dispatched') {
        return inHandling(facts, event.ownerId, event.ownerOrgUnit);
      }
      if (state.status === 'in_handling') {
        return { ...state, ownerId: event.ownerId, ownerOrgUnit: event.ownerOrgUnit, pendingHandOver: null };
      }
      return state;
    case 'case.returned':
      if (event.handOverRefused) {
        return state.status === 'in_handling' ? { ...state, pendingHandOver: null } : state;
      }
      if (state.status !== 'dispatched') return state;
      return { status: 'returned', ...facts, returnCount: facts.returnCount + 1 };
    case 'case.resident_contacted':
      return { ...state, contacted: true };
    case 'case.handling_step_recorded':
      return state;
    case 'case.step_referred':
      return {
        ...state,
        referrals: new Map(state.referrals).set(event.referralId, {
          referralId: event.referralId,
          target: event.target,
          toOrgUnit: event.toOrgUnit,
          completed: false,
        }),
      };
    case 'case.referral_completed': {
      const referral = state.referrals.get(event.referralId);
      if (!referral) return state;
      return {
        ...state,
        referrals: new Map(state.referrals).set(event.referralId, { ...referral, completed: true }),
      };
    }
    case 'case.suspended':
      return state.status === 'in_handling' ? { ...state, suspended: true, suspendedAt: event.at } : state;
    case 'case.resumed':
      return state.status === 'in_handling' ? { ...state, suspended: false, suspendedAt: null } : state;
    case 'case.handed_over':
      return state.status === 'in_handling'
        ? { ...state, pendingHandOver: { toCadreId: event.toCadreId, toOrgUnit: event.toOrgUnit } }
        : state;
    case 'case.resolved':
      if (state.status !== 'in_handling') return state;
      return {
        status: 'resolved',
        ...facts,
        ownerId: state.ownerId,
        ownerOrgUnit: state.ownerOrgUnit,
        feedbackRecorded: false,
        feedbackWindowExpired: false,
      };
    case 'case.feedback_recorded':
      return state.status === 'resolved' ? { ...state, feedbackRecorded: true } : state;
    case 'case.feedback_window_expired':
      return state.status === 'resolved' ? { ...state, feedbackWindowExpired: true } : state;
    case 'case.closed':
      if (state.status !== 'resolved') return state;
      return { status: 'closed', ...facts, ownerId: state.ownerId, ownerOrgUnit: state.ownerOrgUnit };
    case 'case.reopened':
      if (state.status !== 'resolved' && state.status !== 'closed') return state;
      return inHandling({ ...facts, reopenCount: facts.reopenCount + 1 }, state.ownerId, state.ownerOrgUnit);
    case 'case.withdrawn':
      return isIn(state, UNRESOLVED) ? { status: 'withdrawn', ...facts } : state;
    case 'case.merged_into':
      return isIn(state, OPEN) ? { status: 'merged', ...facts, intoCaseId: event.intoCaseId } : state;
    case 'case.ruled_unreasonable':
      return { ...state, ruledUnreasonable: true };
    case 'case.sla_warning_raised':
      return { ...state, slaWarnings: new Set(state.slaWarnings).add(slaAlertKey(event.clock, event.dueAt)) };
    case 'case.sla_breached':
      return { ...state, slaBreaches: new Set(state.slaBreaches).add(slaAlertKey(event.clock, event.dueAt)) };
    case 'case.resident_info_supplemented':
      return { ...state, supplements: state.supplements + 1 };
    // Recorded for the timeline, the SLA clocks and the KPIs (a reveal, for the audit trail); no
    // rule depends on them.
    case 'case.supervised':
    case 'case.extension_granted':
    case 'case.contact_revealed':
      return state;
    default: {
      const _exhaustive: never = event;
      return _exhaustive;
    }
  }
}

/** The state after a whole stream, oldest event first. */
export function replay(events: readonly CaseEvent[]): CaseState {
  return events.reduce(evolve, initialState);
}

function submittedState(event: Extract<CaseEvent, { type: 'case.submitted' }>): CaseState {
  return {
    status: 'submitted',
    caseId: event.caseId,
    caseNumber: event.caseNumber,
    submitter: event.by,
    contacted: false,
    referrals: new Map(),
    ruledUnreasonable: false,
    slaWarnings: new Set(),
    slaBreaches: new Set(),
    returnCount: 0,
    reopenCount: 0,
    supplements: 0,
    involvedUnits: new Set(event.location.communityCode ? [event.location.communityCode] : []),
    involvedCadres: new Set(),
  };
}

/** The facts alone, so a status change never carries another status's fields along. */
function factsOf(s: ExistingCase): CaseFacts {
  return {
    caseId: s.caseId,
    caseNumber: s.caseNumber,
    submitter: s.submitter,
    contacted: s.contacted,
    referrals: s.referrals,
    ruledUnreasonable: s.ruledUnreasonable,
    slaWarnings: s.slaWarnings,
    slaBreaches: s.slaBreaches,
    returnCount: s.returnCount,
    reopenCount: s.reopenCount,
    supplements: s.supplements,
    involvedUnits: s.involvedUnits,
    involvedCadres: s.involvedCadres,
  };
}

function inHandling(facts: CaseFacts, ownerId: string, ownerOrgUnit: string): InHandlingCase {
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
