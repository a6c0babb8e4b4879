import { formatPosition, type RecordedEvent } from '@tongban/event-store';

/**
 * A projection could not decode or handle one event. The engine never skips an event (ADR 0006),
 * so the runner stops at it and a rebuild cannot get past it; this says which event, so an
 * operator can find it in the store instead of reading a bare TypeError.
 */
export class ProjectionEventError extends Error {
  readonly streamId: string;
  readonly version: number;
  readonly eventType: string;
  /** The event's global position, as consistency tokens write it (`<tx>-<seq>`). */
  readonly position: string;

  constructor(
    readonly projection: string,
    event: RecordedEvent,
    cause: unknown,
  ) {
    const position = formatPosition(event.position);
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `${projection} cannot apply ${event.type} ${event.streamId}@${event.version} at position ${position}: ${reason}`,
      { cause },
    );
    this.name = 'ProjectionEventError';
    this.streamId = event.streamId;
    this.version = event.version;
    this.eventType = event.type;
    this.position = position;
  }
}
