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

/**
 * An event of a stream the projection watches arrived more than one version past the version it
 * recorded for that stream (recorded 3, seen 5; or a stream first seen at 2 or later): an event
 * is missing or out of order. Applying it would build rows from a history with a hole in it, and
 * skipping it — as the duplicate check would for a lower version — would hide the hole, so the
 * projection stops here, loudly, like any event it cannot apply (ADR 0017).
 */
export class ProjectionGapError extends ProjectionEventError {
  constructor(
    projection: string,
    event: RecordedEvent,
    /** The last version applied of the stream (0: none). */
    readonly recordedVersion: number,
  ) {
    super(
      projection,
      event,
      new Error(
        `stream gap in ${event.streamId}: recorded version ${recordedVersion}, next seen ${event.version} ` +
          `(version ${recordedVersion + 1} is missing or out of order)`,
      ),
    );
    this.name = 'ProjectionGapError';
  }

  /** The version that arrived. */
  get seenVersion(): number {
    return this.version;
  }
}
