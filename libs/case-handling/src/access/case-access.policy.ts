import { TongbanError } from '@tongban/errors';
import { principalUnit, type OrgUnit } from '@tongban/security';
import {
  CaseError,
  type ActorRef,
  type CaseCommand,
  type CaseErrorCode,
  type CaseState,
  type ExistingCase,
} from '@tongban/cases';
import { ACCEPT_CASE_ACCESS } from '../accept-case/accept-case.policy';
import { CLOSE_CASE_ACCESS } from '../close-case/close-case.policy';
import { COMPLETE_REFERRAL_ACCESS } from '../complete-referral/complete-referral.policy';
import { DISPATCH_CASE_ACCESS } from '../dispatch-case/dispatch-case.policy';
import { GRANT_EXTENSION_ACCESS } from '../grant-extension/grant-extension.policy';
import { HAND_OVER_CASE_ACCESS } from '../hand-over-case/hand-over-case.policy';
import { MERGE_CASE_ACCESS } from '../merge-case/merge-case.policy';
import { RECORD_FEEDBACK_ACCESS } from '../record-feedback/record-feedback.policy';
import { RECORD_HANDLING_STEP_ACCESS } from '../record-handling-step/record-handling-step.policy';
import { RECORD_RESIDENT_CONTACT_ACCESS } from '../record-resident-contact/record-resident-contact.policy';
import { REFER_STEP_ACCESS } from '../refer-step/refer-step.policy';
import { REOPEN_CASE_ACCESS } from '../reopen-case/reopen-case.policy';
import { RESOLVE_CASE_ACCESS } from '../resolve-case/resolve-case.policy';
import { RESUME_CASE_ACCESS } from '../resume-case/resume-case.policy';
import { RETURN_CASE_ACCESS } from '../return-case/return-case.policy';
import { REVEAL_CONTACT_ACCESS } from '../reveal-contact/reveal-contact.policy';
import { RULE_UNREASONABLE_ACCESS } from '../rule-unreasonable/rule-unreasonable.policy';
import { SUPERVISE_CASE_ACCESS } from '../supervise-case/supervise-case.policy';
import { SUPPLEMENT_RESIDENT_INFO_ACCESS } from '../supplement-resident-info/supplement-resident-info.policy';
import { SUSPEND_CASE_ACCESS } from '../suspend-case/suspend-case.policy';
import { WITHDRAW_CASE_ACCESS } from '../withdraw-case/withdraw-case.policy';
import { WITHDRAW_HAND_OVER_ACCESS } from '../withdraw-hand-over/withdraw-hand-over.policy';
import { READ_CASE_ACCESS, READ_HISTORY_ACCESS } from './case-reads.policy';
import type { AccessRule, CaseAction, CaseRead, CaseRelation } from './case-relation';

export type { AccessRule, CaseAction, CaseRead, CaseRelation } from './case-relation';

/**
 * WHO MAY DO WHAT TO WHICH CASE — the one access policy of the case context (issue 10, ADR 0011).
 *
 * Every command and every single-case read is decided here, from the caller (role, id, org
 * unit) and the case as replayed, BEFORE the case's state is looked at: a case outside the
 * caller's scope answers exactly as a case that does not exist (404 `case.not_found`), and a
 * refused command appends nothing. Inside the scope, an action the caller's relation to the case
 * does not allow is 403 `case.action_not_allowed`; only then do If-Match and the decider's state
 * rules speak.
 *
 * The list queries apply the SQL form of `canSee` (`applyCaseScope` in @tongban/case-read-models); a
 * differential test over generated cases and callers keeps the two equal.
 */

/**
 * THE TABLE: every operation's row, each kept in its use case's folder (`<use-case>.policy.ts`)
 * and listed here, so the whole policy reads in one place (and in docs/access-policy.md, which
 * a test keeps equal to it). A row lists every relation that allows the operation; anything
 * else is refused. Least privilege: owner-only work is the owner's; feedback is the resident's
 * (or the channel that filed for them), never the cadre who resolved; supervision stays within
 * the street. A missing row does not compile.
 */
export const CASE_ACCESS_RULES: { readonly [O in CaseAction | CaseRead]: AccessRule<O> } = {
  ReadCase: READ_CASE_ACCESS,
  ReadHistory: READ_HISTORY_ACCESS,
  DispatchCase: DISPATCH_CASE_ACCESS,
  AcceptCase: ACCEPT_CASE_ACCESS,
  ReturnCase: RETURN_CASE_ACCESS,
  RecordResidentContact: RECORD_RESIDENT_CONTACT_ACCESS,
  RecordHandlingStep: RECORD_HANDLING_STEP_ACCESS,
  ReferStep: REFER_STEP_ACCESS,
  CompleteReferral: COMPLETE_REFERRAL_ACCESS,
  SuspendCase: SUSPEND_CASE_ACCESS,
  ResumeCase: RESUME_CASE_ACCESS,
  HandOverCase: HAND_OVER_CASE_ACCESS,
  WithdrawHandOver: WITHDRAW_HAND_OVER_ACCESS,
  ResolveCase: RESOLVE_CASE_ACCESS,
  CloseCase: CLOSE_CASE_ACCESS,
  SupplementResidentInfo: SUPPLEMENT_RESIDENT_INFO_ACCESS,
  WithdrawCase: WITHDRAW_CASE_ACCESS,
  RecordFeedback: RECORD_FEEDBACK_ACCESS,
  ReopenCase: REOPEN_CASE_ACCESS,
  SuperviseCase: SUPERVISE_CASE_ACCESS,
  GrantExtension: GRANT_EXTENSION_ACCESS,
  RuleUnreasonable: RULE_UNREASONABLE_ACCESS,
  MergeCase: MERGE_CASE_ACCESS,
  RevealContact: REVEAL_CONTACT_ACCESS,
};

/** The relations each operation allows: the table above, by operation. */
export const CASE_ACCESS_POLICY: Readonly<Record<CaseAction | CaseRead, readonly CaseRelation[]>> =
  Object.fromEntries(
    Object.entries(CASE_ACCESS_RULES).map(([operation, rule]) => [operation, rule.allowed]),
  ) as Record<CaseAction | CaseRead, readonly CaseRelation[]>;

/** The policy row a person's command falls under (a person never issues intake here, nor a timer). */
export function actionOf(command: CaseCommand): CaseAction {
  const type = command.type;
  if (
    type === 'SubmitCase' ||
    type === 'RouteCase' ||
    type === 'RaiseSlaWarning' ||
    type === 'RecordSlaBreach' ||
    type === 'ExpireFeedbackWindow' ||
    type === 'ExpireHandOver' ||
    type === 'SetDueTimes' ||
    type === 'EscalateCase'
  ) {
    throw new Error(`${type} is not an action a person takes on an existing case`);
  }
  return type;
}

/** The caller, as the command's actor records it. */
export type Caller = Pick<ActorRef, 'id' | 'role' | 'orgUnit'>;

/** A unit code covers itself and everything below it (`pc.gucheng` covers `pc.gucheng.taiyangcheng`). */
export function covers(unit: string, other: string): boolean {
  return other === unit || other.startsWith(`${unit}.`);
}

/**
 * The unit a supervisor or dispatcher acts for, parsed as the token verifier parses it (the
 * level is read from the code's format, never guessed), or undefined when it does not hold for
 * the role — which sees nothing then, as the SQL scope does.
 */
function actingUnit(caller: Caller): OrgUnit | undefined {
  if (caller.role === 'system') return undefined;
  return principalUnit({
    id: caller.id,
    role: caller.role,
    ...(caller.orgUnit ? { orgUnit: caller.orgUnit } : {}),
  });
}

/** A supervisor's or dispatcher's scope: the whole district, or what their street covers. */
function coversCase(caller: Caller, state: ExistingCase): boolean {
  const unit = actingUnit(caller);
  if (!unit) return false;
  return unit.level === 'district' || coversAny(unit.code, state.involvedUnits);
}

const coversAny = (unit: string, units: ReadonlySet<string>): boolean => {
  for (const u of units) if (covers(unit, u)) return true;
  return false;
};

/** Every relation `caller` has to the case. */
export function relationsOf(caller: Caller, state: ExistingCase): ReadonlySet<CaseRelation> {
  const relations = new Set<CaseRelation>();
  const unit = caller.orgUnit;
  const { submitter } = state;
  switch (caller.role) {
    case 'resident':
      if (submitter.role === 'resident' && submitter.id === caller.id) relations.add('submitting_resident');
      break;
    case 'channel':
      if (submitter.role === 'channel' && submitter.id === caller.id) relations.add('filing_channel');
      break;
    case 'cadre':
      if (unit && coversAny(unit, state.involvedUnits)) relations.add('cadre_in_scope');
      if (state.involvedCadres.has(caller.id)) relations.add('involved_cadre');
      if (
        state.status === 'dispatched' &&
        state.designatedOwnerId === caller.id &&
        unit === state.designatedOrgUnit
      ) {
        relations.add('designated_cadre');
      }
      if (
        state.status === 'in_handling' &&
        state.pendingHandOver?.toCadreId === caller.id &&
        unit === state.pendingHandOver.toOrgUnit
      ) {
        relations.add('hand_over_target');
      }
      if ('ownerId' in state && state.ownerId === caller.id) relations.add('owner');
      if (unit && referredTo(state, unit)) relations.add('referred_unit_staff');
      break;
    case 'office_staff':
      if (unit && referredTo(state, unit)) relations.add('referred_unit_staff');
      break;
    case 'dispatcher':
      if (coversCase(caller, state)) relations.add('dispatcher_in_scope');
      break;
    case 'supervisor':
      if (coversCase(caller, state)) relations.add('supervisor_in_scope');
      break;
    case 'admin':
    case 'system':
      break;
    default: {
      const unknown: never = caller.role;
      throw new Error(`No relations for role ${String(unknown)}`);
    }
  }
  return relations;
}

function referredTo(state: ExistingCase, unit: string): boolean {
  for (const r of state.referrals.values()) if (r.toOrgUnit === unit) return true;
  return false;
}

const allows = (operation: CaseAction | CaseRead, relations: ReadonlySet<CaseRelation>): boolean =>
  CASE_ACCESS_POLICY[operation].some((r) => relations.has(r));

/** May `caller` see the case at all? What the list queries' SQL scope must agree with. */
export function canSee(caller: Caller, state: CaseState): boolean {
  return state.status !== 'none' && allows('ReadCase', relationsOf(caller, state));
}

/** The caller sees the case, but no relation they have to it allows the operation. */
export class CaseActionNotAllowedError extends TongbanError {
  readonly code = 'case.action_not_allowed';
  readonly kind = 'forbidden';
}

/** Answers a case that does not exist and a case outside the caller's scope alike. */
export function caseNotFound(caseId: string): CaseError {
  return new CaseError('case.not_found', `Case ${caseId} does not exist.`);
}

/**
 * The first half of the verdict, before anything about the case's state or version is said:
 * returns the case when the caller may see it; throws `case.not_found` when it does not exist or
 * is outside the caller's scope (the same error, so ids cannot be probed).
 */
export function requireVisible(caller: Caller, caseId: string, state: CaseState): ExistingCase {
  if (state.status === 'none' || !allows('ReadCase', relationsOf(caller, state))) throw caseNotFound(caseId);
  return state;
}

/**
 * The second half, once the caller's version is known to be current: the relation the row names.
 * The refusal names the missing relation where the case vocabulary has a word for it
 * (`case.not_owner`…), else `case.action_not_allowed`.
 */
export function requireAllowed(
  operation: CaseAction | CaseRead,
  caller: Caller,
  caseId: string,
  state: ExistingCase,
): void {
  if (allows(operation, relationsOf(caller, state))) return;
  // Say what the caller lacks in the case's present situation: not the designated owner of a
  // dispatched case, not the one a pending hand-over is offered to.
  const row = CASE_ACCESS_POLICY[operation].filter((r) => couldHold(r, state));
  const code = row.map((r) => REFUSAL_CODES[r]).find((c) => c !== undefined);
  const message = `Your relation to case ${caseId} does not allow you to ${describe(operation)}.`;
  throw code ? new CaseError(code, message) : new CaseActionNotAllowedError(message);
}

/** Both halves at once, for reads and for callers with no version to check. */
export function authorize(
  operation: CaseAction | CaseRead,
  caller: Caller,
  caseId: string,
  state: CaseState,
): ExistingCase {
  const visible = requireVisible(caller, caseId, state);
  requireAllowed(operation, caller, caseId, visible);
  return visible;
}

/** Whether anyone could hold `relation` to the case as it is now. */
function couldHold(relation: CaseRelation, state: ExistingCase): boolean {
  if (relation === 'designated_cadre') return state.status === 'dispatched';
  if (relation === 'hand_over_target')
    return state.status === 'in_handling' && state.pendingHandOver !== null;
  if (relation === 'owner') return 'ownerId' in state;
  return true;
}

/** The case vocabulary's word for lacking a relation, where it has one. */
const REFUSAL_CODES: Partial<Record<CaseRelation, CaseErrorCode>> = {
  owner: 'case.not_owner',
  // The designated cadre is the owner-to-be: the decider's word for the others was "not owner".
  designated_cadre: 'case.not_owner',
  hand_over_target: 'case.not_offered_to_actor',
  referred_unit_staff: 'case.not_referral_unit',
  submitting_resident: 'case.not_case_resident',
};

/** 'GrantExtension' → 'grant extension', for messages. */
function describe(operation: CaseAction | CaseRead): string {
  return operation.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}
