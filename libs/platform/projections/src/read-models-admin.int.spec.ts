import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { PostgresEventStore, formatPosition, migrateEventStore, poolOf } from '@tongban/event-store';
import { createTestDatabase, migratedDataSource, eventually, type TestDatabase } from '@tongban/testing';
import { applyInTransaction } from './postgres/apply';
import { PROJECTION_MIGRATIONS } from './index';
import { ProjectionRunner } from './postgres/projection-runner';
import { ensureCheckpoint } from './postgres/projection-sql';
import type { Projection } from './projection';
import { ReadModelsAdminController } from './read-models-admin.controller';

/**
 * The in-process rebuild over a store holding an event the projection cannot read (a newer
 * build's shape, say). It used to end in a bare 500; it now fails with a stable code naming the
 * event and its position, and leaves the live read model serving as it was.
 */
interface Entry {
  readonly text: string;
}

const journal: Projection<Entry> = {
  name: 'journal',
  tables: [{ table: 'j_doc', key: ['stream_id'], kind: 'document' }],
  streamsTable: 'j_streams',
  filter: { streamPrefix: 'journal-' },
  decode: (recorded) => {
    if (recorded.schemaVersion !== 1) throw new Error(`No upcaster for v${recorded.schemaVersion}`);
    return { text: recorded.data['text'] as string };
  },
  reads: () => [],
  handle: (event, recorded, context) => {
    context.put('j_doc', { stream_id: recorded.streamId, text: event.text });
  },
};

let db: TestDatabase;
let dataSource: DataSource;
let store: PostgresEventStore;

beforeAll(async () => {
  db = await createTestDatabase('rmadmin');
  dataSource = await migratedDataSource(db.url, PROJECTION_MIGRATIONS);
  const pool = poolOf(dataSource);
  await migrateEventStore(pool);
  await pool.query(`CREATE TABLE j_doc (stream_id text PRIMARY KEY, text text NOT NULL);
                    CREATE TABLE j_streams (stream_id text PRIMARY KEY, version integer NOT NULL)`);
  store = new PostgresEventStore({ pool, listen: { connectionString: db.url }, pollIntervalMs: 200 });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await dataSource?.destroy();
  await db?.drop();
});

describe('POST /admin/read-models/:name/rebuild over an event the projection cannot read', () => {
  it('fails with read_model.rebuild_failed naming the event, and the live read model stays', async () => {
    const pool = poolOf(dataSource);
    const stream = `journal-${randomUUID()}`;
    await store.append(
      stream,
      [{ id: randomUUID(), type: 'journal.entry', data: { text: 'one' } }],
      'no_stream',
    );
    const live = await store.readStream(stream);
    await ensureCheckpoint(pool, 'journal');
    await applyInTransaction(pool, [{ projection: journal, checkpoint: 'journal', suffix: '' }], live);
    const poison = await store.append(
      stream,
      [{ id: randomUUID(), type: 'journal.entry', schemaVersion: 2, data: { text: 'two' } }],
      1,
    );

    // The global log shows an event once every older transaction in the cluster has ended.
    await eventually(async () => {
      const all = await store.readAll({ maxCount: 100, filter: journal.filter });
      expect(all.events.map((e) => e.version)).toEqual([1, 2]);
    });

    const runner = new ProjectionRunner({ pool, store, projections: [journal] });
    const admin = new ReadModelsAdminController([journal], dataSource, store, runner);
    const attempt = (): Promise<unknown> =>
      admin.rebuild('journal').then(
        () => undefined,
        (error: unknown) => error,
      );

    const failure = await attempt();
    expect(failure).toMatchObject({
      code: 'read_model.rebuild_failed',
      kind: 'unprocessable',
      message: `Rebuild stopped, the live read model is unchanged: journal cannot apply journal.entry ${stream}@2 at position ${formatPosition(poison.position)}: No upcaster for v2`,
    });
    const { rows } = await pool.query(`SELECT stream_id, text FROM j_doc`);
    expect(rows).toEqual([{ stream_id: stream, text: 'one' }]);
    // Not left "running": the next attempt fails the same way instead of read_model.rebuild_running.
    expect(await attempt()).toMatchObject({ code: 'read_model.rebuild_failed' });
  });
});
