import { Module } from '@nestjs/common';
import { CASE_READ_MODEL_MIGRATIONS, CaseReadModelsModule } from '@tongban/case-read-models';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanEventStoreModule } from '@tongban/event-store';
import { TongbanPlatformModule } from '@tongban/http';
import { TongbanMessagingModule } from '@tongban/messaging';

/**
 * The projector deployable: keeps the read models up to date from the event store's catch-up
 * subscription (the Kafka path arrives with the Kafka issue and reuses the same handlers). It
 * serves /health and /metrics and declares PostgreSQL and Kafka as readiness checks.
 */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({
      app: 'projector',
      defaultPort: 3002,
      required: ['DATABASE_URL', 'KAFKA_BROKERS'],
    }),
    TongbanDatabaseModule.forRoot({ migrations: CASE_READ_MODEL_MIGRATIONS }),
    TongbanEventStoreModule,
    TongbanMessagingModule.forKafka(),
    CaseReadModelsModule.forRoot({ runProjections: true, serveQueries: false }),
  ],
})
export class ProjectorModule {}
