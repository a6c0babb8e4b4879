/**
 * The dead-letter format (docs/events.md): a consumer that cannot handle a message publishes it to
 * the topic's dead-letter topic with the original key and the original bytes as the value, the
 * original headers kept, and these headers added to say who failed, why, and where it came from.
 */
export const DEAD_LETTER_HEADERS = {
  /** The consumer group that gave up on it. */
  consumer: 'tongban-dlq-consumer',
  /** A stable code: an `envelope.*` code of parseEnvelope, or the consumer's own. */
  errorCode: 'tongban-dlq-error-code',
  /** The error for people, at most MAX_DEAD_LETTER_ERROR_LENGTH characters. */
  error: 'tongban-dlq-error',
  sourceTopic: 'tongban-dlq-source-topic',
  sourcePartition: 'tongban-dlq-source-partition',
  sourceOffset: 'tongban-dlq-source-offset',
  /** How many times the consumer tried before it gave up (1: not retried). */
  attempts: 'tongban-dlq-attempts',
  /** When it gave up: ISO 8601, UTC. */
  failedAt: 'tongban-dlq-failed-at',
} as const;

/** Kafka headers are small by custom: a stack trace belongs in the consumer's log, not here. */
export const MAX_DEAD_LETTER_ERROR_LENGTH = 1000;

export interface DeadLetterFailure {
  readonly consumer: string;
  readonly errorCode: string;
  readonly error: string;
  readonly sourceTopic: string;
  readonly sourcePartition: number;
  /** As Kafka clients give offsets: a decimal string (64 bits do not fit a JavaScript number). */
  readonly sourceOffset: string;
  readonly attempts: number;
  readonly failedAt: Date;
}

/**
 * The headers a dead letter adds, as strings. Spread them over the original headers: a message
 * dead-lettered again then carries its last failure.
 */
export function deadLetterHeaders(failure: DeadLetterFailure): Record<string, string> {
  const error = Array.from(failure.error);
  return {
    [DEAD_LETTER_HEADERS.consumer]: failure.consumer,
    [DEAD_LETTER_HEADERS.errorCode]: failure.errorCode,
    [DEAD_LETTER_HEADERS.error]:
      error.length > MAX_DEAD_LETTER_ERROR_LENGTH
        ? `${error.slice(0, MAX_DEAD_LETTER_ERROR_LENGTH - 1).join('')}…`
        : failure.error,
    [DEAD_LETTER_HEADERS.sourceTopic]: failure.sourceTopic,
    [DEAD_LETTER_HEADERS.sourcePartition]: String(failure.sourcePartition),
    [DEAD_LETTER_HEADERS.sourceOffset]: failure.sourceOffset,
    [DEAD_LETTER_HEADERS.attempts]: String(failure.attempts),
    [DEAD_LETTER_HEADERS.failedAt]: failure.failedAt.toISOString(),
  };
}

/** What a consumer knows when it gives up on a message (the shape `InboxConsumer` reports). */
export interface ConsumerFailure {
  readonly consumer: string;
  readonly code: string;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: Date;
  readonly message: { readonly topic: string; readonly partition: number; readonly offset: string };
}

/** `deadLetterHeaders` for a consumer's failure report. */
export function consumerDeadLetterHeaders(failure: ConsumerFailure): Record<string, string> {
  return deadLetterHeaders({
    consumer: failure.consumer,
    errorCode: failure.code,
    error: failure.error,
    sourceTopic: failure.message.topic,
    sourcePartition: failure.message.partition,
    sourceOffset: failure.message.offset,
    attempts: failure.attempts,
    failedAt: failure.failedAt,
  });
}
