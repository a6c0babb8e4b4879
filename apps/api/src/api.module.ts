import { Module } from '@nestjs/common';
import { CASE_HANDLING_MIGRATIONS, CaseHandlingModule } from '@tongban/case-handling';
import { CASE_READ_MODEL_MIGRATIONS, CaseReadModelsModule } from '@tongban/case-read-models';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanEventStoreModule } from '@tongban/event-store';
import { TongbanPlatformModule } from '@tongban/http';

/**
 * The HTTP API: intake for channels, the cadre workbench, supervision and audit, and the queries
 * over the read models (which apps/projector keeps up to date).
 */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({ app: 'api', defaultPort: 3000, required: ['DATABASE_URL'] }),
    TongbanDatabaseModule.forRoot({
      migrations: [...CASE_HANDLING_MIGRATIONS, ...CASE_READ_MODEL_MIGRATIONS],
    }),
    TongbanEventStoreModule,
    CaseHandlingModule.forRoot(),
    CaseReadModelsModule.forRoot({ runProjections: false, serveQueries: true }),
  ],
})
export class ApiModule {}
