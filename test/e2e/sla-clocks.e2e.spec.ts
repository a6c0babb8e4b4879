import { CLOCK, type Clock } from '@tongban/case-handling';
import type { CaseEvent } from '@tongban/cases';
import {
  BusinessCalendar,
  STATE_COUNCIL_YEARS,
  findSlaPolicy,
  instantOf,
  localDateOf,
  slaClocks,
  usedAt,
  type CaseClocks,
} from '@tongban/sla';
import { eventually } from '@tongban/testing';
import { startStandalone, type Answer, type StandaloneClient } from './standalone-client';

/**
 * Issue 14: every case view shows its clocks as the SLA watcher set their due times on the
 * business calendar (`case.due_times_set`), with the business time used counted at the time of
 * the question; the worklist orders by the nearest due time and filters `due=soon|overdue`. On the
 * standalone app with its in-process watcher; time is moved by fixing the app's clock (the one the
 * commands, the watcher and the queries read), on business days the shipped calendar knows.
 */

const CADRE = 'demo-cadre-taiyangcheng';
const OTHER_CADRE = 'demo-cadre-yunquanli';
const RESIDENT = 'demo-resident-1';
const SUPERVISOR = 'demo-supervisor-district';
const HOUR = 3_600_000;
const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });

interface ClockView {
  readonly clock: string;
  readonly round: number;
  readonly status: string;
  readonly dueAt: string | null;
  readonly budgetMs: number;
  readonly counting: string;
  readonly businessMsUsed: number;
  readonly remainingMs: number;
  readonly pausedSince: string | null;
  readonly breachedAt: string | null;
}

/** `hh:mm` Beijing time on the `n`-th business day (0: the first) at least two days from now. */
function businessDayAt(n: number, time: string): number {
  let day = Date.now() + 2 * 24 * HOUR;
  let seen = -1;
  for (;;) {
    const date = localDateOf(day);
    if (calendar.isBusinessDay(date) && ++seen === n) return Date.parse(`${date}T${time}:00+08:00`);
    day += 24 * HOUR;
  }
}

describe('SLA clocks in the case views and the worklist (standalone, the watcher in-process)', () => {
  let client: StandaloneClient;
  let now = 0;

  beforeAll(async () => {
    client = await startStandalone('sla-clocks');
    const clock = client.app.get<Clock>(CLOCK);
    jest.spyOn(clock, 'now').mockImplementation(() => new Date(now));
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await client?.close();
  });

  const get = async (user: string, path: string): Promise<Answer> => {
    const answer = await client.call(user, 'GET', path);
    expect({ path, status: answer.status }).toEqual({ path, status: 200 });
    return answer;
  };

  const clocksOf = async (user: string, caseId: string): Promise<Record<string, ClockView>> => {
    const detail = await get(user, `/cases/${caseId}`);
    return Object.fromEntries((detail.body['slaClocks'] as ClockView[]).map((c) => [c.clock, c]));
  };

  /** The case's clocks once the watcher's due times for them are in the read model. */
  const timed = (caseId: string, until: (clocks: Record<string, ClockView>) => boolean) =>
    eventually(
      async () => {
        const clocks = await clocksOf(SUPERVISOR, caseId);
        if (!until(clocks)) throw new Error(`clocks not there yet: ${JSON.stringify(clocks)}`);
        return clocks;
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );

  /** The clocks as libs/sla computes them from the case's history, on the watcher's policy. */
  async function computed(caseId: string): Promise<CaseClocks> {
    const history = await get(SUPERVISOR, `/cases/${caseId}/history`);
    const events = (history.body['events'] as Array<{ type: string; data: Record<string, unknown> }>).map(
      (e) => ({ type: e.type, ...e.data }) as unknown as CaseEvent,
    );
    const set = events.filter((e) => e.type === 'case.due_times_set').at(-1);
    if (set?.type !== 'case.due_times_set') throw new Error('no due times recorded');
    return slaClocks(events, findSlaPolicy(set.policyId)!, calendar);
  }

  const worklist = async (query = ''): Promise<string[]> =>
    ((await get(CADRE, `/worklist${query}`)).body['items'] as Array<{ caseId: string }>).map((i) => i.caseId);

  let first = '';
  let second = '';

  it('shows a dispatched case’s due times as slaClocks computes them, and the business time used grows', async () => {
    now = businessDayAt(0, '10:00');
    first = await client.caseIn('pc.gucheng.taiyangcheng', 'in_handling');
    const clocks = await timed(first, (c) => typeof c['resolution']?.dueAt === 'string');
    const expected = await computed(first);

    expect(clocks['resolution']).toMatchObject({
      round: 1,
      status: 'running',
      dueAt: instantOf(expected.clocks.resolution.dueAt!),
      budgetMs: expected.clocks.resolution.budgetMs,
      counting: 'business',
    });
    expect(clocks['response']).toMatchObject({
      status: 'running',
      dueAt: instantOf(expected.clocks.response.dueAt!),
    });
    expect(clocks['dispatch']).toMatchObject({ status: 'met' });
    // The detail's own due times and next due time are the same facts.
    expect((await get(CADRE, `/cases/${first}`)).body).toMatchObject({
      responseDueAt: clocks['response']!.dueAt,
      resolutionDueAt: clocks['resolution']!.dueAt,
      nextDueAt: clocks['response']!.dueAt,
    });

    // Five hours later on the same business day: 3.5 hours of business time (10–12, 13:30–15).
    now = businessDayAt(0, '15:00');
    const later = await clocksOf(CADRE, first);
    expect(later['resolution']).toMatchObject({
      status: 'running',
      businessMsUsed: usedAt(expected.clocks.resolution, now, calendar),
    });
    expect(later['resolution']!.businessMsUsed).toBeGreaterThanOrEqual(3.5 * HOUR);
    expect(later['resolution']!.businessMsUsed).toBeGreaterThan(clocks['resolution']!.businessMsUsed);
    expect(later['resolution']!.remainingMs).toBe(
      later['resolution']!.budgetMs - later['resolution']!.businessMsUsed,
    );
  });

  it('shows a suspended case’s resolution clock paused, with no due time', async () => {
    now = businessDayAt(1, '10:00');
    const id = await client.caseIn('pc.zhenhua.yunquanli', 'in_handling');
    await timed(id, (c) => typeof c['resolution']?.dueAt === 'string');
    now = businessDayAt(1, '10:30');
    await client.ok(OTHER_CADRE, id, 'suspend', { reason: '居民外出，下周回来' });
    const clocks = await timed(id, (c) => c['resolution']?.status === 'paused');
    expect(clocks['resolution']).toMatchObject({
      status: 'paused',
      dueAt: null,
      pausedSince: new Date(now).toISOString(),
    });
    // Not counting: the time used stands while paused.
    const used = clocks['resolution']!.businessMsUsed;
    now = businessDayAt(1, '16:00');
    expect((await clocksOf(SUPERVISOR, id))['resolution']).toMatchObject({
      status: 'paused',
      businessMsUsed: used,
    });
    // The suspension pauses the resolution clock only.
    expect(clocks['response']).toMatchObject({ status: 'running' });
  });

  it('orders the worklist by the nearest due time', async () => {
    now = businessDayAt(1, '10:00');
    second = await client.caseIn('pc.gucheng.taiyangcheng', 'in_handling');
    await timed(second, (c) => typeof c['response']?.dueAt === 'string');
    const mine = (await worklist()).filter((id) => id === first || id === second);
    expect(mine).toEqual([first, second]);
    // Keyset paging keeps the order across pages.
    const page1 = await get(CADRE, '/worklist?limit=1');
    const items1 = page1.body['items'] as Array<{ caseId: string; nextDueAt: string }>;
    expect(items1.map((i) => i.caseId)).toEqual([first]);
    expect(items1[0]!.nextDueAt).toBe((await clocksOf(CADRE, first))['response']!.dueAt);
    const next = encodeURIComponent(String(page1.body['nextCursor']));
    const page2 = await get(CADRE, `/worklist?limit=1&cursor=${next}`);
    expect((page2.body['items'] as Array<{ caseId: string }>).map((i) => i.caseId)).toEqual([second]);
  });

  it('lists only the breached case as overdue, the other as due soon', async () => {
    // The first case's response clock ran out at the close of the day after its dispatch.
    now = businessDayAt(2, '09:00');
    const breached = await timed(first, (c) => typeof c['response']?.breachedAt === 'string');
    expect(breached['response']).toMatchObject({ status: 'breached' });
    expect(breached['response']!.remainingMs).toBeLessThanOrEqual(0);

    const overdue = (await worklist('?due=overdue')).filter((id) => id === first || id === second);
    expect(overdue).toEqual([first]);
    const soon = (await worklist('?due=soon')).filter((id) => id === first || id === second);
    expect(soon).toEqual([second]);

    const refused = await client.call(CADRE, 'GET', '/worklist?due=tomorrow');
    expect({ status: refused.status, code: refused.body['code'] }).toEqual({
      status: 400,
      code: 'request.validation_failed',
    });
  });

  it('shows the resident their case’s clocks, without staff ids or unit codes', async () => {
    const detail = await get(RESIDENT, `/cases/${first}`);
    const clocks = detail.body['slaClocks'] as ClockView[];
    expect(clocks.map((c) => c.clock)).toEqual(['dispatch', 'response', 'resolution']);
    expect(JSON.stringify(clocks)).not.toMatch(/demo-|pc\.|"by"|orgUnit/);
  });
});
