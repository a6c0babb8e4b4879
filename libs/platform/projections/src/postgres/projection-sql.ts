import type { PoolClient } from 'pg';
import { START, comparePositions, type GlobalPosition } from '@tongban/event-store';
import { keyOf, normalizeRow, type BatchChanges, type BatchSource } from '../batch';
import type { AnyProjection, CellValue, Row, TableSpec } from '../projection';

/**
 * The SQL side of a batch, on ONE client inside the caller's transaction. Rows travel as one
 * jsonb parameter per table and statement and are typed by the table itself
 * (`jsonb_populate_recordset(NULL::table, …)`), so a batch of a thousand events costs a handful
 * of statements, not thousands.
 *
 * `suffix` picks the physical tables: '' for the live ones, `__rebuild` for a rebuild's.
 */
export class ProjectionSql implements BatchSource {
  constructor(
    private readonly client: Pick<PoolClient, 'query'>,
    private readonly projection: AnyProjection,
    private readonly suffix = '',
    /** Column names by physical table; share one map across batches to look them up once. */
    private readonly columnCache: Map<string, string[]>,
  ) {}

  physical(table: string): string {
    return ident(`${table}${this.suffix}`);
  }

  async loadRows(spec: TableSpec, keys: ReadonlyMap<string, Row>): Promise<ReadonlyMap<string, Row>> {
    const found = new Map<string, Row>();
    if (keys.size === 0) return found;
    const table = this.physical(spec.table);
    const keyColumns = spec.key.map(ident).join(', ');
    // The LIMIT (exactly the keys sent, so nothing is cut) tells the planner how few rows the
    // function returns: without it, it guesses 100 and hashes them against a scan of the WHOLE
    // table on every batch (1.4 ms at 3,000 rows, growing with the table) instead of one index
    // probe per key (under 0.1 ms).
    const { rows } = await this.client.query<{ r: Row }>(
      `SELECT to_jsonb(t) AS r FROM ${table} t
        WHERE (${spec.key.map((k) => `t.${ident(k)}`).join(', ')}) IN
              (SELECT ${keyColumns} FROM jsonb_populate_recordset(NULL::${table}, $1::jsonb) LIMIT ${keys.size})`,
      [JSON.stringify([...keys.values()])],
    );
    for (const { r } of rows) {
      const row = normalizeRow(spec, r);
      found.set(keyOf(spec, row), row);
    }
    return found;
  }

  /** Write what a batch changed, the stream versions it reached, and nothing else: ONE statement. */
  async write(changes: BatchChanges): Promise<void> {
    const statement = new ChangesStatement();
    await this.addTo(statement, changes);
    if (statement.isEmpty) return;
    await this.client.query(statement.text('SELECT 1'), statement.values);
  }

  /**
   * Add what a batch changed to `statement`: one data-modifying `WITH` part per table and kind of
   * change. The whole batch then travels and runs as one statement: one round trip, during which
   * PostgreSQL needs nothing more from this process (a replay computes the next batch meanwhile).
   * Keys within a part are unique (a batch's changes hold one entry per key), and a table's deletes
   * and puts are of different keys, so the parts never touch a row twice. (`WHERE true`: an
   * `INSERT … SELECT … FROM f(…)` is otherwise ambiguous before `ON CONFLICT`.)
   */
  async addTo(statement: ChangesStatement, changes: BatchChanges): Promise<void> {
    for (const [tableName, rows] of changes.documents) {
      const spec = this.spec(tableName);
      const table = this.physical(tableName);
      const puts: Row[] = [];
      const deletes: Row[] = [];
      for (const [key, row] of rows) {
        if (row === null) deletes.push(keyRow(spec, JSON.parse(key) as CellValue[]));
        else puts.push(row);
      }
      if (deletes.length > 0) {
        const $ = statement.value(JSON.stringify(deletes));
        statement.add(
          `DELETE FROM ${table} t USING jsonb_populate_recordset(NULL::${table}, ${$}::jsonb) k
            WHERE ${spec.key.map((c) => `t.${ident(c)} = k.${ident(c)}`).join(' AND ')}`,
        );
      }
      if (puts.length > 0) {
        const columns = await this.columns(tableName);
        const updates = columns.filter((c) => !spec.key.includes(c));
        const $ = statement.value(JSON.stringify(puts));
        statement.add(
          `INSERT INTO ${table} SELECT * FROM jsonb_populate_recordset(NULL::${table}, ${$}::jsonb) WHERE true
           ON CONFLICT (${spec.key.map(ident).join(', ')}) DO ${
             updates.length === 0
               ? 'NOTHING'
               : `UPDATE SET ${updates.map((c) => `${ident(c)} = EXCLUDED.${ident(c)}`).join(', ')}`
           }`,
        );
      }
    }
    for (const [tableName, rows] of changes.counters) {
      const spec = this.spec(tableName);
      const table = this.physical(tableName);
      const counters = spec.counters ?? [];
      const payload = [...rows.values()].map(({ key, deltas }) => ({
        ...key,
        ...Object.fromEntries(counters.map((c) => [c, deltas[c] ?? 0])),
      }));
      if (payload.length === 0) continue;
      const columns = [...spec.key, ...counters].map(ident).join(', ');
      const $ = statement.value(JSON.stringify(payload));
      statement.add(
        `INSERT INTO ${table} AS t (${columns})
         SELECT ${columns} FROM jsonb_populate_recordset(NULL::${table}, ${$}::jsonb) WHERE true
         ON CONFLICT (${spec.key.map(ident).join(', ')})
         DO UPDATE SET ${counters.map((c) => `${ident(c)} = t.${ident(c)} + EXCLUDED.${ident(c)}`).join(', ')}`,
      );
    }
    if (changes.streamVersions.size > 0) {
      const ids = statement.value([...changes.streamVersions.keys()]);
      const versions = statement.value([...changes.streamVersions.values()]);
      statement.add(
        `INSERT INTO ${this.physical(this.projection.streamsTable)} (stream_id, version)
         SELECT * FROM unnest(${ids}::text[], ${versions}::integer[]) WHERE true
         ON CONFLICT (stream_id) DO UPDATE SET version = EXCLUDED.version`,
      );
    }
  }

  private async columns(tableName: string): Promise<string[]> {
    const cached = this.columnCache.get(`${tableName}${this.suffix}`);
    if (cached) return cached;
    const { rows } = await this.client.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_attribute a
        WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [`${tableName}${this.suffix}`],
    );
    const names = rows.map((r) => r.name);
    this.columnCache.set(`${tableName}${this.suffix}`, names);
    return names;
  }

  private spec(table: string): TableSpec {
    const spec = this.projection.tables.find((t: TableSpec) => t.table === table);
    if (!spec) throw new Error(`${this.projection.name}: no table ${table}`);
    return spec;
  }
}

export interface CheckpointRow {
  readonly projection: string;
  readonly position: GlobalPosition;
  readonly eventsApplied: number;
}

/** Make sure a checkpoint row exists (at the beginning) without touching an existing one. */
export async function ensureCheckpoint(client: Pick<PoolClient, 'query'>, name: string): Promise<void> {
  await client.query(
    `INSERT INTO projection_checkpoints (projection, position_tx, position_seq) VALUES ($1, 0, 0)
     ON CONFLICT (projection) DO NOTHING`,
    [name],
  );
}

/**
 * Read checkpoints; `forUpdate` locks them (in name order, so two lockers never deadlock):
 * `true` exclusively, `'share'` shared (partitions applying side by side, ADR 0030: they exclude
 * a rebuild's swap, not each other).
 */
export async function readCheckpoints(
  client: Pick<PoolClient, 'query'>,
  names: readonly string[],
  forUpdate: boolean | 'share' = false,
): Promise<Map<string, CheckpointRow>> {
  const { rows } = await client.query<{
    projection: string;
    position_tx: string;
    position_seq: string;
    events_applied: string;
  }>(
    `SELECT projection, position_tx, position_seq, events_applied FROM projection_checkpoints
      WHERE projection = ANY ($1::text[]) ORDER BY projection${forUpdate === 'share' ? ' FOR SHARE' : forUpdate ? ' FOR UPDATE' : ''}`,
    [[...names]],
  );
  return new Map(
    rows.map((r) => [
      r.projection,
      {
        projection: r.projection,
        position: { tx: BigInt(r.position_tx), seq: BigInt(r.position_seq) },
        eventsApplied: Number(r.events_applied),
      },
    ]),
  );
}

/** The lowest checkpoint among `names` (the beginning for one that has none yet). */
export function lowestCheckpoint(
  rows: ReadonlyMap<string, CheckpointRow>,
  names: readonly string[],
): GlobalPosition {
  let lowest: GlobalPosition | undefined;
  for (const name of names) {
    const at = rows.get(name)?.position ?? START;
    if (!lowest || comparePositions(at, lowest) < 0) lowest = at;
  }
  return lowest ?? START;
}

export const checkpointOrStart = (rows: ReadonlyMap<string, CheckpointRow>, name: string): GlobalPosition =>
  rows.get(name)?.position ?? START;

function keyRow(spec: TableSpec, values: readonly CellValue[]): Row {
  return Object.fromEntries(spec.key.map((column, i) => [column, values[i] ?? null]));
}

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

/** Table and column names come from code, never from input; still, refuse anything odd. */
export function ident(name: string): string {
  if (!IDENTIFIER.test(name) || name.length > 63) throw new Error(`Not a plain identifier: ${name}`);
  return `"${name}"`;
}

/**
 * One statement made of data-modifying `WITH` parts. PostgreSQL runs every part to completion
 * whether or not the final query reads it, and the statement is atomic: when the final query
 * fails, none of the parts wrote anything.
 */
export class ChangesStatement {
  readonly values: unknown[] = [];
  private readonly parts: string[] = [];

  get isEmpty(): boolean {
    return this.parts.length === 0;
  }

  /** A parameter: its placeholder. */
  value(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  /** A part: its name, for the final query to read. */
  add(part: string): string {
    const name = `w${this.parts.length}`;
    this.parts.push(`${name} AS (${part})`);
    return name;
  }

  text(finalQuery: string): string {
    return `WITH ${this.parts.join(',\n')}\n${finalQuery}`;
  }
}
