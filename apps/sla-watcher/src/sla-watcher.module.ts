import { Module } from '@nestjs/common';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanPlatformModule } from '@tongban/http';
import { TongbanMessagingModule } from '@tongban/messaging';

/**
 * The sla-watcher deployable: owns the SLA clocks and issues warning, breach and escalation commands (clock rules arrive with the SLA issue).
 * It serves /health and /metrics and declares its dependencies (PostgreSQL, Kafka) as readiness
 * checks.
 */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({
      app: 'sla-watcher',
      defaultPort: 3003,
      required: ['DATABASE_URL', 'KAFKA_BROKERS'],
    }),
    TongbanDatabaseModule.forRoot(),
    TongbanMessagingModule.forKafka(),
  ],
})
export class SlaWatcherModule {}
