export { CaseHandlingModule } from './case-handling.module';
export {
  CASE_ACCESS_POLICY,
  CaseActionNotAllowedError,
  authorize,
  canSee,
  relationsOf,
  type CaseAction,
  type CaseRead,
  type CaseRelation,
  type Caller,
} from './access/case-access.policy';
export { MergeTargetNotFoundError, MergeTargetNotOpenError } from './access/merge-target';
export {
  TargetNotInUnitError,
  TargetOutOfScopeError,
  TargetWrongKindError,
  UnknownTargetError,
  checkRoutingTargets,
} from './routing-targets/routing-targets.check';
export { DIRECTORY_LOOKUP, directoryLookupProvider } from './routing-targets/directory-lookup.provider';
export {
  demoDirectoryLookup,
  formatDirectoryLookup,
  interimDirectoryLookup,
} from './routing-targets/interim-directory.lookup';
export { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from './case-handling.options';
export { CLOCK, type Clock, systemClock } from './clock';
export { HandleCaseCommand, CaseVersionConflictError, type CaseCommandResult } from './handle-case-command';
export { SubmitCaseCommand, type SubmitCaseResult } from './submit-case/submit-case.command';
export { CaseIntake1764201600000 } from './submit-case/case-intake.migration';
export { isValidResidentIdNumber } from './http/validators';
export { caseProblems } from './http/case-problems';
export { deterministicUuid } from './deterministic-id';
export { toStoredEvent, fromStoredEvent, type CommandContext } from './case-event-mapping';

import { CaseIntake1764201600000 } from './submit-case/case-intake.migration';
/** TypeORM migrations this context needs; pass them to TongbanDatabaseModule.forRoot. */
export const CASE_HANDLING_MIGRATIONS = [CaseIntake1764201600000];
