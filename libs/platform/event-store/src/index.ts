export * from './event-store';
export * from './errors';
export * from './position';
export { canonicalJson } from './canonical-json';
export { runCatchUpSubscription, LocalChangeSignal, type ChangeSignal } from './catch-up-subscription';
export {
  InMemoryEventStore,
  type InMemoryTransaction,
  type InMemoryEventStoreOptions,
} from './in-memory-event-store';
export {
  PostgresEventStore,
  eventStorePoolConfig,
  type PostgresEventStoreOptions,
} from './postgres/postgres-event-store';
export { CoalescedNotifier } from './postgres/coalesced-notifier';
export { migrateEventStore, EVENT_STORE_MIGRATIONS } from './postgres/migrations';
export {
  checkClusterContinuity,
  EventStoreClusterChangedError,
  RESTORE_RUNBOOK,
} from './postgres/cluster-continuity';
export { EVENT_STORE, TongbanEventStoreModule, poolOf } from './event-store.module';
export {
  EventStoreDbEventStore,
  WRITE_PROBE_STREAM_PREFIX,
  type EventStoreDbEventStoreOptions,
} from './eventstoredb/eventstoredb-event-store';
export { EventStoreAccessDeniedError, EventStoreUnavailableError } from './eventstoredb/eventstoredb-errors';
