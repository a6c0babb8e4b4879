export * from './message-bus';
export * from './in-process-message-bus';
export * from './kafka-message-bus';
export * from './messaging.module';
export { partitionFor } from './partition';
export {
  InboxConsumer,
  StreamOrderError,
  type Decoded,
  type DeadLetterFailure,
  type InboxConsumerOptions,
  type InboxEntry,
  type Inboxed,
  type PartitionState,
} from './inbox/inbox-consumer';
export { INBOX_MIGRATIONS, MessageInbox1765324800000 } from './inbox/inbox.migration';
export { isTransientFailure } from './inbox/transient';
export { registerConsumerMetrics } from './inbox/consumer-metrics';
