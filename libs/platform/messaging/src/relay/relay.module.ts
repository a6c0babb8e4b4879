import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '@tongban/config';
import { EVENT_STORE, poolOf, type EventStore } from '@tongban/event-store';
import { HealthRegistry, MetricsRegistry } from '@tongban/http';
import { MESSAGE_BUS, type MessageBus } from '../message-bus';
import { EventRelay, type RelayRouter } from './event-relay';
import { ensureKafkaTopics, type TopicSpec } from './kafka-topics';

export interface RelayModuleOptions {
  /** Where each stored event goes (the deployable passes the public contract's mapping). */
  readonly route: RelayRouter;
  /** Topics created at start-up when missing, with their settings. */
  readonly topics: readonly TopicSpec[];
  /**
   * The PostgreSQL event store's NOTIFY channel for new commits. Default `tongban_es_appended`
   * (the store's default schema `tongban_es` + `_appended`).
   */
  readonly appendedChannel?: string;
}

const RELAY_OPTIONS = Symbol('RELAY_OPTIONS');

/** The route with the deployment's KAFKA_TOPIC_PREFIX before every topic. */
function prefixed(route: RelayRouter, prefix: string): RelayRouter {
  if (!prefix) return route;
  return (event) => {
    const to = route(event);
    return to && { ...to, topic: `${prefix}${to.topic}` };
  };
}

@Injectable()
class RelayService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Relay');
  readonly relay: EventRelay;

  constructor(
    @Inject(RELAY_OPTIONS) private readonly options: RelayModuleOptions,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(MESSAGE_BUS) bus: MessageBus,
    dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly health: HealthRegistry,
    metrics: MetricsRegistry,
  ) {
    const env = config.env;
    const listen = env.EVENT_STORE === 'postgres';
    this.relay = new EventRelay({
      pool: poolOf(dataSource),
      store,
      publisher: bus,
      route: prefixed(options.route, config.env.KAFKA_TOPIC_PREFIX),
      holderId: `${config.app}@${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
      leaseMs: env.RELAY_LEASE_MS,
      batchSize: env.RELAY_BATCH_SIZE,
      stuckAfterMs: env.RELAY_STUCK_AFTER_MS,
      pollMs: env.RELAY_POLL_MS,
      ...(listen
        ? {
            wakeUps: {
              connection: { connectionString: config.databaseUrl, options: config.databaseSessionOptions() },
              appendedChannel: options.appendedChannel ?? 'tongban_es_appended',
            },
          }
        : {}),
      registry: metrics.registry,
      log: (level, message) =>
        level === 'error'
          ? this.logger.error(message)
          : level === 'warn'
            ? this.logger.warn(message)
            : this.logger.log(message),
    });
  }

  /** The topics exist before anything is published (a compacted one needs its settings at creation). */
  async onModuleInit(): Promise<void> {
    this.health.register({ name: 'relay', check: () => this.relay.check() });
    await ensureKafkaTopics(
      {
        brokers: this.config.kafkaBrokers,
        clientId: `${this.config.env.KAFKA_CLIENT_ID}-${this.config.app}-admin`,
      },
      this.options.topics.map((spec) => ({
        ...spec,
        topic: `${this.config.env.KAFKA_TOPIC_PREFIX}${spec.topic}`,
      })),
    );
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  /** Before the pools and the bus close: finish the batch in flight, give the lease back. */
  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
  }
}

/**
 * The relay inside a deployable: `EventRelay` on the deployable's database (lease, checkpoint),
 * event store and bus, with RELAY_* settings, readiness `relay` and `tongban_relay_*` metrics.
 * Needs TongbanDatabaseModule (with RELAY_MIGRATIONS), TongbanEventStoreModule and a bus.
 */
@Module({})
export class TongbanRelayModule {
  static forRoot(options: RelayModuleOptions): DynamicModule {
    return {
      module: TongbanRelayModule,
      providers: [{ provide: RELAY_OPTIONS, useValue: options }, RelayService],
    };
  }
}
