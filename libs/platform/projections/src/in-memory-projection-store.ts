import { START, comparePositions, type GlobalPosition, type RecordedEvent } from '@tongban/event-store';
import { keyOf, planBatch, runBatch, type BatchChanges, type BatchSource } from './batch';
import type { AnyProjection, CellValue, Row, TableSpec } from './projection';

/**
 * One projection's tables in memory, with the same batch semantics as PostgreSQL: stream
 * versions, checkpoint, and rows that go through JSON on the way in and out (as they would
 * through the database). For unit tests of handlers; production always runs on PostgreSQL.
 */
export class InMemoryProjectionStore {
  private readonly tables = new Map<string, Map<string, Row>>();
  private readonly streams = new Map<string, number>();
  private checkpointValue: GlobalPosition = START;

  constructor(readonly projection: AnyProjection) {
    for (const spec of projection.tables) this.tables.set(spec.table, new Map());
  }

  get checkpoint(): GlobalPosition {
    return this.checkpointValue;
  }

  /** Apply events in batches of `batchSize` (default: all at once). */
  async apply(events: readonly RecordedEvent[], options: { batchSize?: number } = {}): Promise<void> {
    const size = options.batchSize ?? Math.max(events.length, 1);
    for (let i = 0; i < events.length; i += size) {
      const batch = events.slice(i, i + size);
      const outcome = await runBatch(planBatch(this.projection, batch), this.streams, this.source());
      this.write(outcome.changes);
      const last = batch[batch.length - 1];
      if (last && comparePositions(last.position, this.checkpointValue) > 0)
        this.checkpointValue = last.position;
    }
  }

  /** Rows of a table, ordered by key, as the database would give them back. */
  rows(table: string): Row[] {
    const rows = this.tables.get(table);
    if (!rows) throw new Error(`${this.projection.name}: no table ${table}`);
    return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => copy(row));
  }

  row(table: string, key: Row): Row | undefined {
    const row = this.tables.get(table)?.get(keyOf(this.spec(table), key));
    return row ? copy(row) : undefined;
  }

  streamVersion(streamId: string): number {
    return this.streams.get(streamId) ?? 0;
  }

  private source(): BatchSource {
    return {
      loadRows: (spec, keys) => {
        const rows = this.tables.get(spec.table)!;
        const found = new Map<string, Row>();
        for (const key of keys.keys()) {
          const row = rows.get(key);
          if (row !== undefined) found.set(key, copy(row));
        }
        return Promise.resolve(found);
      },
    };
  }

  private write(changes: BatchChanges): void {
    for (const [table, rows] of changes.documents) {
      const target = this.tables.get(table)!;
      for (const [key, row] of rows) {
        if (row === null) target.delete(key);
        else target.set(key, copy(row));
      }
    }
    for (const [table, rows] of changes.counters) {
      const spec = this.spec(table);
      const target = this.tables.get(table)!;
      for (const [key, { key: keyRow, deltas }] of rows) {
        const existing: Record<string, CellValue> = { ...(target.get(key) ?? keyRow) };
        for (const column of spec.counters ?? []) {
          existing[column] = ((existing[column] as number | undefined) ?? 0) + (deltas[column] ?? 0);
        }
        target.set(key, existing);
      }
    }
    for (const [streamId, version] of changes.streamVersions) this.streams.set(streamId, version);
  }

  private spec(table: string): TableSpec {
    const spec = this.projection.tables.find((t: TableSpec) => t.table === table);
    if (!spec) throw new Error(`${this.projection.name}: no table ${table}`);
    return spec;
  }
}

/** A row as it would come back from the database: a fresh copy, frozen so a handler that
 * mutates what it read (instead of putting a new row) fails in unit tests. */
function copy(row: Row): Row {
  return deepFreeze(JSON.parse(JSON.stringify(row)) as Row);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
