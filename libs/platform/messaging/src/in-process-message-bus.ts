import type {
  BatchControl,
  BatchHandler,
  BusMessage,
  MessageBatch,
  MessageBus,
  MessageHandler,
  ReceivedMessage,
  SubscribeOptions,
  Subscription,
  TopicSpec,
} from './message-bus';
import { partitionFor } from './partition';

interface Topic {
  readonly partitions: BusMessage[][];
  /** Resolvers waiting for the next publish. */
  waiters: Array<() => void>;
}

export interface InProcessBusOptions {
  readonly partitions?: number;
  /** Delay before a failed message is delivered again. */
  readonly retryDelayMs?: number;
  /** Most messages in one batch (default 500). */
  readonly maxBatch?: number;
}

/**
 * Kafka's delivery semantics in memory, for the standalone mode and unit tests: partitions by
 * key, per-group committed offsets, redelivery of a message whose handler failed (and nothing
 * after it in that partition until it succeeds). Messages live as long as the process.
 */
export class InProcessMessageBus implements MessageBus {
  private readonly topics = new Map<string, Topic>();
  /** group → topic → committed offset per partition */
  private readonly offsets = new Map<string, number[]>();
  private readonly activeGroups = new Set<string>();
  private readonly subscriptions = new Set<Subscription>();
  private readonly partitionCount: number;
  private readonly retryDelayMs: number;
  private readonly maxBatch: number;

  constructor(options: InProcessBusOptions = {}) {
    this.partitionCount = options.partitions ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 100;
    this.maxBatch = options.maxBatch ?? 500;
  }

  async ensureTopics(topics: readonly (string | TopicSpec)[]): Promise<void> {
    for (const t of topics) this.topic(typeof t === 'string' ? t : t.topic);
  }

  async publish(topic: string, messages: readonly BusMessage[]): Promise<void> {
    const t = this.topic(topic);
    for (const message of messages) {
      t.partitions[partitionFor(message.key, this.partitionCount)]!.push({
        key: message.key,
        value: message.value,
        ...(message.headers ? { headers: { ...message.headers } } : {}),
      });
    }
    const waiters = t.waiters;
    t.waiters = [];
    for (const wake of waiters) wake();
  }

  /** One message at a time per partition: a throwing handler gets the same message again later. */
  async subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription> {
    return this.subscribeBatches(options, async (batch, control) => {
      for (const message of batch.messages) {
        await handler(message);
        control.resolve(message.offset);
      }
    });
  }

  async subscribeBatches(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription> {
    const memberKey = `${options.group}\u0000${options.topic}`;
    if (this.activeGroups.has(memberKey)) {
      throw new Error(
        `group ${options.group} already has a consumer on ${options.topic}; the in-process bus supports one member per group`,
      );
    }
    this.activeGroups.add(memberKey);
    const topic = this.topic(options.topic);
    let committed = this.offsets.get(memberKey);
    if (!committed) {
      committed =
        options.fromBeginning === false
          ? topic.partitions.map((p) => p.length)
          : topic.partitions.map(() => 0);
      this.offsets.set(memberKey, committed);
    }
    const offsets = committed;
    let running = true;
    let wakeStop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (wakeStop = resolve));
    const control = (p: number): BatchControl => ({
      resolve: (offset) => {
        const next = Number(offset) + 1;
        if (next > offsets[p]!) offsets[p] = next;
      },
      active: () => running,
      heartbeat: async () => undefined,
    });

    const loop = async (): Promise<void> => {
      while (running) {
        // Progress or a pending retry means loop again; otherwise sleep until the next publish.
        let busy = false;
        for (let p = 0; p < this.partitionCount && running; p++) {
          const partition = topic.partitions[p]!;
          const offset = offsets[p]!;
          if (offset >= partition.length) continue;
          busy = true;
          const end = Math.min(partition.length, offset + this.maxBatch);
          const batch: MessageBatch = {
            topic: options.topic,
            partition: p,
            highWatermark: String(partition.length),
            messages: partition.slice(offset, end).map((message, i): ReceivedMessage => ({
              ...message,
              topic: options.topic,
              partition: p,
              offset: String(offset + i),
            })),
          };
          const failed = await handler(batch, control(p)).then(
            () => false,
            () => true,
          );
          // Nothing resolved (a failure, or a handler holding back): the same messages come again later.
          if (failed || offsets[p] === offset) await Promise.race([sleep(this.retryDelayMs), stopped]);
        }
        if (!busy && running) {
          await Promise.race([new Promise<void>((resolve) => topic.waiters.push(resolve)), stopped]);
        }
      }
    };
    const done = loop();
    const subscription: Subscription = {
      stop: async () => {
        running = false;
        wakeStop();
        await done;
        this.activeGroups.delete(memberKey);
        this.subscriptions.delete(subscription);
      },
    };
    this.subscriptions.add(subscription);
    return subscription;
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.stop()));
  }

  private topic(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = { partitions: Array.from({ length: this.partitionCount }, () => []), waiters: [] };
      this.topics.set(name, topic);
    }
    return topic;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
