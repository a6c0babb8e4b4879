export * from './message-bus';
export * from './in-process-message-bus';
export * from './kafka-message-bus';
export * from './messaging.module';
export { partitionFor } from './partition';
export {
  EventRelay,
  RELAY_LEASE_CHANNEL,
  type EventRelayOptions,
  type RelayPublisher,
  type RelayRoute,
  type RelayRouter,
} from './relay/event-relay';
export { RelayTables, type RelayCheckpoint } from './relay/relay-tables';
export { RELAY_MIGRATIONS, RelayTables1765756800000 } from './relay/relay.migration';
export { ensureKafkaTopics, type TopicSpec } from './relay/kafka-topics';
export { TongbanRelayModule, type RelayModuleOptions } from './relay/relay.module';
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
export { eventInboxConsumer, type EventInboxOptions, type EventTopicSource } from './inbox/event-inbox';
