import type {
  AcceptCase,
  CaseCommand,
  CaseCommandType,
  CloseCase,
  CompleteReferral,
  DispatchCase,
  RouteCase,
  ExpireFeedbackWindow,
  ExpireHandOver,
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
  RuleUnreasonable,
  SubmitCase,
  SuperviseCase,
  SupplementResidentInfo,
  SuspendCase,
  WithdrawCase,
  WithdrawHandOver,
  RevealContact,
} from '../case.commands';
import type {
  CaseAccepted,
  CaseClosed,
  CaseDispatched,
  CaseRouted,
  CaseEvent,
  CaseHandedOver,
  CaseMergedInto,
  CaseReopened,
  CaseResolved,
  CaseResumed,
  CaseReturned,
  CaseRuledUnreasonable,
  CaseSubmitted,
  CaseSupervised,
  CaseSuspended,
  CaseWithdrawn,
  ExtensionGranted,
  FeedbackRecorded,
  FeedbackWindowExpired,
  HandOverExpired,
  HandOverWithdrawn,
  HandlingStepRecorded,
  ReferralCompleted,
  ResidentContacted,
  ResidentInfoSupplemented,
  ContactRevealed,
  SlaBreached,
  SlaWarningRaised,
  StepReferred,
} from '../case.events';
import type { ActorRef, CaseLocation, Instant, ResidentContact } from '../case.types';

/**
 * Test data for the case decider's specs: one case, a cast of actors, and a command and an event
 * builder per type whose defaults agree, so `when(cmd.accept()).then(ev.accepted())` reads as the
 * rule it checks. Overrides name only what a test is about.
 */

export const CASE_ID = 'case-0001';
export const OTHER_CASE_ID = 'case-0000';
export const CASE_NUMBER = 'PC-20261127-000001';
export const AT: Instant = '2026-11-27T09:30:00+08:00';
export const LATER: Instant = '2026-11-28T10:00:00+08:00';
export const DUE: Instant = '2026-11-30T17:30:00+08:00';
/** When a hand-over offered at AT lapses unanswered (48 hours, the setting's default). */
export const HAND_OVER_EXPIRES: Instant = '2026-11-29T09:30:00+08:00';

export const COMMUNITY = 'pc.gucheng.taiyangcheng';
export const OTHER_COMMUNITY = 'pc.zhenhua.yunquanli';
export const REFERRED_UNIT = 'pc.gucheng.public-service';
export const OTHER_UNIT = 'pc.gucheng.law-enforcement';

export const actors = {
  resident: { id: 'resident-wang', role: 'resident' },
  otherResident: { id: 'resident-li', role: 'resident' },
  cadreA: { id: 'cadre-zhang', role: 'cadre', orgUnit: COMMUNITY },
  cadreB: { id: 'cadre-liu', role: 'cadre', orgUnit: COMMUNITY },
  cadreC: { id: 'cadre-zhao', role: 'cadre', orgUnit: OTHER_COMMUNITY },
  dispatcher: { id: 'dispatcher-chen', role: 'dispatcher', orgUnit: 'pc.gucheng' },
  officeStaff: { id: 'clerk-sun', role: 'office_staff', orgUnit: REFERRED_UNIT },
  otherOfficeStaff: { id: 'clerk-zhou', role: 'office_staff', orgUnit: OTHER_UNIT },
  supervisor: { id: 'supervisor-wu', role: 'supervisor', orgUnit: 'pc' },
  hotlineAgent: { id: 'agent-12345', role: 'channel' },
  admin: { id: 'admin-ma', role: 'admin' },
  system: { id: 'sla-watcher', role: 'system' },
} as const satisfies Record<string, ActorRef>;

const RESIDENT: ResidentContact = { name: '王芳', phone: '13800001234' };
const LOCATION: CaseLocation = { address: '迎宾广场 3 号楼', communityCode: COMMUNITY };

type Input<C> = Partial<Omit<C, 'type'>>;

const from = (actor: ActorRef) => ({ caseId: CASE_ID, actor, at: AT });
const by = (actor: ActorRef) => ({ caseId: CASE_ID, by: actor, at: AT });

export const cmd = {
  submit: (o: Input<SubmitCase> = {}): SubmitCase => ({
    type: 'SubmitCase',
    ...from(actors.resident),
    caseNumber: CASE_NUMBER,
    channel: 'app',
    resident: RESIDENT,
    location: LOCATION,
    category: 'property',
    title: '电梯停运三天',
    description: '3 号楼电梯停运三天，老人无法下楼。',
    attachments: [],
    ...o,
  }),
  dispatch: (o: Input<DispatchCase> = {}): DispatchCase => ({
    type: 'DispatchCase',
    ...from(actors.dispatcher),
    ownerId: actors.cadreA.id,
    ownerOrgUnit: COMMUNITY,
    rule: 'community-of-location',
    directoryVersion: 7,
    ...o,
  }),
  /** Routing's decision (the system's): to cadre A by default; `target: { kind: 'queue', … }` queues. */
  route: (o: Input<RouteCase> = {}): RouteCase => ({
    type: 'RouteCase',
    ...from(actors.system),
    target: { kind: 'cadre', cadreId: actors.cadreA.id, orgUnit: COMMUNITY },
    rule: 'grid_cadre',
    directoryVersion: 7,
    catalogueVersion: 3,
    located: { by: 'grid_code', community: COMMUNITY, grid: `${COMMUNITY}.g01` },
    passed: [],
    ...o,
  }),
  accept: (o: Input<AcceptCase> = {}): AcceptCase => ({ type: 'AcceptCase', ...from(actors.cadreA), ...o }),
  return: (o: Input<ReturnCase> = {}): ReturnCase => ({
    type: 'ReturnCase',
    ...from(actors.cadreA),
    reason: '地址属于云泉里社区',
    ...o,
  }),
  contact: (o: Input<RecordResidentContact> = {}): RecordResidentContact => ({
    type: 'RecordResidentContact',
    ...from(actors.cadreA),
    method: 'phone',
    note: '已电话联系居民，约定明早上门',
    ...o,
  }),
  step: (o: Input<RecordHandlingStep> = {}): RecordHandlingStep => ({
    type: 'RecordHandlingStep',
    ...from(actors.cadreA),
    note: '联系物业，维修工已到场',
    attachments: [],
    ...o,
  }),
  refer: (o: Input<ReferStep> = {}): ReferStep => ({
    type: 'ReferStep',
    ...from(actors.cadreA),
    referralId: 'ref-1',
    target: 'office',
    toOrgUnit: REFERRED_UNIT,
    request: '请公共服务办协调电梯维保单位',
    ...o,
  }),
  completeReferral: (o: Input<CompleteReferral> = {}): CompleteReferral => ({
    type: 'CompleteReferral',
    ...from(actors.officeStaff),
    referralId: 'ref-1',
    outcome: '维保单位已更换控制板',
    ...o,
  }),
  suspend: (o: Input<SuspendCase> = {}): SuspendCase => ({
    type: 'SuspendCase',
    ...from(actors.cadreA),
    reason: '居民外出，下周回来',
    ...o,
  }),
  resume: (o: Input<ResumeCase> = {}): ResumeCase => ({
    type: 'ResumeCase',
    ...from(actors.cadreA),
    reason: '居民已回家',
    ...o,
  }),
  handOver: (o: Input<HandOverCase> = {}): HandOverCase => ({
    type: 'HandOverCase',
    ...from(actors.cadreA),
    toCadreId: actors.cadreB.id,
    toOrgUnit: COMMUNITY,
    reason: '轮值结束，交给本周值班干部',
    expiresAt: HAND_OVER_EXPIRES,
    ...o,
  }),
  withdrawHandOver: (o: Input<WithdrawHandOver> = {}): WithdrawHandOver => ({
    type: 'WithdrawHandOver',
    ...from(actors.cadreA),
    reason: '居民要求由原社区干部继续办理',
    ...o,
  }),
  expireHandOver: (o: Input<ExpireHandOver> = {}): ExpireHandOver => ({
    type: 'ExpireHandOver',
    ...from(actors.system),
    ...o,
  }),
  resolve: (o: Input<ResolveCase> = {}): ResolveCase => ({
    type: 'ResolveCase',
    ...from(actors.cadreA),
    summary: '电梯已恢复运行',
    ...o,
  }),
  feedback: (o: Input<RecordFeedback> = {}): RecordFeedback => ({
    type: 'RecordFeedback',
    ...from(actors.resident),
    satisfaction: 'satisfied',
    solved: true,
    ...o,
  }),
  expireFeedbackWindow: (o: Input<ExpireFeedbackWindow> = {}): ExpireFeedbackWindow => ({
    type: 'ExpireFeedbackWindow',
    ...from(actors.system),
    ...o,
  }),
  close: (o: Input<CloseCase> = {}): CloseCase => ({ type: 'CloseCase', ...from(actors.cadreA), ...o }),
  reopen: (o: Input<ReopenCase> = {}): ReopenCase => ({
    type: 'ReopenCase',
    ...from(actors.supervisor),
    reason: '回访发现电梯再次停运',
    ...o,
  }),
  withdraw: (o: Input<WithdrawCase> = {}): WithdrawCase => ({
    type: 'WithdrawCase',
    ...from(actors.resident),
    reason: '物业已自行修好',
    ...o,
  }),
  merge: (o: Input<MergeCase> = {}): MergeCase => ({
    type: 'MergeCase',
    ...from(actors.dispatcher),
    intoCaseId: OTHER_CASE_ID,
    reason: '同一电梯故障的重复诉求',
    ...o,
  }),
  supervise: (o: Input<SuperviseCase> = {}): SuperviseCase => ({
    type: 'SuperviseCase',
    ...from(actors.supervisor),
    instruction: '三日内办结并回复居民',
    ...o,
  }),
  extension: (o: Input<GrantExtension> = {}): GrantExtension => ({
    type: 'GrantExtension',
    ...from(actors.supervisor),
    clock: 'resolution',
    extraBusinessDays: 5,
    reason: '需等待电梯配件',
    ...o,
  }),
  ruleUnreasonable: (o: Input<RuleUnreasonable> = {}): RuleUnreasonable => ({
    type: 'RuleUnreasonable',
    ...from(actors.supervisor),
    reason: '诉求超出政策范围',
    ...o,
  }),
  slaWarning: (o: Input<RaiseSlaWarning> = {}): RaiseSlaWarning => ({
    type: 'RaiseSlaWarning',
    ...from(actors.system),
    clock: 'response',
    dueAt: DUE,
    ...o,
  }),
  slaBreach: (o: Input<RecordSlaBreach> = {}): RecordSlaBreach => ({
    type: 'RecordSlaBreach',
    ...from(actors.system),
    clock: 'response',
    dueAt: DUE,
    ...o,
  }),
  supplement: (o: Input<SupplementResidentInfo> = {}): SupplementResidentInfo => ({
    type: 'SupplementResidentInfo',
    ...from(actors.resident),
    note: '补充：2 号电梯也有异响',
    attachments: [],
    maxSupplements: 20,
    ...o,
  }),
  revealContact: (o: Input<RevealContact> = {}): RevealContact => ({
    type: 'RevealContact',
    ...from(actors.cadreA),
    reason: '回访前核对联系电话',
    ...o,
  }),
};

/** One builder per command type, with the actor the rule expects; for status × command tables. */
export const anyCommand: Record<CaseCommandType, () => CaseCommand> = {
  SubmitCase: () => cmd.submit(),
  DispatchCase: () => cmd.dispatch(),
  RouteCase: () => cmd.route(),
  AcceptCase: () => cmd.accept(),
  ReturnCase: () => cmd.return(),
  RecordResidentContact: () => cmd.contact(),
  RecordHandlingStep: () => cmd.step(),
  ReferStep: () => cmd.refer(),
  CompleteReferral: () => cmd.completeReferral(),
  SuspendCase: () => cmd.suspend(),
  ResumeCase: () => cmd.resume(),
  HandOverCase: () => cmd.handOver(),
  WithdrawHandOver: () => cmd.withdrawHandOver(),
  ExpireHandOver: () => cmd.expireHandOver(),
  ResolveCase: () => cmd.resolve(),
  RecordFeedback: () => cmd.feedback(),
  ExpireFeedbackWindow: () => cmd.expireFeedbackWindow(),
  CloseCase: () => cmd.close(),
  ReopenCase: () => cmd.reopen(),
  WithdrawCase: () => cmd.withdraw(),
  MergeCase: () => cmd.merge(),
  SuperviseCase: () => cmd.supervise(),
  GrantExtension: () => cmd.extension(),
  RuleUnreasonable: () => cmd.ruleUnreasonable(),
  RaiseSlaWarning: () => cmd.slaWarning(),
  RecordSlaBreach: () => cmd.slaBreach(),
  SupplementResidentInfo: () => cmd.supplement(),
  RevealContact: () => cmd.revealContact(),
};

export const ALL_COMMAND_TYPES = Object.keys(anyCommand) as CaseCommandType[];

export const ev = {
  submitted: (o: Input<CaseSubmitted> = {}): CaseSubmitted => ({
    type: 'case.submitted',
    ...by(actors.resident),
    caseNumber: CASE_NUMBER,
    channel: 'app',
    resident: RESIDENT,
    location: LOCATION,
    category: 'property',
    title: '电梯停运三天',
    description: '3 号楼电梯停运三天，老人无法下楼。',
    attachments: [],
    ...o,
  }),
  dispatched: (o: Input<CaseDispatched> = {}): CaseDispatched => ({
    type: 'case.dispatched',
    ...by(actors.dispatcher),
    ownerId: actors.cadreA.id,
    ownerOrgUnit: COMMUNITY,
    rule: 'community-of-location',
    directoryVersion: 7,
    redispatch: false,
    ...o,
  }),
  routed: (o: Input<CaseRouted> = {}): CaseRouted => ({
    type: 'case.routed',
    ...by(actors.system),
    rule: 'community_queue',
    queue: COMMUNITY,
    directoryVersion: 7,
    catalogueVersion: 3,
    located: { by: 'address', community: COMMUNITY, grid: null },
    passed: [`on duty in ${COMMUNITY}: none`],
    ...o,
  }),
  accepted: (o: Input<CaseAccepted> = {}): CaseAccepted => ({
    type: 'case.accepted',
    ...by(actors.cadreA),
    ownerId: actors.cadreA.id,
    ownerOrgUnit: COMMUNITY,
    viaHandOver: false,
    ...o,
  }),
  returned: (o: Input<CaseReturned> = {}): CaseReturned => ({
    type: 'case.returned',
    ...by(actors.cadreA),
    reason: '地址属于云泉里社区',
    handOverRefused: false,
    ...o,
  }),
  residentContacted: (o: Input<ResidentContacted> = {}): ResidentContacted => ({
    type: 'case.resident_contacted',
    ...by(actors.cadreA),
    method: 'phone',
    note: '已电话联系居民，约定明早上门',
    firstContact: true,
    ...o,
  }),
  stepRecorded: (o: Input<HandlingStepRecorded> = {}): HandlingStepRecorded => ({
    type: 'case.handling_step_recorded',
    ...by(actors.cadreA),
    note: '联系物业，维修工已到场',
    attachments: [],
    ...o,
  }),
  stepReferred: (o: Input<StepReferred> = {}): StepReferred => ({
    type: 'case.step_referred',
    ...by(actors.cadreA),
    referralId: 'ref-1',
    target: 'office',
    toOrgUnit: REFERRED_UNIT,
    request: '请公共服务办协调电梯维保单位',
    ...o,
  }),
  referralCompleted: (o: Input<ReferralCompleted> = {}): ReferralCompleted => ({
    type: 'case.referral_completed',
    ...by(actors.officeStaff),
    referralId: 'ref-1',
    outcome: '维保单位已更换控制板',
    ...o,
  }),
  suspended: (o: Input<CaseSuspended> = {}): CaseSuspended => ({
    type: 'case.suspended',
    ...by(actors.cadreA),
    reason: '居民外出，下周回来',
    ...o,
  }),
  resumed: (o: Input<CaseResumed> = {}): CaseResumed => ({
    type: 'case.resumed',
    ...by(actors.cadreA),
    reason: '居民已回家',
    suspendedAt: AT,
    ...o,
  }),
  handedOver: (o: Input<CaseHandedOver> = {}): CaseHandedOver => ({
    type: 'case.handed_over',
    ...by(actors.cadreA),
    fromCadreId: actors.cadreA.id,
    toCadreId: actors.cadreB.id,
    toOrgUnit: COMMUNITY,
    reason: '轮值结束，交给本周值班干部',
    expiresAt: HAND_OVER_EXPIRES,
    ...o,
  }),
  handOverWithdrawn: (o: Input<HandOverWithdrawn> = {}): HandOverWithdrawn => ({
    type: 'case.hand_over_withdrawn',
    ...by(actors.cadreA),
    toCadreId: actors.cadreB.id,
    reason: '居民要求由原社区干部继续办理',
    ...o,
  }),
  handOverExpired: (o: Input<HandOverExpired> = {}): HandOverExpired => ({
    type: 'case.hand_over_expired',
    ...by(actors.system),
    toCadreId: actors.cadreB.id,
    expiredAt: HAND_OVER_EXPIRES,
    ...o,
  }),
  resolved: (o: Input<CaseResolved> = {}): CaseResolved => ({
    type: 'case.resolved',
    ...by(actors.cadreA),
    summary: '电梯已恢复运行',
    ...o,
  }),
  feedbackRecorded: (o: Input<FeedbackRecorded> = {}): FeedbackRecorded => ({
    type: 'case.feedback_recorded',
    ...by(actors.resident),
    satisfaction: 'satisfied',
    solved: true,
    ...o,
  }),
  feedbackWindowExpired: (o: Input<FeedbackWindowExpired> = {}): FeedbackWindowExpired => ({
    type: 'case.feedback_window_expired',
    ...by(actors.system),
    ...o,
  }),
  closed: (o: Input<CaseClosed> = {}): CaseClosed => ({ type: 'case.closed', ...by(actors.cadreA), ...o }),
  reopened: (o: Input<CaseReopened> = {}): CaseReopened => ({
    type: 'case.reopened',
    ...by(actors.supervisor),
    reason: '回访发现电梯再次停运',
    ...o,
  }),
  withdrawn: (o: Input<CaseWithdrawn> = {}): CaseWithdrawn => ({
    type: 'case.withdrawn',
    ...by(actors.resident),
    reason: '物业已自行修好',
    ...o,
  }),
  mergedInto: (o: Input<CaseMergedInto> = {}): CaseMergedInto => ({
    type: 'case.merged_into',
    ...by(actors.dispatcher),
    intoCaseId: OTHER_CASE_ID,
    reason: '同一电梯故障的重复诉求',
    ...o,
  }),
  supervised: (o: Input<CaseSupervised> = {}): CaseSupervised => ({
    type: 'case.supervised',
    ...by(actors.supervisor),
    instruction: '三日内办结并回复居民',
    ...o,
  }),
  extensionGranted: (o: Input<ExtensionGranted> = {}): ExtensionGranted => ({
    type: 'case.extension_granted',
    ...by(actors.supervisor),
    clock: 'resolution',
    extraBusinessDays: 5,
    reason: '需等待电梯配件',
    ...o,
  }),
  ruledUnreasonable: (o: Input<CaseRuledUnreasonable> = {}): CaseRuledUnreasonable => ({
    type: 'case.ruled_unreasonable',
    ...by(actors.supervisor),
    reason: '诉求超出政策范围',
    ...o,
  }),
  slaWarningRaised: (o: Input<SlaWarningRaised> = {}): SlaWarningRaised => ({
    type: 'case.sla_warning_raised',
    ...by(actors.system),
    clock: 'response',
    dueAt: DUE,
    ...o,
  }),
  slaBreached: (o: Input<SlaBreached> = {}): SlaBreached => ({
    type: 'case.sla_breached',
    ...by(actors.system),
    clock: 'response',
    dueAt: DUE,
    ...o,
  }),
  residentInfoSupplemented: (o: Input<ResidentInfoSupplemented> = {}): ResidentInfoSupplemented => ({
    type: 'case.resident_info_supplemented',
    ...by(actors.resident),
    note: '补充：2 号电梯也有异响',
    attachments: [],
    ...o,
  }),
  contactRevealed: (o: Input<ContactRevealed> = {}): ContactRevealed => ({
    type: 'case.contact_revealed',
    ...by(actors.cadreA),
    reason: '回访前核对联系电话',
    ...o,
  }),
};

/** Histories that bring the case to each status by the shortest usual path. */
const submitted: readonly CaseEvent[] = [ev.submitted()];
const dispatched: readonly CaseEvent[] = [...submitted, ev.dispatched()];
const inHandling: readonly CaseEvent[] = [...dispatched, ev.accepted()];
const resolved: readonly CaseEvent[] = [...inHandling, ev.residentContacted(), ev.resolved()];

export const history = {
  submitted,
  dispatched,
  inHandling,
  returned: [...dispatched, ev.returned()],
  resolved,
  closed: [...resolved, ev.feedbackRecorded(), ev.closed()],
  withdrawn: [...dispatched, ev.withdrawn()],
  merged: [...dispatched, ev.mergedInto()],
} as const satisfies Record<string, readonly CaseEvent[]>;
