import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import type { CaseCommand, CaseCommandType } from './case.commands';
import { decide, evolve, replay } from './case.decider';
import { CASE_ERROR_KINDS, CaseError, type CaseErrorCode } from './case.errors';
import type { CaseEvent, CaseEventType } from './case.events';
import {
  dueTimesKey,
  CASE_STATUSES,
  TERMINAL_STATUSES,
  initialState,
  type CaseState,
  type CaseStatus,
} from './case.state';
import type { ActorRef, AlertClock, Satisfaction, SlaClock } from './case.types';
import {
  ALL_COMMAND_TYPES,
  CASE_ID,
  COMMUNITY,
  OTHER_CASE_ID,
  OTHER_UNIT,
  REFERRED_UNIT,
  actors,
  cmd,
} from './testing/case.fixtures';

/**
 * Random command sequences against the decider: whatever people and timers do, in whatever order,
 * the invariants below hold after every step. Commands the decider refuses (CaseError) are
 * skipped, as the application would; any other exception fails the run.
 */

const POOL: readonly ActorRef[] = [
  actors.resident,
  actors.otherResident,
  actors.cadreA,
  actors.cadreB,
  actors.cadreC,
  actors.dispatcher,
  actors.officeStaff,
  actors.otherOfficeStaff,
  actors.supervisor,
  actors.system,
];
const CADRES: readonly ActorRef[] = [actors.cadreA, actors.cadreB, actors.cadreC];
const BY_ID = new Map(POOL.map((a) => [a.id, a]));
/** Small, so runs reach it: the cap arrives with each SupplementResidentInfo. */
const SUPPLEMENT_CAP = 2;
const DUES = ['2026-11-28T17:30:00+08:00', '2026-11-30T17:30:00+08:00', '2026-12-04T17:30:00+08:00'];

/** An owner's command first records that the hand-over they offered has lapsed, if it has. */
const LAPSE = 'case.hand_over_expired' as const;

/** The only event types each command may produce. */
const MAY_PRODUCE: Record<CaseCommandType, readonly CaseEventType[]> = {
  SubmitCase: ['case.submitted'],
  DispatchCase: ['case.dispatched'],
  RouteCase: ['case.dispatched', 'case.routed'],
  AcceptCase: ['case.accepted'],
  ReturnCase: ['case.returned'],
  RecordResidentContact: [LAPSE, 'case.resident_contacted'],
  RecordHandlingStep: [LAPSE, 'case.handling_step_recorded'],
  ReferStep: [LAPSE, 'case.step_referred'],
  CompleteReferral: ['case.referral_completed'],
  SuspendCase: [LAPSE, 'case.suspended'],
  ResumeCase: [LAPSE, 'case.resumed'],
  HandOverCase: [LAPSE, 'case.handed_over'],
  WithdrawHandOver: ['case.hand_over_withdrawn'],
  ExpireHandOver: [LAPSE],
  ResolveCase: [LAPSE, 'case.resolved'],
  RecordFeedback: ['case.feedback_recorded'],
  ExpireFeedbackWindow: ['case.feedback_window_expired'],
  CloseCase: ['case.closed'],
  ReopenCase: ['case.reopened'],
  WithdrawCase: ['case.withdrawn'],
  MergeCase: ['case.merged_into'],
  SuperviseCase: ['case.supervised'],
  GrantExtension: ['case.extension_granted'],
  RuleUnreasonable: ['case.ruled_unreasonable'],
  RaiseSlaWarning: ['case.sla_warning_raised'],
  RecordSlaBreach: ['case.sla_breached'],
  SetDueTimes: ['case.due_times_set'],
  EscalateCase: ['case.supervised'],
  SupplementResidentInfo: ['case.resident_info_supplemented'],
  RevealContact: ['case.contact_revealed'],
};

/** One generated step: what to do, and the dice for its arguments. Resolved against the state. */
interface Step {
  /**
   * 'progress' = the command that moves this case along its usual path; 'relevant' = any command
   * a person or timer would plausibly send in this status (`pick` chooses which), allowed or not.
   */
  readonly kind: 'progress' | 'relevant' | CaseCommandType;
  readonly pick: number;
  /** For 'progress': take the less usual way (resolve too early, refer once more, let the window expire…). */
  readonly detour: boolean;
  /** 'fitting' = the actor the rule expects; otherwise anyone from the pool. */
  readonly actor: 'fitting' | number;
  readonly blankText: boolean;
  readonly referral: number;
  readonly referredUnit: boolean;
  readonly cadre: number;
  /** Hours a hand-over offered now stays open: mostly a few (a step is an hour), so runs reach its lapse. */
  readonly expiresIn: number;
  readonly clock: SlaClock;
  /** The clock a warning or breach names (the dispatch clock's too). */
  readonly alertClock: AlertClock;
  readonly due: number;
  readonly days: number;
  readonly intoSelf: boolean;
  readonly satisfaction: Satisfaction;
  readonly solved: boolean;
}

const ENDS_THE_CASE: readonly CaseCommandType[] = ['WithdrawCase', 'MergeCase'];

const weighted = <T>(common: fc.Arbitrary<T>, rare: fc.Arbitrary<T>, odds = 9) =>
  fc.oneof({ weight: odds, arbitrary: common }, { weight: 1, arbitrary: rare });

const stepArb: fc.Arbitrary<Step> = fc.record({
  // Withdrawals and merges end the case, so they are drawn rarely enough for runs to get far.
  kind: fc.oneof(
    { weight: 30, arbitrary: fc.constant('progress' as const) },
    { weight: 60, arbitrary: fc.constant('relevant' as const) },
    {
      weight: 24,
      arbitrary: fc.constantFrom(...ALL_COMMAND_TYPES.filter((t) => !ENDS_THE_CASE.includes(t))),
    },
    { weight: 3, arbitrary: fc.constantFrom(...ENDS_THE_CASE) },
  ),
  pick: fc.nat(),
  detour: weighted(fc.constant(false), fc.constant(true), 2),
  actor: weighted<'fitting' | number>(
    fc.constant('fitting'),
    fc.integer({ min: 0, max: POOL.length - 1 }),
    3,
  ),
  blankText: weighted(fc.constant(false), fc.constant(true), 12),
  referral: fc.integer({ min: 1, max: 3 }),
  referredUnit: weighted(fc.constant(true), fc.constant(false), 4),
  cadre: fc.integer({ min: 0, max: CADRES.length - 1 }),
  expiresIn: weighted(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 12, max: 48 }), 2),
  clock: fc.constantFrom<SlaClock>('response', 'resolution'),
  alertClock: fc.constantFrom<AlertClock>('dispatch', 'response', 'resolution'),
  due: fc.integer({ min: 0, max: DUES.length - 1 }),
  days: weighted(fc.integer({ min: 1, max: 60 }), fc.constantFrom(0, -2, 61, 1.5), 3),
  intoSelf: fc.boolean(),
  satisfaction: fc.constantFrom<Satisfaction>('satisfied', 'basically_satisfied', 'unsatisfied'),
  solved: fc.boolean(),
});

function openReferralId(stream: readonly CaseEvent[]): string | undefined {
  const completed = new Set(
    stream.flatMap((e) => (e.type === 'case.referral_completed' ? [e.referralId] : [])),
  );
  return stream.flatMap((e) =>
    e.type === 'case.step_referred' && !completed.has(e.referralId) ? [e.referralId] : [],
  )[0];
}

const ANY_OPEN_STATUS: readonly CaseCommandType[] = [
  'SuperviseCase',
  'RuleUnreasonable',
  'RaiseSlaWarning',
  'RecordSlaBreach',
  'EscalateCase',
  'SetDueTimes',
  'SupplementResidentInfo',
];
const BEFORE_RESOLUTION: readonly CaseCommandType[] = [...ANY_OPEN_STATUS, 'GrantExtension', 'DispatchCase'];

/**
 * What people and timers plausibly send in each status. Commands that apply in every open status
 * come up through the uniform draw; these lists keep each status's own rules busy.
 */
const RELEVANT: Record<CaseStatus, readonly CaseCommandType[]> = {
  none: ['SubmitCase'],
  submitted: BEFORE_RESOLUTION,
  returned: [...BEFORE_RESOLUTION, 'AcceptCase', 'ReturnCase'],
  dispatched: [...BEFORE_RESOLUTION, 'AcceptCase', 'ReturnCase'],
  // Hand-overs and referrals have the most branches, so they come up twice as often.
  in_handling: [
    'HandOverCase',
    'WithdrawHandOver',
    'ExpireHandOver',
    'CompleteReferral',
    'AcceptCase',
    'ReturnCase',
    'RecordResidentContact',
    'RecordHandlingStep',
    'ReferStep',
    'CompleteReferral',
    'SuspendCase',
    'ResumeCase',
    'HandOverCase',
    'ResolveCase',
  ],
  resolved: [
    'RecordFeedback',
    'RecordFeedback',
    'ExpireFeedbackWindow',
    'CloseCase',
    'ReopenCase',
    'RaiseSlaWarning',
    'RecordSlaBreach',
    'SetDueTimes',
  ],
  closed: ['ReopenCase', 'RecordFeedback', 'SuperviseCase'],
  withdrawn: ALL_COMMAND_TYPES,
  merged: ALL_COMMAND_TYPES,
};

function typeFor(step: Step, state: CaseState, stream: readonly CaseEvent[]): CaseCommandType {
  if (step.kind === 'progress') return progressFor(step, state, stream);
  if (step.kind !== 'relevant') return step.kind;
  const choices = RELEVANT[state.status];
  return choices[step.pick % choices.length] ?? 'SuperviseCase';
}

function progressFor(step: Step, state: CaseState, stream: readonly CaseEvent[]): CaseCommandType {
  switch (state.status) {
    case 'none':
      return 'SubmitCase';
    case 'submitted':
    case 'returned':
      // The detour: routing finds nobody and queues it (the status stays).
      return step.detour ? 'RouteCase' : 'DispatchCase';
    case 'dispatched':
      return 'AcceptCase';
    case 'in_handling':
      // The detour: the owner tries to resolve before clearing what blocks it, or refers one more step.
      // Or the owner takes the hand-over back, or nobody answers it and the system's timer comes
      // (early, or once it lapsed).
      if (state.pendingHandOver) {
        if (step.detour) return 'ResolveCase';
        return (['ExpireHandOver', 'WithdrawHandOver', 'AcceptCase'] as const)[step.pick % 4] ?? 'AcceptCase';
      }
      if (state.suspended) return step.detour ? 'ResolveCase' : 'ResumeCase';
      if (openReferralId(stream) !== undefined) return step.detour ? 'ResolveCase' : 'CompleteReferral';
      return step.detour ? 'ReferStep' : 'ResolveCase';
    case 'resolved':
      // The detour: the window expires first; or a late answer arrives after the round's outcome.
      if (state.feedbackRecorded || state.feedbackWindowExpired)
        return step.detour ? 'RecordFeedback' : 'CloseCase';
      return step.detour ? 'ExpireFeedbackWindow' : 'RecordFeedback';
    case 'closed':
      return 'ReopenCase';
    case 'withdrawn':
    case 'merged':
      return 'SuperviseCase';
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
}

function fittingActor(
  type: CaseCommandType,
  state: CaseState,
  stream: readonly CaseEvent[],
  referralId: string,
): ActorRef {
  const cadre = (id: string | undefined) => (id !== undefined ? BY_ID.get(id) : undefined) ?? actors.cadreA;
  const owner = 'ownerId' in state ? state.ownerId : undefined;
  switch (type) {
    case 'SubmitCase':
    case 'RecordFeedback':
    case 'WithdrawCase':
    case 'SupplementResidentInfo':
      return actors.resident;
    case 'DispatchCase':
    case 'MergeCase':
      return actors.dispatcher;
    case 'AcceptCase':
    case 'ReturnCase':
      if (state.status === 'dispatched') return cadre(state.designatedOwnerId);
      if (state.status === 'in_handling') return cadre(state.pendingHandOver?.toCadreId ?? state.ownerId);
      return actors.cadreA;
    case 'CompleteReferral': {
      const referral = stream.find((e) => e.type === 'case.step_referred' && e.referralId === referralId);
      if (referral?.type !== 'case.step_referred') return cadre(owner);
      return referral.toOrgUnit === REFERRED_UNIT ? actors.officeStaff : actors.otherOfficeStaff;
    }
    case 'RecordResidentContact':
    case 'RecordHandlingStep':
    case 'ReferStep':
    case 'SuspendCase':
    case 'ResumeCase':
    case 'HandOverCase':
    case 'WithdrawHandOver':
    case 'ResolveCase':
    case 'CloseCase':
    case 'RevealContact':
      return cadre(owner);
    case 'ReopenCase':
    case 'SuperviseCase':
    case 'GrantExtension':
    case 'RuleUnreasonable':
      return actors.supervisor;
    case 'RouteCase':
    case 'RaiseSlaWarning':
    case 'RecordSlaBreach':
    case 'ExpireFeedbackWindow':
    case 'ExpireHandOver':
    case 'SetDueTimes':
    case 'EscalateCase':
      return actors.system;
    default: {
      const _exhaustive: never = type;
      return _exhaustive;
    }
  }
}

/**
 * Progress completes an open referral; other completions mostly name a referral the case has
 * (open or done), sometimes one it never had; new referrals reuse an id now and then.
 */
function chooseReferralId(type: CaseCommandType, step: Step, stream: readonly CaseEvent[]): string {
  const fallback = `ref-${step.referral}`;
  if (type !== 'CompleteReferral') return fallback;
  if (step.kind === 'progress') return openReferralId(stream) ?? fallback;
  const made = stream.flatMap((e) => (e.type === 'case.step_referred' ? [e.referralId] : []));
  return step.detour ? fallback : (made[step.pick % Math.max(made.length, 1)] ?? fallback);
}

function commandFor(step: Step, index: number, state: CaseState, stream: readonly CaseEvent[]): CaseCommand {
  const type = typeFor(step, state, stream);
  const referralId = chooseReferralId(type, step, stream);
  const actor =
    step.actor === 'fitting'
      ? fittingActor(type, state, stream, referralId)
      : (POOL[step.actor] ?? actors.system);
  const at = new Date(Date.UTC(2026, 10, 27, 1, 0) + index * 3_600_000).toISOString();
  const common = { actor, at };
  const blank = <K extends string>(field: K): Partial<Record<K, string>> =>
    step.blankText ? ({ [field]: ' ' } as Record<K, string>) : {};
  const cadre = CADRES[step.cadre] ?? actors.cadreA;
  const clockArgs = { clock: step.clock, dueAt: DUES[step.due] ?? '2026-11-28T17:30:00+08:00' };
  switch (type) {
    case 'SubmitCase':
      // Blank text usually drops the resident instead, as untyped JSON could: case.missing_field.
      return step.blankText && !step.detour
        ? ({ ...cmd.submit(common), resident: undefined } as unknown as CaseCommand)
        : cmd.submit({ ...common, ...blank('title') });
    case 'DispatchCase':
      return cmd.dispatch({ ...common, ownerId: cadre.id, ownerOrgUnit: cadre.orgUnit ?? '' });
    case 'RouteCase':
      return step.detour
        ? cmd.route({ ...common, target: { kind: 'queue', orgUnit: COMMUNITY }, rule: 'community_queue' })
        : cmd.route({
            ...common,
            target: { kind: 'cadre', cadreId: cadre.id, orgUnit: cadre.orgUnit ?? '' },
          });
    case 'AcceptCase':
      return cmd.accept(common);
    case 'ReturnCase':
      return cmd.return({ ...common, ...blank('reason') });
    case 'RecordResidentContact':
      return cmd.contact({ ...common, ...blank('note') });
    case 'RecordHandlingStep':
      return cmd.step({ ...common, ...blank('note') });
    case 'ReferStep':
      return cmd.refer({
        ...common,
        referralId,
        toOrgUnit: step.referredUnit ? REFERRED_UNIT : OTHER_UNIT,
        ...blank('request'),
      });
    case 'CompleteReferral':
      return cmd.completeReferral({ ...common, referralId, ...blank('outcome') });
    case 'SuspendCase':
      return cmd.suspend({ ...common, ...blank('reason') });
    case 'ResumeCase':
      return cmd.resume({ ...common, ...blank('reason') });
    case 'HandOverCase':
      return cmd.handOver({
        ...common,
        toCadreId: cadre.id,
        toOrgUnit: cadre.orgUnit ?? '',
        ...blank('reason'),
        expiresAt: new Date(Date.parse(at) + step.expiresIn * 3_600_000).toISOString(),
      });
    case 'WithdrawHandOver':
      return cmd.withdrawHandOver({ ...common, ...blank('reason') });
    case 'ExpireHandOver':
      return cmd.expireHandOver(common);
    case 'ResolveCase':
      return cmd.resolve({ ...common, ...blank('summary') });
    case 'RecordFeedback':
      return cmd.feedback({ ...common, satisfaction: step.satisfaction, solved: step.solved });
    case 'ExpireFeedbackWindow':
      return cmd.expireFeedbackWindow(common);
    case 'CloseCase':
      return cmd.close(common);
    case 'ReopenCase':
      return cmd.reopen({ ...common, ...blank('reason') });
    case 'WithdrawCase':
      return cmd.withdraw({ ...common, ...blank('reason') });
    case 'MergeCase':
      return cmd.merge({
        ...common,
        intoCaseId: step.intoSelf ? CASE_ID : OTHER_CASE_ID,
        ...blank('reason'),
      });
    case 'SuperviseCase':
      return cmd.supervise({ ...common, ...blank('instruction') });
    case 'GrantExtension':
      return cmd.extension({
        ...common,
        clock: step.clock,
        extraBusinessDays: step.days,
        ...blank('reason'),
      });
    case 'RuleUnreasonable':
      return cmd.ruleUnreasonable({ ...common, ...blank('reason') });
    case 'RaiseSlaWarning':
      return cmd.slaWarning({ ...common, ...clockArgs, clock: step.alertClock });
    case 'RecordSlaBreach':
      return cmd.slaBreach({ ...common, ...clockArgs, clock: step.alertClock });
    case 'SetDueTimes':
      return cmd.setDueTimes({
        ...common,
        // Blank: no clocks at all (case.invalid_due_times).
        clocks: step.blankText
          ? []
          : [
              {
                clock: step.clock,
                round: 1,
                dueAt: clockArgs.dueAt,
                budgetMs: 3_600_000,
                usedMs: 0,
                counting: 'business',
                running: true,
              },
            ],
      });
    case 'EscalateCase':
      return cmd.escalate({
        ...common,
        escalation: { ...clockArgs, toOrgUnit: 'pc.gucheng' },
        ...blank('instruction'),
      });
    case 'SupplementResidentInfo':
      return cmd.supplement({ ...common, ...blank('note'), maxSupplements: SUPPLEMENT_CAP });
    case 'RevealContact':
      return cmd.revealContact({ ...common, ...blank('reason') });
    default: {
      const _exhaustive: never = type;
      return _exhaustive;
    }
  }
}

/**
 * The documented "already done" answers, judged from the stream rather than from the decider's
 * state: a repeated SLA alert, a response alert after first contact, a resolution alert on a
 * resolved case, a feedback-window timer after the round's outcome.
 */
function isDocumentedNoOp(command: CaseCommand, status: CaseStatus, stream: readonly CaseEvent[]): boolean {
  if (command.type === 'ExpireHandOver') {
    // Nothing pending: the last move of a hand-over was its answer, withdrawal or lapse.
    const pending = status === 'in_handling' && handOverMoves(stream).at(-1)?.type === 'case.handed_over';
    return !pending;
  }
  if (command.type === 'ExpireFeedbackWindow') {
    const round = stream.slice(stream.map((e) => e.type).lastIndexOf('case.resolved'));
    return (
      status === 'resolved' &&
      round.some((e) => e.type === 'case.feedback_recorded' || e.type === 'case.feedback_window_expired')
    );
  }
  if (command.type === 'SetDueTimes') {
    const last = stream.filter((e) => e.type === 'case.due_times_set').at(-1);
    return (
      last !== undefined &&
      dueTimesKey(last.policyId, last.clocks) === dueTimesKey(command.policyId, command.clocks)
    );
  }
  if (command.type === 'EscalateCase') {
    const { clock, dueAt } = command.escalation;
    const breached = stream.some(
      (e) => e.type === 'case.sla_breached' && e.clock === clock && e.dueAt === dueAt,
    );
    const escalated = stream.some(
      (e) => e.type === 'case.supervised' && e.escalation?.clock === clock && e.escalation.dueAt === dueAt,
    );
    const contacted = stream.some((e) => e.type === 'case.resident_contacted');
    return (
      !breached ||
      escalated ||
      (clock === 'response' && contacted) ||
      (clock === 'resolution' && status === 'resolved')
    );
  }
  if (command.type === 'RaiseSlaWarning' || command.type === 'RecordSlaBreach') {
    const alertType = command.type === 'RaiseSlaWarning' ? 'case.sla_warning_raised' : 'case.sla_breached';
    const repeated = stream.some(
      (e) =>
        (e.type === 'case.sla_warning_raised' || e.type === 'case.sla_breached') &&
        e.type === alertType &&
        e.clock === command.clock &&
        e.dueAt === command.dueAt,
    );
    const contacted = stream.some((e) => e.type === 'case.resident_contacted');
    const dispatched = stream.some((e) => e.type === 'case.dispatched');
    return (
      repeated ||
      (command.clock === 'dispatch' && dispatched) ||
      (command.clock === 'response' && contacted) ||
      (command.clock === 'resolution' && status === 'resolved')
    );
  }
  return false;
}

/** The events that offer a hand-over or end one: offered, accepted, refused, withdrawn, lapsed. */
function handOverMoves(stream: readonly CaseEvent[]): CaseEvent[] {
  return stream.filter(
    (e) =>
      e.type === 'case.handed_over' ||
      e.type === 'case.hand_over_withdrawn' ||
      e.type === 'case.hand_over_expired' ||
      (e.type === 'case.accepted' && e.viaHandOver) ||
      (e.type === 'case.returned' && e.handOverRefused),
  );
}

/**
 * Each hand-over ends at most once — answered before it lapses, withdrawn, or its lapse recorded
 * once, at or after its expiry — and a new one is offered only after the last one ended.
 */
function checkHandOvers(stream: readonly CaseEvent[]): void {
  let offer: Extract<CaseEvent, { type: 'case.handed_over' }> | null = null;
  for (const e of handOverMoves(stream)) {
    if (e.type === 'case.handed_over') {
      check(offer === null, 'a hand-over offered while another was pending');
      offer = e;
      continue;
    }
    check(offer !== null, `${e.type} with no hand-over pending`);
    const lapses = offer.expiresAt === undefined ? Infinity : Date.parse(offer.expiresAt);
    if (e.type === 'case.hand_over_expired') {
      check(e.expiredAt === offer.expiresAt, 'the lapse does not carry the offer’s expiry');
      check(Date.parse(e.at) >= lapses, 'a hand-over recorded as lapsed before its expiry');
    } else {
      check(Date.parse(e.at) < lapses, `${e.type} after the hand-over lapsed`);
    }
    check(e.type !== 'case.hand_over_withdrawn' || e.toCadreId === offer.toCadreId, 'withdrew another offer');
    offer = null;
  }
}

function lastOf<T extends CaseEventType>(
  stream: readonly CaseEvent[],
  type: T,
): Extract<CaseEvent, { type: T }> {
  const found = [...stream].reverse().find((e): e is Extract<CaseEvent, { type: T }> => e.type === type);
  if (!found) throw new Error(`no ${type} in the stream`);
  return found;
}

/** Fails the property with a message; cheap enough to run thousands of times per test. */
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** Deep equality (Maps and Sets included); jest only prints the diff once something differs. */
function checkSame(actual: unknown, expected: unknown, what: string): void {
  if (!isDeepStrictEqual(actual, expected)) {
    throw new Error(`${what}:\n${JSON.stringify({ actual, expected }, jsonReplacer, 2)}`);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Map) return Object.fromEntries(value);
  if (value instanceof Set) return [...value];
  return value;
}

function checkAccountableOwner(ownerId: string, stream: readonly CaseEvent[]): void {
  check(ownerId.length > 0, 'no accountable owner');
  check(
    ownerId === lastOf(stream, 'case.accepted').ownerId,
    `owner ${ownerId} is not the cadre who last accepted the case`,
  );
}

/** Exactly one accountable owner once accepted (the last cadre who accepted), none before. */
function checkOwnership(state: CaseState, stream: readonly CaseEvent[]): void {
  switch (state.status) {
    case 'in_handling':
      check(state.pendingHandOver?.toCadreId !== state.ownerId, 'a hand-over offered to the owner');
      check(state.suspended === (state.suspendedAt !== null), 'suspended without a start, or the reverse');
      checkAccountableOwner(state.ownerId, stream);
      return;
    case 'resolved':
    case 'closed':
      checkAccountableOwner(state.ownerId, stream);
      return;
    case 'dispatched':
      check(!('ownerId' in state), 'an owner before acceptance');
      check(
        state.designatedOwnerId === lastOf(stream, 'case.dispatched').ownerId,
        'the designated owner is not the last one dispatched to',
      );
      return;
    case 'submitted':
    case 'returned':
      check(!('ownerId' in state) && !('designatedOwnerId' in state), `an owner in ${state.status}`);
      return;
    case 'none':
    case 'withdrawn':
    case 'merged':
      return;
    default: {
      const _exhaustive: never = state;
      return _exhaustive;
    }
  }
}

class Tally<K> {
  private readonly counts = new Map<K, number>();
  add(key: K): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  keys(): K[] {
    return [...this.counts.keys()];
  }
}

const seen = {
  statuses: new Tally<CaseStatus>(),
  accepted: new Tally<CaseCommandType>(),
  codes: new Tally<CaseErrorCode>(),
  noOps: new Tally<CaseCommandType>(),
};

function run(steps: readonly Step[]): void {
  let state: CaseState = initialState;
  const stream: CaseEvent[] = [];
  seen.statuses.add(state.status);
  steps.forEach((step, index) => {
    const command = commandFor(step, index, state, stream);
    const before = state;
    let events: CaseEvent[];
    try {
      events = decide(command, state);
    } catch (error) {
      if (!(error instanceof CaseError)) throw error;
      check(CASE_ERROR_KINDS[error.code] === error.kind, `${error.code} raised with kind ${error.kind}`);
      seen.codes.add(error.code);
      checkSame(state, replay(stream), 'decide changed the state it was given');
      return;
    }
    checkSame(state, replay(stream), 'decide changed the state it was given');

    check(
      before.status !== 'closed' || command.type === 'ReopenCase',
      `${command.type} yielded events on a closed case`,
    );
    // Withdrawn and merged cases take no event at all, so they never change again.
    check(!TERMINAL_STATUSES.includes(before.status), `${command.type} yielded events in ${before.status}`);

    const noOp = isDocumentedNoOp(command, before.status, stream);
    check(
      (events.length === 0) === noOp,
      noOp ? `${command.type} should have been a no-op` : `${command.type} yielded no event`,
    );
    (noOp ? seen.noOps : seen.accepted).add(command.type);

    check(
      events.every((e, i) => e.type !== LAPSE || i === 0),
      `${command.type} recorded a lapse after its own events`,
    );
    for (const event of events) {
      check(MAY_PRODUCE[command.type].includes(event.type), `${command.type} produced ${event.type}`);
      checkSame(
        { caseId: event.caseId, at: event.at, by: event.by },
        { caseId: command.caseId, at: command.at, by: command.actor },
        `${event.type} does not carry its command's case, time and actor`,
      );
    }

    const version = stream.length;
    for (const event of events) {
      state = evolve(state, event);
      stream.push(event);
    }
    check(stream.length === version + events.length, 'the stream version did not advance by the events');
    checkSame(before, replay(stream.slice(0, version)), 'evolve changed the state it was given');
    seen.statuses.add(state.status);

    checkOwnership(state, stream);
    checkHandOvers(stream);
    const supplements = stream.filter((e) => e.type === 'case.resident_info_supplemented').length;
    check(supplements <= SUPPLEMENT_CAP, `${supplements} supplements, over the cap of ${SUPPLEMENT_CAP}`);
    check(state.status === 'none' || state.supplements === supplements, 'the supplement count is off');
    checkSame(replay(stream), state, 'replaying the stream differs from evolving step by step');
  });
}

describe('case decider: properties over random command sequences', () => {
  it('keeps its invariants after every step', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 40, size: 'max' }), (steps) => run(steps)),
      // Enough runs that the rarest path (a hand-over left to lapse, then the system's expiry)
      // is met in practically every run: at 300 one run in six missed it once the SLA watcher's
      // commands joined the draw.
      { numRuns: 1_500, includeErrorInReport: true },
    );
  });

  // A property that never reaches a state proves nothing about it: the runs above must have
  // visited every status, had every command accepted, met every refusal and every no-op.
  it('the random runs covered every status, command, refusal and no-op', () => {
    expect(seen.statuses.keys().sort()).toEqual([...CASE_STATUSES].sort());
    expect(seen.accepted.keys().sort()).toEqual([...ALL_COMMAND_TYPES].sort());
    expect(seen.codes.keys().sort()).toEqual((Object.keys(CASE_ERROR_KINDS) as CaseErrorCode[]).sort());
    expect(seen.noOps.keys().sort()).toEqual([
      'EscalateCase',
      'ExpireFeedbackWindow',
      'ExpireHandOver',
      'RaiseSlaWarning',
      'RecordSlaBreach',
      'SetDueTimes',
    ]);
  });
});
