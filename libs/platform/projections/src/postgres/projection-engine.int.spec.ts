import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import {
  LocalChangeSignal,
  PostgresEventStore,
  comparePositions,
  eventStorePoolConfig,
  migrateEventStore,
  type RecordedEvent,
} from '@tongban/event-store';
import {
  countingSubscriptions,
  createTestDatabase,
  eventually,
  withOverride,
  type TestDatabase,
} from '@tongban/testing';
import type { Projection } from '../projection';
import { applyInTransaction } from './apply';
import { CommitListener, CommitNotifier } from './commit-notifications';
import { PositionAheadError, ReadModelConsistency } from './consistency';
import { ProjectionRunner } from './projection-runner';
import { ensureCheckpoint, readCheckpoints } from './projection-sql';
import { rebuildProjection } from './rebuild';

/**
 * The engine on real PostgreSQL, with a small projection of its own: per stream a document
 * (event count, last type, first instant, the types seen), and a counter per event type.
 */
interface Tally {
  readonly kind: string;
}

const tallies: Projection<Tally> = {
  name: 'tallies',
  tables: [
    { table: 't_doc', key: ['stream_id'], kind: 'document', timestamps: ['first_at'] },
    { table: 't_count', key: ['kind'], kind: 'counter', counters: ['n', 'weight'] },
  ],
  streamsTable: 't_streams',
  filter: { streamPrefix: 'tally-' },
  decode: (recorded) => {
    if (recorded.type === 'poison') throw new Error('cannot decode a poison event');
    return { kind: recorded.type };
  },
  reads: (_event, recorded) => [{ table: 't_doc', key: { stream_id: recorded.streamId } }],
  handle: (event, recorded, context) => {
    const doc = context.get('t_doc', { stream_id: recorded.streamId });
    const count = ((doc?.['count'] as number | undefined) ?? 0) + 1;
    if (event.kind === 'delete') {
      context.delete('t_doc', { stream_id: recorded.streamId });
    } else {
      context.put('t_doc', {
        stream_id: recorded.streamId,
        count,
        last_type: event.kind,
        first_at: (doc?.['first_at'] as string | undefined) ?? '2026-11-27T09:30:00+08:00',
        kinds: [...((doc?.['kinds'] as string[] | undefined) ?? []), event.kind],
      });
    }
    context.increment('t_count', { kind: event.kind }, { n: 1, weight: count });
  },
};

const SCHEMA = `
  CREATE TABLE t_doc (stream_id text PRIMARY KEY, count integer NOT NULL, last_type text NOT NULL,
                      first_at timestamptz NOT NULL, kinds jsonb NOT NULL);
  CREATE INDEX t_doc_last_type_idx ON t_doc (last_type, count);
  CREATE TABLE t_count (kind text PRIMARY KEY, n integer NOT NULL DEFAULT 0, weight bigint NOT NULL DEFAULT 0);
  CREATE TABLE t_streams (stream_id text PRIMARY KEY, version integer NOT NULL);
  CREATE TABLE projection_checkpoints (projection text PRIMARY KEY, position_tx bigint NOT NULL,
    position_seq bigint NOT NULL, events_applied bigint NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE projection_delivered (projection text NOT NULL, source text NOT NULL,
    position_tx bigint NOT NULL, position_seq bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (projection, source));
  CREATE TABLE projection_rebuilds (projection text PRIMARY KEY, generation text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT now(), progress jsonb,
    updated_at timestamptz NOT NULL DEFAULT now());`;

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('proj');
  pool = new Pool(eventStorePoolConfig(db.url, { max: 6 }));
  await migrateEventStore(pool);
  await pool.query(SCHEMA);
  store = new PostgresEventStore({ pool, listen: { connectionString: db.url }, pollIntervalMs: 200 });
});

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

async function snapshot(suffix = ''): Promise<{ docs: unknown[]; counts: unknown[]; streams: unknown[] }> {
  const docs = await pool.query(`SELECT * FROM t_doc${suffix} ORDER BY stream_id`);
  const counts = await pool.query(`SELECT kind, n, weight::int FROM t_count${suffix} ORDER BY kind`);
  const streams = await pool.query(`SELECT * FROM t_streams${suffix} ORDER BY stream_id`);
  return { docs: docs.rows, counts: counts.rows, streams: streams.rows };
}

async function reset(): Promise<void> {
  await pool.query(`TRUNCATE t_doc, t_count, t_streams; DELETE FROM projection_checkpoints`);
}

/**
 * Append `streams` streams of `perStream` events and return them as recorded, once all are
 * visible: the global log shows an event only when every older transaction in the cluster has
 * ended, so a read right after the append may not show it yet.
 */
async function appendTallies(streams: number, perStream: number): Promise<RecordedEvent[]> {
  const ids: string[] = [];
  for (let s = 0; s < streams; s++) {
    const stream = `tally-${randomUUID()}`;
    ids.push(stream);
    for (let v = 0; v < perStream; v++) {
      const type = v === perStream - 1 && s % 5 === 0 ? 'delete' : ['a', 'b', 'c'][(s + v) % 3]!;
      await store.append(stream, [{ id: randomUUID(), type, data: { v } }], v);
    }
  }
  return eventually(async () => {
    const all = await store.readAll({ maxCount: 100_000, filter: { streamPrefix: 'tally-' } });
    const ours = all.events.filter((e) => ids.includes(e.streamId));
    expect(ours).toHaveLength(streams * perStream);
    return ours;
  });
}

const live = [{ projection: tallies, checkpoint: 'tallies', suffix: '' }];

describe('the projection engine on PostgreSQL', () => {
  beforeEach(reset);

  it('applies a batch with its checkpoint and stream versions in one transaction', async () => {
    const events = await appendTallies(3, 4);
    await ensureCheckpoint(pool, 'tallies');
    const result = await applyInTransaction(pool, live, events);
    expect(result.applied).toBe(12);
    const rows = await snapshot();
    expect(rows.docs).toHaveLength(2); // one of three streams ended with a delete
    expect(rows.streams).toHaveLength(3);
    const checkpoint = (await readCheckpoints(pool, ['tallies'])).get('tallies')!;
    expect(comparePositions(checkpoint.position, events[events.length - 1]!.position)).toBe(0);
    expect(checkpoint.eventsApplied).toBe(12);
    // Timestamps come back normalized, whatever offset the handler wrote them with.
    const doc = (await pool.query(`SELECT to_jsonb(t) AS r FROM t_doc t LIMIT 1`)).rows[0] as {
      r: { first_at: string };
    };
    expect(new Date(doc.r.first_at).toISOString()).toBe('2026-11-27T01:30:00.000Z');
  });

  it('applies every event at most once: redelivery, replays and duplicates in a batch change nothing', async () => {
    const events = await appendTallies(6, 5);
    await ensureCheckpoint(pool, 'tallies');
    await applyInTransaction(pool, live, events);
    const once = await snapshot();

    // The same events again (a replay after a crash before the consumer learnt of the commit)…
    const again = await applyInTransaction(pool, live, events);
    expect(again.applied).toBe(0);
    // …and each event twice, in batches of odd sizes, with the checkpoint wound back so it
    // cannot hide them: only the stream versions stand in the way.
    await pool.query(`UPDATE projection_checkpoints SET position_tx = 0, position_seq = 0`);
    const doubled = events.flatMap((e) => [e, e]);
    for (let i = 0; i < doubled.length; i += 7) {
      const result = await applyInTransaction(pool, live, doubled.slice(i, i + 7));
      expect(result.applied).toBe(0);
    }
    expect(await snapshot()).toEqual(once);

    // From scratch, every event delivered twice: the same rows as once.
    await reset();
    await ensureCheckpoint(pool, 'tallies');
    for (let i = 0; i < doubled.length; i += 5) {
      await pool.query(`UPDATE projection_checkpoints SET position_tx = 0, position_seq = 0`);
      await applyInTransaction(pool, live, doubled.slice(i, i + 5));
    }
    expect(await snapshot()).toEqual(once);
  });

  it('writes nothing of a batch whose handler fails, and the runner retries from its checkpoint', async () => {
    // Its own stream prefix, so the poison stays out of the other tests' way.
    const fragile: Projection<Tally> = { ...tallies, filter: { streamPrefix: 'fragile-' } };
    const stream = `fragile-${randomUUID()}`;
    await store.append(stream, [{ id: randomUUID(), type: 'a', data: {} }], 'no_stream');
    await store.append(stream, [{ id: randomUUID(), type: 'poison', data: {} }], 1);
    const events = await store.readStream(stream);
    await ensureCheckpoint(pool, 'tallies');
    await expect(
      applyInTransaction(pool, [{ projection: fragile, checkpoint: 'tallies', suffix: '' }], events),
    ).rejects.toThrow('poison');
    expect(await snapshot()).toEqual({ docs: [], counts: [], streams: [] });
    expect((await readCheckpoints(pool, ['tallies'])).get('tallies')!.eventsApplied).toBe(0);

    const errors: string[] = [];
    const runner = new ProjectionRunner({
      pool,
      store,
      projections: [fragile],
      retryDelayMs: 20,
      logger: { log: () => undefined, warn: () => undefined, error: (m) => errors.push(m) },
    });
    await runner.start();
    try {
      await eventually(() => expect(runner.status.failures).toBeGreaterThanOrEqual(2));
      expect(runner.status.lastError).toContain('poison');
      expect(errors[0]).toContain('resuming from the checkpoints');
      expect(await snapshot()).toEqual({ docs: [], counts: [], streams: [] });
    } finally {
      await runner.stop();
    }
  });

  it('stopped while a retry reads its checkpoints, it opens no subscription after stop', async () => {
    const fragile: Projection<Tally> = { ...tallies, filter: { streamPrefix: 'fragile-' } };
    const stream = `fragile-${randomUUID()}`;
    await store.append(stream, [{ id: randomUUID(), type: 'poison', data: {} }], 'no_stream');
    // The store counting the subscriptions open on it; the pool holding checkpoint reads at a gate.
    const counted = countingSubscriptions(store);
    let gate: Promise<void> | undefined = undefined;
    let openGate = (): void => undefined;
    const held: Promise<unknown>[] = [];
    const query = ((...args: Parameters<Pool['query']>) => {
      const text = typeof args[0] === 'string' ? args[0] : '';
      if (!gate || !text.startsWith('SELECT projection, position_tx')) return pool.query(...args);
      const answer = gate.then(() => pool.query(...args));
      held.push(answer.catch(() => undefined));
      return answer;
    }) as Pool['query'];
    const gated = withOverride(pool, 'query', query);
    const runner = new ProjectionRunner({
      pool: gated,
      store: counted.store,
      projections: [fragile],
      retryDelayMs: 20,
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    });
    await runner.start();
    expect(counted.open()).toBe(1);
    // The poison fails the batch; the retry's checkpoint read waits at the gate …
    gate = new Promise((resolve) => (openGate = resolve));
    await eventually(() => expect(held).toHaveLength(1));
    // … while the runner is stopped; then the read answers.
    const stopping = runner.stop();
    openGate();
    await stopping;
    await Promise.all(held);
    await new Promise((resolve) => setImmediate(resolve));
    expect(counted.open()).toBe(0);
  });

  it('runs live from the store, resumes from its checkpoint, and answers consistency waits', async () => {
    const commits = new LocalChangeSignal();
    const runner = new ProjectionRunner({ pool, store, projections: [tallies], batchSize: 50, commits });
    await runner.start();
    try {
      const events = await appendTallies(5, 3);
      const last = events[events.length - 1]!.position;
      const consistency = new ReadModelConsistency({ pool, store, commits });
      const waited = await consistency.waitFor(['tallies'], last, 10_000);
      expect(waited.reached).toBe(true);
      // Every tally stream in the store so far (earlier tests' too), each up to its last version.
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(DISTINCT stream_id)::int AS n FROM tongban_es.events WHERE stream_id LIKE 'tally-%'`,
      );
      expect((await snapshot()).streams).toHaveLength(rows[0]!.n);
    } finally {
      await runner.stop();
    }
    // While it is stopped, more events; a new runner picks up exactly where the last one was.
    const more = await appendTallies(2, 2);
    const before = await snapshot();
    const second = new ProjectionRunner({ pool, store, projections: [tallies], batchSize: 50 });
    await second.start();
    try {
      const consistency = new ReadModelConsistency({ pool, store });
      expect((await consistency.waitFor(['tallies'], more[more.length - 1]!.position, 10_000)).reached).toBe(
        true,
      );
      const after = await snapshot();
      expect(after.streams).toHaveLength(before.streams.length + 2);
      const checkpoint = (await readCheckpoints(pool, ['tallies'])).get('tallies')!;
      // Each event applied once across both runners: no more, no fewer than the store holds.
      const { rows } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM tongban_es.events WHERE stream_id LIKE 'tally-%'`,
      );
      expect(checkpoint.eventsApplied).toBe(rows[0]!.n);
    } finally {
      await second.stop();
    }
  });

  it('reports a bounded wait that did not reach the position, with the position it did reach', async () => {
    await ensureCheckpoint(pool, 'tallies');
    const events = await appendTallies(1, 1);
    const consistency = new ReadModelConsistency({ pool, store });
    const result = await consistency.waitFor(['tallies'], events[0]!.position, 60);
    expect(result).toEqual({ reached: false, position: { tx: 0n, seq: 0n } });
  });

  describe('a consistency token beyond the store’s head', () => {
    it('is refused at once when no transaction can have written it: a transaction id not handed out yet, or an invented sequence', async () => {
      await ensureCheckpoint(pool, 'tallies');
      const [event] = await appendTallies(1, 1);
      const head = await store.headPosition();
      expect(comparePositions(head, event!.position)).toBeGreaterThanOrEqual(0);
      const { rows } = await pool.query<{ xmax: string }>(
        'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS xmax',
      );
      const consistency = new ReadModelConsistency({ pool, store });
      for (const target of [
        // `?after=99999999999999999999-1`, as reported.
        { tx: BigInt('99999999999999999999'), seq: 1n },
        { tx: BigInt(rows[0]!.xmax) + 1_000n, seq: 1n },
        // A transaction that ended long ago, with a sequence it never wrote.
        { tx: head.tx, seq: head.seq + 1_000_000n },
      ]) {
        const started = performance.now();
        await expect(consistency.waitFor(['tallies'], target, 5_000)).rejects.toBeInstanceOf(
          PositionAheadError,
        );
        expect(performance.now() - started).toBeLessThan(1_000);
      }
    });

    it('is waited for, and answered, when it is a fresh commit the head does not show yet because an older transaction is open', async () => {
      await ensureCheckpoint(pool, 'tallies');
      const runner = new ProjectionRunner({ pool, store, projections: [tallies], batchSize: 50 });
      await runner.start();
      const older = await pool.connect();
      try {
        // An older transaction with an id, still open: it holds the visibility horizon back.
        await older.query('BEGIN');
        await older.query('SELECT pg_current_xact_id()');
        const stream = `tally-${randomUUID()}`;
        const fresh = (await store.append(stream, [{ id: randomUUID(), type: 'a', data: {} }], 0)).position;
        expect(comparePositions(fresh, await store.headPosition())).toBeGreaterThan(0);

        const consistency = new ReadModelConsistency({ pool, store });
        const waiting = consistency.waitFor(['tallies'], fresh, 10_000);
        // Still waiting, not refused, while the older transaction holds the horizon.
        const early = await Promise.race([
          waiting.then(() => 'answered' as const),
          new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 200)),
        ]);
        expect(early).toBe('waiting');
        await older.query('COMMIT');
        const result = await waiting;
        expect(result.reached).toBe(true);
        expect(comparePositions(result.position, fresh)).toBeGreaterThanOrEqual(0);
      } finally {
        await older.query('ROLLBACK').catch(() => undefined);
        older.release();
        await runner.stop();
      }
    });
  });

  it('wakes a query waiting in another process on the projector’s NOTIFY, well before its poll interval', async () => {
    await ensureCheckpoint(pool, 'tallies');
    // The api's side: its own pool, a LISTEN connection, and a poll interval far longer than the test.
    const apiPool = new Pool(eventStorePoolConfig(db.url, { max: 2 }));
    const listener = new CommitListener({ connectionString: db.url });
    await listener.start();
    expect(listener.listening).toBe(true);
    let checkpointReads = 0;
    const counted = withOverride(apiPool, 'query', ((...args: Parameters<Pool['query']>) => {
      if (JSON.stringify(args[0]).includes('projection_checkpoints')) checkpointReads += 1;
      return apiPool.query(...args);
    }) as Pool['query']);
    const consistency = new ReadModelConsistency({
      pool: counted,
      store,
      commits: listener,
      pollIntervalMs: 60_000,
    });
    // The projector's side: another pool, its runner NOTIFYing after each commit.
    const projectorPool = new Pool(eventStorePoolConfig(db.url, { max: 3 }));
    const notifier = new CommitNotifier(projectorPool);
    const runner = new ProjectionRunner({
      pool: projectorPool,
      store,
      projections: [tallies],
      commits: notifier,
    });
    try {
      // Written while no projector runs: the query has to wait for one.
      const events = await appendTallies(2, 2);
      const target = events[events.length - 1]!.position;
      const started = performance.now();
      const waiting = consistency.waitFor(['tallies'], target, 10_000);
      await eventually(() => expect(checkpointReads).toBeGreaterThan(0));
      await runner.start();
      const result = await waiting;
      const elapsed = performance.now() - started;
      expect(result.reached).toBe(true);
      expect(elapsed).toBeLessThan(5_000);
      // One look before sleeping, one per commit the NOTIFY announced: no polling.
      expect(checkpointReads).toBeLessThanOrEqual(5);
    } finally {
      await runner.stop();
      notifier.close();
      await listener.close();
      await projectorPool.end();
      await apiPool.end();
    }
  });

  it('rebuilds into fresh tables while the live runner keeps writing, then swaps them in', async () => {
    const runner = new ProjectionRunner({ pool, store, projections: [tallies], batchSize: 20 });
    await runner.start();
    try {
      const first = await appendTallies(20, 3);
      const consistency = new ReadModelConsistency({ pool, store });
      await consistency.waitFor(['tallies'], first[first.length - 1]!.position, 10_000);
      const indexesBefore = await pool.query(
        `SELECT indexname, regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') AS def FROM pg_indexes
          WHERE tablename IN ('t_doc', 't_count', 't_streams') ORDER BY indexname`,
      );

      // Writers keep appending during the rebuild.
      let writing = true;
      let lastWritten = first[first.length - 1]!.position;
      const writer = (async () => {
        let n = 0;
        while (writing && n < 200) {
          const written = await appendTallies(1, 2);
          lastWritten = written[written.length - 1]!.position;
          n += 1;
        }
      })();
      const progress: number[] = [];
      const report = await rebuildProjection(pool, store, tallies, {
        batchSize: 25,
        onProgress: (p) => progress.push(p.done),
      });
      writing = false;
      await writer;
      expect(report.events).toBeGreaterThanOrEqual(60);
      expect(progress.length).toBeGreaterThan(1);

      expect((await consistency.waitFor(['tallies'], lastWritten, 10_000)).reached).toBe(true);
      const rebuilt = await snapshot();
      await runner.stop();

      // The rebuilt tables, kept up to date by the live runner after the swap, hold exactly what
      // a fresh, single pass over the store produces.
      await reset();
      await ensureCheckpoint(pool, 'tallies');
      const all = await store.readAll({ maxCount: 100_000, filter: { streamPrefix: 'tally-' } });
      await applyInTransaction(pool, live, all.events);
      const fresh = await snapshot();
      expect(fresh).toEqual(rebuilt);

      // Indexes kept their canonical names; no rebuild tables or rows are left behind.
      const indexesAfter = await pool.query(
        `SELECT indexname, regexp_replace(indexdef, 'INDEX \\S+ ON', 'INDEX ON') AS def FROM pg_indexes
          WHERE tablename IN ('t_doc', 't_count', 't_streams') ORDER BY indexname`,
      );
      expect(indexesAfter.rows).toEqual(indexesBefore.rows);
      const leftovers = await pool.query(`SELECT relname FROM pg_class WHERE relname LIKE '%\\_\\_%'`);
      expect(leftovers.rows).toEqual([]);
      const rows = await pool.query(`SELECT projection FROM projection_checkpoints ORDER BY 1`);
      expect(rows.rows).toEqual([{ projection: 'tallies' }]);
    } finally {
      await runner.stop();
    }
  });

  it('rebuilds the same rows when its memory holds far fewer rows than it writes (the rest are loaded again)', async () => {
    // Streams interleaved, so a stream's next event comes batches after its last one.
    const streams = Array.from({ length: 30 }, () => `tally-${randomUUID()}`);
    for (let v = 0; v < 4; v++) {
      for (const [s, stream] of streams.entries()) {
        const type = v === 3 && s % 5 === 0 ? 'delete' : ['a', 'b', 'c'][(s + v) % 3]!;
        await store.append(stream, [{ id: randomUUID(), type, data: { v } }], v);
      }
    }
    const all = await eventually(async () => {
      const read = await store.readAll({ maxCount: 100_000, filter: { streamPrefix: 'tally-' } });
      expect(read.events.filter((e) => streams.includes(e.streamId))).toHaveLength(120);
      return read;
    });
    await ensureCheckpoint(pool, 'tallies');
    await applyInTransaction(pool, live, all.events);
    const incremental = await snapshot();
    expect(incremental.streams.length).toBeGreaterThanOrEqual(30);

    // 30 documents (some deleted) and 30 stream versions, in batches of 7 events, through a
    // memory of 5 entries: nearly every read misses and is loaded from the shadow tables, after
    // the batch written meanwhile has committed.
    const report = await rebuildProjection(pool, store, tallies, { batchSize: 7, memoryEntries: 5 });
    expect(report.events).toBe(all.events.length);
    expect(await snapshot()).toEqual(incremental);
  });
});
