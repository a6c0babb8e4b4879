import {
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { AppConfig } from '@tongban/config';
import { EVENT_STORE, LocalChangeSignal, poolOf, type EventStore } from '@tongban/event-store';
import { HealthRegistry, MetricsRegistry } from '@tongban/http';
import type { AnyProjection } from './projection';
import { ReadModelConsistency } from './postgres/consistency';
import { ProjectionRunner } from './postgres/projection-runner';

import { PROJECTIONS } from './projections.tokens';
import { ReadModelsAdminController } from './read-models-admin.controller';

export { PROJECTIONS };
/** In-process wake-up after each projection commit (standalone's consistency waits use it). */
const PROJECTION_COMMITS = Symbol('PROJECTION_COMMITS');

export interface ProjectionsModuleOptions {
  readonly projections: readonly AnyProjection[];
  /** Run them here (projector, standalone) or only read their tables (api). */
  readonly run: boolean;
}

@Injectable()
class ProjectionRunnerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly health: HealthRegistry,
    metrics: MetricsRegistry,
  ) {
    // prom-client calls collect() with the metric as `this`.
    const status = () => runner.status;
    new Gauge({
      name: 'tongban_projection_events_applied',
      help: 'Events applied to the read models by this process since it started',
      registers: [metrics.registry],
      collect() {
        this.set(status().eventsApplied);
      },
    });
    new Gauge({
      name: 'tongban_projection_caught_up',
      help: '1 when the read models have applied every visible event',
      registers: [metrics.registry],
      collect() {
        this.set(status().caughtUp ? 1 : 0);
      },
    });
    new Counter({
      name: 'tongban_projection_failures',
      help: 'Batches that failed and were retried from the checkpoints',
      registers: [metrics.registry],
      collect() {
        this.reset();
        this.inc(status().failures);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.health.register({
      name: 'projections',
      check: () => {
        const status = this.runner.status;
        if (!status.running) return Promise.reject(new Error('not running'));
        return Promise.resolve();
      },
    });
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

/**
 * The projection engine in a deployable: the consistency waits every query side needs and, with
 * `run: true`, the runner that keeps the read models up to date from the event store. Needs
 * TongbanDatabaseModule (with PROJECTION_MIGRATIONS and the read models' migrations) and
 * TongbanEventStoreModule.
 */
@Module({})
export class TongbanProjectionsModule {
  static forRoot(options: ProjectionsModuleOptions): DynamicModule {
    return {
      module: TongbanProjectionsModule,
      controllers: options.run ? [ReadModelsAdminController] : [],
      providers: [
        { provide: PROJECTIONS, useValue: options.projections },
        { provide: PROJECTION_COMMITS, useValue: new LocalChangeSignal() },
        {
          provide: ReadModelConsistency,
          inject: [DataSource, PROJECTION_COMMITS],
          useFactory: (dataSource: DataSource, commits: LocalChangeSignal) =>
            new ReadModelConsistency(poolOf(dataSource), options.run ? commits : undefined),
        },
        ...(options.run
          ? [
              {
                provide: ProjectionRunner,
                inject: [DataSource, EVENT_STORE, PROJECTION_COMMITS, AppConfig],
                useFactory: (
                  dataSource: DataSource,
                  store: EventStore,
                  commits: LocalChangeSignal,
                  config: AppConfig,
                ) => {
                  const logger = new Logger('Projections');
                  return new ProjectionRunner({
                    pool: poolOf(dataSource),
                    store,
                    projections: options.projections,
                    batchSize: config.env.PROJECTION_BATCH_SIZE,
                    commits,
                    logger: {
                      log: (m) => logger.log(m),
                      warn: (m) => logger.warn(m),
                      error: (m) => logger.error(m),
                    },
                  });
                },
              },
              ProjectionRunnerLifecycle,
            ]
          : []),
      ],
      exports: [PROJECTIONS, ReadModelConsistency, ...(options.run ? [ProjectionRunner] : [])],
    };
  }
}
