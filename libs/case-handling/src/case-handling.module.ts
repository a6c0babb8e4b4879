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
import { HandleCaseCommandHandler } from './handle-case-command';
import { CaseActions } from './http/case-actions';
import { CaseActionsController } from './http/case-actions.controller';
import { CasesController } from './http/cases.controller';
import { RevealContactController } from './reveal-contact/reveal-contact.controller';
import { directoryLookupProvider } from './routing-targets/directory-lookup.provider';
import { SubmitCaseHandler } from './submit-case/submit-case.command';

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
 * The case-handling application: intake, every action on a case, and the audit history, over the
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
    } = {},
  ): DynamicModule {
    const { clock, directory, ...rest } = options;
    return {
      module: CaseHandlingModule,
      imports: [CqrsModule.forRoot()],
      controllers: [CasesController, CaseActionsController, RevealContactController],
      providers: [
        {
          provide: CASE_HANDLING_OPTIONS,
          inject: [AppConfig],
          useFactory: (config: AppConfig): CaseHandlingOptions => ({
            ...DEFAULT_CASE_HANDLING_OPTIONS,
            maxSupplementsPerCase: config.env.CASE_MAX_SUPPLEMENTS,
            ...rest,
          }),
        },
        { provide: CLOCK, useValue: clock ?? systemClock },
        directoryLookupProvider(directory),
        HandleCaseCommandHandler,
        SubmitCaseHandler,
        CaseActions,
        WritePathReadiness,
      ],
    };
  }
}
