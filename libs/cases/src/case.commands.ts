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
import type { RoutingLocated } from './case.events';

/**
 * Every command names the case, the actor and the time: the decider never reads a clock, so
 * the time a cadre pressed the button is the time recorded. The ONE command base: the
 * application layer stamps it once per request and adds only what its command says.
 */
export interface CommandBase {
  readonly caseId: string;
  readonly actor: ActorRef;
  readonly at: Instant;
}

export interface SubmitCase extends CommandBase {
  readonly type: 'SubmitCase';
  /** Human-readable number for hotline and counter use, e.g. PC-20261127-000123. */
  readonly caseNumber: string;
  readonly channel: Channel;
  readonly resident: ResidentContact;
  readonly location: CaseLocation;
  /** Catalogue matter code (权责清单事项), when the channel knows it. */
  readonly matterCode?: string;
  /** Free category when no matter code is known. */
  readonly category?: string;
  readonly title: string;
  readonly description: string;
  readonly attachments: readonly AttachmentRef[];
}

export interface DispatchCase extends CommandBase {
  readonly type: 'DispatchCase';
  readonly ownerId: string;
  readonly ownerOrgUnit: string;
  /** Which routing rule chose the owner ('manual' for a dispatcher's choice). */
  readonly rule: string;
  /** Directory version the choice was made against, so a dispute can be settled from history. */
  readonly directoryVersion: number;
  readonly note?: string;
}

/**
 * What routing decided for a submitted or returned case (issued by the system at intake and
 * after a return, never over HTTP): a cadre to dispatch to, or a queue where people choose.
 */
export interface RouteCase extends CommandBase {
  readonly type: 'RouteCase';
  readonly target:
    | { readonly kind: 'cadre'; readonly cadreId: string; readonly orgUnit: string }
    | { readonly kind: 'queue'; readonly orgUnit: string };
  readonly rule: string;
  readonly directoryVersion: number;
  readonly catalogueVersion: number;
  readonly located: RoutingLocated;
  readonly passed: readonly string[];
}

export interface AcceptCase extends CommandBase {
  readonly type: 'AcceptCase';
}

export interface ReturnCase extends CommandBase {
  readonly type: 'ReturnCase';
  readonly reason: string;
}

export interface RecordResidentContact extends CommandBase {
  readonly type: 'RecordResidentContact';
  readonly method: ContactMethod;
  readonly note: string;
}

export interface RecordHandlingStep extends CommandBase {
  readonly type: 'RecordHandlingStep';
  readonly note: string;
  readonly attachments: readonly AttachmentRef[];
}

export interface ReferStep extends CommandBase {
  readonly type: 'ReferStep';
  /** Chosen by the caller (UUID) so a retried referral is recognised. */
  readonly referralId: string;
  readonly target: ReferralTarget;
  readonly toOrgUnit: string;
  readonly request: string;
}

export interface CompleteReferral extends CommandBase {
  readonly type: 'CompleteReferral';
  readonly referralId: string;
  readonly outcome: string;
}

export interface SuspendCase extends CommandBase {
  readonly type: 'SuspendCase';
  readonly reason: string;
}

export interface ResumeCase extends CommandBase {
  readonly type: 'ResumeCase';
  readonly reason: string;
}

export interface HandOverCase extends CommandBase {
  readonly type: 'HandOverCase';
  readonly toCadreId: string;
  readonly toOrgUnit: string;
  readonly reason: string;
  /**
   * When the offer lapses unanswered: the command's time plus the HAND_OVER_EXPIRES_AFTER_HOURS
   * setting, worked out by the application (the decider reads no clock and no setting).
   */
  readonly expiresAt: Instant;
}

/** The owner takes back the hand-over they offered before anyone answered it (撤回移交). */
export interface WithdrawHandOver extends CommandBase {
  readonly type: 'WithdrawHandOver';
  readonly reason: string;
}

/** The system's timer: a pending hand-over's time ran out (issued by the SLA watcher). */
export interface ExpireHandOver extends CommandBase {
  readonly type: 'ExpireHandOver';
}

export interface ResolveCase extends CommandBase {
  readonly type: 'ResolveCase';
  readonly summary: string;
}

export interface RecordFeedback extends CommandBase {
  readonly type: 'RecordFeedback';
  readonly satisfaction: Satisfaction;
  readonly solved: boolean;
  readonly comment?: string;
}

export interface CloseCase extends CommandBase {
  readonly type: 'CloseCase';
}

export interface ReopenCase extends CommandBase {
  readonly type: 'ReopenCase';
  readonly reason: string;
}

export interface WithdrawCase extends CommandBase {
  readonly type: 'WithdrawCase';
  readonly reason: string;
}

export interface MergeCase extends CommandBase {
  readonly type: 'MergeCase';
  /** The case this one duplicates. */
  readonly intoCaseId: string;
  readonly reason: string;
}

export interface SuperviseCase extends CommandBase {
  readonly type: 'SuperviseCase';
  readonly instruction: string;
}

export interface GrantExtension extends CommandBase {
  readonly type: 'GrantExtension';
  readonly clock: SlaClock;
  readonly extraBusinessDays: number;
  readonly reason: string;
}

export interface RuleUnreasonable extends CommandBase {
  readonly type: 'RuleUnreasonable';
  readonly reason: string;
}

export interface RaiseSlaWarning extends CommandBase {
  readonly type: 'RaiseSlaWarning';
  readonly clock: AlertClock;
  readonly dueAt: Instant;
  /** The share of the time limit used (in (0, 1)): one warning per clock, deadline and threshold. */
  readonly threshold?: number;
}

export interface RecordSlaBreach extends CommandBase {
  readonly type: 'RecordSlaBreach';
  readonly clock: AlertClock;
  readonly dueAt: Instant;
}

export interface ExpireFeedbackWindow extends CommandBase {
  readonly type: 'ExpireFeedbackWindow';
}

/** The system's (the SLA watcher's): the clocks' due times as it computed them (ADR 0029). */
export interface SetDueTimes extends CommandBase {
  readonly type: 'SetDueTimes';
  readonly policyId: string;
  readonly calendarVersion: number | null;
  readonly cause: DueTimesCause;
  readonly clocks: readonly DueTime[];
}

/** The system's: a breach still unmet after its grace period goes to the street's supervisors. */
export interface EscalateCase extends CommandBase {
  readonly type: 'EscalateCase';
  readonly escalation: Escalation;
  readonly instruction: string;
}

export interface SupplementResidentInfo extends CommandBase {
  readonly type: 'SupplementResidentInfo';
  readonly note: string;
  readonly attachments: readonly AttachmentRef[];
  /**
   * The most supplements a case takes (a setting, CASE_MAX_SUPPLEMENTS): one more is refused. It
   * travels with the command, as the time does, so the rule stays in the pure decider.
   */
  readonly maxSupplements: number;
}

/**
 * Show the resident's full phone number to the caller (the owner cadre who phones back, the
 * channel that filed): a read, but a recorded one — who, when and why stay on the case's record.
 */
export interface RevealContact extends CommandBase {
  readonly type: 'RevealContact';
  readonly reason: string;
}

export type CaseCommand =
  | SubmitCase
  | DispatchCase
  | RouteCase
  | AcceptCase
  | ReturnCase
  | RecordResidentContact
  | RecordHandlingStep
  | ReferStep
  | CompleteReferral
  | SuspendCase
  | ResumeCase
  | HandOverCase
  | WithdrawHandOver
  | ExpireHandOver
  | ResolveCase
  | RecordFeedback
  | CloseCase
  | ReopenCase
  | WithdrawCase
  | MergeCase
  | SuperviseCase
  | GrantExtension
  | RuleUnreasonable
  | RaiseSlaWarning
  | RecordSlaBreach
  | ExpireFeedbackWindow
  | SetDueTimes
  | EscalateCase
  | SupplementResidentInfo
  | RevealContact;

export type CaseCommandType = CaseCommand['type'];

/** The command of one type: `CaseCommandOf<'DispatchCase'>` is `DispatchCase`. */
export type CaseCommandOf<T extends CaseCommandType> = Extract<CaseCommand, { readonly type: T }>;
