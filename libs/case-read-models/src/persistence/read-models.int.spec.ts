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
  ensureCheckpoint,
  keyOf,
  normalizeRow,
  type Row,
} from '@tongban/projections';
import { createTestDatabase } from '@tongban/testing';
import { CASE_PROJECTIONS } from '../projections';
import { EventLog } from '../projections/projection-test-kit';
import { CaseDetailEntity, READ_MODEL_ENTITIES, READ_MODEL_MIGRATIONS, SlaClockEntity } from './index';

/**
 * The read-model schema on both databases Tongban runs on — PostgreSQL 15+ and PGlite
 * (standalone) —: the migration runs and rolls back, the entities describe exactly the tables it
 * creates, and the rows the projections write through the engine read back as the in-memory
 * store holds them.
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
      entities: READ_MODEL_ENTITIES,
      migrations: [...PROJECTION_MIGRATIONS, ...READ_MODEL_MIGRATIONS],
      extra: { max: database.poolSize, onConnect: database.onConnect },
    }).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await database?.stop();
  });

  it('migrates, and the entities match the tables exactly', async () => {
    await ds.runMigrations({ transaction: 'all' });
    const pending = await ds.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
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

  it('reads the rows through the entities', async () => {
    const detail = await ds
      .getRepository(CaseDetailEntity)
      .findOneOrFail({ where: {}, order: { caseId: 'ASC' } });
    expect(Array.isArray(detail.scopeUnits)).toBe(true);
    expect(detail.submittedAt).toBeInstanceOf(Date);
    expect(Array.isArray(detail.attachments)).toBe(true);
    const clock = await ds
      .getRepository(SlaClockEntity)
      .findOneOrFail({ where: {}, order: { caseId: 'ASC' } });
    expect(['response', 'resolution']).toContain(clock.clock);
  });

  it('rolls back to nothing', async () => {
    for (let undone = 0; undone < READ_MODEL_MIGRATIONS.length; undone++) {
      await ds.undoLastMigration({ transaction: 'all' });
    }
    const left = await ds.query<Array<{ table_name: string }>>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'rm\\_%'`,
    );
    expect(left).toEqual([]);
  });
});
