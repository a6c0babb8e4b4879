import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { PostgresEventStore, eventStorePoolConfig, migrateEventStore, poolOf } from '@tongban/event-store';
import { createTestDatabase, migratedDataSource, eventually, type TestDatabase } from '@tongban/testing';
import type { Projection } from '../projection';
import { ReadModelsAdminController } from '../read-models-admin.controller';
import { applyInTransaction } from './apply';
import { ProjectionRunner } from './projection-runner';
import { ensureCheckpoint } from './projection-sql';
import { PROJECTION_MIGRATIONS } from '../index';
import { RebuildSupersededError, rebuildProjections } from './rebuild';

/**
 * Two rebuilds of one read model at once (issue 11, item 4). The guard used to be a field of the
 * admin controller: the CLI (`projections:rebuild`, its own process) and the admin endpoint — or
 * two projector replicas — rebuilt together, the second's setup dropped the first's shadow tables
 * and reset its checkpoint, and the live table lost rows for good. Here the "CLI" is
 * `rebuildProjections` on a pool of its own (as apps/projector/src/rebuild.ts runs it) and the
 * "projector" is the admin controller on another: separate sessions, as two processes would be.
 */
interface Entry {
  readonly kind: string;
}

const ledger: Projection<Entry> = {
  name: 'ledger',
  tables: [
    { table: 'l_doc', key: ['stream_id'], kind: 'document' },
    { table: 'l_count', key: ['kind'], kind: 'counter', counters: ['n'] },
  ],
  streamsTable: 'l_streams',
  filter: { streamPrefix: 'ledger-' },
  decode: (recorded) => ({ kind: recorded.type }),
  reads: (_event, recorded) => [{ table: 'l_doc', key: { stream_id: recorded.streamId } }],
  handle: (event, recorded, context) => {
    const doc = context.get('l_doc', { stream_id: recorded.streamId });
    context.put('l_doc', {
      stream_id: recorded.streamId,
      count: ((doc?.['count'] as number | undefined) ?? 0) + 1,
      kinds: [...((doc?.['kinds'] as string[] | undefined) ?? []), event.kind],
    });
    context.increment('l_count', { kind: event.kind }, { n: 1 });
  },
};

let db: TestDatabase;
let dataSource: DataSource;
let store: PostgresEventStore;
/** The CLI's own pool and store, as `npm run projections:rebuild` opens them. */
let cliPool: Pool;
let cliStore: PostgresEventStore;
let admin: ReadModelsAdminController;
let expected: Snapshot;

interface Snapshot {
  readonly docs: unknown[];
  readonly counts: unknown[];
  readonly streams: unknown[];
}

async function snapshot(): Promise<Snapshot> {
  const pool = poolOf(dataSource);
  return {
    docs: (await pool.query(`SELECT * FROM l_doc ORDER BY stream_id`)).rows,
    counts: (await pool.query(`SELECT * FROM l_count ORDER BY kind`)).rows,
    streams: (await pool.query(`SELECT * FROM l_streams ORDER BY stream_id`)).rows,
  };
}

beforeAll(async () => {
  db = await createTestDatabase('rbexcl');
  dataSource = await migratedDataSource(db.url, PROJECTION_MIGRATIONS);
  const pool = poolOf(dataSource);
  await migrateEventStore(pool);
  await pool.query(`
    CREATE TABLE l_doc (stream_id text PRIMARY KEY, count integer NOT NULL, kinds jsonb NOT NULL);
    CREATE INDEX l_doc_count_idx ON l_doc (count);
    CREATE TABLE l_count (kind text PRIMARY KEY, n integer NOT NULL DEFAULT 0);
    CREATE TABLE l_streams (stream_id text PRIMARY KEY, version integer NOT NULL)`);
  store = new PostgresEventStore({ pool });
  cliPool = new Pool(eventStorePoolConfig(db.url, { max: 3 }));
  cliStore = new PostgresEventStore({ pool: cliPool });

  const ids: string[] = [];
  for (let s = 0; s < 30; s++) {
    const stream = `ledger-${randomUUID()}`;
    ids.push(stream);
    for (let v = 0; v < 4; v++) {
      await store.append(stream, [{ id: randomUUID(), type: ['a', 'b', 'c'][(s + v) % 3]!, data: {} }], v);
    }
  }
  const events = await eventually(async () => {
    const all = await store.readAll({ maxCount: 10_000, filter: ledger.filter });
    expect(all.events).toHaveLength(120);
    return all.events;
  });
  // The incremental build: what every rebuild must reproduce row for row.
  await ensureCheckpoint(pool, 'ledger');
  await applyInTransaction(pool, [{ projection: ledger, checkpoint: 'ledger', suffix: '' }], events);
  expected = await snapshot();
  expect(expected.docs).toHaveLength(30);

  const runner = new ProjectionRunner({ pool, store, projections: [ledger] });
  admin = new ReadModelsAdminController([ledger], dataSource, store, runner);
}, 60_000);

afterAll(async () => {
  await cliStore?.close();
  await cliPool?.end();
  await store?.close();
  await dataSource?.destroy();
  await db?.drop();
});

async function leftovers(): Promise<{ tables: unknown[]; checkpoints: unknown[]; rebuilds: unknown[] }> {
  const pool = poolOf(dataSource);
  return {
    tables: (await pool.query(`SELECT relname FROM pg_class WHERE relname LIKE 'l\\_%\\_\\_%'`)).rows,
    checkpoints: (await pool.query(`SELECT projection FROM projection_checkpoints ORDER BY 1`)).rows,
    rebuilds: (await pool.query(`SELECT projection FROM projection_rebuilds`)).rows,
  };
}

const settled = <T>(promise: Promise<T>): Promise<{ ok: T } | { error: unknown }> =>
  promise.then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error }),
  );

/** Holds a read on the live table, so a swap (which renames it) waits until `release`. */
async function holdLiveTable(): Promise<{ release(): Promise<void> }> {
  const client: PoolClient = await poolOf(dataSource).connect();
  await client.query('BEGIN');
  await client.query('SELECT count(*) FROM l_doc');
  return {
    release: async () => {
      await client.query('COMMIT');
      client.release();
    },
  };
}

async function announcedPhase(): Promise<string | undefined> {
  const { rows } = await poolOf(dataSource).query<{ phase: string | null }>(
    `SELECT progress->>'phase' AS phase FROM projection_rebuilds WHERE projection = 'ledger'`,
  );
  return rows[0]?.phase ?? undefined;
}

describe('two rebuilds of one read model', () => {
  it('started together from the CLI and the admin endpoint: one runs, one is refused, and the rows equal the incremental build', async () => {
    const [cli, endpoint] = await Promise.all([
      settled(rebuildProjections(cliPool, cliStore, [ledger], { batchSize: 7 })),
      settled(admin.rebuild('ledger')),
    ]);
    const outcomes = [cli, endpoint];
    expect(outcomes.filter((o) => 'ok' in o)).toHaveLength(1);
    const refused = outcomes.find((o) => 'error' in o) as { error: unknown };
    expect(refused.error).toMatchObject({ code: 'read_model.rebuild_running', kind: 'conflict' });
    expect((refused.error as Error).message).toMatch(/^A rebuild of ledger is already running \(/);

    expect(await snapshot()).toEqual(expected);
    expect(await leftovers()).toEqual({ tables: [], checkpoints: [{ projection: 'ledger' }], rebuilds: [] });
  });

  it('refuses the second with 409 and the running rebuild’s progress, even from another process', async () => {
    const held = await holdLiveTable();
    let released = false;
    const cli = settled(
      rebuildProjections(cliPool, cliStore, [ledger], { batchSize: 7, lockTimeoutMs: 60_000 }),
    );
    try {
      // The CLI has replayed everything and waits to swap (our read holds the live table).
      await eventually(async () => expect(await announcedPhase()).toBe('swapping'), { timeoutMs: 20_000 });

      const refused = await settled(admin.rebuild('ledger'));
      expect(refused).toMatchObject({
        error: { code: 'read_model.rebuild_running', kind: 'conflict' },
      });
      expect((refused as { error: Error }).error.message).toMatch(
        /^A rebuild of ledger is already running \(swapping 120 \/ 120 events, ~0 s left, started \S+\); try again when it is done\.$/,
      );
      // The admin view of the projector shows the CLI's rebuild too.
      expect((await admin.list()).rebuild).toMatchObject({
        projection: 'ledger',
        phase: 'swapping',
        done: 120,
      });
      await held.release();
      released = true;
      expect(await cli).toMatchObject({ ok: { projection: 'ledger', events: 120 } });
    } finally {
      if (!released) await held.release();
      await cli;
    }
    expect(await snapshot()).toEqual(expected);
    expect(await leftovers()).toEqual({ tables: [], checkpoints: [{ projection: 'ledger' }], rebuilds: [] });
    // And once it is done, the next one runs.
    expect(await admin.rebuild('ledger')).toMatchObject({ projection: 'ledger', events: 120 });
    expect(await snapshot()).toEqual(expected);
  });

  it('without the lock (one shared session, a lost connection), the generation check stops the older one: nothing lost', async () => {
    // `process` exclusion on two pools: nothing keeps them apart but the generation tags, which
    // is all a client sharing standalone's PGlite session would meet.
    const otherPool = new Pool(eventStorePoolConfig(db.url, { max: 3 }));
    const otherStore = new PostgresEventStore({ pool: otherPool });
    const held = await holdLiveTable();
    let released = false;
    try {
      const first = settled(
        rebuildProjections(cliPool, cliStore, [ledger], {
          batchSize: 7,
          lockTimeoutMs: 200,
          exclusion: 'process',
        }),
      );
      await eventually(async () => expect(await announcedPhase()).toBe('swapping'), { timeoutMs: 20_000 });
      // A second rebuild takes the shadow tables over while the first waits to swap.
      const second = settled(
        rebuildProjections(otherPool, otherStore, [ledger], {
          batchSize: 7,
          lockTimeoutMs: 60_000,
          exclusion: 'process',
        }),
      );
      const lost = await first;
      expect(lost).toMatchObject({ error: expect.any(RebuildSupersededError) as unknown });
      expect((lost as { error: Error }).error.message).toMatch(
        /^The rebuild \S+ of ledger was superseded by another rebuild: /,
      );
      await held.release();
      released = true;
      expect(await second).toMatchObject({ ok: { projection: 'ledger', events: 120 } });
    } finally {
      if (!released) await held.release();
      await otherStore.close();
      await otherPool.end();
    }
    expect(await snapshot()).toEqual(expected);
    expect(await leftovers()).toEqual({ tables: [], checkpoints: [{ projection: 'ledger' }], rebuilds: [] });
  });
});
