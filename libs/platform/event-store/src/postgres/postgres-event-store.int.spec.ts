import { Pool } from 'pg';
import { createTestDatabase, eventually, type TestDatabase } from '@tongban/testing';
import { IdempotencyConflictError, StreamOrderConflictError, WrongExpectedVersionError } from '../errors';
import { eventStoreContract } from '../event-store.contract';
import { migrateEventStore } from './migrations';
import { PostgresEventStore, eventStorePoolConfig } from './postgres-event-store';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('es');
  const pool = new Pool(eventStorePoolConfig(db.url, { max: 2 }));
  // Twice, concurrently: migrations must be safe to run from several processes at once.
  await Promise.all([migrateEventStore(pool), migrateEventStore(pool)]);
  await pool.end();
});

afterAll(async () => {
  await db?.drop();
});

eventStoreContract(
  'postgresql',
  async () => {
    const pool = new Pool(eventStorePoolConfig(db.url, { max: 24 }));
    const store = new PostgresEventStore({ pool, listen: { connectionString: db.url }, pollIntervalMs: 500 });
    return {
      store,
      openTransaction: async () => {
        const client = await pool.connect();
        await client.query('BEGIN');
        let released = false;
        const end = async (sql: 'COMMIT' | 'ROLLBACK') => {
          if (released) return;
          released = true;
          try {
            await client.query(sql);
          } finally {
            client.release();
          }
        };
        return {
          append: (streamId, events, expected) =>
            store.appendInTransaction(client, streamId, events, expected),
          // As a real caller does after committing its own transaction.
          commit: async () => {
            await end('COMMIT');
            store.signalAppended();
          },
          rollback: () => end('ROLLBACK'),
        };
      },
      settled: () =>
        eventually(
          async () => {
            const { rows } = await pool.query<{ held: string }>(
              'SELECT count(*) AS held FROM tongban_es.events WHERE tx >= pg_snapshot_xmin(pg_current_snapshot())',
            );
            expect(Number(rows[0]!.held)).toBe(0);
          },
          { timeoutMs: 20_000 },
        ),
      close: async () => {
        await store.close();
        await pool.end();
      },
    };
  },
  { deliveryTimeoutMs: 20_000, writerRounds: 5 },
);

describe('PostgreSQL adapter specifics', () => {
  it('orders the global log by transaction id as a number, not as text (99 before 100)', async () => {
    // Regression: ordering by the text alias of tx once put '10000' before '9997' and made a
    // subscriber step back and deliver events twice. Old transaction ids are crafted directly.
    const pool = new Pool(eventStorePoolConfig(db.url, { max: 1 }));
    const store = new PostgresEventStore({ pool });
    try {
      const stream = `case-${crypto.randomUUID()}`;
      for (const [tx, version] of [
        ['100', 2],
        ['99', 1],
      ] as const) {
        await pool.query(
          `INSERT INTO tongban_es.events (tx, stream_id, stream_version, event_id, type, schema_version, data, metadata)
           VALUES ($1::xid8, $2, $3, $4, 'case.crafted', 1, '{}', '{}')`,
          [tx, stream, version, crypto.randomUUID()],
        );
      }
      const read = await store.readAll({ filter: { streamPrefix: stream } });
      expect(read.events.map((e) => e.position.tx)).toEqual([99n, 100n]);
      const afterFirst = await store.readAll({
        after: read.events[0]!.position,
        filter: { streamPrefix: stream },
      });
      expect(afterFirst.events.map((e) => e.version)).toEqual([2]);
    } finally {
      await store.close();
      await pool.end();
    }
  });

  it('sets statement and idle-in-transaction timeouts on the application sessions', async () => {
    const pool = new Pool(
      eventStorePoolConfig(db.url, { statementTimeoutMs: 12_345, idleInTransactionTimeoutMs: 23_456 }),
    );
    try {
      const { rows } = await pool.query<{ s: string; i: string }>(
        `SELECT current_setting('statement_timeout') AS s, current_setting('idle_in_transaction_session_timeout') AS i`,
      );
      expect(rows[0]).toEqual({ s: '12345ms', i: '23456ms' });
    } finally {
      await pool.end();
    }
  });

  it('is one round trip per append: a single statement, no explicit transaction', async () => {
    const pool = new Pool(eventStorePoolConfig(db.url, { max: 1 }));
    const statements: string[] = [];
    pool.on('connect', (client) => {
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        statements.push(text.trim().split(/\s+/).slice(0, 3).join(' '));
        return query(...args);
      };
    });
    const store = new PostgresEventStore({ pool });
    try {
      await store.streamState('warm-up');
      statements.length = 0;
      await store.append(
        `case-${Date.now()}`,
        [{ id: crypto.randomUUID(), type: 'case.submitted', data: {} }],
        'no_stream',
      );
      expect(statements).toHaveLength(1);
      expect(statements[0]).toMatch(/^WITH cur AS/);
    } finally {
      await store.close();
      await pool.end();
    }
  });
});

describe('PostgreSQL global log while a transaction is open', () => {
  it('holds readers back at the oldest open transaction: nothing after it is visible until it ends', async () => {
    const pool = new Pool(eventStorePoolConfig(db.url, { max: 3 }));
    const store = new PostgresEventStore({ pool });
    const client = await pool.connect();
    try {
      const start = await store.headPosition();
      await client.query('BEGIN');
      const slowStream = `case-${crypto.randomUUID()}`;
      await store.appendInTransaction(
        client,
        slowStream,
        [{ id: crypto.randomUUID(), type: 'case.slow', data: {} }],
        'no_stream',
      );
      const fastStream = `case-${crypto.randomUUID()}`;
      await store.append(fastStream, [{ id: crypto.randomUUID(), type: 'case.fast', data: {} }], 'no_stream');
      const during = await store.readAll({ after: start });
      expect(during.events.filter((e) => e.streamId === fastStream || e.streamId === slowStream)).toEqual([]);
      await client.query('COMMIT');
      // Visible once every older transaction in the CLUSTER has ended: other test files' databases
      // share the server, so a transaction of theirs may hold the horizon a moment longer.
      await eventually(async () => {
        const after = await store.readAll({ after: during.next });
        expect(
          after.events
            .filter((e) => e.streamId === fastStream || e.streamId === slowStream)
            .map((e) => e.type),
        ).toEqual(['case.slow', 'case.fast']);
      });
    } finally {
      client.release();
      await store.close();
      await pool.end();
    }
  });
});

describe('PostgreSQL wake-ups across processes', () => {
  it('wakes a subscriber of another store instance through LISTEN/NOTIFY, well before its poll interval', async () => {
    const readerPool = new Pool(eventStorePoolConfig(db.url, { max: 2 }));
    const writerPool = new Pool(eventStorePoolConfig(db.url, { max: 2 }));
    // A poll interval far longer than the test may wait: only a notification can deliver in time.
    const reader = new PostgresEventStore({
      pool: readerPool,
      listen: { connectionString: db.url },
      pollIntervalMs: 60_000,
    });
    const writer = new PostgresEventStore({ pool: writerPool });
    try {
      const start = await reader.headPosition();
      const stream = `case-${crypto.randomUUID()}`;
      const seen: string[] = [];
      const subscription = reader.subscribe({ after: start, filter: { streamPrefix: stream } }, async (e) => {
        seen.push(e.type);
      });
      // Let the subscription reach its first wait and the LISTEN connection come up.
      const deadline = Date.now() + 10_000;
      while (!subscription.caughtUp && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 300));
      await writer.append(
        stream,
        [{ id: crypto.randomUUID(), type: 'case.submitted', data: {} }],
        'no_stream',
      );
      const woken = Date.now() + 5_000;
      while (seen.length === 0 && Date.now() < woken) await new Promise((r) => setTimeout(r, 10));
      expect(seen).toEqual(['case.submitted']);
      await subscription.stop();
    } finally {
      await reader.close();
      await writer.close();
      await readerPool.end();
      await writerPool.end();
    }
  });
});

describe('PostgreSQL fast-path appends under contention', () => {
  it('keeps every stream in order in the global log when 8 writers race on shared streams with no lock', async () => {
    const pool = new Pool(eventStorePoolConfig(db.url, { max: 12 }));
    const store = new PostgresEventStore({ pool, pollIntervalMs: 50 });
    try {
      const start = await store.headPosition();
      const prefix = `race${crypto.randomUUID().slice(0, 8)}-`;
      const streams = Array.from({ length: 3 }, () => `${prefix}${crypto.randomUUID()}`);
      const seen: Array<{ id: string; streamId: string; version: number }> = [];
      const subscription = store.subscribe(
        { after: start, filter: { streamPrefix: prefix }, batchSize: 40 },
        async (e) => {
          seen.push({ id: e.id, streamId: e.streamId, version: e.version });
        },
      );
      const written: string[] = [];
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 40; i++) {
            const batch = Array.from({ length: 1 + ((w + i) % 2) }, () => ({
              id: crypto.randomUUID(),
              type: 'case.step',
              data: { w, i },
            }));
            await store.append(streams[(w + i) % streams.length]!, batch, 'any');
            written.push(...batch.map((e) => e.id));
          }
        }),
      );
      const deadline = Date.now() + 20_000;
      while (seen.length < written.length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await subscription.stop();
      expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
      expect([...seen.map((e) => e.id)].sort()).toEqual([...written].sort());
      for (const stream of streams) {
        const versions = seen.filter((e) => e.streamId === stream).map((e) => e.version);
        expect(versions).toEqual(Array.from({ length: versions.length }, (_, i) => i + 1));
      }
    } finally {
      await store.close();
      await pool.end();
    }
  });
});

describe('PostgreSQL: starting a stream together with a write of the caller (startStreamWith)', () => {
  let pool: Pool;
  let store: PostgresEventStore;
  const claim = (key: string) => ({
    name: 'test.claim',
    text: `INSERT INTO test_claims (key) VALUES ($1) ON CONFLICT (key) DO NOTHING RETURNING key`,
    values: [key],
  });
  const event = () => ({ id: crypto.randomUUID(), type: 'case.submitted', data: { title: '路灯不亮' } });
  const claimed = async (key: string) =>
    (await pool.query('SELECT 1 FROM test_claims WHERE key = $1', [key])).rowCount;

  beforeAll(async () => {
    pool = new Pool(eventStorePoolConfig(db.url, { max: 4 }));
    // The file's database is dropped at the end, ending any connection still idle in a pool.
    pool.on('error', () => undefined);
    await pool.query('CREATE TABLE IF NOT EXISTS test_claims (key text PRIMARY KEY)');
    store = new PostgresEventStore({ pool, notify: false });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('writes the claim and the events in one statement, and answers like an append', async () => {
    const stream = `case-${crypto.randomUUID()}`;
    const key = crypto.randomUUID();
    const result = await store.startStreamWith(claim(key), stream, [event(), event()]);
    expect(result?.nextExpectedVersion).toBe(2);
    expect((await store.readStream(stream)).map((e) => e.version)).toEqual([1, 2]);
    expect(await claimed(key)).toBe(1);
  });

  it('writes nothing and answers undefined when the guard returns no row', async () => {
    const key = crypto.randomUUID();
    await pool.query('INSERT INTO test_claims (key) VALUES ($1)', [key]);
    const stream = `case-${crypto.randomUUID()}`;
    expect(await store.startStreamWith(claim(key), stream, [event()])).toBeUndefined();
    expect(await store.streamState(stream)).toEqual({ exists: false, version: 0 });
  });

  it('refuses a stream that exists, and the claim rolls back with the append', async () => {
    const stream = `case-${crypto.randomUUID()}`;
    await store.append(stream, [event()], 'no_stream');
    const key = crypto.randomUUID();
    await expect(store.startStreamWith(claim(key), stream, [event()])).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect(await claimed(key)).toBe(0);
    expect((await store.streamState(stream)).version).toBe(1);
  });

  it('refuses event ids used in another stream, and the claim rolls back with the append', async () => {
    const used = event();
    await store.append(`case-${crypto.randomUUID()}`, [used], 'no_stream');
    const key = crypto.randomUUID();
    const stream = `case-${crypto.randomUUID()}`;
    await expect(store.startStreamWith(claim(key), stream, [used])).rejects.toBeInstanceOf(
      IdempotencyConflictError,
    );
    expect(await claimed(key)).toBe(0);
    expect(await store.streamState(stream)).toEqual({ exists: false, version: 0 });
  });

  it('answers a retry of the same start with the original append', async () => {
    const stream = `case-${crypto.randomUUID()}`;
    const events = [event()];
    const first = await store.startStreamWith(claim(crypto.randomUUID()), stream, events);
    const again = await store.startStreamWith(claim(crypto.randomUUID()), stream, events);
    expect(again).toEqual(first);
    expect((await store.readStream(stream)).length).toBe(1);
  });
});

describe('PostgreSQL: an append inside a transaction that wrote first keeps its stream in order (issue 11)', () => {
  let pool: Pool;
  let store: PostgresEventStore;
  const event = () => ({
    id: crypto.randomUUID(),
    type: 'case.supervised',
    data: { instruction: '请尽快办理' },
  });

  beforeAll(() => {
    pool = new Pool(eventStorePoolConfig(db.url, { max: 4 }));
    // The file's database is dropped at the end, ending any connection still idle in a pool.
    pool.on('error', () => undefined);
    store = new PostgresEventStore({ pool, notify: false });
  });
  afterAll(async () => {
    await store.close();
    await pool.end();
  });

  it('refuses to follow an append by a transaction that began later; retried, it lands after it', async () => {
    const stream = `case-${crypto.randomUUID()}`;
    await store.append(stream, [event()], 'no_stream');
    // A transaction that writes something first: it takes its transaction id now.
    const early = await pool.connect();
    await early.query('BEGIN');
    await early.query('SELECT pg_current_xact_id()');
    // A later transaction appends the stream's version 2 and commits.
    await store.append(stream, [event()], 1);
    // Appending version 3 now would order it before version 2 in the global log (the bug:
    // `v2@731-3, v1@732-2`, and the projection guard skipped the second as seen).
    await expect(store.appendInTransaction(early, stream, [event()], 2)).rejects.toBeInstanceOf(
      StreamOrderConflictError,
    );
    await early.query('ROLLBACK');
    early.release();

    // Retried as a new transaction, it gets a later id: in order.
    const retry = await pool.connect();
    try {
      await retry.query('BEGIN');
      await retry.query('SELECT pg_current_xact_id()');
      await store.appendInTransaction(retry, stream, [event()], 2);
      await retry.query('COMMIT');
    } finally {
      retry.release();
    }
    const { rows } = await pool.query<{ stream_version: string }>(
      'SELECT stream_version FROM tongban_es.events WHERE stream_id = $1 ORDER BY tx, seq',
      [stream],
    );
    expect(rows.map((r) => Number(r.stream_version))).toEqual([1, 2, 3]);
    // The global log shows events below the cluster's visibility horizon: a transaction open in
    // another test's database (a seed being appended) may hold it back for a moment.
    const readBack = async () =>
      (await store.readAll({ after: { tx: 0n, seq: 0n }, maxCount: 100_000 })).events.filter(
        (e) => e.streamId === stream,
      );
    let all = await readBack();
    for (let waited = 0; all.length < 3 && waited < 20_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      all = await readBack();
    }
    expect(all.map((e) => e.version)).toEqual([1, 2, 3]);
  });

  it('lets a transaction that appends before writing anything else go on as ever', async () => {
    const stream = `case-${crypto.randomUUID()}`;
    await store.append(stream, [event()], 'no_stream');
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await store.appendInTransaction(client, stream, [event()], 1);
      await client.query('SELECT pg_current_xact_id()');
      await store.appendInTransaction(client, stream, [event()], 2);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect((await store.readStream(stream)).map((e) => e.version)).toEqual([1, 2, 3]);
  });
});
