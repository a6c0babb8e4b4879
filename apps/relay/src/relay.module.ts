import { Module } from '@nestjs/common';
import {
  CASE_EVENTS_DEAD_LETTER_TOPIC,
  CASE_EVENTS_TOPIC,
  DIRECTORY_CHANGES_TOPIC,
  CASE_EVENTS_TOPIC_CONFIGS,
  eventMessage,
} from '@tongban/contracts';
import { TongbanDatabaseModule } from '@tongban/database';
import { TongbanEventStoreModule } from '@tongban/event-store';
import { TongbanPlatformModule } from '@tongban/http';
import { RELAY_MIGRATIONS, TongbanMessagingModule, TongbanRelayModule } from '@tongban/messaging';

/**
 * The relay deployable: publishes the event store's global log to Kafka in commit order from a
 * checkpoint in PostgreSQL, one active instance at a time (a lease; standbys take over). It
 * creates the topics it publishes to (under KAFKA_TOPIC_PREFIX), serves /health (readiness: database, Kafka, `relay`) and
 * /metrics (`tongban_relay_*`).
 */
@Module({
  imports: [
    TongbanPlatformModule.forRoot({
      app: 'relay',
      defaultPort: 3001,
      required: ['DATABASE_URL', 'KAFKA_BROKERS'],
    }),
    TongbanDatabaseModule.forRoot({ migrations: [...RELAY_MIGRATIONS] }),
    TongbanEventStoreModule,
    TongbanMessagingModule.forKafka(),
    TongbanRelayModule.forRoot({
      route: eventMessage,
      // As infra/deploy/kubernetes/kafka-topics.yaml creates them in production.
      topics: [
        { topic: CASE_EVENTS_TOPIC, configs: CASE_EVENTS_TOPIC_CONFIGS },
        { topic: CASE_EVENTS_DEAD_LETTER_TOPIC, configs: CASE_EVENTS_TOPIC_CONFIGS },
        // One partition: docs/events.md promises the directory's changes in order across keys.
        { topic: DIRECTORY_CHANGES_TOPIC, partitions: 1, configs: { 'cleanup.policy': 'compact' } },
      ],
    }),
  ],
})
export class RelayModule {}
