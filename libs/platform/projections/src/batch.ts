import type { RecordedEvent } from '@tongban/event-store';
import {
  toInstant,
  type AnyProjection,
  type CellValue,
  type ProjectionContext,
  type Row,
  type TableSpec,
} from './projection';
import { ProjectionEventError, ProjectionGapError } from './projection-event-error';

/**
 * What one batch changed, per table: whole rows put (null = deleted) for document tables and
 * summed deltas for counter tables. Keys are `keyOf` strings.
 */
export interface BatchChanges {
  readonly documents: ReadonlyMap<string, ReadonlyMap<string, Row | null>>;
  readonly counters: ReadonlyMap<string, ReadonlyMap<string, { key: Row; deltas: Record<string, number> }>>;
  /**
   * The last version seen of every stream the batch touched (every event of a watched stream,
   * handled or filtered out by type: see `watches`).
   */
  readonly streamVersions: ReadonlyMap<string, number>;
}

/**
 * Where a batch reads the rows its handlers `get`: a transaction on PostgreSQL, a rebuild's
 * memory of the rows it wrote, or memory in unit tests. Stream versions are not read here: the
 * caller loads them for every projection of the batch at once and hands them to `runBatch`.
 */
export interface BatchSource {
  /**
   * The rows at these keys (`keyOf` → the key columns) that exist, by the same keys, in the
   * engine's form (`normalizeRow`).
   */
  loadRows(spec: TableSpec, keys: ReadonlyMap<string, Row>): Promise<ReadonlyMap<string, Row>>;
}

/** A batch as one projection sees it: the events of the streams it watches (see `planBatch`). */
export interface BatchPlan {
  readonly projection: AnyProjection;
  /** The events of watched streams, in global order: every one is checked against its stream. */
  readonly events: readonly RecordedEvent[];
  /** Their streams, once each: whose recorded versions the caller loads. */
  readonly streamIds: readonly string[];
  /** Events of streams the projection does not watch (they only advance the checkpoint). */
  readonly unwatched: number;
}

export interface BatchOutcome {
  readonly changes: BatchChanges;
  /** Events handed to the handler. */
  readonly applied: number;
  /** Events at or below their stream's recorded version (redelivered or replayed). */
  readonly duplicates: number;
  /**
   * Events the projection does not handle: other streams, or types its filter leaves out (they
   * advance the checkpoint, and the stream version when the stream is watched).
   */
  readonly ignored: number;
}

/** The last single-column key made per table: a handler reads, then puts, the same key. */
const lastKeys = new WeakMap<TableSpec, { value: string; key: string }>();

export function keyOf(spec: TableSpec, row: Row): string {
  if (spec.key.length === 1) {
    // The same string as below, without the arrays (keys are made several times per event).
    const column = spec.key[0]!;
    const value = row[column];
    if (value === undefined || value === null)
      throw new Error(`${spec.table}: key column ${column} is missing`);
    if (typeof value !== 'string') return `[${JSON.stringify(normalizeCell(spec, column, value))}]`;
    const last = lastKeys.get(spec);
    if (last !== undefined && last.value === value) return last.key;
    const key = `[${JSON.stringify(normalizeCell(spec, column, value))}]`;
    lastKeys.set(spec, { value, key });
    return key;
  }
  return JSON.stringify(
    spec.key.map((column) => {
      const value = row[column];
      if (value === undefined || value === null) {
        throw new Error(`${spec.table}: key column ${column} is missing`);
      }
      return normalizeCell(spec, column, value);
    }),
  );
}

/**
 * The engine's canonical form of a row: timestamp columns normalized, everything else as is. A
 * row whose timestamps are already in that form (most: handlers copy them from rows they read)
 * is returned as it is, not copied. `previous`, a row in that form: values the same as its are
 * not looked at again.
 */
export function normalizeRow(spec: TableSpec, row: Row, previous?: Row): Row {
  const columns = spec.timestamps;
  if (columns === undefined) return row;
  let out: Record<string, CellValue> | undefined;
  for (const column of columns) {
    const value = row[column];
    if (value === undefined || value === null) continue;
    if (previous !== undefined && value === previous[column]) continue;
    const instant = toInstant(value as string);
    if (instant === value) continue;
    out ??= { ...row };
    out[column] = instant;
  }
  return out ?? row;
}

const timestampColumns = new WeakMap<TableSpec, ReadonlySet<string>>();

function normalizeCell(spec: TableSpec, column: string, value: CellValue): CellValue {
  let timestamps = timestampColumns.get(spec);
  if (!timestamps) timestampColumns.set(spec, (timestamps = new Set(spec.timestamps)));
  if (value !== null && timestamps.has(column)) return toInstant(value as string);
  // Arrays and objects are shared, not copied: rows and their values are readonly to handlers
  // (the types say so), and the in-memory store copies what it keeps.
  return value;
}

/** The projection handles this event: its stream is watched and its type is one of `types`. */
export function matchesFilter(projection: AnyProjection, event: RecordedEvent): boolean {
  const { types } = projection.filter;
  if (!watches(projection, event)) return false;
  if (types !== undefined && !types.includes(event.type)) return false;
  return true;
}

/**
 * The event's stream is one the projection watches (its `streamPrefix`), whatever its type. The
 * engine tracks the version of every event of a watched stream — not only of the types the
 * projection handles — so that a hole in a stream shows as a gap however the filter's `types`
 * thin it out. Every reader of a projection's events therefore reads by prefix, never by type.
 */
export function watches(projection: AnyProjection, event: RecordedEvent): boolean {
  const { streamPrefix } = projection.filter;
  return streamPrefix === undefined || event.streamId.startsWith(streamPrefix);
}

/** The one place a batch is filtered: the events of the streams this projection watches. */
export function planBatch(projection: AnyProjection, events: readonly RecordedEvent[]): BatchPlan {
  const watched =
    projection.filter.streamPrefix === undefined
      ? events
      : events.filter((event) => watches(projection, event));
  return {
    projection,
    events: watched,
    streamIds: [...new Set(watched.map((e) => e.streamId))],
    unwatched: events.length - watched.length,
  };
}

/**
 * Apply a planned batch to its projection: skip what was already applied, refuse a gap, load what
 * the handlers read, run the handlers, and return the changes to write. Pure apart from the reads
 * through `source`; `recorded` holds the recorded version of the plan's streams (missing = 0).
 *
 * The stream-version guard: an event at or below its stream's recorded version is a duplicate
 * (skipped); one exactly one past it is next (applied, or only recorded when `types` leaves it
 * out); one further past is a gap and throws `ProjectionGapError`. A stream with no recorded
 * version is at 0, so its first event must be version 1: every projection reads its streams
 * from their beginning (a new projection and a rebuild start at the start of the store), so a
 * stream first seen at a later version means its earlier events went missing (ADR 0017).
 */
export async function runBatch(
  plan: BatchPlan,
  recorded: ReadonlyMap<string, number>,
  source: BatchSource,
  decoded: DecodedEvents = new DecodedEvents(),
): Promise<BatchOutcome> {
  const { projection } = plan;
  const specs = specsOf(projection);
  const types = projection.filter.types;
  let ignored = plan.unwatched;
  const streamVersions = new Map<string, number>();
  const fresh: Array<{ recorded: RecordedEvent; event: unknown }> = [];
  let duplicates = 0;
  for (const event of plan.events) {
    const seen = streamVersions.get(event.streamId) ?? recorded.get(event.streamId) ?? 0;
    if (event.version <= seen) {
      duplicates += 1;
      continue;
    }
    if (event.version > seen + 1) throw new ProjectionGapError(projection.name, event, seen);
    streamVersions.set(event.streamId, event.version);
    if (types !== undefined && !types.includes(event.type)) {
      ignored += 1;
      continue;
    }
    fresh.push({
      recorded: event,
      event: explained(projection, event, () => decoded.decode(projection, event)),
    });
  }

  // Every row any handler of the batch will read, loaded with one query per table.
  const wanted = new Map<string, Map<string, Row>>();
  for (const { recorded: r, event } of fresh) {
    explained(projection, r, () => {
      for (const ref of projection.reads(event, r)) {
        const spec = specOf(specs, ref.table, projection.name);
        const key = keyOf(spec, ref.key);
        let keys = wanted.get(spec.table);
        if (!keys) wanted.set(spec.table, (keys = new Map<string, Row>()));
        keys.set(key, ref.key);
      }
    });
  }
  const current = new Map<string, ReadonlyMap<string, Row>>();
  for (const [table, keys] of wanted) {
    current.set(table, await source.loadRows(specOf(specs, table, projection.name), keys));
  }

  const documents = new Map<string, Map<string, Row | null>>();
  const counters = new Map<string, Map<string, { key: Row; deltas: Record<string, number> }>>();
  const context: ProjectionContext = {
    get: (table, key) => {
      const spec = specOf(specs, table, projection.name);
      const k = keyOf(spec, key);
      if (!wanted.get(table)?.has(k)) {
        throw new Error(`${projection.name}: handler read ${table} ${k} without listing it in reads()`);
      }
      const changed = documents.get(table);
      if (changed?.has(k)) return changed.get(k) ?? undefined;
      return current.get(table)?.get(k) ?? undefined;
    },
    put: (table, row) => {
      const spec = documentSpec(specs, table, projection.name);
      const k = keyOf(spec, row);
      let changed = documents.get(table);
      if (!changed) documents.set(table, (changed = new Map<string, Row | null>()));
      // Most timestamps of a put row are the ones of the row it replaces: those need no check.
      const previous = changed.get(k) ?? current.get(table)?.get(k) ?? undefined;
      changed.set(k, normalizeRow(spec, row, previous));
    },
    delete: (table, key) => {
      const spec = documentSpec(specs, table, projection.name);
      let changed = documents.get(table);
      if (!changed) documents.set(table, (changed = new Map<string, Row | null>()));
      changed.set(keyOf(spec, key), null);
    },
    increment: (table, key, deltas) => {
      const spec = specOf(specs, table, projection.name);
      if (spec.kind !== 'counter') throw new Error(`${projection.name}: ${table} is not a counter table`);
      const k = keyOf(spec, key);
      let changed = counters.get(table);
      if (!changed)
        counters.set(table, (changed = new Map<string, { key: Row; deltas: Record<string, number> }>()));
      let entry = changed.get(k);
      if (!entry) {
        const keyRow = Object.fromEntries(spec.key.map((column) => [column, key[column] ?? null]));
        changed.set(k, (entry = { key: keyRow, deltas: {} }));
      }
      for (const [column, delta] of Object.entries(deltas)) {
        if (!spec.counters?.includes(column)) {
          throw new Error(`${projection.name}: ${table}.${column} is not a counter column`);
        }
        if (!Number.isInteger(delta)) throw new Error(`${projection.name}: ${table}.${column} += ${delta}`);
        entry.deltas[column] = (entry.deltas[column] ?? 0) + delta;
      }
    },
  };

  for (let i = 0; i < fresh.length; i++) {
    const { recorded: r, event } = fresh[i]!;
    explained(projection, r, () => projection.handle(event, r, context));
    // A large batch (a rebuild's) gives the event loop a turn now and then, so the write in
    // flight keeps flowing to PostgreSQL (a socket drains, a queued statement starts) while this
    // batch is computed, instead of waiting for the whole batch.
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  return {
    changes: { documents, counters, streamVersions },
    applied: fresh.length,
    duplicates,
    ignored,
  };
}

/**
 * Events decoded for one batch, shared by the projections that decode with the same function
 * (the case projections share one decoder): each event is decoded once per batch, not once per
 * projection. Decoded events are readonly to handlers, like rows.
 */
export class DecodedEvents {
  private readonly byDecoder = new Map<AnyProjection['decode'], Map<RecordedEvent, unknown>>();

  decode(projection: AnyProjection, event: RecordedEvent): unknown {
    // The decoder is a key here, never called detached (it is called on its projection below).
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const decoder = projection.decode;
    let decoded = this.byDecoder.get(decoder);
    if (!decoded) this.byDecoder.set(decoder, (decoded = new Map<RecordedEvent, unknown>()));
    if (decoded.has(event)) return decoded.get(event);
    const value = projection.decode(event) as unknown;
    decoded.set(event, value);
    return value;
  }
}

/** Events handled between two turns of the event loop. */
const YIELD_EVERY = 500;

/** Runs one event's part of the batch; a failure names the event (see ProjectionEventError). */
function explained<T>(projection: AnyProjection, recorded: RecordedEvent, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new ProjectionEventError(projection.name, recorded, error);
  }
}

const specMaps = new WeakMap<AnyProjection, ReadonlyMap<string, TableSpec>>();

function specsOf(projection: AnyProjection): ReadonlyMap<string, TableSpec> {
  let specs = specMaps.get(projection);
  if (!specs)
    specMaps.set(projection, (specs = new Map(projection.tables.map((spec) => [spec.table, spec]))));
  return specs;
}

function specOf(specs: ReadonlyMap<string, TableSpec>, table: string, projection: string): TableSpec {
  const spec = specs.get(table);
  if (!spec) throw new Error(`${projection}: ${table} is not one of its tables`);
  return spec;
}

function documentSpec(specs: ReadonlyMap<string, TableSpec>, table: string, projection: string): TableSpec {
  const spec = specOf(specs, table, projection);
  if (spec.kind !== 'document') throw new Error(`${projection}: ${table} is a counter table`);
  return spec;
}
