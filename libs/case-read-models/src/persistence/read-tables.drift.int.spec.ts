import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { generateCaseWorkload } from '@tongban/cases/testing';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@tongban/database';
import { poolOf } from '@tongban/event-store';
import {
  InMemoryProjectionStore,
  PROJECTION_MIGRATIONS,
  applyInTransaction,
  describeTable,
  ensureCheckpoint,
  keyOf,
  misfit,
  normalizeRow,
  readRow,
  streamsTable,
  type Row,
  type SqlType,
  type TableDefinition,
  type TableShape,
} from '@tongban/projections';
import { createTestDatabase } from '@tongban/testing';
import { CASE_PROJECTIONS } from '../projections';
import { EventLog } from '../projections/projection-test-kit';
import { READ_MODEL_MIGRATIONS } from './index';

/**
 * One definition per read table (ADR 0021), and the drift test that keeps it true, on both
 * databases Tongban runs on — PostgreSQL 15+ and PGlite (standalone): the checked-in migrations
 * create exactly the tables the projections define (every column's name, type and nullability,
 * the primary key, no table nobody defines); every row the projections write fits its table's
 * definition; rows written through the engine read back — through the engine and through the
 * queries' `readRow` — as the in-memory store holds them; the migrations roll back to nothing.
 * (The views' side: read-views.unit.spec.ts.)
 */

interface Database {
  readonly url: string;
  /** PGlite serves one connection at a time. */
  readonly poolSize: number;
  /** PGlite's session reset, run on each new connection as standalone does. */
  readonly onConnect?: EmbeddedPostgres['onConnect'];
  stop(): Promise<void>;
}

const databases: Array<[string, () => Promise<Database>]> = [
  [
    'PostgreSQL',
    async () => {
      const db = await createTestDatabase('rm');
      return { url: db.url, poolSize: 4, stop: () => db.drop() };
    },
  ],
  [
    'PGlite',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tongban-rm-'));
      const embedded = await startEmbeddedPostgres({ dataDir: dir });
      return {
        url: embedded.url,
        poolSize: 1,
        onConnect: embedded.onConnect,
        stop: async () => {
          await embedded.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

const workload = generateCaseWorkload({ seed: 20261127, events: 1_200 });
const events = new EventLog().record(...workload.appends.flatMap((append) => append.events));

describe.each(databases)('the read models on %s', (_name, start) => {
  let database: Database;
  /** One data source throughout: PGlite serves one connection at a time. */
  let ds: DataSource;

  beforeAll(async () => {
    database = await start();
    ds = await new DataSource({
      type: 'postgres',
      url: database.url,
      migrations: [...PROJECTION_MIGRATIONS, ...READ_MODEL_MIGRATIONS],
      extra: { max: database.poolSize, onConnect: database.onConnect },
    }).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await database?.stop();
  });

  it('migrates to exactly the tables the projections define', async () => {
    await ds.runMigrations({ transaction: 'all' });
    const defined = definitions();
    for (const definition of defined) {
      expect({ table: definition.table, ...(await shapeOf(ds, definition.table)) }).toEqual({
        table: definition.table,
        ...describeTable(definition),
      });
    }
    const tables = await ds.query<Array<{ table_name: string }>>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'rm\\_%'`,
    );
    expect(tables.map((t) => t.table_name).sort()).toEqual(defined.map((d) => d.table).sort());
  });

  it('every row the projections write fits its table', async () => {
    const misfits: string[] = [];
    for (const projection of CASE_PROJECTIONS) {
      const memory = new InMemoryProjectionStore(projection);
      await memory.apply(events);
      for (const definition of projection.tables as readonly TableDefinition[]) {
        const rows = memory.rows(definition.table);
        expect({ table: definition.table, rows: rows.length > 0 }).toEqual({
          table: definition.table,
          rows: true,
        });
        for (const row of rows) {
          const extra = Object.keys(row).filter((name) => !(name in definition.columns));
          if (extra.length > 0) misfits.push(`${definition.table}: not columns: ${extra.join(', ')}`);
          for (const [name, column] of Object.entries(definition.columns)) {
            const wrong = misfit(column, row[name]);
            if (wrong) misfits.push(`${definition.table}.${name}: ${wrong}`);
          }
        }
      }
    }
    expect([...new Set(misfits)].slice(0, 20)).toEqual([]);
  });

  it('stores what the projections write, and gives it back as they wrote it', async () => {
    const pool = poolOf(ds);
    for (const projection of CASE_PROJECTIONS) {
      await ensureCheckpoint(pool, projection.name);
      const target = [{ projection, checkpoint: projection.name, suffix: '' }];
      for (let i = 0; i < events.length; i += 250) {
        await applyInTransaction(pool, target, events.slice(i, i + 250));
      }
      const memory = new InMemoryProjectionStore(projection);
      await memory.apply(events);
      for (const spec of projection.tables) {
        const { rows } = await pool.query<{ r: Row }>(`SELECT to_jsonb(t) AS r FROM ${spec.table} t`);
        const stored = rows
          .map(({ r }) => normalizeRow(spec, r))
          .sort((a, b) => (keyOf(spec, a) < keyOf(spec, b) ? -1 : 1));
        expect({ table: spec.table, rows: stored }).toEqual({
          table: spec.table,
          rows: memory.rows(spec.table),
        });
      }
    }
  });

  it('the queries read the rows back as the projections wrote them (readRow)', async () => {
    for (const projection of CASE_PROJECTIONS) {
      const memory = new InMemoryProjectionStore(projection);
      await memory.apply(events);
      for (const definition of projection.tables as readonly TableDefinition[]) {
        // As the queries read: TypeORM's raw rows (node-postgres types: Date, int8 as string).
        const raw = await ds.query<Array<Record<string, unknown>>>(`SELECT * FROM ${definition.table}`);
        const read = raw
          .map((row) => readRow(definition, row) as Row)
          .sort((a, b) => (keyOf(definition, a) < keyOf(definition, b) ? -1 : 1));
        expect({ table: definition.table, rows: read }).toEqual({
          table: definition.table,
          rows: memory.rows(definition.table),
        });
      }
    }
  });

  it('rolls back to nothing', async () => {
    // Every migration this data source ran, the engine's too (theirs may be newer than the read models').
    for (let undone = 0; undone < PROJECTION_MIGRATIONS.length + READ_MODEL_MIGRATIONS.length; undone++) {
      await ds.undoLastMigration({ transaction: 'all' });
    }
    const left = await ds.query<Array<{ table_name: string }>>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'rm\\_%'`,
    );
    expect(left).toEqual([]);
  });
});

/** Every read table: each projection's tables and its `_streams` table. */
function definitions(): TableDefinition[] {
  return CASE_PROJECTIONS.flatMap((projection) => [
    ...(projection.tables as readonly TableDefinition[]),
    streamsTable(projection.streamsTable),
  ]);
}

/** A table as the catalogue describes it, in `describeTable`'s form. */
async function shapeOf(ds: DataSource, table: string): Promise<TableShape> {
  const columns = await ds.query<Array<{ name: string; type: SqlType; nullable: boolean }>>(
    `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, NOT a.attnotnull AS nullable
       FROM pg_attribute a
      WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped`,
    [table],
  );
  const key = await ds.query<Array<{ name: string }>>(
    `SELECT a.attname AS name
       FROM pg_index i
       CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY k.n`,
    [table],
  );
  return {
    columns: columns.sort((a, b) => a.name.localeCompare(b.name)),
    key: key.map((k) => k.name),
  };
}
