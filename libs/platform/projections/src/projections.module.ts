import {
  Inject,
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
import { EVENT_STORE, formatPosition, poolOf, type EventStore } from '@tongban/event-store';
import { maskPersonalDataInText } from '@tongban/logging';
import { HealthRegistry, MetricsRegistry } from '@tongban/http';
import type { AnyProjection } from './projection';
import { CommitListener, CommitNotifier, LocalCommitSignal } from './postgres/commit-notifications';
import { ReadModelConsistency } from './postgres/consistency';
import { ProjectionRunner, type ProjectionDriver, type RunnerStatus } from './postgres/projection-runner';
import { KafkaProjector, type KafkaProjectionSource } from './kafka/kafka-projector';
import { MESSAGE_BUS, registerConsumerMetrics, type MessageBus } from '@tongban/messaging';

import { PROJECTION_DRIVER, PROJECTIONS, REBUILD_EXCLUSION } from './projections.tokens';
import { ReadModelsAdminController } from './read-models-admin.controller';

export { PROJECTIONS };
/** In-process wake-up after each projection commit (standalone's consistency waits use it). */
const PROJECTION_COMMITS = Symbol('PROJECTION_COMMITS');
/**
 * How commits reach waiting queries in OTHER processes: the projector NOTIFYs, the api LISTENs on
 * a dedicated connection. Neither on a single-connection database (standalone, where the runner
 * and the queries share the process and PROJECTION_COMMITS is enough).
 */
const COMMIT_NOTIFIER = Symbol('COMMIT_NOTIFIER');
const COMMIT_LISTENER = Symbol('COMMIT_LISTENER');

const crossProcess = (config: AppConfig): boolean => config.env.DATABASE_POOL_SIZE > 1;

/** Opens the LISTEN connection with the app and closes it on shutdown. */
@Injectable()
class CommitListenerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(COMMIT_LISTENER) private readonly listener: CommitListener | null) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.listener?.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.listener?.close();
  }
}

/** Stops the notifier's pending NOTIFY before the pool closes. */
@Injectable()
class CommitNotifierLifecycle implements BeforeApplicationShutdown {
  constructor(@Inject(COMMIT_NOTIFIER) private readonly notifier: CommitNotifier | null) {}

  beforeApplicationShutdown(): void {
    this.notifier?.close();
  }
}

export interface ProjectionsModuleOptions {
  readonly projections: readonly AnyProjection[];
  /** Run them here (projector, standalone) or only read their tables (api). */
  readonly run: boolean;
  /**
   * Where a running projector takes events from: Kafka through its inbox (the projector
   * deployable, ADR 0030), or — without — the store's catch-up subscription (standalone).
   */
  readonly kafka?: KafkaProjectionSource;
}

@Injectable()
class ProjectionRunnerLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    @Inject(PROJECTION_DRIVER) private readonly runner: ProjectionDriver,
    private readonly health: HealthRegistry,
    metrics: MetricsRegistry,
  ) {
    if (runner instanceof KafkaProjector) registerConsumerMetrics(metrics.registry, runner.consumer);
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
    new Gauge({
      name: 'tongban_projection_stopped',
      help: '1 for a projection stopped alone at an event it cannot apply (the others go on)',
      labelNames: ['projection'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const p of runner.projections) {
          this.set({ projection: p.name }, status().stopped.some((s) => s.projection === p.name) ? 1 : 0);
        }
      },
    });
    new Counter({
      name: 'tongban_projection_stream_gaps',
      help: 'Events refused because their stream skipped a version (an event missing or out of order)',
      labelNames: ['projection'],
      registers: [metrics.registry],
      collect() {
        this.reset();
        for (const [projection, n] of Object.entries(status().gaps)) this.inc({ projection }, n);
      },
    });
    new Gauge({
      name: 'tongban_projection_consecutive_failures',
      help: 'Failed batches since the last one that committed (alert when > 0 for minutes)',
      registers: [metrics.registry],
      collect() {
        this.set(status().consecutiveFailures);
      },
    });
    // One scrape reads the lag once for both gauges.
    let lagRead: Promise<{ events: number; seconds: number }> | undefined;
    const lag = () => {
      lagRead ??= runner.lag().finally(() => setImmediate(() => (lagRead = undefined)));
      return lagRead;
    };
    new Gauge({
      name: 'tongban_projection_lag_events',
      help: 'Visible events in the store that the read models have not applied yet',
      registers: [metrics.registry],
      async collect() {
        this.set((await lag()).events);
      },
    });
    new Gauge({
      name: 'tongban_projection_lag_seconds',
      help: 'Age of the oldest event the read models have not applied yet (0 when caught up)',
      registers: [metrics.registry],
      async collect() {
        this.set((await lag()).seconds);
      },
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    this.health.register({
      name: 'projections',
      check: () => {
        const status = this.runner.status;
        const problem = stuckReason(status);
        if (problem) return Promise.reject(new Error(problem));
        const degraded = stoppedReason(status);
        return Promise.resolve(degraded ? { degraded } : undefined);
      },
    });
    await this.runner.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}

/**
 * Failed batches in a row before readiness turns red: one or two are a passing blip (a dropped
 * connection, a deadlock retried), three — about 3.5 s of back-off — is an event or a table the
 * runner cannot get past.
 */
export const STUCK_AFTER_FAILURES = 3;

/** Why the runner cannot serve current read models, or undefined when it can. */
export function stuckReason(status: RunnerStatus): string | undefined {
  if (!status.running) return 'the projection runner is not running';
  if (status.stuck) return maskPersonalDataInText(status.stuck.slice(0, 300));
  if (status.consecutiveFailures < STUCK_AFTER_FAILURES) return undefined;
  const since = status.failingSince ? ` since ${status.failingSince.toISOString()}` : '';
  const error = maskPersonalDataInText((status.lastError ?? 'unknown error').slice(0, 300));
  return `stuck at position ${formatPosition(status.position)}${since}: ${status.consecutiveFailures} batches failed in a row; last error: ${error}`;
}

/**
 * Which projections are stopped alone, where and why, or undefined when none is: readiness then
 * says `degraded` (ADR 0017) — the others are current, so the deployable stays in service.
 */
export function stoppedReason(status: RunnerStatus): string | undefined {
  if (status.stopped.length === 0) return undefined;
  return status.stopped
    .map((s) => {
      const error = maskPersonalDataInText(s.error.slice(0, 300));
      return `${s.projection} stopped at position ${formatPosition(s.position)} since ${s.since.toISOString()} (${s.attempts} failed attempts, next retry ${s.nextRetryAt.toISOString()}): ${error}`;
    })
    .join('; ');
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
        {
          // A single-connection database (standalone's PGlite) has no connection to hold a lock
          // on, and one shared session in which advisory locks exclude nothing (ADR 0017).
          provide: REBUILD_EXCLUSION,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => (crossProcess(config) ? 'database' : 'process'),
        },
        { provide: PROJECTION_COMMITS, useValue: new LocalCommitSignal() },
        {
          provide: COMMIT_LISTENER,
          inject: [AppConfig],
          useFactory: (config: AppConfig): CommitListener | null => {
            if (options.run || !crossProcess(config)) return null;
            const logger = new Logger('ReadModelConsistency');
            return new CommitListener(
              { connectionString: config.databaseUrl },
              {
                onError: (error) =>
                  logger.warn(`LISTEN connection failed, polling meanwhile: ${error.message}`),
              },
            );
          },
        },
        CommitListenerLifecycle,
        {
          provide: ReadModelConsistency,
          inject: [DataSource, EVENT_STORE, PROJECTION_COMMITS, COMMIT_LISTENER, AppConfig],
          useFactory: (
            dataSource: DataSource,
            store: EventStore,
            local: LocalCommitSignal,
            listener: CommitListener | null,
            config: AppConfig,
          ) => {
            const commits = options.run ? local : listener;
            return new ReadModelConsistency({
              pool: poolOf(dataSource),
              store,
              ...(commits ? { commits, pollIntervalMs: config.env.READ_MODEL_POLL_MS } : {}),
            });
          },
        },
        ...(options.run
          ? [
              {
                provide: COMMIT_NOTIFIER,
                inject: [DataSource, AppConfig],
                useFactory: (dataSource: DataSource, config: AppConfig): CommitNotifier | null => {
                  if (!crossProcess(config)) return null;
                  const logger = new Logger('Projections');
                  return new CommitNotifier(poolOf(dataSource), (error) =>
                    logger.warn(`NOTIFY after a projection commit failed: ${error.message}`),
                  );
                },
              },
              CommitNotifierLifecycle,
              {
                provide: PROJECTION_DRIVER,
                inject: [
                  DataSource,
                  EVENT_STORE,
                  PROJECTION_COMMITS,
                  COMMIT_NOTIFIER,
                  AppConfig,
                  { token: MESSAGE_BUS, optional: true },
                ],
                useFactory: (
                  dataSource: DataSource,
                  store: EventStore,
                  local: LocalCommitSignal,
                  notifier: CommitNotifier | null,
                  config: AppConfig,
                  bus: MessageBus | undefined,
                ): ProjectionDriver => {
                  const logger = new Logger('Projections');
                  if (options.kafka) {
                    if (!bus)
                      throw new Error('Projections from Kafka need TongbanMessagingModule.forKafka()');
                    return new KafkaProjector({
                      ...options.kafka,
                      // Topics and group under the deployment's prefix.
                      prefix: config.env.KAFKA_TOPIC_PREFIX,
                      pool: poolOf(dataSource),
                      bus,
                      projections: options.projections,
                      store,
                      committed: (positions) => {
                        local.committed(positions);
                        notifier?.notify(positions);
                      },
                      log: (level, message) =>
                        level === 'error' ? logger.error(message) : logger.warn(message),
                    });
                  }
                  return new ProjectionRunner({
                    pool: poolOf(dataSource),
                    store,
                    projections: options.projections,
                    batchSize: config.env.PROJECTION_BATCH_SIZE,
                    commits: {
                      notify: (positions) => {
                        local.committed(positions);
                        notifier?.notify(positions);
                      },
                    },
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
      exports: [PROJECTIONS, ReadModelConsistency, ...(options.run ? [PROJECTION_DRIVER] : [])],
    };
  }
}
