import { Module } from '@nestjs/common';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanPlatformModule } from '@tongban/http';
import { TongbanMessagingModule } from '@tongban/messaging';

/**
 * The relay deployable: reads the event store's global log from a checkpoint and publishes to Kafka (the relay loop arrives with the Kafka read-side issue).
 * It serves /health and /metrics and declares its dependencies (PostgreSQL, Kafka) as readiness
 * checks.
 */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({
      app: 'relay',
      defaultPort: 3001,
      required: ['DATABASE_URL', 'KAFKA_BROKERS'],
    }),
    TongbanDatabaseModule.forRoot(),
    TongbanMessagingModule.forKafka(),
  ],
})
export class RelayModule {}
