import {
  Kafka,
  Partitioners,
  logLevel,
  type Consumer,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import type {
  BatchHandler,
  BusMessage,
  MessageBus,
  MessageHandler,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from './message-bus';

export interface KafkaBusOptions {
  readonly brokers: readonly string[];
  readonly clientId: string;
  /** Partitions for topics this bus creates. */
  readonly partitions?: number;
  /** Connection retries before an operation fails (default 8, about half a minute). */
  readonly retries?: number;
  /** Where kafkajs' own warnings and errors go (already masked by the caller's logger). */
  readonly log?: (level: 'error' | 'warn', message: string, extra: Record<string, unknown>) => void;
}

/**
 * The production bus on kafkajs. Producer: idempotent, acks from all in-sync replicas, one
 * request in flight so retries cannot reorder a key. Consumer: offsets are committed only after
 * the handler resolves; a throwing handler makes kafkajs seek back and deliver it again.
 */
export class KafkaMessageBus implements MessageBus {
  private readonly kafka: Kafka;
  private producerReady: Promise<Producer> | undefined;
  private readonly consumers = new Set<Consumer>();
  private readonly partitions: number;

  constructor(options: KafkaBusOptions) {
    this.partitions = options.partitions ?? 3;
    const sink = options.log;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: [...options.brokers],
      connectionTimeout: 3_000,
      retry: { retries: options.retries ?? 8, initialRetryTime: 100, maxRetryTime: 5_000 },
      logLevel: logLevel.WARN,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          if (!sink) return;
          const { message, ...extra } = log;
          sink(level === logLevel.ERROR ? 'error' : 'warn', message, extra);
        },
    });
  }

  async ensureTopics(topics: readonly (string | TopicSpec)[]): Promise<void> {
    const specs = topics.map((t) => (typeof t === 'string' ? { topic: t } : t));
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const missing = specs.filter((t) => !existing.has(t.topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((t) => ({
            topic: t.topic,
            numPartitions: t.partitions ?? this.partitions,
            configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
          })),
        });
      }
    } finally {
      await admin.disconnect();
    }
  }

  /**
   * Resolves once every message is acknowledged by all in-sync replicas. Sent in requests of at
   * most PUBLISH_REQUEST_BYTES (the broker refuses larger ones), one after another: one request
   * in flight, so the order per key holds across them.
   */
  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.getProducer();
    let request: BusMessage[] = [];
    let bytes = 0;
    const send = async (): Promise<void> => {
      if (request.length === 0) return;
      await producer.send({
        topic,
        acks: -1,
        messages: request.map((m) => ({
          key: m.key,
          value: m.value,
          ...(m.headers ? { headers: { ...m.headers } } : {}),
        })),
      });
      request = [];
      bytes = 0;
    };
    for (const message of messages) {
      const size = approximateBytes(message);
      if (request.length > 0 && bytes + size > PUBLISH_REQUEST_BYTES) await send();
      request.push(message);
      bytes += size;
    }
    await send();
  }

  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    const consumer = await this.connectConsumer(options);
    await consumer.run({
      autoCommit: true,
      eachMessage: async ({ topic, partition, message }) => {
        await handler(received(topic, partition, message));
      },
    });
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async subscribeBatches(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    const consumer = await this.connectConsumer(options);
    await consumer.run({
      // Resolved offsets are committed after every batch and before a partition moves; nothing the
      // handler did not resolve is committed, so it comes again.
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.partitions,
      eachBatch: async (payload) => {
        const { batch } = payload;
        await handler(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            messages: batch.messages.map((m) => received(batch.topic, batch.partition, m)),
          },
          {
            resolve: (offset) => payload.resolveOffset(offset),
            active: () => payload.isRunning() && !payload.isStale(),
            heartbeat: () => payload.heartbeat(),
          },
        );
      },
    });
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  /** A consumer of the group, connected and subscribed to the topic. */
  private async connectConsumer(options: SubscribeOptions): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: options.group,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      // An idle fetch returns after this; a stop waits for the fetch in flight.
      maxWaitTimeInMs: 1_000,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 2_000 },
    });
    await consumer.connect();
    this.consumers.add(consumer);
    await consumer.subscribe({ topic: options.topic, fromBeginning: options.fromBeginning ?? true });
    return consumer;
  }

  /** Cheap round trip to the cluster, for readiness. */
  async ping(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect()));
    this.consumers.clear();
    if (this.producerReady) {
      const producer = await this.producerReady.catch(() => undefined);
      await producer?.disconnect();
      this.producerReady = undefined;
    }
  }

  private getProducer(): Promise<Producer> {
    if (!this.producerReady) {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      this.producerReady = producer.connect().then(
        () => producer,
        (error: unknown) => {
          this.producerReady = undefined;
          throw error;
        },
      );
    }
    return this.producerReady;
  }
}

function received(topic: string, partition: number, message: KafkaMessage): ReceivedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value: message.value?.toString('utf8') ?? '',
    ...(message.value ? { raw: message.value } : {}),
    headers,
  };
}

/** Below the broker's default request and batch limits (about 1 MB), with room for overhead. */
const PUBLISH_REQUEST_BYTES = 512 * 1024;

function approximateBytes(message: BusMessage): number {
  let size = Buffer.byteLength(message.key) + Buffer.byteLength(message.value) + 64;
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value) + 8;
  }
  return size;
}
