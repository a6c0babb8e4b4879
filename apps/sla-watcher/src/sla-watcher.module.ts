import { Module } from '@nestjs/common';
import { CASE_HANDLING_MIGRATIONS, CaseHandlingModule, SLA_WATCH_MIGRATIONS } from '@tongban/case-handling';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanEventStoreModule } from '@tongban/event-store';
import { TongbanPlatformModule } from '@tongban/http';
import { INBOX_MIGRATIONS, TongbanMessagingModule } from '@tongban/messaging';
import { CASE_EVENTS_SOURCE } from '@tongban/contracts';

/**
 * The sla-watcher deployable (ADR 0028, 0030): follows Kafka's case-events topic (through its
 * inbox) into its durable schedule and
 * issues the system's SLA timers (warnings, breaches, feedback-window expiries) through the case
 * decider. The case application without its routes: it serves /health (readiness `sla-watch`)
 * and /metrics only, and declares PostgreSQL and Kafka as readiness checks.
 */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({
      app: 'sla-watcher',
      defaultPort: 3003,
      required: ['DATABASE_URL', 'KAFKA_BROKERS'],
    }),
    TongbanDatabaseModule.forRoot({
      migrations: [...CASE_HANDLING_MIGRATIONS, ...SLA_WATCH_MIGRATIONS, ...INBOX_MIGRATIONS],
    }),
    TongbanEventStoreModule,
    TongbanMessagingModule.forKafka(),
    CaseHandlingModule.forRoot({ routes: false, slaWatch: { kafka: CASE_EVENTS_SOURCE } }),
  ],
})
export class SlaWatcherModule {}
