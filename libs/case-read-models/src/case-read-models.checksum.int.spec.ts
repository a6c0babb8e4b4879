import { Pool } from 'pg';
import { generateCaseWorkload } from '@tongban/cases/testing';
import {
  PostgresEventStore,
  eventStorePoolConfig,
  migrateEventStore,
  type GlobalPosition,
  type RecordedEvent,
} from '@tongban/event-store';
import {
  ProjectionRunner,
  ReadModelConsistency,
  applyInTransaction,
  ensureCheckpoint,
  matchesFilter,
  rebuildProjection,
  rebuildProjections,
} from '@tongban/projections';
import { createTestDatabase, migratedDataSource, type TestDatabase } from '@tongban/testing';
import { CASE_PROJECTIONS } from './projections';
import { READ_MODEL_TABLES, appendWorkload, readModelChecksums } from './testing';
import { CASE_READ_MODEL_MIGRATIONS } from './index';

/**
 * The read models' two promises, on real PostgreSQL with a randomized workload of 10,000 events
 * (every event type, ~1,200 cases, appended while the projector runs):
 *
 * - a rebuild from the store produces exactly the rows the incremental path produced (a
 *   checksum of every table, the projections' own memory and stream-version tables included);
 * - every event delivered twice produces exactly the same rows as once.
 */
const EVENTS = 10_000;

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('views');
  pool = new Pool(eventStorePoolConfig(db.url, { max: 8 }));
  await migrateEventStore(pool);
  await (await migratedDataSource(db.url, CASE_READ_MODEL_MIGRATIONS)).destroy();
  store = new PostgresEventStore({ pool, listen: { connectionString: db.url }, pollIntervalMs: 200 });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

describe('the case read models on a randomized 10,000-event workload', () => {
  let incremental: Record<string, { rows: number; md5: string }>;
  let head: GlobalPosition;

  it('are built incrementally by the live runner while the events are appended', async () => {
    // Small batches while appending: many batch boundaries, rows read back from the database.
    const runner = new ProjectionRunner({ pool, store, projections: CASE_PROJECTIONS, batchSize: 200 });
    await runner.start();
    try {
      head = await appendWorkload(
        store,
        generateCaseWorkload({ seed: 20261128, events: EVENTS }).appends,
        'workload',
      );
      const reached = await new ReadModelConsistency({ pool, store }).waitFor(
        CASE_PROJECTIONS.map((p) => p.name),
        head,
        120_000,
      );
      expect(reached.reached).toBe(true);
    } finally {
      await runner.stop();
    }
    incremental = await readModelChecksums(pool);
    // Every table holds rows (an empty table would make any comparison meaningless).
    for (const table of READ_MODEL_TABLES)
      expect({ table, rows: incremental[table]!.rows > 0 }).toEqual({ table, rows: true });
    const events = await store.countAll({ filter: { streamPrefix: 'case-' } });
    expect(events).toBe(EVENTS);
  }, 300_000);

  it('rebuild from the store into fresh tables, swap, and equal the incremental rows exactly', async () => {
    const runner = new ProjectionRunner({ pool, store, projections: CASE_PROJECTIONS, batchSize: 200 });
    await runner.start();
    try {
      // Two alone, the other five together in one pass over the store.
      const [first, second, ...rest] = CASE_PROJECTIONS;
      for (const projection of [first!, second!]) {
        expect((await rebuildProjection(pool, store, projection, { batchSize: 1_000 })).events).toBe(EVENTS);
      }
      expect((await rebuildProjections(pool, store, rest, { batchSize: 1_000 })).events).toBe(EVENTS);
    } finally {
      await runner.stop();
    }
    expect(await readModelChecksums(pool)).toEqual(incremental);
  }, 300_000);

  it('apply every event delivered twice exactly once', async () => {
    // From empty tables, with the checkpoints wound back before every batch so only the stream
    // versions stand between a redelivered event and a second application.
    await pool.query(`TRUNCATE ${READ_MODEL_TABLES.map((t) => `"${t}"`).join(', ')}`);
    await pool.query(`DELETE FROM projection_checkpoints`);
    for (const p of CASE_PROJECTIONS) await ensureCheckpoint(pool, p.name);
    const all: RecordedEvent[] = [];
    let after: GlobalPosition | undefined;
    for (;;) {
      const page = await store.readAll({
        maxCount: 2_000,
        filter: { streamPrefix: 'case-' },
        ...(after ? { after } : {}),
      });
      all.push(...page.events);
      after = page.next;
      if (page.caughtUp) break;
    }
    const targets = CASE_PROJECTIONS.map((projection) => ({
      projection,
      checkpoint: projection.name,
      suffix: '',
    }));
    const doubled = all.flatMap((e) => [e, e]);
    let applied = 0;
    let duplicates = 0;
    // Uneven batches, so the second delivery of an event often lands in the next batch.
    for (let i = 0, size = 333; i < doubled.length; i += size, size = size === 333 ? 501 : 333) {
      await pool.query(`UPDATE projection_checkpoints SET position_tx = 0, position_seq = 0`);
      const result = await applyInTransaction(pool, targets, doubled.slice(i, i + size));
      applied += result.applied;
      duplicates += result.duplicates;
    }
    // Each event applied once by every projection that declares its type (ADR 0018: the others
    // only record its stream version), and every second delivery skipped by all seven.
    const declared = CASE_PROJECTIONS.reduce((n, p) => n + all.filter((e) => matchesFilter(p, e)).length, 0);
    expect(all.length).toBe(EVENTS);
    expect(declared).toBeGreaterThan(EVENTS * 5);
    expect(applied).toBe(declared);
    expect(duplicates).toBe(EVENTS * CASE_PROJECTIONS.length);
    expect(await readModelChecksums(pool)).toEqual(incremental);
  }, 300_000);
});
