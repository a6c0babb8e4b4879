import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfig } from '@tongban/config';
import { CASE_EVENTS_SOURCE } from '@tongban/contracts';
import { TongbanProjectionsModule } from '@tongban/projections';
import { CadreWorkloadController } from './cadre-workload/cadre-workload.controller';
import { CadreWorkloadReads } from './cadre-workload/cadre-workload.reads';
import { CaseHistoryController } from './case-history/case-history.controller';
import { KpiController, KpiCsvController } from './kpi/kpi.controller';
import { KpiReads } from './kpi/kpi.reads';
import { catalogueMatterCategoriesProvider } from './kpi/matter-categories';
import { CASE_PROJECTIONS } from './projections';
import { CaseQueriesController, WorkQueuesController } from './queries/case-queries.controller';
import { CaseReads, READ_MODEL_WAIT_MS } from './queries/case-reads';
import { queryCalendarClockProvider } from './queries/query-time';

export interface CaseReadModelsOptions {
  /** Keep the read models up to date in this process (projector, standalone). */
  readonly runProjections: boolean;
  /** Serve the query API (api, standalone). */
  readonly serveQueries: boolean;
  /**
   * Where running projections take the case events from: `kafka` (the projector deployable:
   * `tongban.case-events.v1` through the inbox, ADR 0030) or `store` (standalone: the store's
   * catch-up subscription). Default `store`.
   */
  readonly source?: 'store' | 'kafka';
}

/**
 * The case read models: their projections and, where asked, the query API over them. Needs
 * TongbanDatabaseModule with CASE_READ_MODEL_MIGRATIONS and TongbanEventStoreModule.
 */
@Module({})
export class CaseReadModelsModule {
  static forRoot(options: CaseReadModelsOptions): DynamicModule {
    return {
      module: CaseReadModelsModule,
      imports: [
        TongbanProjectionsModule.forRoot({
          projections: CASE_PROJECTIONS,
          run: options.runProjections,
          ...(options.source === 'kafka' ? { kafka: { ...CASE_EVENTS_SOURCE, consumer: 'projector' } } : {}),
        }),
      ],
      controllers: options.serveQueries
        ? [
            CaseQueriesController,
            CaseHistoryController,
            WorkQueuesController,
            CadreWorkloadController,
            KpiController,
            KpiCsvController,
          ]
        : [],
      providers: options.serveQueries
        ? [
            {
              provide: READ_MODEL_WAIT_MS,
              inject: [AppConfig],
              useFactory: (config: AppConfig) => config.env.READ_MODEL_WAIT_MS,
            },
            queryCalendarClockProvider,
            CaseReads,
            CadreWorkloadReads,
            KpiReads,
            catalogueMatterCategoriesProvider,
          ]
        : [],
    };
  }
}
