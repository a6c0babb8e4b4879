import { randomUUID } from 'node:crypto';
import { comparePositions, parsePosition } from '@tongban/event-store';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * The three rates (issue 14) over HTTP: the api takes the commands and serves `GET /kpi`,
 * `/kpi.csv` and `/kpi/rankings`; the projector keeps `kpi_daily` up to date on the same database.
 * A small month of cases in two communities of 古城 street is driven through the lifecycle (one
 * returned and redispatched, one responded to after its response deadline passed, one reopened,
 * one ruled unreasonable); the test's own table below holds the counters and rates worked out by
 * hand. Every read passes the last command's position as `after`, so nothing sleeps. The events'
 * days are today's (Asia/Shanghai): the month asked is the current one.
 */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });

const STREET = 'pc.gucheng';
const TAIYANGCHENG = 'pc.gucheng.taiyangcheng';
const GULOU = 'pc.gucheng.gulou';

const people = {
  resident: { id: 'resident-kpi-1', role: 'resident' },
  dispatcher: { id: 'dispatcher-gucheng-01', role: 'dispatcher', orgUnit: STREET },
  streetSupervisor: { id: 'supervisor-gucheng', role: 'supervisor', orgUnit: STREET },
  otherStreetSupervisor: { id: 'supervisor-zhenhua', role: 'supervisor', orgUnit: 'pc.zhenhua' },
  districtSupervisor: { id: 'supervisor-pc', role: 'supervisor', orgUnit: 'pc' },
  admin: { id: 'admin-pc', role: 'admin', orgUnit: 'pc' },
  office: { id: 'staff-gucheng-ps-01', role: 'office_staff', orgUnit: 'pc.gucheng.publicServiceOffice' },
  cadreA: { id: 'cadre-tyc-31', role: 'cadre', orgUnit: TAIYANGCHENG },
  cadreB: { id: 'cadre-gl-31', role: 'cadre', orgUnit: GULOU },
} satisfies Record<string, Principal>;

type Person = keyof typeof people;

const COUNTERS = [
  'received',
  'returned',
  'responded',
  'responded_in_time',
  'resolved',
  'resolved_in_time',
  'rated',
  'satisfied',
  'basically_satisfied',
  'unsatisfied',
  'solved',
  'breached',
  'reopened',
] as const;
type Counts = Record<(typeof COUNTERS)[number], number>;
const RATES = [
  'responseRate',
  'resolutionRate',
  'satisfactionRate',
  'onTimeResolutionRate',
  'firstDispatchAccuracy',
  'reopenRate',
] as const;
type Rates = Record<(typeof RATES)[number], number | null>;

interface Row {
  period: { label: string; from: string; to: string };
  unit: string;
  counts: Counts;
  rates: Rates;
}
interface Kpi {
  unit: string;
  by: string;
  period: string;
  definition: { name: string; version: number };
  items: Row[];
  consistency: { status: string; requested: string | null };
}
interface Rankings {
  definition: { name: string };
  items: Array<{ rank: number; unit: string; rates: Rates }>;
}
interface Answer<T> {
  status: number;
  body: T;
  text: string;
  bytes: Buffer;
  headers: Headers;
}
interface Case {
  id: string;
  v: number;
}
interface CommandBus {
  execute(command: unknown): Promise<{ version: number; position: string | null }>;
}

/**
 * THE TABLE, by hand. 太阳城 (cadre A): a1 satisfied and solved; a2 basically satisfied, solved;
 * a3 returned and redispatched, its response deadline passed before the first contact, basically
 * satisfied but not solved, closed and reopened; a4 accepted, nobody contacted yet.
 * 鼓楼 (cadre B): b1, b2 satisfied and solved; b3 unsatisfied, not solved.
 */
const A: Counts = {
  received: 5, // a1, a2, a3 twice, a4
  returned: 1,
  responded: 3,
  responded_in_time: 2,
  resolved: 3,
  resolved_in_time: 3,
  rated: 3,
  satisfied: 1,
  basically_satisfied: 2,
  unsatisfied: 0,
  solved: 2,
  breached: 1,
  reopened: 1,
};
const B: Counts = {
  received: 3,
  returned: 0,
  responded: 3,
  responded_in_time: 3,
  resolved: 3,
  resolved_in_time: 3,
  rated: 3,
  satisfied: 2,
  basically_satisfied: 0,
  unsatisfied: 1,
  solved: 2,
  breached: 0,
  reopened: 0,
};
/** b3 ruled unreasonable: everything it counted is taken back. */
const B_RULED: Counts = {
  ...B,
  received: 2,
  responded: 2,
  responded_in_time: 2,
  resolved: 2,
  resolved_in_time: 2,
  rated: 2,
  unsatisfied: 0,
};
/** Under tongban-2026.2 (only 满意 counts as satisfied), the default. */
const A_RATES: Rates = {
  responseRate: 2 / 4, // in time / (received − returned)
  resolutionRate: 2 / 3, // solved / rated
  satisfactionRate: 1 / 3, // 满意 / rated
  onTimeResolutionRate: 3 / 3,
  firstDispatchAccuracy: 4 / 5, // (received − returned) / received
  reopenRate: 1 / 3, // reopened / resolved
};
const B_RATES: Rates = {
  responseRate: 3 / 3,
  resolutionRate: 2 / 3,
  satisfactionRate: 2 / 3,
  onTimeResolutionRate: 1,
  firstDispatchAccuracy: 1,
  reopenRate: 0,
};
const B_RULED_RATES: Rates = { ...B_RATES, resolutionRate: 2 / 2, satisfactionRate: 2 / 2 };
/** tongban-2026.1 counts 基本满意 as satisfied: A's (1 + 2) / 3. */
const A_RATES_2026_1: Rates = { ...A_RATES, satisfactionRate: 3 / 3 };

const NONE = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counts;
const sum = (a: Counts, b: Counts): Counts =>
  Object.fromEntries(COUNTERS.map((c) => [c, a[c] + b[c]])) as Counts;

/** Rates compared to 9 decimals (the API's are the same divisions, JSON-rounded). */
const rounded = (rates: Rates): Record<string, number | null> =>
  Object.fromEntries(RATES.map((r) => [r, rates[r] === null ? null : Number(rates[r].toFixed(9))]));

/** Today in Asia/Shanghai (UTC+8 all year). */
const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const MONTH = today.slice(0, 7);
const FROM = `${MONTH}-01`;
const TO = new Date(Date.UTC(Number(MONTH.slice(0, 4)), Number(MONTH.slice(5, 7)), 0))
  .toISOString()
  .slice(0, 10);

describe('the three rates over HTTP (api + projector on real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let projector: RunningApp;
  let bus: CommandBus;
  let RecordSlaBreach: new (command: unknown, context: unknown) => unknown;
  let written: string | undefined;
  const b3: Case = { id: '', v: 0 };

  const environment = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    AUTH_JWT_ALGORITHM: 'HS256',
    AUTH_JWT_SECRET: SECRET,
    RATE_LIMIT_ENABLED: 'false',
  });

  beforeAll(async () => {
    db = await createTestDatabase('kpi');
    let loaded: { CommandBus: new () => CommandBus; breach: typeof RecordSlaBreach } | undefined;
    api = await bootApp(() => {
      loaded = {
        CommandBus: require('@nestjs/cqrs').CommandBus,
        breach: require('@tongban/case-handling').RecordSlaBreachCommand,
      };
      return require('../../apps/api/src/api.module').ApiModule;
    }, environment());
    bus = api.app.get<CommandBus>(loaded!.CommandBus);
    RecordSlaBreach = loaded!.breach;
    projector = await bootReadSide(environment());
  }, 120_000);

  afterAll(async () => {
    await projector?.app.close();
    await api?.app.close();
    await db?.drop();
  });

  function wrote(position: string): void {
    if (written === undefined || comparePositions(parsePosition(position), parsePosition(written)) > 0) {
      written = position;
    }
  }

  async function call<T>(
    who: Person,
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await signer.sign(people[who], 600)}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const text = bytes.toString('utf8');
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return {
      status: res.status,
      text,
      bytes,
      headers: res.headers,
      body: (json ? JSON.parse(text) : {}) as T,
    };
  }

  async function file(community: string): Promise<Case> {
    const res = await call<{ caseId: string; version: number; position: string }>(
      'resident',
      'POST',
      '/cases',
      {
        body: {
          channel: 'app',
          resident: { name: '孙红', phone: '13700002222' },
          location: { address: '小区 2 号楼', communityCode: community },
          title: '路灯不亮',
          description: '2 号楼门前路灯连续三晚不亮。',
        },
        headers: { 'idempotency-key': randomUUID() },
      },
    );
    if (res.status !== 201) throw new Error(`intake: ${res.status} ${res.text}`);
    wrote(res.body.position);
    return { id: res.body.caseId, v: res.body.version };
  }

  async function act(who: Person, c: Case, action: string, body: unknown = {}): Promise<void> {
    const res = await call<{ version: number; position: string }>(who, 'POST', `/cases/${c.id}/${action}`, {
      body,
      headers: { 'if-match': `"${c.v}"` },
    });
    if (res.status !== 200) throw new Error(`${action} by ${who}: ${res.status} ${res.text}`);
    c.v = res.body.version;
    wrote(res.body.position);
  }

  const cadreOf = { cadreA: TAIYANGCHENG, cadreB: GULOU } as const;
  const dispatch = (c: Case, to: keyof typeof cadreOf): Promise<void> =>
    act('dispatcher', c, 'dispatch', { ownerId: people[to].id, ownerOrgUnit: cadreOf[to] });

  /** Dispatched, accepted, contacted, resolved and rated by the resident. */
  async function handled(
    c: Case,
    cadre: keyof typeof cadreOf,
    satisfaction: 'satisfied' | 'basically_satisfied' | 'unsatisfied',
    solved: boolean,
  ): Promise<void> {
    await act(cadre, c, 'accept');
    await act(cadre, c, 'contact', { method: 'phone', note: '已电话联系居民' });
    await act(cadre, c, 'resolve', { summary: '已更换灯泡' });
    await act('resident', c, 'feedback', { satisfaction, solved });
  }

  /** What the SLA watcher does when the response deadline passes. */
  async function responseBreached(c: Case): Promise<void> {
    const result = await bus.execute(
      new RecordSlaBreach(
        {
          type: 'RecordSlaBreach',
          caseId: c.id,
          actor: { id: 'sla-watcher', role: 'system' },
          at: new Date().toISOString(),
          clock: 'response',
          dueAt: new Date(Date.now() - 60_000).toISOString(),
        },
        { correlationId: randomUUID() },
      ),
    );
    c.v = result.version;
    if (result.position) wrote(result.position);
  }

  const after = (): string => (written === undefined ? '' : `&after=${written}`);

  async function kpi(who: Person, query: string): Promise<Answer<Kpi>> {
    return call<Kpi>(who, 'GET', `/kpi?${query}${after()}`);
  }

  async function current(who: Person, query: string): Promise<Kpi> {
    const res = await kpi(who, query);
    if (res.status !== 200) throw new Error(`kpi ${query} as ${who}: ${res.status} ${res.text}`);
    expect(res.body.consistency).toMatchObject({ status: 'current', requested: written });
    return res.body;
  }

  const month = `unit=${STREET}&from=${FROM}&to=${TO}&period=month`;

  const table = (answer: Kpi): Array<[string, Counts, Record<string, number | null>]> =>
    answer.items.map((row) => [row.unit, row.counts, rounded(row.rates)]);

  async function ranking(who: Person, definition?: string): Promise<Answer<Rankings>> {
    const chosen = definition === undefined ? '' : `&definition=${definition}`;
    return call<Rankings>(who, 'GET', `/kpi/rankings?street=${STREET}&month=${MONTH}${chosen}${after()}`);
  }

  it('answers each community’s counters and rates as the table written by hand says', async () => {
    const [a1, a2, a3, a4] = [
      await file(TAIYANGCHENG),
      await file(TAIYANGCHENG),
      await file(TAIYANGCHENG),
      await file(TAIYANGCHENG),
    ];
    const [b1, b2, third] = [await file(GULOU), await file(GULOU), await file(GULOU)];
    Object.assign(b3, third);
    // Nothing dispatched yet: no KPI facts for the street this month.
    expect((await kpi('streetSupervisor', month)).status).toBe(404);

    for (const c of [a1, a2, a3, a4]) await dispatch(c, 'cadreA');
    for (const c of [b1, b2, b3]) await dispatch(c, 'cadreB');
    await handled(a1, 'cadreA', 'satisfied', true);
    await handled(a2, 'cadreA', 'basically_satisfied', true);
    await act('cadreA', a3, 'return', { reason: '需要核实是否属本社区' });
    await dispatch(a3, 'cadreA');
    await act('cadreA', a3, 'accept');
    await responseBreached(a3);
    await act('cadreA', a3, 'contact', { method: 'phone', note: '已电话联系居民' });
    await act('cadreA', a3, 'resolve', { summary: '已更换灯泡' });
    await act('resident', a3, 'feedback', { satisfaction: 'basically_satisfied', solved: false });
    await act('cadreA', a3, 'close');
    await act('dispatcher', a3, 'reopen', { reason: '居民反映路灯又不亮' });
    await act('cadreA', a4, 'accept');
    await handled(b1, 'cadreB', 'satisfied', true);
    await handled(b2, 'cadreB', 'satisfied', true);
    await handled(b3, 'cadreB', 'unsatisfied', false);

    const answer = await current('streetSupervisor', month);
    expect(answer).toMatchObject({ unit: STREET, by: 'community', period: 'month' });
    expect(answer.definition).toMatchObject({ name: 'tongban-2026.2', version: 2 });
    expect(answer.items.map((r) => r.period)).toEqual([
      { label: MONTH, from: FROM, to: TO },
      { label: MONTH, from: FROM, to: TO },
    ]);
    expect(table(answer)).toEqual([
      [GULOU, B, rounded(B_RATES)],
      [TAIYANGCHENG, A, rounded(A_RATES)],
    ]);

    // A past month recomputed under a stated definition: only the satisfaction rate moves.
    const older = await current('streetSupervisor', `${month}&definition=tongban-2026.1`);
    expect(older.definition).toMatchObject({ name: 'tongban-2026.1', version: 1 });
    expect(table(older)).toEqual([
      [GULOU, B, rounded(B_RATES)],
      [TAIYANGCHENG, A, rounded(A_RATES_2026_1)],
    ]);

    // The street as one unit, and one community alone; the district supervisor and the admin see the same.
    const whole = await current('districtSupervisor', `${month}&by=street`);
    expect(whole.items.map((r) => [r.unit, r.counts])).toEqual([[STREET, sum(A, B)]]);
    expect(whole.items[0]?.rates.satisfactionRate).toBeCloseTo(3 / 6, 9);
    const alone = await current('admin', `unit=${TAIYANGCHENG}&from=${FROM}&to=${TO}`);
    expect(table(alone)).toEqual([[TAIYANGCHENG, A, rounded(A_RATES)]]);
    const district = await current('districtSupervisor', `unit=pc&from=${FROM}&to=${TO}`);
    expect(district.items.map((r) => [r.unit, r.counts])).toEqual([[STREET, sum(A, B)]]);

    // By day and by ISO week the counters add up to the month's; every unit has a row in every period.
    for (const period of ['day', 'week'] as const) {
      const split = await current('dispatcher', `unit=${STREET}&from=${FROM}&to=${TO}&period=${period}`);
      const periods = new Set(split.items.map((r) => r.period.label));
      expect(split.items.length).toBe(periods.size * 2);
      const total = split.items
        .filter((r) => r.unit === TAIYANGCHENG)
        .reduce((s, r) => sum(s, r.counts), NONE);
      expect([period, total]).toEqual([period, A]);
    }
    // Cases filed without a matter are `unclassified`; a matter with no cases has no facts.
    expect(table(await current('streetSupervisor', `${month}&matter=unclassified`))).toEqual(table(answer));
    expect((await kpi('streetSupervisor', `${month}&matter=SZ-LD-01`)).status).toBe(404);
  }, 180_000);

  it('exports the same numbers as CSV: UTF-8 with BOM, Chinese headers, rates in percent', async () => {
    const res = await call<unknown>('streetSupervisor', 'GET', `/kpi.csv?${month}${after()}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="kpi-${STREET}-${FROM}-${TO}.csv"`,
    );
    expect([...res.bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = res.text.slice(1).split('\r\n');
    expect(lines.pop()).toBe('');
    const [header = [] as string[], ...rows] = lines.map((line) => line.split(','));
    expect(header.slice(0, 5)).toEqual(['单位', '期间', '起始日', '截止日', '受理量']);
    const column = (name: string): number => {
      const i = header.indexOf(name);
      if (i < 0) throw new Error(`no column ${name} in ${header.join(',')}`);
      return i;
    };
    const parsed = rows.map((cells) => ({
      unit: cells[column('单位')],
      received: Number(cells[column('受理量')]),
      returned: Number(cells[column('退单量')]),
      rated: Number(cells[column('参评量')]),
      response: Number(cells[column('响应率(%)')]),
      resolution: Number(cells[column('解决率(%)')]),
      satisfaction: Number(cells[column('满意率(%)')]),
      accuracy: Number(cells[column('派单准确率(%)')]),
      definition: cells[column('统计口径')],
    }));
    const percent = (rate: number | null): number => Math.round((rate ?? Number.NaN) * 1000) / 10;
    expect(parsed).toEqual([
      {
        unit: GULOU,
        received: B.received,
        returned: B.returned,
        rated: B.rated,
        response: percent(B_RATES.responseRate),
        resolution: percent(B_RATES.resolutionRate),
        satisfaction: percent(B_RATES.satisfactionRate),
        accuracy: percent(B_RATES.firstDispatchAccuracy),
        definition: 'tongban-2026.2 (v2)',
      },
      {
        unit: TAIYANGCHENG,
        received: A.received,
        returned: A.returned,
        rated: A.rated,
        response: 50,
        resolution: 66.7,
        satisfaction: 33.3,
        accuracy: 80,
        definition: 'tongban-2026.2 (v2)',
      },
    ]);
  });

  it('ranks the street’s communities by the definition’s composite order', async () => {
    const strict = await ranking('streetSupervisor');
    expect(strict.status).toBe(200);
    expect(strict.body.definition.name).toBe('tongban-2026.2');
    // 满意 only: 鼓楼 2/3 ahead of 太阳城 1/3.
    expect(strict.body.items.map((i) => [i.rank, i.unit])).toEqual([
      [1, GULOU],
      [2, TAIYANGCHENG],
    ]);
    // 基本满意 counted: 太阳城 3/3 ahead of 鼓楼 2/3.
    const lenient = await ranking('dispatcher', 'tongban-2026.1');
    expect(lenient.body.items.map((i) => [i.rank, i.unit, i.rates.satisfactionRate])).toEqual([
      [1, TAIYANGCHENG, 1],
      [2, GULOU, 2 / 3],
    ]);
  });

  it('takes a case ruled unreasonable out of the rates, as the definition states', async () => {
    await act('streetSupervisor', b3, 'rule-unreasonable', {
      reason: '诉求超出职责范围，经核实属恶意重复投诉',
    });
    const answer = await current('streetSupervisor', month);
    expect(table(answer)).toEqual([
      [GULOU, B_RULED, rounded(B_RULED_RATES)],
      [TAIYANGCHENG, A, rounded(A_RATES)],
    ]);
    // Under tongban-2026.1 both are now 100 % satisfied: 鼓楼's resolution rate (2/2 over 2/3) puts it first.
    const lenient = await ranking('streetSupervisor', 'tongban-2026.1');
    expect(lenient.body.items.map((i) => [i.rank, i.unit])).toEqual([
      [1, GULOU],
      [2, TAIYANGCHENG],
    ]);
  });

  it('answers another street’s supervisor exactly as for a unit without KPI facts', async () => {
    const comparable = (answer: Answer<unknown>): unknown => {
      const { requestId: _requestId, detail, ...rest } = answer.body as Record<string, unknown>;
      return { ...rest, detail: String(detail).replace(/ (pc[a-z.]*) /, ' <unit> ') };
    };
    const outOfScope = await kpi('otherStreetSupervisor', month);
    const unknownThere = await kpi(
      'otherStreetSupervisor',
      `unit=pc.zhenhua&from=${FROM}&to=${TO}&period=month`,
    );
    const unknownHere = await kpi(
      'streetSupervisor',
      `unit=pc.gucheng.xinjiekou&from=${FROM}&to=${TO}&period=month`,
    );
    expect(outOfScope.body).toMatchObject({ status: 404, code: 'kpi.unit_not_found' });
    expect(comparable(outOfScope)).toEqual(comparable(unknownThere));
    expect(comparable(outOfScope)).toEqual(comparable(unknownHere));
    expect(outOfScope.text).not.toContain(TAIYANGCHENG);
    // The district is outside a street supervisor's scope; rankings and the CSV are scoped alike.
    expect((await kpi('streetSupervisor', `unit=pc&from=${FROM}&to=${TO}`)).status).toBe(404);
    const rankings = await ranking('otherStreetSupervisor');
    expect([rankings.status, (rankings.body as unknown as { code: string }).code]).toEqual([
      404,
      'kpi.unit_not_found',
    ]);
    const csv = await call<{ code: string }>('otherStreetSupervisor', 'GET', `/kpi.csv?${month}`);
    expect([csv.status, csv.body.code]).toEqual([404, 'kpi.unit_not_found']);
  });

  it('refuses cadres, residents and office staff by role, and ranges it does not take', async () => {
    for (const who of ['cadreA', 'resident', 'office'] as const) {
      for (const path of [
        `/kpi?${month}`,
        `/kpi.csv?${month}`,
        `/kpi/rankings?street=${STREET}&month=${MONTH}`,
      ]) {
        const res = await call<{ code: string }>(who, 'GET', path);
        expect([who, path, res.status, res.body.code]).toEqual([who, path, 403, 'auth.forbidden']);
      }
    }
    for (const query of [
      `unit=${STREET}&from=2026-03-02&to=2026-03-01`,
      `unit=${STREET}&from=2026-01-01&to=2027-01-02`,
      `unit=${STREET}&from=2026-02-30&to=2026-03-01`,
      `unit=${STREET}&from=2026-03-01&to=2026-03-31&by=district`,
      `unit=${STREET}&from=2026-03-01&to=2026-03-31&definition=tongban-1999.1`,
      `unit=pc.gucheng.publicServiceOffice&from=2026-03-01&to=2026-03-31`,
    ]) {
      const res = await kpi('streetSupervisor', query);
      expect([query, res.status, (res.body as unknown as { code: string }).code]).toEqual([
        query,
        400,
        'request.validation_failed',
      ]);
    }
    // A full leap year is 366 days: taken.
    expect((await kpi('streetSupervisor', `unit=${STREET}&from=2028-01-01&to=2028-12-31`)).status).toBe(404);
  });
});
