import { Module } from '@nestjs/common';
import { CASE_HANDLING_MIGRATIONS, CaseHandlingModule } from '@tongban/case-handling';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanEventStoreModule } from '@tongban/event-store';
import { TongbanPlatformModule } from '@tongban/http';

/** The HTTP API: intake for channels, the cadre workbench, supervision and audit. */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({ app: 'api', defaultPort: 3000, required: ['DATABASE_URL'] }),
    TongbanDatabaseModule.forRoot({ migrations: CASE_HANDLING_MIGRATIONS }),
    TongbanEventStoreModule,
    CaseHandlingModule.forRoot(),
  ],
})
export class ApiModule {}
