import type { EventTopicSource } from '@tongban/messaging';
import { DynamicModule, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { AppConfig } from '@tongban/config';
import type { DirectoryLookup } from '@tongban/directory';
import { EVENT_STORE, type EventStore } from '@tongban/event-store';
import { HealthRegistry } from '@tongban/http';
import {
  CASE_HANDLING_OPTIONS,
  DEFAULT_CASE_HANDLING_OPTIONS,
  type CaseHandlingOptions,
} from './case-handling.options';
import { CLOCK, systemClock, type Clock } from './clock';
import { CaseWriter } from './case-command/case-writer';
import { CaseActionRunner } from './http/case-action.route';
import { directoryLookupProvider } from './routing-targets/directory-lookup.provider';
import { DirectoryDevUsers } from './directory/directory-dev-users';
import { StoredDirectory } from './directory/stored-directory';
import { StoredCalendar } from './calendar/stored-calendar';
import { calendarClockProvider } from './calendar/calendar-clock.provider';
import { CalendarAdminController } from './calendar-admin/calendar-admin.controller';
import { caseDirectoryProvider, routingDirectoryProvider } from './route-case/case-directory.provider';
import { CaseRouter } from './route-case/case-router';
import { FindOnePersonController } from './find-one-person/find-one-person.controller';
import { CatalogueAdminController } from './directory-admin/catalogue-admin.controller';
import { DirectoryAdminController } from './directory-admin/directory-admin.controller';
import { DirectoryChangeRunner } from './directory-admin/directory-change.runner';
import { DirectoryStatusController } from './directory-admin/directory-status.controller';
import { AcceptCaseHandler } from './accept-case/accept-case.command';
import { AcceptCaseController } from './accept-case/accept-case.controller';
import { CloseCaseHandler } from './close-case/close-case.command';
import { CloseCaseController } from './close-case/close-case.controller';
import { CompleteReferralHandler } from './complete-referral/complete-referral.command';
import { CompleteReferralController } from './complete-referral/complete-referral.controller';
import { DispatchCaseHandler } from './dispatch-case/dispatch-case.command';
import { DispatchCaseController } from './dispatch-case/dispatch-case.controller';
import { EscalateCaseHandler } from './escalate-case/escalate-case.command';
import { ExpireFeedbackWindowHandler } from './expire-feedback-window/expire-feedback-window.command';
import { ExpireHandOverHandler } from './expire-hand-over/expire-hand-over.command';
import { GrantExtensionHandler } from './grant-extension/grant-extension.command';
import { GrantExtensionController } from './grant-extension/grant-extension.controller';
import { HandOverCaseHandler } from './hand-over-case/hand-over-case.command';
import { HandOverCaseController } from './hand-over-case/hand-over-case.controller';
import { MergeCaseHandler } from './merge-case/merge-case.command';
import { MergeCaseController } from './merge-case/merge-case.controller';
import { RaiseSlaWarningHandler } from './raise-sla-warning/raise-sla-warning.command';
import { RecordFeedbackHandler } from './record-feedback/record-feedback.command';
import { RecordFeedbackController } from './record-feedback/record-feedback.controller';
import { RecordHandlingStepHandler } from './record-handling-step/record-handling-step.command';
import { RecordHandlingStepController } from './record-handling-step/record-handling-step.controller';
import { RecordResidentContactHandler } from './record-resident-contact/record-resident-contact.command';
import { RecordResidentContactController } from './record-resident-contact/record-resident-contact.controller';
import { RecordSlaBreachHandler } from './record-sla-breach/record-sla-breach.command';
import { SetDueTimesHandler } from './set-due-times/set-due-times.command';
import { ReferStepHandler, ReferToCatalogueUnitHandler } from './refer-step/refer-step.command';
import { ReferStepController } from './refer-step/refer-step.controller';
import { ReopenCaseHandler } from './reopen-case/reopen-case.command';
import { ReopenCaseController } from './reopen-case/reopen-case.controller';
import { ResolveCaseHandler } from './resolve-case/resolve-case.command';
import { ResolveCaseController } from './resolve-case/resolve-case.controller';
import { ResumeCaseHandler } from './resume-case/resume-case.command';
import { ResumeCaseController } from './resume-case/resume-case.controller';
import { ReturnCaseHandler } from './return-case/return-case.command';
import { ReturnCaseController } from './return-case/return-case.controller';
import { RevealContactHandler } from './reveal-contact/reveal-contact.command';
import { RevealContactController } from './reveal-contact/reveal-contact.controller';
import { RuleUnreasonableHandler } from './rule-unreasonable/rule-unreasonable.command';
import { RuleUnreasonableController } from './rule-unreasonable/rule-unreasonable.controller';
import { SubmitCaseHandler } from './submit-case/submit-case.command';
import { SubmitCaseController } from './submit-case/submit-case.controller';
import { SuperviseCaseHandler } from './supervise-case/supervise-case.command';
import { SuperviseCaseController } from './supervise-case/supervise-case.controller';
import { SupplementResidentInfoHandler } from './supplement-resident-info/supplement-resident-info.command';
import { SupplementResidentInfoController } from './supplement-resident-info/supplement-resident-info.controller';
import { SuspendCaseHandler } from './suspend-case/suspend-case.command';
import { SuspendCaseController } from './suspend-case/suspend-case.controller';
import { WithdrawCaseHandler } from './withdraw-case/withdraw-case.command';
import { WithdrawCaseController } from './withdraw-case/withdraw-case.controller';
import { WithdrawHandOverHandler } from './withdraw-hand-over/withdraw-hand-over.command';
import { WithdrawHandOverController } from './withdraw-hand-over/withdraw-hand-over.controller';
import { SLA_WATCH_SOURCE, SlaWatchService } from './sla-watch/sla-watch.service';

/**
 * One folder per use case (ADR 0015): its route, request DTO, command and handler, and its row of
 * the access policy. The SLA timers have no route: the system issues them.
 */
const USE_CASE_CONTROLLERS = [
  AcceptCaseController,
  CloseCaseController,
  CompleteReferralController,
  DispatchCaseController,
  GrantExtensionController,
  HandOverCaseController,
  MergeCaseController,
  RecordFeedbackController,
  RecordHandlingStepController,
  RecordResidentContactController,
  ReferStepController,
  ReopenCaseController,
  ResolveCaseController,
  ResumeCaseController,
  ReturnCaseController,
  RevealContactController,
  RuleUnreasonableController,
  SubmitCaseController,
  SuperviseCaseController,
  SupplementResidentInfoController,
  SuspendCaseController,
  WithdrawCaseController,
  WithdrawHandOverController,
];
const USE_CASE_HANDLERS = [
  AcceptCaseHandler,
  CloseCaseHandler,
  CompleteReferralHandler,
  DispatchCaseHandler,
  ExpireFeedbackWindowHandler,
  EscalateCaseHandler,
  ExpireHandOverHandler,
  GrantExtensionHandler,
  HandOverCaseHandler,
  MergeCaseHandler,
  RaiseSlaWarningHandler,
  RecordFeedbackHandler,
  RecordHandlingStepHandler,
  RecordResidentContactHandler,
  RecordSlaBreachHandler,
  SetDueTimesHandler,
  ReferStepHandler,
  ReferToCatalogueUnitHandler,
  ReopenCaseHandler,
  ResolveCaseHandler,
  ResumeCaseHandler,
  ReturnCaseHandler,
  RevealContactHandler,
  RuleUnreasonableHandler,
  SubmitCaseHandler,
  SuperviseCaseHandler,
  SupplementResidentInfoHandler,
  SuspendCaseHandler,
  WithdrawCaseHandler,
  WithdrawHandOverHandler,
];

/**
 * Readiness of the command side: "the database answers SELECT 1" is not "a command can be
 * stored", so the store's own append runs as a probe and is rolled back.
 */
@Injectable()
class WritePathReadiness implements OnModuleInit {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register({ name: 'write-path', check: () => this.store.checkWritePath() });
  }
}

/**
 * The case-handling application: intake and every action on a case, over the
 * pure decider and the event store. Needs TongbanDatabaseModule (with CASE_HANDLING_MIGRATIONS)
 * and TongbanEventStoreModule in the same application.
 */
@Module({})
export class CaseHandlingModule {
  static forRoot(
    options: Partial<CaseHandlingOptions> & {
      clock?: Clock;
      /** Targets of dispatch, hand-over and referral are checked against it (ADR 0012). */
      directory?: DirectoryLookup;
      /**
       * Serve the case routes and the admin API (default). The SLA watcher deployable turns it
       * off: it issues commands through the bus and serves /health and /metrics only.
       */
      routes?: boolean;
      /**
       * Run the SLA watcher in this process (ADR 0028; needs SLA_WATCH_MIGRATIONS): standalone
       * feeds it from the store (`true`), apps/sla-watcher from a Kafka topic through an inbox
       * (`{ kafka }`, ADR 0030; needs INBOX_MIGRATIONS and a message bus).
       */
      slaWatch?: boolean | { readonly kafka: EventTopicSource };
    } = {},
  ): DynamicModule {
    const { clock, directory, routes = true, slaWatch = false, ...rest } = options;
    return {
      module: CaseHandlingModule,
      imports: [CqrsModule.forRoot()],
      controllers: routes
        ? [
            ...USE_CASE_CONTROLLERS,
            FindOnePersonController,
            DirectoryStatusController,
            DirectoryAdminController,
            CatalogueAdminController,
            CalendarAdminController,
          ]
        : [],
      providers: [
        {
          provide: CASE_HANDLING_OPTIONS,
          inject: [AppConfig],
          useFactory: (config: AppConfig): CaseHandlingOptions => ({
            ...DEFAULT_CASE_HANDLING_OPTIONS,
            maxSupplementsPerCase: config.env.CASE_MAX_SUPPLEMENTS,
            handOverExpiresAfterHours: config.env.HAND_OVER_EXPIRES_AFTER_HOURS,
            ...rest,
          }),
        },
        { provide: CLOCK, useValue: clock ?? systemClock },
        StoredDirectory,
        DirectoryChangeRunner,
        StoredCalendar,
        calendarClockProvider,
        caseDirectoryProvider(),
        DirectoryDevUsers,
        routingDirectoryProvider,
        directoryLookupProvider(directory),
        CaseRouter,
        CaseWriter,
        CaseActionRunner,
        ...USE_CASE_HANDLERS,
        WritePathReadiness,
        ...(slaWatch
          ? [
              SlaWatchService,
              { provide: SLA_WATCH_SOURCE, useValue: slaWatch === true ? null : slaWatch.kafka },
            ]
          : []),
      ],
    };
  }
}
