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

/** Where a batch reads its rows from: a transaction on PostgreSQL, or memory in unit tests. */
export interface BatchSource {
  loadStreamVersions(streamIds: readonly string[]): Promise<ReadonlyMap<string, number>>;
  /** The rows at these keys that exist (keys are rows holding the key columns). */
  loadRows(spec: TableSpec, keys: readonly Row[]): Promise<readonly Row[]>;
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

export function keyOf(spec: TableSpec, row: Row): string {
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

const timestampColumns = new WeakMap<TableSpec, readonly string[]>();

/** The engine's canonical form of a row: timestamp columns normalized, everything else as is. */
export function normalizeRow(spec: TableSpec, row: Row): Row {
  let columns = timestampColumns.get(spec);
  if (!columns) timestampColumns.set(spec, (columns = spec.timestamps ?? []));
  if (columns.length === 0) return row;
  const out: Record<string, CellValue> = { ...row };
  for (const column of columns) {
    const value = out[column];
    if (value !== undefined && value !== null) out[column] = toInstant(value as string);
  }
  return out;
}

function normalizeCell(spec: TableSpec, column: string, value: CellValue): CellValue {
  if (value !== null && spec.timestamps?.includes(column)) return toInstant(value as string);
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

/**
 * Apply a batch of events (in global order) to one projection: skip what was already applied,
 * refuse a gap, load what the handlers read, run the handlers, and return the changes to write.
 * Pure apart from the reads through `source`.
 *
 * The stream-version guard: an event at or below its stream's recorded version is a duplicate
 * (skipped); one exactly one past it is next (applied, or only recorded when `types` leaves it
 * out); one further past is a gap and throws `ProjectionGapError`. A stream with no recorded
 * version is at 0, so its first event must be version 1: every projection reads its streams
 * from their beginning (a new projection and a rebuild start at the start of the store), so a
 * stream first seen at a later version means its earlier events went missing (ADR 0017).
 */
export async function runBatch(
  projection: AnyProjection,
  events: readonly RecordedEvent[],
  source: BatchSource,
): Promise<BatchOutcome> {
  const specs = new Map(projection.tables.map((spec) => [spec.table, spec]));
  const watched = events.filter((event) => watches(projection, event));
  let ignored = events.length - watched.length;

  const recorded = await source.loadStreamVersions([...new Set(watched.map((e) => e.streamId))]);
  const streamVersions = new Map(recorded);
  const fresh: Array<{ recorded: RecordedEvent; event: unknown }> = [];
  const advanced = new Set<string>();
  let duplicates = 0;
  for (const event of watched) {
    const seen = streamVersions.get(event.streamId) ?? 0;
    if (event.version <= seen) {
      duplicates += 1;
      continue;
    }
    if (event.version > seen + 1) throw new ProjectionGapError(projection.name, event, seen);
    streamVersions.set(event.streamId, event.version);
    advanced.add(event.streamId);
    if (!matchesFilter(projection, event)) {
      ignored += 1;
      continue;
    }
    fresh.push({
      recorded: event,
      event: explained(projection, event, () => projection.decode(event) as unknown),
    });
  }

  // Every row any handler of the batch will read, loaded with one query per table.
  const wanted = new Map<string, Map<string, Row>>();
  const allowed = new Set<string>();
  for (const { recorded: r, event } of fresh) {
    explained(projection, r, () => {
      for (const ref of projection.reads(event, r)) {
        const spec = specOf(specs, ref.table, projection.name);
        const key = keyOf(spec, ref.key);
        allowed.add(`${spec.table}\u0000${key}`);
        let keys = wanted.get(spec.table);
        if (!keys) wanted.set(spec.table, (keys = new Map<string, Row>()));
        keys.set(key, ref.key);
      }
    });
  }
  const current = new Map<string, Map<string, Row | null>>();
  for (const [table, keys] of wanted) {
    const spec = specOf(specs, table, projection.name);
    const rows = new Map<string, Row | null>();
    for (const row of await source.loadRows(spec, [...keys.values()])) {
      const normalized = normalizeRow(spec, row);
      rows.set(keyOf(spec, normalized), normalized);
    }
    current.set(table, rows);
  }

  const documents = new Map<string, Map<string, Row | null>>();
  const counters = new Map<string, Map<string, { key: Row; deltas: Record<string, number> }>>();
  const context: ProjectionContext = {
    get: (table, key) => {
      const spec = specOf(specs, table, projection.name);
      const k = keyOf(spec, key);
      if (!allowed.has(`${table}\u0000${k}`)) {
        throw new Error(`${projection.name}: handler read ${table} ${k} without listing it in reads()`);
      }
      const changed = documents.get(table);
      if (changed?.has(k)) return changed.get(k) ?? undefined;
      return current.get(table)?.get(k) ?? undefined;
    },
    put: (table, row) => {
      const spec = documentSpec(specs, table, projection.name);
      const normalized = normalizeRow(spec, row);
      let changed = documents.get(table);
      if (!changed) documents.set(table, (changed = new Map<string, Row | null>()));
      changed.set(keyOf(spec, normalized), normalized);
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

  for (const { recorded: r, event } of fresh)
    explained(projection, r, () => projection.handle(event, r, context));

  const touched = new Map<string, number>();
  for (const streamId of advanced) touched.set(streamId, streamVersions.get(streamId)!);
  return {
    changes: { documents, counters, streamVersions: touched },
    applied: fresh.length,
    duplicates,
    ignored,
  };
}

/** Runs one event's part of the batch; a failure names the event (see ProjectionEventError). */
function explained<T>(projection: AnyProjection, recorded: RecordedEvent, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new ProjectionEventError(projection.name, recorded, error);
  }
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
