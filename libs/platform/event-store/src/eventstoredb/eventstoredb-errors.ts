import { TongbanError } from '@tongban/errors';

/**
 * EventStoreDB could not answer: no leader reachable, the node is not the leader, the cluster is
 * unavailable or the call ran past its deadline. Retryable: nothing is known to be written, and
 * a retry with the same event ids is recognised as one (the append's idempotency).
 */
export class EventStoreUnavailableError extends TongbanError {
  readonly code = 'event_store.unavailable';
  readonly kind = 'unavailable';
}

/**
 * EventStoreDB refused the credentials of EVENTSTORE_URL, or they lack a permission the adapter
 * needs (append and read on its streams, read on `$all`). A configuration problem, not retried.
 */
export class EventStoreAccessDeniedError extends TongbanError {
  readonly code = 'event_store.access_denied';
  readonly kind = 'internal';
}
