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

export interface MessageBus {
  ensureTopics(topics: readonly string[]): Promise<void>;
  publish(topic: string, messages: readonly BusMessage[]): Promise<void>;
  subscribe(options: SubscribeOptions, handler: MessageHandler): Promise<Subscription>;
  close(): Promise<void>;
}

/** Nest injection token for the deployable's bus. */
export const MESSAGE_BUS = Symbol('MESSAGE_BUS');
