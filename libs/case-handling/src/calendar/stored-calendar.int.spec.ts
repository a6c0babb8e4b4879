import { Pool } from 'pg';
import { AppConfig, validateEnvironment } from '@tongban/config';
import { PostgresEventStore, eventStorePoolConfig, migrateEventStore } from '@tongban/event-store';
import { HealthRegistry } from '@tongban/http';
import { CalendarError, YEAR_2026, type CalendarYear } from '@tongban/sla';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { CALENDAR_STREAM, type CalendarStamp } from './calendar.events';
import { CalendarLoadError } from './calendar-load.errors';
import { StoredCalendar } from './stored-calendar';

/**
 * The stored calendar on the real PostgreSQL (ADR 0027): loads from two processes at once are
 * each decided on the latest version (none lost, none decided on a stale view); a process sees
 * another's load on its own refresh; a refused year stores nothing; and a stream it cannot apply
 * turns readiness red while the calendar it read last stays in use.
 */

const stamp: CalendarStamp = {
  by: { id: 'admin-pc', role: 'admin' },
  at: '2026-12-01T02:00:00.000Z',
  reason: '集成测试',
};

/**
 * TEST DATA, not a State Council notice: 2026's holiday blocks moved to `year` (the festivals'
 * weekdays differ, so the make-up workdays are dropped; only the blocks' shape matters here).
 */
function testYear(year: number, version = 1): CalendarYear {
  return {
    year,
    version,
    source: { title: `测试数据：${year}年`, documentNumber: `TEST-${year}`, issuedOn: '2026-11-10' },
    holidays: YEAR_2026.holidays.map((block) => ({
      festivals: block.festivals,
      from: `${year}${block.from.slice(4)}`,
      to: `${year}${block.to.slice(4)}`,
      makeUpWorkdays: [],
    })),
  };
}

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;
const started: StoredCalendar[] = [];

beforeAll(async () => {
  db = await createTestDatabase('calendar');
  pool = new Pool(eventStorePoolConfig(db.url, { max: 8 }));
  await migrateEventStore(pool);
  store = new PostgresEventStore({ pool });
}, 60_000);

afterAll(async () => {
  for (const c of started) await c.onModuleDestroy();
  await store?.close();
  await pool?.end();
  await db?.drop();
});

async function start(refreshMs = 600_000, health = new HealthRegistry()): Promise<StoredCalendar> {
  const config = new AppConfig(
    'test',
    validateEnvironment({ AUTH_MODE: 'dev', DIRECTORY_REFRESH_MS: String(refreshMs) }),
    0,
  );
  const calendar = new StoredCalendar(store, config, health);
  await calendar.onModuleInit();
  started.push(calendar);
  return calendar;
}

async function until(condition: () => boolean, deadlineMs = 5_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the stored calendar (PostgreSQL)', () => {
  it('starts with the shipped years at calendar version 0', async () => {
    const calendar = await start();
    expect(calendar.snapshot().version).toBe(0);
    expect(calendar.current().years.map((y) => y.year)).toEqual([2025, 2026]);
  });

  it('two processes loading different years at once: both stored, one decided again', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const results = await Promise.all([a.loadYear(testYear(2027), stamp), b.loadYear(testYear(2028), stamp)]);
    expect(results.map((r) => r.calendarVersion).sort()).toEqual([1, 2]);
    expect((await store.streamState(CALENDAR_STREAM)).version).toBe(2);
    for (const c of [a, b]) {
      await c.refresh();
      expect(c.current().years.map((y) => y.year)).toEqual([2025, 2026, 2027, 2028]);
    }
  });

  it('two processes loading the same version of a year at once: one wins, the other is stale', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    const outcomes = await Promise.allSettled([
      a.loadYear(testYear(2029), stamp),
      b.loadYear(testYear(2029), stamp),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const [lost] = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(lost).toBeInstanceOf(CalendarLoadError);
    expect((lost as CalendarLoadError).code).toBe('calendar.stale_version');
  });

  it('a process sees another process’s load on its own refresh', async () => {
    const watcher = await start(100);
    const loader = await start();
    await loader.loadYear(testYear(2030), stamp);
    await until(() => watcher.current().knowsYear(2030));
    expect(watcher.snapshot().years.get(2030)?.loaded).toMatchObject({ ...stamp });
  });

  it('a refused year stores nothing', async () => {
    const calendar = await start();
    const before = (await store.streamState(CALENDAR_STREAM)).version;
    const bad = { ...testYear(2031), holidays: testYear(2031).holidays.slice(1) };
    await expect(calendar.loadYear(bad, stamp)).rejects.toBeInstanceOf(CalendarError);
    expect((await store.streamState(CALENDAR_STREAM)).version).toBe(before);
    expect(calendar.current().knowsYear(2031)).toBe(false);
  });

  it('a stream it cannot apply turns readiness red, and the calendar read last stays', async () => {
    const health = new HealthRegistry();
    const calendar = await start(600_000, health);
    const version = calendar.snapshot().version;
    await store.append(
      CALENDAR_STREAM,
      [{ id: '00000000-0000-4000-8000-0000000ca1e0', type: 'calendar.from_the_future', data: { ...stamp } }],
      version,
    );
    await expect(calendar.refresh()).rejects.toThrow(/unknown calendar event/);
    expect(calendar.snapshot().version).toBe(version);
    expect(calendar.current().knowsYear(2027)).toBe(true);
    expect((await health.run()).find((c) => c.name === 'calendar')).toMatchObject({ status: 'down' });
  });
});
