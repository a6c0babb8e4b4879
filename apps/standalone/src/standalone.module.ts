import { DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CASE_HANDLING_MIGRATIONS, CaseHandlingModule, SLA_WATCH_MIGRATIONS } from '@tongban/case-handling';
import { CASE_READ_MODEL_MIGRATIONS, CaseReadModelsModule } from '@tongban/case-read-models';
import { TongbanDatabaseModule, type EmbeddedPostgres } from '@tongban/database';
import { TongbanEventStoreModule } from '@tongban/event-store';
import { TongbanPlatformModule } from '@tongban/http';
import { TongbanMessagingModule } from '@tongban/messaging';

const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

/** Closes the pool before the embedded database it talks to, so PGlite flushes cleanly. */
@Injectable()
class EmbeddedPostgresLifecycle implements OnApplicationShutdown {
  constructor(
    private readonly dataSource: DataSource,
    private readonly embedded: EmbeddedPostgres,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded.stop();
  }
}

/**
 * Everything in ONE process for a laptop or a small pilot: the API, the projector and the SLA
 * watcher, on an embedded PostgreSQL (PGlite) with the in-process bus instead
 * of Kafka. `npm start` runs this.
 */
@Module({})
export class StandaloneModule {
  static register(embedded: EmbeddedPostgres): DynamicModule {
    return {
      module: StandaloneModule,
      imports: [
        TongbanPlatformModule.forRoot({
          app: 'standalone',
          defaultPort: 3000,
          // PGlite serves one session: a pool of one keeps transactions isolated.
          // Dev login for newcomers unless the operator chose real tokens (AUTH_MODE=jwt);
          // dev mode is refused when NODE_ENV=production.
          overrides: {
            DATABASE_URL: embedded.url,
            DATABASE_POOL_SIZE: '1',
            AUTH_MODE: process.env['AUTH_MODE'] || 'dev',
          },
        }),
        TongbanDatabaseModule.forRoot({
          migrations: [...CASE_HANDLING_MIGRATIONS, ...SLA_WATCH_MIGRATIONS, ...CASE_READ_MODEL_MIGRATIONS],
          // Each new connection inherits PGlite's one session: reset it as a disconnect would.
          onConnect: embedded.onConnect,
          // One PGlite session serves every connection: a timeout ending it would end them all.
          sessionTimeouts: false,
        }),
        TongbanEventStoreModule,
        TongbanMessagingModule.inProcess(),
        // The SLA watcher too, in-process (ADR 0028).
        CaseHandlingModule.forRoot({ slaWatch: true }),
        // The projector's work, in-process: commands become visible to queries without Kafka.
        CaseReadModelsModule.forRoot({ runProjections: true, serveQueries: true }),
      ],
      providers: [
        { provide: EMBEDDED_POSTGRES, useValue: embedded },
        {
          provide: EmbeddedPostgresLifecycle,
          inject: [DataSource, EMBEDDED_POSTGRES],
          useFactory: (dataSource: DataSource, pg: EmbeddedPostgres) =>
            new EmbeddedPostgresLifecycle(dataSource, pg),
        },
      ],
    };
  }
}
