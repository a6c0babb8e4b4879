/**
 * The messaging port: topics of keyed messages with consumer groups, at-least-once delivery and
 * order per key. Kafka is the production adapter; the in-process adapter serves standalone mode
 * and unit tests. Both pass the same contract suite (`message-bus.contract.ts`).
 */
export interface BusMessage {
  /** Partitioning key: messages with the same key are delivered in publish order. */
  readonly key: string;
  /** UTF-8 payload, normally JSON. */
  readonly value: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ReceivedMessage extends BusMessage {
  readonly topic: string;
  readonly partition: number;
  /** Offset within the partition, as a decimal string (Kafka offsets exceed 2^53). */
  readonly offset: string;
  /** The value's bytes as the broker holds them, where there are bytes (malformed UTF-8 shows here). */
  readonly raw?: Buffer;
}

/** Resolving acknowledges the message; throwing makes the bus deliver it again later. */
export type MessageHandler = (message: ReceivedMessage) => Promise<void>;

export interface SubscribeOptions {
  readonly topic: string;
  /** Consumer group: each group receives every message; a group resumes where it left off. */
  readonly group: string;
  /** Where a group with no committed position starts. Default: the beginning. */
  readonly fromBeginning?: boolean;
}

export interface Subscription {
  /** Stops after the message being handled, if any; its position is kept for the group. */
  stop(): Promise<void>;
}

/** Messages of ONE partition, in offset order, as the broker handed them over. */
export interface MessageBatch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly ReceivedMessage[];
  /** The offset the partition's next message will get: the lag after `offset` is this − offset − 1. */
  readonly highWatermark: string;
}

/** What a batch handler tells the bus while it works through a batch. */
export interface BatchControl {
  /**
   * Everything up to and including `offset` is done: the group's position moves past it (committed
   * now or soon, and before the partition goes to another member). Messages of the batch left
   * unresolved when the handler returns are delivered again.
   */
  resolve(offset: string): void;
  /** False once the partition was taken away (a rebalance, a seek) or the subscription stops. */
  active(): boolean;
  /** Keeps the membership alive during long work. */
  heartbeat(): Promise<void>;
}

/**
 * Handles one partition's batch. Throwing is the same as returning without resolving the rest:
 * the unresolved messages come again. Batches of one partition never overlap.
 */
export type BatchHandler = (batch: MessageBatch, control: BatchControl) => Promise<void>;

/** A topic as it is to be created: partitions and topic-level settings (Kafka names). */
export interface TopicSpec {
  readonly topic: string;
  /** Default: the bus's own (3). */
  readonly partitions?: number;
  /** Topic-level settings, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

export interface MessageBus {
  /** Creates the topics that do not exist yet (with their settings); existing ones are left as they are. */
  ensureTopics(topics: readonly (string | TopicSpec)[]): Promise<void>;
  publish(topic: string, messages: readonly BusMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription>;
  /** Batches per partition, offsets resolved by the handler (the inbox consumer's way in). */
  subscribeBatches(options: SubscribeOptions, handler: BatchHandler): Promise<Subscription>;
  close(): Promise<void>;
}

/** Nest injection token for the deployable's bus. */
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');
