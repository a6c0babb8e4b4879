import {
  DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { AppConfig } from '@tongban/config';
import { HealthRegistry } from '@tongban/http';
import { InProcessMessageBus } from './in-process-message-bus';
import { KafkaMessageBus } from './kafka-message-bus';
import { MESSAGE_BUS, type MessageBus } from './message-bus';

@Injectable()
class MessageBusLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly health: HealthRegistry,
  ) {}

  onModuleInit(): void {
    const bus = this.bus;
    if (bus instanceof KafkaMessageBus) {
      this.health.register({ name: 'kafka', check: () => bus.ping() });
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.bus.close();
  }
}

/** Provides the deployable's `MessageBus` under the `MESSAGE_BUS` token. */
@Module({})
export class TongbanMessagingModule {
  /** Kafka from KAFKA_BROKERS, with a `kafka` readiness check. */
  static forKafka(): DynamicModule {
    return {
      module: TongbanMessagingModule,
      global: true,
      providers: [
        {
          provide: MESSAGE_BUS,
          inject: [AppConfig],
          useFactory: (config: AppConfig) => {
            const logger = new Logger('kafka');
            return new KafkaMessageBus({
              brokers: config.kafkaBrokers,
              clientId: `${config.env.KAFKA_CLIENT_ID}-${config.app}`,
              log: (level, message, extra) =>
                level === 'error' ? logger.error(extra, message) : logger.warn(extra, message),
            });
          },
        },
        MessageBusLifecycle,
      ],
      exports: [MESSAGE_BUS],
    };
  }

  /** The in-process bus (standalone mode): nothing to connect to, nothing to check. */
  static inProcess(): DynamicModule {
    return {
      module: TongbanMessagingModule,
      global: true,
      providers: [{ provide: MESSAGE_BUS, useFactory: () => new InProcessMessageBus() }, MessageBusLifecycle],
      exports: [MESSAGE_BUS],
    };
  }
}
