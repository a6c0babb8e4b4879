import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool, type PoolClient } from 'pg';
import { poolOnConnect, startEmbeddedPostgres } from '@tongban/database';
import { createTestDatabase, eventually } from '@tongban/testing';
import type { EventToAppend, RecordedEvent } from '../event-store';
import { InvalidEventError } from '../errors';
import { migrateEventStore } from './migrations';
import { PostgresEventStore, eventStorePoolConfig } from './postgres-event-store';

/**
 * Regression for issue 9's first outage: one write holding a lone surrogate failed inside the
 * database, and from then on every append answered `prepared statement "tongban_es.append"
 * already exists` and the projector's reads `… "tongban_es.read_all" already exists`, until a
 * restart. On PGlite, pg's pool drops the client after the failure and the next connection
 * inherits the one shared session — named statements, open transaction and all.
 *
 * Whatever makes a statement fail, the next one on the pool must work: shown here with the
 * store's own named statements failing inside the database (a trigger refuses one event type,
 * raised after the statement was parsed and bound), on both databases Tongban runs on, with the
 * pool sized as each deployable sizes it.
 */

interface Target {
  readonly pool: Pool;
  stop(): Promise<void>;
}

const targets: Array<[string, () => Promise<Target>]> = [
  [
    'PostgreSQL, a pool of one',
    async () => {
      const db = await createTestDatabase('esfail');
      const pool = new Pool(eventStorePoolConfig(db.url, { max: 1 }));
      return {
        pool,
        stop: async () => {
          await pool.end();
          await db.drop();
        },
      };
    },
  ],
  [
    'PGlite, as standalone connects to it',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tongban-esfail-'));
      const embedded = await startEmbeddedPostgres({ dataDir: dir });
      const pool = new Pool({
        connectionString: embedded.url,
        max: 1,
        onConnect: poolOnConnect(embedded.onConnect),
      });
      return {
        pool,
        stop: async () => {
          await pool.end();
          await embedded.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

const POISON = 'test.refused-by-trigger';

const event = (type = 'case.note', data: Record<string, string> = {}): EventToAppend => ({
  id: crypto.randomUUID(),
  type,
  data: { note: '楼道灯不亮', ...data },
  metadata: { correlationId: crypto.randomUUID() },
});

describe.each(targets)('a failed statement on %s', (_name, start) => {
  let target: Target;
  let store: PostgresEventStore;

  beforeAll(async () => {
    target = await start();
    await migrateEventStore(target.pool);
    await target.pool.query(`
      CREATE OR REPLACE FUNCTION tongban_es.refuse_poison() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.type = '${POISON}' THEN RAISE EXCEPTION 'refused by the test trigger'; END IF;
        RETURN NEW;
      END $$`);
    await target.pool.query(`
      CREATE TRIGGER refuse_poison BEFORE INSERT ON tongban_es.events
      FOR EACH ROW EXECUTE FUNCTION tongban_es.refuse_poison()`);
    store = new PostgresEventStore({ pool: target.pool, notify: false, pollIntervalMs: 50 });
  });

  afterAll(async () => {
    await store?.close();
    await target?.stop();
  });

  it('leaves appends, stream reads, global reads and a live subscription working', async () => {
    const delivered: RecordedEvent[] = [];
    const subscription = store.subscribe({}, (e) => {
      delivered.push(e);
      return Promise.resolve();
    });
    try {
      const stream = `case-${crypto.randomUUID()}`;
      await store.append(stream, [event()], 'no_stream');
      for (let round = 1; round <= 3; round++) {
        await expect(store.append(stream, [event(POISON)], round)).rejects.toThrow(
          'refused by the test trigger',
        );
        // The very next statements on the pool, each a named one the failure could have left behind.
        await expect(store.append(stream, [event()], round)).resolves.toMatchObject({
          nextExpectedVersion: round + 1,
        });
        expect((await store.readStream(stream)).map((e) => e.version)).toHaveLength(round + 1);
        expect((await store.readStream(stream, { direction: 'backwards' }))[0]!.version).toBe(round + 1);
        // The horizon is cluster-wide: another test's open transaction may hide it for a moment.
        await eventually(async () =>
          expect((await store.readAll({ filter: { streamPrefix: stream } })).events).toHaveLength(round + 1),
        );
      }
      await eventually(() => expect(delivered.filter((e) => e.streamId === stream)).toHaveLength(4));
      expect(delivered.some((e) => e.type === POISON)).toBe(false);
    } finally {
      await subscription.stop();
    }
  });

  it('refuses a lone surrogate before the database sees it, and the next append works', async () => {
    const stream = `case-${crypto.randomUUID()}`;
    await expect(
      store.append(stream, [event('case.note', { note: 'a\ud800b' })], 'any'),
    ).rejects.toBeInstanceOf(InvalidEventError);
    await expect(store.append(stream, [event()], 'no_stream')).resolves.toMatchObject({
      nextExpectedVersion: 1,
    });
  });

  it('rolls back what a dropped connection left open, as a disconnect does', async () => {
    const stream = `case-${crypto.randomUUID()}`;
    const client: PoolClient = await target.pool.connect();
    await client.query('BEGIN');
    await store.appendInTransaction(client, stream, [event()], 'no_stream');
    await expect(client.query('SELECT 1/0')).rejects.toThrow('division by zero');
    // Dropped mid-transaction, aborted: what pg's pool does with a client released with an error.
    client.release(new Error('dropped by the test'));
    await expect(store.append(stream, [event()], 'no_stream')).resolves.toMatchObject({
      nextExpectedVersion: 1,
    });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('makes the write-path probe fail, with the reason, and pass again once the fault is gone', async () => {
    await expect(store.checkWritePath()).resolves.toBeUndefined();
    await target.pool.query(`
      CREATE OR REPLACE FUNCTION tongban_es.refuse_all() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the events table refuses writes'; END $$`);
    await target.pool.query(`
      CREATE TRIGGER refuse_all BEFORE INSERT ON tongban_es.events
      FOR EACH ROW EXECUTE FUNCTION tongban_es.refuse_all()`);
    await expect(store.checkWritePath()).rejects.toThrow('the events table refuses writes');
    await expect(store.checkWritePath()).rejects.toThrow('the events table refuses writes');
    await target.pool.query('DROP TRIGGER refuse_all ON tongban_es.events');
    await expect(store.checkWritePath()).resolves.toBeUndefined();
    const stream = `case-${crypto.randomUUID()}`;
    await expect(store.append(stream, [event()], 'no_stream')).resolves.toMatchObject({
      nextExpectedVersion: 1,
    });
  });
});
