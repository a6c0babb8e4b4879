import { randomUUID } from 'node:crypto';
import { comparePositions, parsePosition } from '@tongban/event-store';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * The three rates per cadre and per matter category (issue 14) over HTTP: the api (with the demo
 * directory, whose catalogue files matters under categories, and routing off so that the
 * dispatcher chooses) takes the commands and serves `GET /kpi/cadre`, `/kpi/cadres` and `category=`;
 * the projector keeps `kpi_daily` and `kpi_cadre_daily` up to date on the same database. Four
 * cases in 太阳城 pass between its two cadres — a return (退单), a hand-over, a response deadline
 * missed, a reopening — and the test's own tables below hold the figures worked out by hand.
 * Every read passes the last command's position as `after`, so nothing sleeps.
 */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });

const STREET = 'pc.gucheng';
const TAIYANGCHENG = 'pc.gucheng.taiyangcheng';
const YUNQUANLI = 'pc.zhenhua.yunquanli';
/** The demo directory's two cadres of 太阳城 (dispatch targets are checked against it). */
const A = 'demo-cadre-taiyangcheng';
const A2 = 'demo-cadre-taiyangcheng-2';
/** 物业管理 and 公共设施维修 in the demo catalogue. */
const PROPERTY = { matter: 'PC-WYGL-0101', category: '物业管理' } as const;
const FACILITIES = { matter: 'PC-GGFW-0107', category: '公共设施维修' } as const;

const people = {
  resident: { id: 'resident-kpi-cadres', role: 'resident' },
  dispatcher: { id: 'dispatcher-gucheng-kpi', role: 'dispatcher', orgUnit: STREET },
  streetSupervisor: { id: 'supervisor-gucheng-kpi', role: 'supervisor', orgUnit: STREET },
  otherStreetSupervisor: { id: 'supervisor-zhenhua-kpi', role: 'supervisor', orgUnit: 'pc.zhenhua' },
  districtSupervisor: { id: 'supervisor-pc-kpi', role: 'supervisor', orgUnit: 'pc' },
  office: { id: 'staff-gucheng-kpi', role: 'office_staff', orgUnit: 'pc.gucheng.publicServiceOffice' },
  cadreA: { id: A, role: 'cadre', orgUnit: TAIYANGCHENG },
  cadreA2: { id: A2, role: 'cadre', orgUnit: TAIYANGCHENG },
  otherCommunityCadre: { id: 'demo-cadre-yunquanli', role: 'cadre', orgUnit: YUNQUANLI },
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

const NONE = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Counts;
const counts = (some: Partial<Counts>): Counts => ({ ...NONE, ...some });
const sum = (a: Counts, b: Counts): Counts =>
  Object.fromEntries(COUNTERS.map((c) => [c, a[c] + b[c]])) as Counts;
const rounded = (rates: Rates): Record<string, number | null> =>
  Object.fromEntries(RATES.map((r) => [r, rates[r] === null ? null : Number(rates[r].toFixed(9))]));

/**
 * THE TABLES, by hand.
 * c1 (物业管理): dispatched to A, who handles it; satisfied, solved.
 * c2 (物业管理): dispatched to A2, who returns it (退单); dispatched to A, who handles it;
 *    basically satisfied, not solved.
 * c3 (公共设施维修): dispatched to A, accepted; the response deadline passes (A's breach); A contacts
 *    the resident late and hands the case over to A2, who accepts, resolves (in time: only the
 *    response clock was breached); unsatisfied, not solved; reopened (against A2, who resolved it).
 * c4 (no matter): dispatched to A2, accepted, contacted.
 */
const A_COUNTS = counts({
  received: 3, // c1, c2 (second dispatch), c3
  responded: 3,
  responded_in_time: 2, // c3's contact came after its breach
  resolved: 2,
  resolved_in_time: 2,
  rated: 2,
  satisfied: 1,
  basically_satisfied: 1,
  solved: 1,
  breached: 1,
});
const A_RATES: Rates = {
  responseRate: 2 / 3, // in time / (received − returned)
  resolutionRate: 1 / 2, // solved / rated
  satisfactionRate: 1 / 2, // 满意 / rated (tongban-2026.2)
  onTimeResolutionRate: 2 / 2,
  firstDispatchAccuracy: 3 / 3,
  reopenRate: 0 / 2,
};
const A2_COUNTS = counts({
  received: 2, // c2 (first dispatch), c4 — taking c3 over by hand-over is no dispatch
  returned: 1, // c2
  responded: 1, // c4
  responded_in_time: 1,
  resolved: 1, // c3
  resolved_in_time: 1,
  rated: 1,
  unsatisfied: 1,
  reopened: 1,
});
const A2_RATES: Rates = {
  responseRate: 1 / (2 - 1),
  resolutionRate: 0 / 1,
  satisfactionRate: 0 / 1,
  onTimeResolutionRate: 1 / 1,
  firstDispatchAccuracy: (2 - 1) / 2,
  reopenRate: 1 / 1,
};
/** 物业管理 only (c1, c2). */
const A_PROPERTY = counts({
  received: 2,
  responded: 2,
  responded_in_time: 2,
  resolved: 2,
  resolved_in_time: 2,
  rated: 2,
  satisfied: 1,
  basically_satisfied: 1,
  solved: 1,
});
const A2_PROPERTY = counts({ received: 1, returned: 1 });
/** c3 ruled unreasonable: what it counted for A (received, responded late, breached) and A2 is taken back. */
const A_RULED = { ...A_COUNTS, received: 2, responded: 2, breached: 0 };
const A2_RULED = counts({ received: 2, returned: 1, responded: 1, responded_in_time: 1 });

interface Problem {
  status: number;
  code: string;
  detail: string;
}
interface Period {
  label: string;
  from: string;
  to: string;
}
interface CadreKpi {
  cadre: string;
  category: string | null;
  definition: { name: string };
  items: Array<{ period: Period; counts: Counts; rates: Rates }>;
  consistency: { status: string; requested: string | null };
}
interface CadresKpi {
  unit: string;
  category: string | null;
  items: Array<{ period: Period; cadre: string; counts: Counts; rates: Rates }>;
  consistency: { status: string; requested: string | null };
}
interface UnitKpi {
  category: string | null;
  items: Array<{ unit: string; counts: Counts; rates: Rates }>;
  consistency: { status: string; requested: string | null };
}
interface Answer<T> {
  status: number;
  body: T;
  text: string;
}
interface Case {
  id: string;
  v: number;
}
interface CommandBus {
  execute(command: unknown): Promise<{ version: number; position: string | null }>;
}

/** Today in Asia/Shanghai (UTC+8 all year). */
const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
const MONTH = today.slice(0, 7);
const FROM = `${MONTH}-01`;
const TO = new Date(Date.UTC(Number(MONTH.slice(0, 4)), Number(MONTH.slice(5, 7)), 0))
  .toISOString()
  .slice(0, 10);
const RANGE = `from=${FROM}&to=${TO}&period=month`;

describe('the three rates per cadre and per matter category over HTTP (api + projector on real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let projector: RunningApp;
  let bus: CommandBus;
  let RecordSlaBreach: new (command: unknown, context: unknown) => unknown;
  let written: string | undefined;
  const c3: Case = { id: '', v: 0 };

  const environment = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    AUTH_JWT_ALGORITHM: 'HS256',
    AUTH_JWT_SECRET: SECRET,
    RATE_LIMIT_ENABLED: 'false',
    DIRECTORY_SOURCE: 'demo',
    CASE_ROUTING: 'off',
  });

  beforeAll(async () => {
    db = await createTestDatabase('kpi_cadres');
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
    const text = await res.text();
    const json = (res.headers.get('content-type') ?? '').includes('json');
    return { status: res.status, text, body: (json ? JSON.parse(text) : {}) as T };
  }

  async function file(matter?: string): Promise<Case> {
    const res = await call<{ caseId: string; version: number; position: string }>(
      'resident',
      'POST',
      '/cases',
      {
        body: {
          channel: 'app',
          resident: { name: '孙红', phone: '13700002222' },
          location: { address: '太阳城小区 2 号楼', communityCode: TAIYANGCHENG },
          ...(matter === undefined ? {} : { matterCode: matter }),
          title: '楼道灯不亮',
          description: '2 号楼楼道灯连续三晚不亮。',
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

  const dispatch = (c: Case, to: string): Promise<void> =>
    act('dispatcher', c, 'dispatch', { ownerId: to, ownerOrgUnit: TAIYANGCHENG });
  const contact = (who: Person, c: Case): Promise<void> =>
    act(who, c, 'contact', { method: 'phone', note: '已电话联系居民' });
  const resolve = (who: Person, c: Case): Promise<void> => act(who, c, 'resolve', { summary: '已更换灯泡' });
  const feedback = (
    c: Case,
    satisfaction: 'satisfied' | 'basically_satisfied' | 'unsatisfied',
    solved: boolean,
  ): Promise<void> => act('resident', c, 'feedback', { satisfaction, solved });

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
  const get = <T>(who: Person, path: string): Promise<Answer<T>> => call<T>(who, 'GET', `${path}${after()}`);

  async function current<T extends { consistency?: { status: string } }>(
    who: Person,
    path: string,
  ): Promise<T> {
    const res = await get<T>(who, path);
    if (res.status !== 200) throw new Error(`${path} as ${who}: ${res.status} ${res.text}`);
    expect(res.body.consistency?.status ?? 'current').toBe('current');
    return res.body;
  }

  const cadresTable = (answer: CadresKpi): Array<[string, Counts, Record<string, number | null>]> =>
    answer.items.map((row) => [row.cadre, row.counts, rounded(row.rates)]);

  it('answers each cadre’s counters and rates as the table written by hand says', async () => {
    const c1 = await file(PROPERTY.matter);
    const c2 = await file(PROPERTY.matter);
    Object.assign(c3, await file(FACILITIES.matter));
    const c4 = await file();
    // Nothing dispatched yet: no cadre has KPI facts.
    expect((await get<Problem>('cadreA', `/kpi/cadre?cadre=${A}&${RANGE}`)).body).toMatchObject({
      status: 404,
      code: 'kpi.cadre_not_found',
    });

    await dispatch(c1, A);
    await act('cadreA', c1, 'accept');
    await contact('cadreA', c1);
    await resolve('cadreA', c1);
    await feedback(c1, 'satisfied', true);

    await dispatch(c2, A2);
    await act('cadreA2', c2, 'return', { reason: '本人本周轮休，请改派' });
    await dispatch(c2, A);
    await act('cadreA', c2, 'accept');
    await contact('cadreA', c2);
    await resolve('cadreA', c2);
    await feedback(c2, 'basically_satisfied', false);

    await dispatch(c3, A);
    await act('cadreA', c3, 'accept');
    await responseBreached(c3);
    await contact('cadreA', c3);
    await act('cadreA', c3, 'hand-over', {
      toCadreId: A2,
      toOrgUnit: TAIYANGCHENG,
      reason: '轮值结束，交由值班委员办理',
    });
    await act('cadreA2', c3, 'accept');
    await resolve('cadreA2', c3);
    await feedback(c3, 'unsatisfied', false);
    await act('dispatcher', c3, 'reopen', { reason: '居民反映楼道灯又不亮' });

    await dispatch(c4, A2);
    await act('cadreA2', c4, 'accept');
    await contact('cadreA2', c4);

    // The street's supervisor: every cadre who counted facts in 太阳城, by id.
    const cadres = await current<CadresKpi>('streetSupervisor', `/kpi/cadres?unit=${TAIYANGCHENG}&${RANGE}`);
    expect(cadres).toMatchObject({ unit: TAIYANGCHENG, category: null });
    expect(cadres.items.map((row) => row.period)).toEqual([
      { label: MONTH, from: FROM, to: TO },
      { label: MONTH, from: FROM, to: TO },
    ]);
    expect(cadresTable(cadres)).toEqual([
      [A, A_COUNTS, rounded(A_RATES)],
      [A2, A2_COUNTS, rounded(A2_RATES)],
    ]);
    // Every count of these cases had a cadre answering for it: the community's facts are the two cadres'.
    const unit = await current<UnitKpi>('streetSupervisor', `/kpi?unit=${TAIYANGCHENG}&${RANGE}`);
    expect(unit.items.map((row) => [row.unit, row.counts])).toEqual([
      [TAIYANGCHENG, sum(A_COUNTS, A2_COUNTS)],
    ]);

    // One cadre: themselves, the street's supervisor and the district's see the same figures.
    for (const who of ['cadreA', 'streetSupervisor', 'districtSupervisor', 'dispatcher'] as const) {
      const one = await current<CadreKpi>(who, `/kpi/cadre?cadre=${A}&${RANGE}`);
      expect([
        who,
        one.cadre,
        one.definition.name,
        one.items.map((r) => [r.counts, rounded(r.rates)]),
      ]).toEqual([who, A, 'tongban-2026.2', [[A_COUNTS, rounded(A_RATES)]]]);
    }
    const second = await current<CadreKpi>(
      'cadreA2',
      `/kpi/cadre?cadre=${A2}&from=${FROM}&to=${TO}&period=day`,
    );
    expect(second.items.reduce((s, r) => sum(s, r.counts), NONE)).toEqual(A2_COUNTS);
    // tongban-2026.1 counts 基本满意 as satisfied: A's (1 + 1) / 2.
    const lenient = await current<CadreKpi>(
      'cadreA',
      `/kpi/cadre?cadre=${A}&${RANGE}&definition=tongban-2026.1`,
    );
    expect(lenient.items[0]?.rates.satisfactionRate).toBe(1);
  }, 180_000);

  it('cuts every answer to a category of the catalogue: its matters’ facts only', async () => {
    const property = `category=${encodeURIComponent(PROPERTY.category)}`;
    const cadres = await current<CadresKpi>(
      'streetSupervisor',
      `/kpi/cadres?unit=${TAIYANGCHENG}&${RANGE}&${property}`,
    );
    expect(cadres.category).toBe(PROPERTY.category);
    expect(cadres.items.map((row) => [row.cadre, row.counts])).toEqual([
      [A, A_PROPERTY],
      [A2, A2_PROPERTY],
    ]);
    const unit = await current<UnitKpi>('streetSupervisor', `/kpi?unit=${STREET}&${RANGE}&${property}`);
    expect(unit.category).toBe(PROPERTY.category);
    expect(unit.items.map((row) => [row.unit, row.counts])).toEqual([
      [TAIYANGCHENG, sum(A_PROPERTY, A2_PROPERTY)],
    ]);
    // The other category: c3 alone — A's late response and breach, A2's resolution, rating and reopening.
    const facilities = await current<CadreKpi>(
      'cadreA2',
      `/kpi/cadre?cadre=${A2}&${RANGE}&category=${encodeURIComponent(FACILITIES.category)}`,
    );
    expect(facilities.items.map((r) => r.counts)).toEqual([
      counts({ resolved: 1, resolved_in_time: 1, rated: 1, unsatisfied: 1, reopened: 1 }),
    ]);
    // A matter and its category together; a matter of another category, or a category the
    // catalogue does not have, has no facts.
    const both = await current<UnitKpi>(
      'streetSupervisor',
      `/kpi?unit=${TAIYANGCHENG}&${RANGE}&${property}&matter=${PROPERTY.matter}`,
    );
    expect(both.items.map((row) => row.counts)).toEqual([sum(A_PROPERTY, A2_PROPERTY)]);
    for (const path of [
      `/kpi?unit=${TAIYANGCHENG}&${RANGE}&${property}&matter=${FACILITIES.matter}`,
      `/kpi?unit=${TAIYANGCHENG}&${RANGE}&category=${encodeURIComponent('没有这个类别')}`,
      `/kpi/cadres?unit=${TAIYANGCHENG}&${RANGE}&category=${encodeURIComponent('没有这个类别')}`,
    ]) {
      expect([path, (await get<Problem>('streetSupervisor', path)).body.code]).toEqual([
        path,
        'kpi.unit_not_found',
      ]);
    }
    // The CSV names the matter and category it is cut to.
    const csv = await get<unknown>('streetSupervisor', `/kpi.csv?unit=${STREET}&${RANGE}&${property}`);
    expect(csv.status).toBe(200);
    const [header = '', row = ''] = csv.text.slice(1).split('\r\n');
    expect(header.split(',').slice(-3)).toEqual(['统计口径', '事项', '事项类别']);
    expect(row.split(',').slice(-2)).toEqual(['全部', PROPERTY.category]);
    expect(row.split(',')[4]).toBe(String(A_PROPERTY.received + A2_PROPERTY.received));
    const bad = await get<Problem>(
      'streetSupervisor',
      `/kpi?unit=${STREET}&${RANGE}&category=${encodeURIComponent('=1+1')}`,
    );
    expect([bad.status, bad.body.code]).toEqual([400, 'request.validation_failed']);
  });

  it('answers another cadre, another street’s supervisor and an unknown cadre exactly alike (404)', async () => {
    const comparable = (answer: Answer<Problem>): unknown => {
      const { requestId: _requestId, ...rest } = answer.body as unknown as Record<string, unknown>;
      return rest;
    };
    const path = `/kpi/cadre?cadre=${A}&${RANGE}`;
    // In scope, but no facts: a matter A never handled.
    const none = await get<Problem>('districtSupervisor', `${path}&matter=PC-WYGL-0102`);
    expect(none.body).toMatchObject({ status: 404, code: 'kpi.cadre_not_found' });
    for (const who of ['cadreA2', 'otherCommunityCadre', 'otherStreetSupervisor'] as const) {
      const refused = await get<Problem>(who, `${path}&matter=PC-WYGL-0102`);
      expect([who, comparable(refused)]).toEqual([who, comparable(none)]);
      expect([who, (await get<Problem>(who, path)).status]).toEqual([who, 404]);
    }
    const unknown = await get<Problem>('streetSupervisor', `/kpi/cadre?cadre=cadre-nobody&${RANGE}`);
    expect(unknown.body).toMatchObject({ status: 404, code: 'kpi.cadre_not_found' });
    // A unit's cadres: another street's supervisor, like a unit without facts.
    const outside = await get<Problem>('otherStreetSupervisor', `/kpi/cadres?unit=${TAIYANGCHENG}&${RANGE}`);
    expect(outside.body).toMatchObject({ status: 404, code: 'kpi.unit_not_found' });
    expect(outside.text).not.toContain(A);
    // By role: residents and office staff read no cadre's figures; cadres list no unit's.
    for (const [who, route] of [
      ['resident', path],
      ['office', path],
      ['cadreA', `/kpi/cadres?unit=${TAIYANGCHENG}&${RANGE}`],
    ] as const) {
      const res = await get<Problem>(who, route);
      expect([who, res.status, res.body.code]).toEqual([who, 403, 'auth.forbidden']);
    }
  });

  it('takes a case ruled unreasonable out of both cadres’ figures', async () => {
    await act('streetSupervisor', c3, 'rule-unreasonable', { reason: '经核实属重复投诉，不计入考核' });
    const cadres = await current<CadresKpi>('streetSupervisor', `/kpi/cadres?unit=${TAIYANGCHENG}&${RANGE}`);
    expect(cadres.items.map((row) => [row.cadre, row.counts])).toEqual([
      [A, A_RULED],
      [A2, A2_RULED],
    ]);
  });
});
