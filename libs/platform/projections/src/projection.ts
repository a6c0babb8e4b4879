import type { GlobalFilter, RecordedEvent } from '@tongban/event-store';

/**
 * A projection is a pure handler plus the tables it owns. The engine (not the handler) reads
 * and writes the database: before a batch it loads every row the batch's events say they will
 * read, hands each event to `handle` with those rows, collects what `handle` put, deleted or
 * incremented, and writes it all in ONE transaction together with the projection's checkpoint
 * and the last version it applied of every stream. That makes a projection:
 *
 * - exactly-once per (stream, version): an event at or below the recorded version of its stream
 *   is skipped, so redelivery and replays change nothing;
 * - rebuildable: the same handler fills fresh tables from the store, and because handlers see
 *   rows, never the batch boundaries, a rebuild produces exactly the incremental rows;
 * - testable without a database (`InMemoryProjectionStore`).
 *
 * Rules for handlers:
 * - No I/O, no clock, no randomness: everything comes from the event and the rows it read.
 * - Read only rows listed by `reads` for that event (anything else throws).
 * - Timestamp columns are declared in the table's `timestamps`; the engine normalizes them to
 *   UTC ISO strings (`2026-11-27T01:30:00.000Z`) on the way in and out. Timestamps inside jsonb
 *   columns must be normalized by the handler (`toInstant`), so a row reads back the same
 *   whether it came from this batch or from the database.
 */

/** A column value as the engine moves it: JSON-compatible. */
export type CellValue =
  string | number | boolean | null | readonly CellValue[] | { readonly [key: string]: CellValue };

export type Row = { readonly [column: string]: CellValue };

export interface TableSpec {
  /** The live physical table, created by a checked-in migration, e.g. `rm_case_detail`. */
  readonly table: string;
  /** Primary-key columns, in order. */
  readonly key: readonly string[];
  /**
   * `document`: rows are put and deleted whole. `counter`: rows are only ever incremented; the
   * `counters` columns are summed into the existing row (a missing row starts at zero).
   */
  readonly kind: 'document' | 'counter';
  /** Counter tables: the numeric columns `increment` adds to. */
  readonly counters?: readonly string[];
  /** Document tables: timestamptz columns, normalized by the engine. */
  readonly timestamps?: readonly string[];
}

/** A row to load before the batch: its table and its key columns. */
export interface RowRef {
  readonly table: string;
  readonly key: Row;
}

/** What a handler sees and does. Writes are visible to later `get`s in the same batch. */
export interface ProjectionContext {
  /** A row listed by `reads` for this event, as last put (undefined when there is none). */
  get(table: string, key: Row): Row | undefined;
  /** Insert or replace the whole row (its key columns included). */
  put(table: string, row: Row): void;
  delete(table: string, key: Row): void;
  /** Counter tables only: add `deltas` to the row at `key` (created at zero when missing). */
  increment(table: string, key: Row, deltas: Readonly<Record<string, number>>): void;
}

export interface Projection<E = RecordedEvent> {
  /** Stable name: the checkpoint's key and the rebuild command's argument, e.g. `case_detail`. */
  readonly name: string;
  /** The tables this projection owns and nobody else writes. */
  readonly tables: readonly TableSpec[];
  /**
   * The table (columns `stream_id text primary key`, `version integer not null`) where the engine
   * records the last version applied of every stream; created by the same migration.
   */
  readonly streamsTable: string;
  /** Which events reach `handle` (others only advance the checkpoint). */
  readonly filter: GlobalFilter;
  /** Stored event → the handler's event type (decoding and upcasting happen here). */
  decode(recorded: RecordedEvent): E;
  /** The rows `handle` will `get` for this event. */
  reads(event: E, recorded: RecordedEvent): readonly RowRef[];
  handle(event: E, recorded: RecordedEvent, context: ProjectionContext): void;
}

/** A projection with its event type erased, as the engine holds them in a list. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the engine only passes decode()'s own output back
export type AnyProjection = Projection<any>;

/** Normalize an instant (ISO string or Date) to the engine's form: UTC ISO with milliseconds. */
const NORMALIZED_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Instants in another form already converted (events carry local offsets, `+08:00`, and every
 * projection of a batch converts the same ones): a parse and a format each is what a replay
 * spent. Large enough for a rebuild batch's instants (each projection goes through the whole
 * batch before the next starts); bounded (a few MiB), cleared when full.
 */
const converted = new Map<string, string>();
const CONVERTED_MAX = 65_536;

export function toInstant(value: string | Date): string {
  if (typeof value === 'string') {
    // Already in the engine's form (most values a handler copies from a row it read): keep it.
    if (NORMALIZED_INSTANT.test(value)) return value;
    const known = converted.get(value);
    if (known !== undefined) return known;
  }
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`Not an instant: ${String(value)}`);
  const instant = date.toISOString();
  if (typeof value === 'string') {
    if (converted.size >= CONVERTED_MAX) converted.clear();
    converted.set(value, instant);
  }
  return instant;
}

/**
 * The stream prefix all the projections agree on, for reading the store on their behalf (each
 * still applies its own filter to every event); everything when they do not agree. Never their
 * `types`: the stream-version guard must see every event of a watched stream.
 */
export function sharedFilter(projections: readonly AnyProjection[]): GlobalFilter | undefined {
  const prefixes = new Set(projections.map((p) => p.filter.streamPrefix));
  const [only] = prefixes;
  return prefixes.size === 1 && only !== undefined ? { streamPrefix: only } : undefined;
}
