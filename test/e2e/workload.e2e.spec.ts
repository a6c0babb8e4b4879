import { randomUUID } from 'node:crypto';
import { comparePositions, parsePosition } from '@tongban/event-store';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * The cadre workload for dispatchers (issue 13) over HTTP: the api takes the commands and serves
 * `GET /workload`, the projector keeps `cadre_workload` up to date on the same database. Cases
 * are dispatched to two cadres of 太阳城, some accepted, one suspended, one handed over; the SLA
 * watcher's deadlines stand in through the api's command bus. Every read passes the last
 * command's position as `after`, so nothing sleeps.
 */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });

const TAIYANGCHENG = 'pc.gucheng.taiyangcheng';

const people = {
  resident: { id: 'resident-workload-1', role: 'resident' },
  dispatcher: { id: 'dispatcher-gucheng-01', role: 'dispatcher', orgUnit: 'pc.gucheng' },
  otherStreetDispatcher: { id: 'dispatcher-zhenhua-01', role: 'dispatcher', orgUnit: 'pc.zhenhua' },
  districtDispatcher: { id: 'dispatcher-pc-01', role: 'dispatcher', orgUnit: 'pc' },
  streetSupervisor: { id: 'supervisor-gucheng', role: 'supervisor', orgUnit: 'pc.gucheng' },
  admin: { id: 'admin-pc', role: 'admin', orgUnit: 'pc' },
  cadreA: { id: 'cadre-tyc-21', role: 'cadre', orgUnit: TAIYANGCHENG },
  cadreB: { id: 'cadre-tyc-22', role: 'cadre', orgUnit: TAIYANGCHENG },
} satisfies Record<string, Principal>;

type Person = keyof typeof people;

interface CadreLoad {
  cadreId: string;
  orgUnit: string;
  openCases: number;
  accepted: number;
  suspended: number;
  handOversOffered: number;
  dueSoon: number;
  overdue: number;
}

interface Workload {
  orgUnit: string;
  asOf: string;
  items: CadreLoad[];
  consistency: { status: string; position: string; requested: string | null };
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

type Timer = 'RaiseSlaWarning' | 'RecordSlaBreach';

/** [cadre, open, accepted, suspended, offered, due soon, overdue], in the answer's order. */
const loads = (workload: Workload): Array<[string, number, number, number, number, number, number]> =>
  workload.items.map((i) => [
    i.cadreId,
    i.openCases,
    i.accepted,
    i.suspended,
    i.handOversOffered,
    i.dueSoon,
    i.overdue,
  ]);

describe('the cadre workload over HTTP (api + projector on real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let projector: RunningApp;
  let bus: CommandBus;
  let timers: Record<Timer, new (command: unknown, context: unknown) => unknown>;
  /** The latest position a command returned: every read waits for it. */
  let written: string | undefined;

  const environment = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    AUTH_JWT_ALGORITHM: 'HS256',
    AUTH_JWT_SECRET: SECRET,
    RATE_LIMIT_ENABLED: 'false',
  });

  beforeAll(async () => {
    db = await createTestDatabase('workload');
    let loaded: { CommandBus: new () => CommandBus; timers: typeof timers } | undefined;
    api = await bootApp(() => {
      // From the app's own module registry, so Nest recognises the classes.
      loaded = {
        CommandBus: require('@nestjs/cqrs').CommandBus,
        timers: {
          RaiseSlaWarning: require('@tongban/case-handling').RaiseSlaWarningCommand,
          RecordSlaBreach: require('@tongban/case-handling').RecordSlaBreachCommand,
        },
      };
      return require('../../apps/api/src/api.module').ApiModule;
    }, environment());
    bus = api.app.get<CommandBus>(loaded!.CommandBus);
    timers = loaded!.timers;
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
    return { status: res.status, text, body: (text ? JSON.parse(text) : {}) as T };
  }

  async function file(): Promise<Case> {
    const res = await call<{ caseId: string; version: number; position: string }>(
      'resident',
      'POST',
      '/cases',
      {
        body: {
          channel: 'app',
          resident: { name: '赵丽', phone: '13700001111' },
          location: { address: '太阳城小区 5 号楼', communityCode: TAIYANGCHENG },
          title: '楼道堆物',
          description: '5 号楼一单元楼道堆放杂物，影响通行。',
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

  const dispatch = (c: Case, to: 'cadreA' | 'cadreB'): Promise<void> =>
    act('dispatcher', c, 'dispatch', { ownerId: people[to].id, ownerOrgUnit: TAIYANGCHENG });

  /** What the SLA watcher does: announce the resolution deadline, or record that it passed. */
  async function sla(c: Case, timer: Timer, dueAt: Date): Promise<void> {
    const command = new timers[timer](
      {
        type: timer,
        caseId: c.id,
        actor: { id: 'sla-watcher', role: 'system' },
        at: new Date().toISOString(),
        clock: 'resolution',
        dueAt: dueAt.toISOString(),
      },
      { correlationId: randomUUID() },
    );
    const result = await bus.execute(command);
    c.v = result.version;
    if (result.position) wrote(result.position);
  }

  async function workload(who: Person, orgUnit: string): Promise<Answer<Workload>> {
    const after = written === undefined ? '' : `&after=${written}`;
    return call<Workload>(who, 'GET', `/workload?orgUnit=${orgUnit}${after}`);
  }

  async function current(who: Person, orgUnit: string): Promise<Workload> {
    const res = await workload(who, orgUnit);
    if (res.status !== 200) throw new Error(`workload ${orgUnit} as ${who}: ${res.status} ${res.text}`);
    expect(res.body.consistency).toMatchObject({ status: 'current', requested: written });
    return res.body;
  }

  it('answers each cadre’s counts, least loaded first, as cases are dispatched, accepted and handed over', async () => {
    const [c1, c2, c3, c4, c5] = [await file(), await file(), await file(), await file(), await file()];
    // Nobody has taken a case in 太阳城 yet: the unit is unknown to the workload.
    const none = await workload('dispatcher', TAIYANGCHENG);
    expect([none.status, (none.body as unknown as { code: string }).code]).toEqual([
      404,
      'workload.org_unit_not_found',
    ]);

    await dispatch(c1, 'cadreA');
    await dispatch(c2, 'cadreA');
    await dispatch(c3, 'cadreA');
    await dispatch(c4, 'cadreB');
    await dispatch(c5, 'cadreB');
    await act('cadreA', c1, 'accept');
    await act('cadreA', c2, 'accept');
    await act('cadreB', c4, 'accept');
    await act('cadreA', c2, 'suspend', { reason: '居民外出，下周回来' });
    // The SLA watcher: c3's resolution is due in two hours, c5's deadline passed an hour ago.
    await sla(c3, 'RaiseSlaWarning', new Date(Date.now() + 2 * 3_600_000));
    await sla(c5, 'RecordSlaBreach', new Date(Date.now() - 3_600_000));

    let answer = await current('dispatcher', TAIYANGCHENG);
    expect(answer.orgUnit).toBe(TAIYANGCHENG);
    expect(Math.abs(Date.parse(answer.asOf) - Date.now())).toBeLessThan(60_000);
    expect(loads(answer)).toEqual([
      [people.cadreB.id, 2, 1, 0, 0, 0, 1],
      [people.cadreA.id, 3, 2, 1, 0, 1, 0],
    ]);

    // A offers c1 to B: still A's case, B's offer.
    await act('cadreA', c1, 'hand-over', {
      toCadreId: people.cadreB.id,
      toOrgUnit: TAIYANGCHENG,
      reason: '轮值结束，交给本周值班委员',
    });
    answer = await current('dispatcher', TAIYANGCHENG);
    expect(loads(answer)).toEqual([
      [people.cadreB.id, 2, 1, 0, 1, 0, 1],
      [people.cadreA.id, 3, 2, 1, 0, 1, 0],
    ]);

    // B takes it: it moves from A's load to B's, counted once.
    await act('cadreB', c1, 'accept');
    answer = await current('dispatcher', TAIYANGCHENG);
    expect(loads(answer)).toEqual([
      [people.cadreA.id, 2, 1, 1, 0, 1, 0],
      [people.cadreB.id, 3, 2, 0, 0, 0, 1],
    ]);

    // The street lists the same cadres; the district's dispatcher, the street's supervisor and
    // the district's admin see them too.
    for (const [who, unit] of [
      ['dispatcher', 'pc.gucheng'],
      ['districtDispatcher', TAIYANGCHENG],
      ['streetSupervisor', 'pc.gucheng'],
      ['admin', TAIYANGCHENG],
    ] as const) {
      expect(loads(await current(who, unit))).toEqual(loads(answer));
    }
  }, 120_000);

  it('answers another street’s dispatcher exactly as for a unit where nobody took a case', async () => {
    const outOfScope = await workload('otherStreetDispatcher', TAIYANGCHENG);
    const unknown = await workload('otherStreetDispatcher', 'pc.zhenhua.xinjiannan');
    const unknownHere = await workload('dispatcher', 'pc.gucheng.gulou');
    expect(outOfScope.status).toBe(404);
    const comparable = (answer: Answer<Workload>): unknown => {
      const { requestId: _requestId, detail, ...rest } = answer.body as unknown as Record<string, unknown>;
      return { ...rest, detail: String(detail).replace(/pc\.[a-z.]+/, '<unit>') };
    };
    expect(comparable(outOfScope)).toEqual(comparable(unknown));
    expect(comparable(outOfScope)).toEqual(comparable(unknownHere));
    expect(outOfScope.body).toMatchObject({ status: 404, code: 'workload.org_unit_not_found' });
    // Nothing of the unit's cadres leaks into the refusal.
    expect(outOfScope.text).not.toContain(people.cadreA.id);
  });

  it('refuses cadres and residents, and a unit that is neither a street nor a community', async () => {
    for (const who of ['cadreA', 'resident'] as const) {
      const res = await workload(who, TAIYANGCHENG);
      expect([who, res.status]).toEqual([who, 403]);
    }
    for (const unit of ['pc', 'pc.gucheng.publicServiceOffice', 'pc.gucheng.taiyangcheng.grid03', 'pc..x']) {
      const res = await workload('dispatcher', unit);
      expect([unit, res.status]).toEqual([unit, 400]);
    }
  });
});
