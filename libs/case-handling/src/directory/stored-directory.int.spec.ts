import { Pool } from 'pg';
import { AppConfig, validateEnvironment } from '@tongban/config';
import {
  DirectoryError,
  pingchengDemoDistrict,
  type ChangeStamp,
  type DirectoryChange,
} from '@tongban/directory';
import { PostgresEventStore, eventStorePoolConfig, migrateEventStore } from '@tongban/event-store';
import { HealthRegistry } from '@tongban/http';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { DEFAULT_CASE_HANDLING_OPTIONS } from '../case-handling.options';
import { DEMO_DATASET, seedDirectory } from './directory-seed';
import { StoredDirectory } from './stored-directory';

/**
 * The stored directory on the real PostgreSQL (ADR 0024): several processes starting at once on
 * an empty store seed the demo district exactly once; changes from two processes at once are
 * each decided on the latest version (none lost, none decided on a stale view); a process sees
 * another's change when it refreshes; and a directory it cannot read turns readiness red.
 */

const TYC = 'pc.gucheng.taiyangcheng';
const now = new Date('2026-12-01T02:00:00.000Z');
const stamp: ChangeStamp = {
  by: { id: 'admin-pc', role: 'admin' },
  at: now.toISOString(),
  reason: '集成测试',
};

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;
const started: StoredDirectory[] = [];

beforeAll(async () => {
  db = await createTestDatabase('directory');
  pool = new Pool(eventStorePoolConfig(db.url, { max: 8 }));
  await migrateEventStore(pool);
  store = new PostgresEventStore({ pool });
}, 60_000);

afterAll(async () => {
  for (const d of started) await d.onModuleDestroy();
  await store?.close();
  await pool?.end();
  await db?.drop();
});

async function start(
  source: 'demo' | 'store' = 'demo',
  health = new HealthRegistry(),
): Promise<StoredDirectory> {
  const config = new AppConfig(
    'test',
    validateEnvironment({ AUTH_MODE: 'dev', DIRECTORY_SOURCE: source, DIRECTORY_REFRESH_MS: '600000' }),
    0,
  );
  const directory = new StoredDirectory(
    store,
    config,
    { now: () => now },
    DEFAULT_CASE_HANDLING_OPTIONS,
    health,
  );
  await directory.onModuleInit();
  started.push(directory);
  return directory;
}

const appoint = (id: string, community = TYC, badge = `IT-${id}`): DirectoryChange => ({
  type: 'AppointCadre',
  cadre: {
    id,
    badge,
    name: `测试${id}`,
    community,
    post: '委员',
    duties: ['测试'],
    phone: '13800000000',
    demo: true,
  },
});

describe('the stored directory (PostgreSQL)', () => {
  it('three processes starting at once on an empty store seed the demo district once', async () => {
    const three = await Promise.all([start(), start(), start()]);
    const state = await store.streamState('directory');
    const events = await store.readStream('directory');
    expect(
      events.every((e) => e.type === 'directory.records_imported' && e.data['dataset'] === DEMO_DATASET),
    ).toBe(true);
    expect(state.version).toBe(events.length);
    expect((await store.streamState('catalogue')).version).toBe(1);
    for (const d of three) {
      expect(d.current()?.version).toBe(state.version);
      expect(d.current()?.catalogueVersion).toBe(1);
    }
    // A later start seeds nothing; a seed of the same data set reports it present.
    await start();
    expect((await store.streamState('directory')).version).toBe(state.version);
    const again = await seedDirectory(store, pingchengDemoDistrict(), DEMO_DATASET, stamp);
    expect(again).toMatchObject({ directory: 'present', catalogue: 'present' });
    const other = await seedDirectory(store, pingchengDemoDistrict(), 'another-register', stamp);
    expect(other).toMatchObject({ directory: 'other', catalogue: 'other' });
    expect((await store.streamState('directory')).version).toBe(state.version);
  });

  it('changes from two processes at once: each decided on the latest version, none lost', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const before = (await store.streamState('directory')).version;
    const ids = Array.from({ length: 12 }, (_, i) => `it-cadre-${i}`);
    const results = await Promise.all(ids.map((id, i) => (i % 2 === 0 ? a : b).change(appoint(id), stamp)));
    const versions = results.flatMap((r) => r.events.map((e) => e.version)).sort((x, y) => x - y);
    expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => before + 1 + i));
    await Promise.all([a.refresh(), b.refresh()]);
    for (const id of ids) expect(b.current()?.cadre(id)?.community).toBe(TYC);

    // The same cadre appointed in two communities at once: one lands, the other is decided
    // again on the version that has the first, and refused.
    const outcomes = await Promise.allSettled([
      a.change(appoint('it-contested'), stamp),
      b.change(appoint('it-contested', 'pc.zhenhua.yunquanli', 'IT-contested-2'), stamp),
    ]);
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const reason = (refused[0] as PromiseRejectedResult).reason as DirectoryError;
    expect(reason).toBeInstanceOf(DirectoryError);
    expect(['directory.cadre_in_two_communities', 'directory.already_exists']).toContain(reason.code);
    expect((await store.streamState('directory')).version).toBe(before + 13);
  });

  it('a refused change appends nothing; another process sees a change when it refreshes', async () => {
    const [a, b] = await Promise.all([start('store'), start('store')]);
    const before = (await store.streamState('directory')).version;
    await expect(a.change(appoint('it-cadre-0'), stamp)).rejects.toMatchObject({
      code: 'directory.already_exists',
    });
    expect((await store.streamState('directory')).version).toBe(before);
    await a.change({ type: 'AssignGridCadre', grid: `${TYC}.g01`, cadreId: 'it-cadre-1' }, stamp);
    expect(b.current()?.grid(`${TYC}.g01`)?.responsibleCadreId).not.toBe('it-cadre-1');
    await b.refresh();
    expect(b.current()?.grid(`${TYC}.g01`)?.responsibleCadreId).toBe('it-cadre-1');
    expect(b.current()?.version).toBe(before + 1);
  });

  it('a directory it cannot read turns readiness red, and serves the last version it read', async () => {
    const health = new HealthRegistry();
    const d = await start('store', health);
    const version = d.current()!.version;
    await store.append(
      'directory',
      [
        {
          id: '00000000-0000-4000-8000-00000000d1d1',
          type: 'directory.from_the_future',
          data: { by: stamp.by },
        },
      ],
      version,
    );
    await expect(d.refresh()).rejects.toThrow(/not known to this version/);
    expect(d.current()?.version).toBe(version);
    const checks = await health.run();
    expect(checks.find((c) => c.name === 'directory')).toMatchObject({ status: 'down' });
  });
});
