import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { Gauge } from 'prom-client';
import { AppConfig } from '@tongban/config';
import { HealthRegistry, MetricsRegistry } from '@tongban/http';
import type { EventStore } from './event-store';
import { checkClusterContinuity } from './postgres/cluster-continuity';
import { describeBlocker, readHorizon, type HorizonStatus } from './postgres/horizon';
import { migrateEventStore } from './postgres/migrations';
import { PostgresEventStore } from './postgres/postgres-event-store';
import { EventStoreDbEventStore } from './eventstoredb/eventstoredb-event-store';

/** Nest injection token for the deployable's event store. */
export const EVENT_STORE = Symbol('EVENT_STORE');

/** The pg pool behind TypeORM (migrations, read models, intake claims). */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

/** The pool the store appends and reads on, when it has one of its own. */
const STORE_POOL = Symbol('EVENT_STORE_POOL');

@Injectable()
class EventStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(STORE_POOL) private readonly ownPool: Pool | null,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Schema first: the store is usable as soon as the module is. Safe across processes. Then the
   * cluster check: a store restored into another cluster is refused before anything is served.
   * On EventStoreDB neither applies (positions are the server's own log positions, not a
   * PostgreSQL cluster's transaction ids); the deployable starts only once the server takes an
   * append (the write-path probe), so a wrong or unreachable EVENTSTORE_URL stops it at once.
   */
  async onModuleInit(): Promise<void> {
    if (this.store instanceof EventStoreDbEventStore) {
      await checkEventStoreDbAtStart(this.store);
      return;
    }
    await migrateEventStore(poolOf(this.dataSource));
    await checkClusterContinuity(poolOf(this.dataSource));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.ownPool?.end();
  }
}

/**
 * Watches what holds the store's readers back (issue 11): /metrics shows how many committed
 * events wait and for how long, and the age of the transaction at the horizon; readiness turns
 * `degraded` (the deployable still serves) once events have waited longer than
 * EVENT_STORE_HORIZON_DEGRADED_SECONDS, and the log names the blocking backend once — pid,
 * application name, state, database, age, never its query. Standalone (one PGlite session) has
 * no other session to wait for.
 */
@Injectable()
class HorizonWatch implements OnModuleInit {
  private readonly logger = new Logger('EventStore');
  private reported: string | null = null;
  private reading: Promise<HorizonStatus> | undefined;

  constructor(
    @Inject(STORE_POOL) private readonly ownPool: Pool | null,
    private readonly health: HealthRegistry,
    private readonly metrics: MetricsRegistry,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const pool = this.ownPool;
    if (!pool) return;
    // One read serves a scrape's three gauges (and a readiness check running alongside).
    const read = (): Promise<HorizonStatus> =>
      (this.reading ??= readHorizon(pool).finally(() => setImmediate(() => (this.reading = undefined))));
    const gauge = (name: string, help: string, value: (h: HorizonStatus) => number): void => {
      new Gauge({
        name,
        help,
        registers: [this.metrics.registry],
        async collect() {
          this.set(value(await read()));
        },
      });
    };
    gauge(
      'tongban_event_store_held_events',
      'Committed events the readers cannot see yet: an older transaction in the cluster is still open',
      (h) => h.heldEvents,
    );
    gauge(
      'tongban_event_store_held_seconds',
      'How long the oldest committed event the readers cannot see yet has waited',
      (h) => h.heldSeconds,
    );
    gauge(
      'tongban_event_store_horizon_transaction_seconds',
      'Age of the transaction at the visibility horizon holding the readers back (0 when none is known)',
      (h) => (h.heldEvents > 0 ? (h.blocker?.ageSeconds ?? 0) : 0),
    );
    this.health.register({
      name: 'event-store-horizon',
      check: async () => {
        const horizon = await read();
        const limit = this.config.env.EVENT_STORE_HORIZON_DEGRADED_SECONDS;
        if (horizon.heldEvents === 0 || horizon.heldSeconds <= limit) {
          if (this.reported !== null) this.logger.log('The event store readers are no longer held back');
          this.reported = null;
          return;
        }
        const who = describeBlocker(horizon.blocker);
        const key = `${horizon.blocker?.kind}:${horizon.blocker?.pid ?? horizon.blocker?.name}`;
        if (this.reported !== key) {
          this.reported = key;
          this.logger.warn(
            `The event store readers are held back: ${horizon.heldEvents} committed events wait, the oldest ` +
              `${Math.round(horizon.heldSeconds)} s, behind ${who}. End or resolve that transaction ` +
              '(docs/operations.md, "A transaction holds the readers back").',
          );
        }
        return {
          degraded: `${horizon.heldEvents} committed events invisible to readers for up to ${Math.round(horizon.heldSeconds)} s, behind ${who}`,
        };
      },
    });
  }
}

/** The start-up check on EventStoreDB: the write-path probe, its failure naming the setting. */
export async function checkEventStoreDbAtStart(store: EventStore): Promise<void> {
  try {
    await store.checkWritePath();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `EVENT_STORE=eventstoredb, but the EventStoreDB at EVENTSTORE_URL does not take appends: ${reason} ` +
        '(check the address, TLS settings and credentials in EVENTSTORE_URL, and that the cluster has a leader).',
      { cause: error },
    );
  }
}

/**
 * The event store EVENT_STORE names (ADR 0020). `postgres`: the PostgreSQL event store on the
 * deployable's database, on a pool of its own (issue 11): its
 * sessions open with the `DATABASE_*_TIMEOUT_MS` limits whatever TypeORM does with its pool, and
 * a read model query holding TypeORM's connections never starves an append. Subscribers in other
 * processes wake through LISTEN on a dedicated connection. On a single-connection database
 * (standalone's PGlite) the store shares TypeORM's one connection and in-process wake-ups and
 * polling stand in for LISTEN. `eventstoredb`: the EventStoreDB adapter on EVENTSTORE_URL; the
 * PostgreSQL-only parts (schema, cluster continuity, the horizon watch) are then skipped.
 */
@Global()
@Module({
  providers: [
    {
      provide: STORE_POOL,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Pool | null => {
        if (config.env.EVENT_STORE !== 'postgres' || config.env.DATABASE_POOL_SIZE <= 1) return null;
        const pool = new Pool({
          connectionString: config.databaseUrl,
          max: config.env.DATABASE_POOL_SIZE,
          connectionTimeoutMillis: 5_000,
          application_name: `tongban-${config.app}-event-store`,
          options: config.databaseSessionOptions(),
        });
        // An idle connection the server ends (a restart, a failover, an operator) is dropped by
        // the pool and replaced on the next use; without a listener it would end the process.
        const logger = new Logger('EventStore');
        pool.on('error', (error) => logger.warn(`An idle event store connection ended: ${error.message}`));
        return pool;
      },
    },
    {
      provide: EVENT_STORE,
      inject: [DataSource, AppConfig, STORE_POOL],
      useFactory: (dataSource: DataSource, config: AppConfig, ownPool: Pool | null): EventStore => {
        const logger = new Logger('EventStore');
        if (config.env.EVENT_STORE === 'eventstoredb') {
          const url = config.env.EVENTSTORE_URL;
          // validateEnvironment refuses eventstoredb without a URL; this only keeps the types honest.
          if (url === undefined) throw new Error('EVENT_STORE=eventstoredb needs EVENTSTORE_URL');
          return new EventStoreDbEventStore({
            connectionString: url,
            onLiveError: (error) =>
              logger.warn(`EventStoreDB live subscription failed, polling meanwhile: ${error.message}`),
          });
        }
        const canListen = ownPool !== null;
        return new PostgresEventStore({
          pool: ownPool ?? poolOf(dataSource),
          ...(canListen ? { listen: { connectionString: config.databaseUrl } } : {}),
          notify: canListen,
          onListenError: (error) =>
            logger.warn(`LISTEN connection failed, polling meanwhile: ${error.message}`),
        });
      },
    },
    EventStoreLifecycle,
    HorizonWatch,
  ],
  exports: [EVENT_STORE],
})
export class TongbanEventStoreModule {}
