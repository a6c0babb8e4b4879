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
import { AppConfig } from '@tongban/config';
import type { EventStore } from './event-store';
import { checkClusterContinuity } from './postgres/cluster-continuity';
import { migrateEventStore } from './postgres/migrations';
import { PostgresEventStore } from './postgres/postgres-event-store';

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
   */
  async onModuleInit(): Promise<void> {
    await migrateEventStore(poolOf(this.dataSource));
    await checkClusterContinuity(poolOf(this.dataSource));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
    await this.ownPool?.end();
  }
}

/**
 * The PostgreSQL event store on the deployable's database, on a pool of its own (issue 11): its
 * sessions open with the `DATABASE_*_TIMEOUT_MS` limits whatever TypeORM does with its pool, and
 * a read model query holding TypeORM's connections never starves an append. Subscribers in other
 * processes wake through LISTEN on a dedicated connection. On a single-connection database
 * (standalone's PGlite) the store shares TypeORM's one connection and in-process wake-ups and
 * polling stand in for LISTEN.
 */
@Global()
@Module({
  providers: [
    {
      provide: STORE_POOL,
      inject: [AppConfig],
      useFactory: (config: AppConfig): Pool | null =>
        config.env.DATABASE_POOL_SIZE > 1
          ? new Pool({
              connectionString: config.databaseUrl,
              max: config.env.DATABASE_POOL_SIZE,
              connectionTimeoutMillis: 5_000,
              application_name: `tongban-${config.app}-event-store`,
              options: config.databaseSessionOptions(),
            })
          : null,
    },
    {
      provide: EVENT_STORE,
      inject: [DataSource, AppConfig, STORE_POOL],
      useFactory: (dataSource: DataSource, config: AppConfig, ownPool: Pool | null) => {
        const logger = new Logger('EventStore');
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
  ],
  exports: [EVENT_STORE],
})
export class TongbanEventStoreModule {}
