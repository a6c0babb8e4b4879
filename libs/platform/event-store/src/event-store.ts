/**
 * The event store port. Every adapter (PostgreSQL — the default —, in-memory, EventStoreDB)
 * implements exactly this and passes the ONE contract suite in `event-store.contract.ts`.
 *
 * Versions: the first event of a stream has version 1; a stream that does not exist is at
 * version 0. Positions in the global log are opaque, totally ordered, and safe to persist as a
 * checkpoint: a reader that has seen position P will never later find an event before P.
 */

/** A JSON value as stored: what `JSON.parse(JSON.stringify(x))` gives back unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** Who did it. The actor is part of every event's metadata (DESIGN: audit). */
export interface Actor {
  readonly id: string;
  readonly role: string;
  readonly orgUnit?: string;
}

/**
 * Metadata on every event. Known fields are typed; adapters keep unknown fields as they are.
 * `recordedAt` is set by the store (its clock), not by the caller.
 */
export interface EventMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: Actor;
  readonly channel?: string;
  readonly [key: string]: JsonValue | Actor | undefined;
}

export interface EventToAppend {
  /** UUID. A retried append with the same ids is recognised and not written twice. */
  readonly id: string;
  /** Stable type string, independent of class or file names, e.g. `case.submitted`. */
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata?: EventMetadata;
  /** Shape version of `data` for this type (upcasters key on it). Default 1. */
  readonly schemaVersion?: number;
}

/** Position in the global log: (transaction, sequence), ordered lexicographically. */
export interface GlobalPosition {
  readonly tx: bigint;
  readonly seq: bigint;
}

export interface RecordedEvent {
  readonly id: string;
  readonly type: string;
  readonly streamId: string;
  readonly version: number;
  readonly position: GlobalPosition;
  readonly data: JsonObject;
  readonly metadata: EventMetadata;
  readonly schemaVersion: number;
  readonly recordedAt: Date;
}

/** `number`: the stream must be exactly at that version (0 = must not exist). */
export type ExpectedVersion = number | 'no_stream' | 'stream_exists' | 'any';

export interface AppendResult {
  /** The stream's version after the append: pass it as the next expected version. */
  readonly nextExpectedVersion: number;
  /** Global position of the last event appended. */
  readonly position: GlobalPosition;
}

export interface ReadStreamOptions {
  /** Inclusive. Forwards default 1; backwards default the last version. */
  readonly fromVersion?: number;
  readonly direction?: 'forwards' | 'backwards';
  readonly maxCount?: number;
}

export interface GlobalFilter {
  /** Only these event types. */
  readonly types?: readonly string[];
  /** Only streams whose id starts with this, e.g. `case-`. */
  readonly streamPrefix?: string;
}

export interface ReadAllOptions {
  /** Exclusive: events strictly after this position. Default: the beginning. */
  readonly after?: GlobalPosition;
  readonly filter?: GlobalFilter;
  /** Default 500. */
  readonly maxCount?: number;
}

export interface ReadAllResult {
  readonly events: readonly RecordedEvent[];
  /**
   * Where the next read should continue from. It moves past filtered-out events too, so a
   * subscriber with a narrow filter still advances its checkpoint.
   */
  readonly next: GlobalPosition;
  /** True when nothing more is visible right now. */
  readonly caughtUp: boolean;
}

export interface CountAllOptions {
  /** Exclusive; default the beginning. */
  readonly after?: GlobalPosition;
  readonly filter?: GlobalFilter;
}

export interface SubscribeOptions {
  /** Exclusive checkpoint the subscriber saved; default the beginning. */
  readonly after?: GlobalPosition;
  readonly filter?: GlobalFilter;
  readonly batchSize?: number;
}

/**
 * Resolve to acknowledge. The subscriber stores `event.position` (or `checkpoint` for batches
 * with filtered-out events) as its checkpoint, ideally in the same transaction as its effects.
 * Throwing stops the subscription: `done` rejects with the error, and the subscriber resumes
 * later from its own checkpoint.
 */
export type EventHandler = (event: RecordedEvent) => Promise<void>;

export interface StoreSubscription {
  /** Settles when the subscription stops: resolves on stop(), rejects on a handler or store error. */
  readonly done: Promise<void>;
  /** True once every event visible at the last read has been handled. */
  readonly caughtUp: boolean;
  stop(): Promise<void>;
}

export interface StreamState {
  readonly exists: boolean;
  readonly version: number;
}

export interface EventStore {
  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult>;
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;
  /** History then live events, in global order, from a checkpoint. */
  subscribe(options: SubscribeOptions, handler: EventHandler): StoreSubscription;
  streamState(streamId: string): Promise<StreamState>;
  /** The position of the last visible event (the beginning for an empty store). */
  headPosition(): Promise<GlobalPosition>;
  /**
   * How many visible events lie after `after` and pass `filter` (a rebuild's progress total).
   * Counting is a scan: use it for progress, not on a hot path.
   */
  countAll(options?: CountAllOptions): Promise<number>;
  /**
   * Readiness: runs an append through the same path real appends take and leaves nothing behind
   * (no event, no position). Rejects, with the reason, when appends cannot succeed.
   */
  checkWritePath(): Promise<void>;
  close(): Promise<void>;
}

export const START: GlobalPosition = Object.freeze({ tx: 0n, seq: 0n });

export const MAX_STREAM_ID_LENGTH = 200;
export const MAX_EVENT_TYPE_LENGTH = 200;
/** Serialized data + metadata of one event. Attachments are references, never inline files. */
export const MAX_EVENT_BYTES = 1024 * 1024;
export const MAX_EVENTS_PER_APPEND = 1000;
