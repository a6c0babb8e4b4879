import { randomUUID } from 'node:crypto';
import { type Pool } from 'pg';
import type { DataSource } from 'typeorm';
import {
  PostgresEventStore,
  comparePositions,
  formatPosition,
  migrateEventStore,
  poolOf,
  type GlobalPosition,
  type RecordedEvent,
} from '@tongban/event-store';
import { createTestDatabase, migratedDataSource, eventually, type TestDatabase } from '@tongban/testing';
import { InMemoryProjectionStore } from '../in-memory-projection-store';
import type { Projection } from '../projection';
import { ProjectionGapError } from '../projection-event-error';
import { stoppedReason, stuckReason } from '../projections.module';
import { ReadModelsAdminController } from '../read-models-admin.controller';
import { applyInTransaction } from './apply';
import { ProjectionRunner } from './projection-runner';
import { ensureCheckpoint, readCheckpoints } from './projection-sql';
import { PROJECTION_MIGRATIONS } from '../index';

/**
 * One failing projection stops alone (issue 11, item 7), and a stream gap stops a projection
 * loudly (item 6), on real PostgreSQL. All projections shared one transaction per batch and the
 * runner retried it forever, so one handler that could not take a new event type froze every
 * read model.
 */
interface Seen {
  readonly kind: string;
}

/** Per stream: how many events and their types; `refuses` makes the handler throw on a type. */
function counting(name: string, refuses?: string): Projection<Seen> {
  return {
    name,
    tables: [{ table: `${name}_doc`, key: ['stream_id'], kind: 'document' }],
    streamsTable: `${name}_streams`,
    filter: { streamPrefix: 'iso-' },
    decode: (recorded) => ({ kind: recorded.type }),
    reads: (_event, recorded) => [{ table: `${name}_doc`, key: { stream_id: recorded.streamId } }],
    handle: (event, recorded, context) => {
      if (event.kind === refuses) throw new Error(`${name} does not know ${event.kind} yet`);
      const doc = context.get(`${name}_doc`, { stream_id: recorded.streamId });
      context.put(`${name}_doc`, {
        stream_id: recorded.streamId,
        count: ((doc?.['count'] as number | undefined) ?? 0) + 1,
        kinds: [...((doc?.['kinds'] as string[] | undefined) ?? []), event.kind],
      });
    },
  };
}

const NAMES = ['iso_first', 'iso_picky', 'iso_last'];

let db: TestDatabase;
let dataSource: DataSource;
let pool: Pool;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('projiso');
  dataSource = await migratedDataSource(db.url, PROJECTION_MIGRATIONS);
  pool = poolOf(dataSource);
  await migrateEventStore(pool);
  for (const name of NAMES) {
    await pool.query(`CREATE TABLE ${name}_doc (stream_id text PRIMARY KEY, count integer NOT NULL, kinds jsonb NOT NULL);
                      CREATE TABLE ${name}_streams (stream_id text PRIMARY KEY, version integer NOT NULL)`);
  }
  store = new PostgresEventStore({ pool, listen: { connectionString: db.url }, pollIntervalMs: 100 });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await dataSource?.destroy();
  await db?.drop();
});

beforeEach(async () => {
  for (const name of NAMES) await pool.query(`TRUNCATE ${name}_doc, ${name}_streams`);
  await pool.query(`DELETE FROM projection_checkpoints`);
});

let lastAppended: GlobalPosition = { tx: 0n, seq: 0n };

/** Appends `types` as one stream's next events. */
async function append(stream: string, types: readonly string[], from = 0): Promise<void> {
  for (const [i, type] of types.entries()) {
    lastAppended = (await store.append(stream, [{ id: randomUUID(), type, data: {} }], from + i)).position;
  }
}

/**
 * The last event appended, once the global log shows it (it shows an event when every older
 * transaction in the cluster has ended, and other suites run alongside).
 */
async function head(): Promise<GlobalPosition> {
  return eventually(async () => {
    const all = await store.readAll({ maxCount: 100_000, filter: { streamPrefix: 'iso-' } });
    const last = all.events[all.events.length - 1]?.position;
    expect(last && comparePositions(last, lastAppended)).toBe(0);
    return last!;
  });
}

async function allEvents(): Promise<RecordedEvent[]> {
  return [...(await store.readAll({ maxCount: 100_000, filter: { streamPrefix: 'iso-' } })).events];
}

async function checkpoint(name: string): Promise<GlobalPosition> {
  return (await readCheckpoints(pool, [name])).get(name)?.position ?? { tx: 0n, seq: 0n };
}

async function atHead(name: string, position: GlobalPosition): Promise<void> {
  await eventually(async () => expect(comparePositions(await checkpoint(name), position)).toBe(0), {
    timeoutMs: 20_000,
  });
}

/** The rows a fresh, single pass of the (fixed) projection over everything produces. */
async function freshPass(projection: Projection<Seen>): Promise<unknown[]> {
  const memory = new InMemoryProjectionStore(projection);
  await memory.apply(await allEvents());
  return memory.rows(`${projection.name}_doc`);
}

async function rows(name: string): Promise<unknown[]> {
  return (
    await pool.query<{ r: unknown }>(`SELECT to_jsonb(t) AS r FROM ${name}_doc t ORDER BY stream_id`)
  ).rows.map((row) => row.r);
}

describe('a projection that fails on one event type', () => {
  it('stops alone: the others reach head, it reports its event, and a fixed build catches it up with nothing skipped', async () => {
    const first = counting('iso_first');
    const picky = counting('iso_picky', 'case.from_the_future');
    const last = counting('iso_last');
    const streams = [0, 1, 2].map(() => `iso-${randomUUID()}`);
    await append(streams[0]!, ['a', 'b']);
    await append(streams[1]!, ['a', 'case.from_the_future', 'b']);
    await append(streams[2]!, ['a']);

    const errors: string[] = [];
    const runner = new ProjectionRunner({
      pool,
      store,
      projections: [first, picky, last],
      retryDelayMs: 20,
      maxRetryDelayMs: 200,
      logger: { log: () => undefined, warn: () => undefined, error: (m) => errors.push(m) },
    });
    await runner.start();
    const admin = new ReadModelsAdminController([first, picky, last], dataSource, store, runner);
    let poison: RecordedEvent;
    try {
      await atHead('iso_first', await head());
      await atHead('iso_last', await head());
      poison = (await allEvents()).find((e) => e.type === 'case.from_the_future')!;

      // The failed one: stopped at its checkpoint, its event named, retried with back-off.
      await eventually(() => expect(runner.status.stopped[0]?.attempts).toBeGreaterThanOrEqual(3), {
        timeoutMs: 10_000,
      });
      const [stopped] = runner.status.stopped;
      expect(stopped).toMatchObject({
        projection: 'iso_picky',
        event: {
          streamId: streams[1],
          version: 2,
          type: 'case.from_the_future',
          position: formatPosition(poison.position),
        },
        error: `iso_picky cannot apply case.from_the_future ${streams[1]}@2 at position ${formatPosition(poison.position)}: iso_picky does not know case.from_the_future yet`,
      });
      expect(comparePositions(await checkpoint('iso_picky'), poison.position)).toBeLessThan(0);
      expect(errors.some((m) => m.includes('Projection iso_picky stopped alone'))).toBe(true);

      // Readiness: degraded with the reason, not down; the admin view shows event, error, position.
      expect(stuckReason(runner.status)).toBeUndefined();
      expect(stoppedReason(runner.status)).toMatch(
        new RegExp(
          `^iso_picky stopped at position ${formatPosition(await checkpoint('iso_picky'))} since \\S+ \\(\\d+ failed attempts, next retry \\S+\\): iso_picky cannot apply case.from_the_future`,
        ),
      );
      const view = await admin.list();
      expect(view.readModels.map((m) => [m.name, m.status])).toEqual([
        ['iso_first', 'running'],
        ['iso_picky', 'stopped'],
        ['iso_last', 'running'],
      ]);
      expect(view.readModels[1]).toMatchObject({
        position: formatPosition(await checkpoint('iso_picky')),
        failure: {
          error: expect.stringContaining('does not know case.from_the_future') as unknown,
          event: { streamId: streams[1], version: 2, type: 'case.from_the_future' },
        },
      });

      // The others keep going while it is stopped; it writes nothing past its checkpoint.
      await append(streams[2]!, ['b', 'c'], 1);
      const later = await head();
      await atHead('iso_first', later);
      await atHead('iso_last', later);
      expect(await rows('iso_first')).toEqual(await freshPass(first));
      expect(runner.status.stopped.map((s) => s.projection)).toEqual(['iso_picky']);
    } finally {
      await runner.stop();
    }

    // The fix ships: a new runner (a new process) with a handler that knows the type.
    const fixed = counting('iso_picky');
    const restarted = new ProjectionRunner({ pool, store, projections: [first, fixed, last] });
    await restarted.start();
    try {
      const end = await head();
      for (const name of NAMES) await atHead(name, end);
      expect(restarted.status.stopped).toEqual([]);
      // Nothing skipped: the rows equal one fresh pass, every stream at its last version, every
      // event applied exactly once.
      expect(await rows('iso_picky')).toEqual(await freshPass(fixed));
      const { rows: versions } = await pool.query(
        `SELECT stream_id, version FROM iso_picky_streams ORDER BY 1`,
      );
      expect(versions).toEqual(
        [...streams].sort().map((id) => ({ stream_id: id, version: id === streams[0] ? 2 : 3 })),
      );
      expect((await readCheckpoints(pool, ['iso_picky'])).get('iso_picky')!.eventsApplied).toBe(
        (await allEvents()).length,
      );
    } finally {
      await restarted.stop();
    }
  });
});

describe('a stream gap on PostgreSQL', () => {
  it('refuses a batch that skips a version, writing nothing', async () => {
    const projection = counting('iso_first');
    const stream = `iso-${randomUUID()}`;
    await append(stream, ['a', 'b', 'c']);
    await head();
    const [one, , three] = (await allEvents()).filter((e) => e.streamId === stream);
    await ensureCheckpoint(pool, 'iso_first');
    const target = [{ projection, checkpoint: 'iso_first', suffix: '' }];
    await expect(applyInTransaction(pool, target, [one!, three!])).rejects.toThrow(
      new ProjectionGapError('iso_first', three!, 1).message,
    );
    expect(await rows('iso_first')).toEqual([]);
    expect((await readCheckpoints(pool, ['iso_first'])).get('iso_first')!.eventsApplied).toBe(0);
  });

  it('stops that projection alone, names projection, stream and versions, counts it — and it resumes once the gap is gone', async () => {
    const [first, picky, last] = NAMES.map((name) => counting(name));
    const stream = `iso-${randomUUID()}`;
    await append(stream, ['a', 'b', 'c']);
    const runner = new ProjectionRunner({
      pool,
      store,
      projections: [first!, picky!, last!],
      retryDelayMs: 20,
      maxRetryDelayMs: 100,
    });
    await runner.start();
    try {
      for (const name of NAMES) await atHead(name, await head());
      // Someone (a bad restore, a hand edit) winds iso_picky's record of the stream back to 1.
      await pool.query(`UPDATE iso_picky_streams SET version = 1 WHERE stream_id = $1`, [stream]);
      await append(stream, ['d'], 3);
      const end = await head();
      await atHead('iso_first', end);
      await atHead('iso_last', end);
      await eventually(() => expect(runner.status.stopped).toHaveLength(1));
      expect(runner.status.stopped[0]).toMatchObject({
        projection: 'iso_picky',
        error: expect.stringContaining(
          `stream gap in ${stream}: recorded version 1, next seen 4 (version 2 is missing or out of order)`,
        ) as unknown,
        event: { streamId: stream, version: 4 },
      });
      expect(runner.status.gaps['iso_picky']).toBeGreaterThanOrEqual(1);

      // The record is put right: the retry catches it up by itself.
      await pool.query(`UPDATE iso_picky_streams SET version = 3 WHERE stream_id = $1`, [stream]);
      await atHead('iso_picky', end);
      await eventually(() => expect(runner.status.stopped).toEqual([]));
      expect(await rows('iso_picky')).toEqual(await rows('iso_first'));
    } finally {
      await runner.stop();
    }
  });
});
