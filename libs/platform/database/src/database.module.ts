import { DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { ClientBase, Pool } from 'pg';
import { DataSource, type DataSourceOptions, type MigrationInterface } from 'typeorm';
import { AppConfig } from '@tongban/config';
import { HealthRegistry } from '@tongban/http';

/** Registers the database as a readiness dependency of the deployable. */
@Injectable()
export class DatabaseReadiness implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    this.health.register({
      name: 'database',
      check: async () => {
        await this.dataSource.query('SELECT 1');
      },
    });
  }
}

/**
 * TypeORM on PostgreSQL (the `pg` driver) for every deployable, standalone's embedded PGlite
 * included. Schema changes only through checked-in migrations: `synchronize` is always off.
 */
export interface DatabaseOptions {
  /**
   * TypeORM migrations of the feature modules this deployable hosts, run at start-up (TypeORM
   * records them in its `migrations` table and runs each once).
   */
  readonly migrations?: ReadonlyArray<new () => MigrationInterface>;
  /**
   * Runs on every new pool connection before its first use (standalone's embedded database
   * passes its session reset here).
   */
  readonly onConnect?: (client: ClientBase) => Promise<void>;
  /**
   * Open every session with the statement, lock and idle-in-transaction limits of the
   * `DATABASE_*_TIMEOUT_MS` settings (default). Off only for standalone's embedded PGlite: its
   * one session serves every connection of one process, and ending it would end them all.
   */
  readonly sessionTimeouts?: boolean;
}

/** Any fixed number: every deployable takes the same lock before migrating. */
const MIGRATION_LOCK_KEY = 7_245_118_301;

/**
 * Runs the deployable's TypeORM migrations at start-up under a PostgreSQL advisory lock, so the
 * api and the projector starting together (both host read models) migrate one after the other
 * instead of racing to create the same tables. TypeORM runs each pending migration once and
 * records it in its `migrations` table.
 */
@Injectable()
export class DatabaseMigrator implements OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.dataSource.migrations.length === 0) return;
    const pool = (this.dataSource.driver as unknown as { master: Pool }).master;
    // One connection (standalone's PGlite): one process, nothing to race, and holding the only
    // connection for the lock would starve the migration itself.
    if ((pool.options.max ?? 10) < 2) {
      await this.dataSource.runMigrations({ transaction: 'all' });
      return;
    }
    const lock = await pool.connect();
    try {
      await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
      await this.migrate();
    } finally {
      await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      lock.release();
    }
  }

  /**
   * On a session of their own without the statement limit: building an index on a big read model
   * may take longer than any request should. The lock and idle limits still hold.
   */
  private async migrate(): Promise<void> {
    const options: DataSourceOptions = this.dataSource.options;
    const extra: Record<string, unknown> = 'extra' in options ? { ...(options.extra as object) } : {};
    const migrating = new DataSource({
      ...options,
      extra: { ...extra, max: 1, options: this.config.databaseSessionOptions({ statementTimeoutMs: 0 }) },
    });
    await migrating.initialize();
    try {
      await migrating.runMigrations({ transaction: 'all' });
    } finally {
      await migrating.destroy();
    }
  }
}

@Module({})
export class TongbanDatabaseModule {
  static forRoot(options: DatabaseOptions = {}): DynamicModule {
    return {
      module: TongbanDatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            type: 'postgres' as const,
            url: config.databaseUrl,
            synchronize: false,
            autoLoadEntities: true,
            migrations: [...(options.migrations ?? [])],
            // Run by DatabaseMigrator, under a lock, not by TypeORM on connect.
            migrationsRun: false,
            logging: false,
            applicationName: `tongban-${config.app}`,
            extra: {
              max: config.env.DATABASE_POOL_SIZE,
              connectionTimeoutMillis: 5_000,
              ...(options.sessionTimeouts === false ? {} : { options: config.databaseSessionOptions() }),
              ...(options.onConnect ? { onConnect: options.onConnect } : {}),
            },
            // Fail fast at start-up rather than retrying for minutes behind a load balancer.
            retryAttempts: 3,
            retryDelay: 1_000,
          }),
        }),
      ],
      providers: [DatabaseReadiness, DatabaseMigrator],
    };
  }
}
