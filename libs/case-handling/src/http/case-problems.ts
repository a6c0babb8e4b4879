import { CASE_ERROR_KINDS, type CaseErrorCode } from '@tongban/cases';
import { EventTooLargeError, InvalidEventError } from '@tongban/event-store';
import { problemCodes, type ProblemCodes } from '@tongban/http';
import { CaseActionNotAllowedError } from '../access/case-access.policy';
import { CaseVersionConflictError } from '../case-command/case-command';
import {
  TargetNotInUnitError,
  TargetOutOfScopeError,
  TargetAbsentError,
  TargetWrongKindError,
  UnknownTargetError,
} from '../routing-targets/routing-targets.check';
import { InvalidHeaderError, PreconditionFailedError, PreconditionRequiredError } from './preconditions';

/** Some of the decider's codes, with their kinds from the one table in @tongban/cases. */
export const caseProblems = (...codes: readonly CaseErrorCode[]): ProblemCodes =>
  Object.fromEntries(codes.map((code) => [code, CASE_ERROR_KINDS[code]]));

/** Only SubmitCase meets these. */
const INTAKE_ONLY: readonly CaseErrorCode[] = ['case.already_exists', 'case.missing_field'];

/**
 * Only the system's own commands meet these (the SLA watcher's due times, its expiry of a
 * hand-over): no HTTP operation answers them.
 */
export const CASE_CODES_NOT_OVER_HTTP: readonly CaseErrorCode[] = [
  'case.invalid_due_times',
  'case.hand_over_not_expired',
];

/** The store refuses an event it cannot keep: defence behind the DTO limits, still a 4xx. */
const STORE_PROBLEMS = problemCodes(InvalidEventError, EventTooLargeError);

/**
 * What an action on an existing case can answer beyond the platform's own errors: the If-Match
 * rules, a version conflict, any refusal of the decider, and the store's limits.
 */
export const CASE_ACTION_PROBLEMS: ProblemCodes = problemCodes(
  caseProblems(
    ...(Object.keys(CASE_ERROR_KINDS) as CaseErrorCode[]).filter(
      (c) => !INTAKE_ONLY.includes(c) && !CASE_CODES_NOT_OVER_HTTP.includes(c),
    ),
  ),
  CaseActionNotAllowedError,
  PreconditionRequiredError,
  PreconditionFailedError,
  InvalidHeaderError,
  new CaseVersionConflictError('', 0, 0),
  STORE_PROBLEMS,
);

/**
 * What dispatch, hand-over and referral answer beyond the other actions: a target the directory
 * does not know, or not where the action may send the case (ADR 0012). Declared on those three
 * routes only, as the merge target's errors are on merge.
 */
export const CASE_TARGET_PROBLEMS: ProblemCodes = problemCodes(
  UnknownTargetError,
  TargetNotInUnitError,
  TargetWrongKindError,
  TargetOutOfScopeError,
  TargetAbsentError,
);

/** What intake can answer beyond the platform's own errors and the Idempotency-Key rules. */
export const CASE_INTAKE_PROBLEMS: ProblemCodes = problemCodes(
  caseProblems(...INTAKE_ONLY, 'case.missing_text'),
  STORE_PROBLEMS,
);
