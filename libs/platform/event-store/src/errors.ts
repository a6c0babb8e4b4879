import { TongbanError } from '@tongban/errors';

/** The stream is not at the version the writer expected: someone else appended first. */
export class WrongExpectedVersionError extends TongbanError {
  readonly code = 'event_store.wrong_expected_version';
  readonly kind = 'conflict';

  constructor(
    readonly streamId: string,
    readonly expected: string,
    readonly actual: number,
  ) {
    super(`Stream ${streamId} is at version ${actual}, expected ${expected}.`);
  }
}

/**
 * Event ids already in the store, and this append is not a retry of the one that wrote them
 * (issue 11): a retry carries the same events — the same ids, types, schema versions and data, in
 * the same order, against the same stream, all written by one earlier append. Metadata (the
 * request's correlation id) and the recorded-at time are not compared: they legitimately differ
 * on a retry. Anything else is refused; the earlier result is never answered for it.
 */
export class IdempotencyConflictError extends TongbanError {
  readonly code = 'event_store.idempotency_conflict';
  readonly kind = 'conflict';
}

/**
 * An append inside a caller's transaction that wrote before it, to a stream a later transaction
 * appended to meanwhile: it would order the stream's events wrongly in the global log (issue 11).
 * Nothing was written; roll back and retry the whole transaction.
 */
export class StreamOrderConflictError extends TongbanError {
  readonly code = 'event_store.stream_order_conflict';
  readonly kind = 'conflict';
}

export class InvalidStreamIdError extends TongbanError {
  readonly code = 'event_store.invalid_stream_id';
  readonly kind = 'validation';
}

export class InvalidEventError extends TongbanError {
  readonly code = 'event_store.invalid_event';
  readonly kind = 'validation';
}

export class EventTooLargeError extends TongbanError {
  readonly code = 'event_store.event_too_large';
  readonly kind = 'payload_too_large';
}

export class InvalidExpectedVersionError extends TongbanError {
  readonly code = 'event_store.invalid_expected_version';
  readonly kind = 'validation';
}

export class InvalidPositionError extends TongbanError {
  readonly code = 'event_store.invalid_position';
  readonly kind = 'validation';
}
