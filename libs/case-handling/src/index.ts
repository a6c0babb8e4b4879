export { CaseHandlingModule } from './case-handling.module';
export {
  CASE_ACCESS_POLICY,
  CASE_ACCESS_RULES,
  CaseActionNotAllowedError,
  authorize,
  canSee,
  relationsOf,
  type AccessRule,
  type CaseAction,
  type CaseRead,
  type CaseRelation,
  type Caller,
} from './access/case-access.policy';
export { CASE_RELATIONS, rolesOf } from './access/case-relation';
export { renderAccessPolicy } from './access/access-policy.document';
export { MergeTargetNotFoundError, MergeTargetNotOpenError } from './merge-case/merge-target';
export {
  TargetNotInUnitError,
  TargetOutOfScopeError,
  TargetAbsentError,
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
export {
  CaseCommandMessage,
  CaseVersionConflictError,
  type CaseCommandClass,
  type CaseCommandResult,
} from './case-command/case-command';
export { RaiseSlaWarningCommand } from './raise-sla-warning/raise-sla-warning.command';
export { RecordSlaBreachCommand } from './record-sla-breach/record-sla-breach.command';
export { ExpireFeedbackWindowCommand } from './expire-feedback-window/expire-feedback-window.command';
export { SetDueTimesCommand } from './set-due-times/set-due-times.command';
export { EscalateCaseCommand } from './escalate-case/escalate-case.command';
export { ExpireHandOverCommand } from './expire-hand-over/expire-hand-over.command';
export { actorOf } from './http/case-action.route';
export { CaseRouter, ROUTER, routeCaseCommand } from './route-case/case-router';
export { SubmitCaseCommand, type SubmitCaseResult } from './submit-case/submit-case.command';
export { CaseIntake1764201600000 } from './submit-case/case-intake.migration';
export { isValidResidentIdNumber } from './http/validators';
export { CASE_CODES_NOT_OVER_HTTP, caseProblems } from './http/case-problems';
export { deterministicUuid } from './deterministic-id';
export { localDay } from './submit-case/case-number-blocks';
export {
  DEMO_DATASET,
  demoRotaStart,
  seedDirectory,
  type SeedOutcome,
  type SeedReport,
} from './directory/directory-seed';
export { StoredDirectory, type StoredChange } from './directory/stored-directory';
export { StoredCalendar, type StoredLoad } from './calendar/stored-calendar';
export {
  CALENDAR_CLOCK,
  calendarClockProvider,
  shippedCalendarClock,
  type CalendarClock,
} from './calendar/calendar-clock.provider';
export {
  CALENDAR_STREAM,
  CALENDAR_YEAR_LOADED,
  type CalendarEvent,
  type CalendarStamp,
  type CalendarYearLoaded,
} from './calendar/calendar.events';
export {
  decideLoad,
  evolveCalendar,
  initialCalendarState,
  type CalendarState,
  type YearInForce,
  type YearLoad,
} from './calendar/calendar-load.decider';
export {
  CALENDAR_LOAD_ERROR_KINDS,
  CalendarLoadError,
  type CalendarLoadErrorCode,
} from './calendar/calendar-load.errors';
export { CASE_DIRECTORY, fixedDirectory, type CaseDirectory } from './directory/case-directory';
export { toStoredEvent, fromStoredEvent, type CommandContext } from './case-event-mapping';

export {
  SlaWatchRetime1765238400000,
  SlaWatchRulesVersions1764979200000,
  SlaWatchSchedule1764806400000,
} from './sla-watch/sla-watch.migration';
export { SlaWatcher, type SlaCommandSender, type SlaWatcherSettings } from './sla-watch/sla-watcher';
export { SlaSchedule, type ScheduleStats } from './sla-watch/sla-schedule';
export {
  DEFAULT_SLA_POLICY,
  SLA_WATCHER_ACTOR,
  policyOf,
  scheduleEntry,
  timerCommands,
  type SlaTimerCommand,
} from './sla-watch/sla-timers';
export { SlaWatchService } from './sla-watch/sla-watch.service';

import { CaseIntake1764201600000 } from './submit-case/case-intake.migration';
import {
  SlaWatchRetime1765238400000,
  SlaWatchRulesVersions1764979200000,
  SlaWatchSchedule1764806400000,
} from './sla-watch/sla-watch.migration';
/** TypeORM migrations this context needs; pass them to TongbanDatabaseModule.forRoot. */
export const CASE_HANDLING_MIGRATIONS = [CaseIntake1764201600000];
/** The SLA watcher's schedule: for the deployables that run it (`slaWatch: true`). */
export const SLA_WATCH_MIGRATIONS = [
  SlaWatchSchedule1764806400000,
  SlaWatchRulesVersions1764979200000,
  SlaWatchRetime1765238400000,
];
