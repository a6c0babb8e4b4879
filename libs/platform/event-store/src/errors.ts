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

/** An event id was already used for a different append. */
export class DuplicateEventIdError extends TongbanError {
  readonly code = 'event_store.duplicate_event_id';
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
