import { Module } from '@nestjs/common';
import { CASE_READ_MODEL_MIGRATIONS, CaseReadModelsModule } from '@tongban/case-read-models';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanEventStoreModule } from '@tongban/event-store';
import { TongbanPlatformModule } from '@tongban/http';
import { TongbanMessagingModule } from '@tongban/messaging';

/**
 * The projector deployable: keeps the read models up to date from Kafka's case-events topic
 * (ADR 0030) with the same projections standalone runs from the store, each partition's batch in
 * one transaction with its inbox. Several projectors share the partitions (one consumer group).
 * It keeps the event store for rebuilds (`/api/v1/admin/read-models`), serves /health and
 * /metrics, and declares PostgreSQL and Kafka as readiness checks.
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
    CaseReadModelsModule.forRoot({ runProjections: true, serveQueries: false, source: 'kafka' }),
  ],
})
export class ProjectorModule {}
