import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AppConfig } from '@tongban/config';
import type { EventStore } from './event-store';
import { checkClusterContinuity } from './postgres/cluster-continuity';
import { migrateEventStore } from './postgres/migrations';
import { PostgresEventStore } from './postgres/postgres-event-store';

/** Nest injection token for the deployable's event store. */
export const EVENT_STORE = Symbol('EVENT_STORE');

/** The pg pool behind TypeORM: the store shares it (standalone's PGlite allows ONE connection). */
export function poolOf(dataSource: DataSource): Pool {
  return (dataSource.driver as unknown as { master: Pool }).master;
}

@Injectable()
class EventStoreLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
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
  }
}

/**
 * The PostgreSQL event store on the deployable's database. Subscribers in other processes wake
 * through LISTEN on a dedicated connection, except on a single-connection database (standalone),
 * where in-process wake-ups and polling do.
 */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [DataSource, AppConfig],
      useFactory: (dataSource: DataSource, config: AppConfig) => {
        const logger = new Logger('EventStore');
        const canListen = config.env.DATABASE_POOL_SIZE > 1;
        return new PostgresEventStore({
          pool: poolOf(dataSource),
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
