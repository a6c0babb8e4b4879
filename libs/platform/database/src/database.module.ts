import { DynamicModule, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource, type MigrationInterface } from 'typeorm';
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
            migrationsRun: (options.migrations ?? []).length > 0,
            logging: false,
            applicationName: `tongban-${config.app}`,
            extra: {
              max: config.env.DATABASE_POOL_SIZE,
              connectionTimeoutMillis: 5_000,
            },
            // Fail fast at start-up rather than retrying for minutes behind a load balancer.
            retryAttempts: 3,
            retryDelay: 1_000,
          }),
        }),
      ],
      providers: [DatabaseReadiness],
    };
  }
}
