import { Module } from '@nestjs/common';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanPlatformModule } from '@tongban/http';
import { TongbanMessagingModule } from '@tongban/messaging';

/**
 * The projector deployable: consumes case events and maintains the read models (projections arrive with the read-model issue).
 * It serves /health and /metrics and declares its dependencies (PostgreSQL, Kafka) as readiness
 * checks.
 */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({
      app: 'projector',
      defaultPort: 3002,
      required: ['DATABASE_URL', 'KAFKA_BROKERS'],
    }),
    TongbanDatabaseModule.forRoot(),
    TongbanMessagingModule.forKafka(),
  ],
})
export class ProjectorModule {}
