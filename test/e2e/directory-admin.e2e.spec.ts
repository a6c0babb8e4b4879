import { randomUUID } from 'node:crypto';
import { pingchengDemoDistrict } from '@tongban/directory';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * Changing the directory over HTTP (issue 13, ADR 0024): the admin API on the api and projector
 * over the real PostgreSQL, in dev mode with the demo district seeded into the store. Every bad
 * change is refused with its code and changes nothing (the versions and the audit view are as
 * they were); only admins may change or read it; and a change made while cases are in flight
 * routes the next case by the new version while the cases routed before keep theirs.
 */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const TYC = 'pc.gucheng.taiyangcheng';
const G03 = `${TYC}.g03`;
const ADMIN = 'demo-admin';
const demo = pingchengDemoDistrict();

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

interface HistoryEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

interface ChangeEntry {
  readonly stream: string;
  readonly version: number;
  readonly type: string;
  readonly by: { id: string; role: string };
  readonly at: string;
  readonly reason: string;
  readonly changed: Record<string, unknown>;
}

/** An Asia/Shanghai calendar day, `days` from now: the day routing reads presence for. */
function shanghaiDay(days = 0): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(Date.now() + days * 86_400_000));
}

/** A square of `half` degrees around a point. */
function square(lat: number, lng: number, half: number): { lat: number; lng: number }[] {
  return [
    { lat: lat - half, lng: lng - half },
    { lat: lat - half, lng: lng + half },
    { lat: lat + half, lng: lng + half },
    { lat: lat + half, lng: lng - half },
  ];
}

describe('the directory admin API (api + projector, real PostgreSQL, dev login)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let projector: RunningApp;
  const tokens = new Map<string, string>();

  const environment = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    AUTH_MODE: 'dev',
    AUTH_JWT_SECRET: SECRET,
    DIRECTORY_SOURCE: 'demo',
    RATE_LIMIT_ENABLED: 'false',
  });

  beforeAll(async () => {
    db = await createTestDatabase('diradmin');
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, environment());
    projector = await bootReadSide(environment());
  }, 120_000);

  afterAll(async () => {
    await projector?.app.close();
    await api?.app.close();
    await db?.drop();
  });

  async function token(userId: string): Promise<string> {
    const known = tokens.get(userId);
    if (known) return known;
    const res = await fetch(`${api.baseUrl}/api/v1/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    if (res.status !== 200) throw new Error(`dev login as ${userId}: ${res.status}`);
    const { accessToken } = (await res.json()) as { accessToken: string };
    tokens.set(userId, accessToken);
    return accessToken;
  }

  async function call(
    userId: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(userId)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const admin = (path: string, body: unknown): Promise<Answer> => call(ADMIN, 'POST', `/admin${path}`, body);

  /** A change that must be stored: its answer. */
  async function changed(path: string, body: unknown): Promise<Answer['body']> {
    const answer = await admin(path, body);
    if (answer.status !== 201) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /** What must not move when a change is refused: the versions, the counts and the audit view. */
  async function state(): Promise<unknown> {
    const status = await call(ADMIN, 'GET', '/admin/directory');
    const directory = await call(ADMIN, 'GET', '/admin/directory/changes?limit=5');
    const catalogue = await call(ADMIN, 'GET', '/admin/directory/changes?stream=catalogue&limit=5');
    expect([status.status, directory.status, catalogue.status]).toEqual([200, 200, 200]);
    return { status: status.body, directory: directory.body, catalogue: catalogue.body };
  }

  /** The refusal `path` answers `body` with, after which nothing has changed. */
  async function refused(userId: string, path: string, body: unknown): Promise<[number, unknown]> {
    const before = await state();
    const answer = await call(userId, 'POST', `/admin${path}`, body);
    expect(await state()).toEqual(before);
    return [answer.status, answer.body['code']];
  }

  async function submit(gridCode: string): Promise<{ id: string; position: string }> {
    const res = await call(
      'demo-resident-1',
      'POST',
      '/cases',
      {
        channel: 'app',
        resident: { name: '赵丽', phone: '13912345678' },
        location: { gridCode },
        category: '公共设施维修',
        title: '楼道灯不亮',
        description: '楼道灯坏了一周，老人夜间出行不便。',
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(res.status).toBe(201);
    return { id: res.body['caseId'] as string, position: res.body['position'] as string };
  }

  async function routing(id: string): Promise<HistoryEvent> {
    const res = await call('demo-supervisor-district', 'GET', `/cases/${id}/history`);
    expect(res.status).toBe(200);
    const events = res.body['events'] as HistoryEvent[];
    expect(events.map((e) => e.type)).toEqual(['case.submitted', 'case.dispatched']);
    return events[1]!;
  }

  const reason = '核对通办目录';

  it('answers its versions and counts: the demo district, seeded', async () => {
    const status = await call(ADMIN, 'GET', '/admin/directory');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({
      source: 'demo',
      district: { code: 'pc', name: '平城区' },
      catalogueVersion: 1,
      counts: {
        streets: demo.streets.length,
        communities: demo.communities.length,
        grids: demo.grids.length,
        cadres: demo.cadres.length,
        units: demo.units.length,
        matters: demo.matters.length,
        addresses: demo.addresses.length,
      },
    });
    expect(status.body['directoryVersion']).toBeGreaterThan(1);
  });

  describe('a bad change is refused with its code, and nothing changes', () => {
    const far = square(39.0, 112.0, 0.001);

    it('a community, a grid or a unit under a parent that does not exist: 422 directory.unknown_parent', async () => {
      expect(
        await refused(ADMIN, '/directory/communities', {
          code: 'pc.nosuchstreet.xinyuan',
          name: '新苑社区',
          reason,
        }),
      ).toEqual([422, 'directory.unknown_parent']);
      expect(
        await refused(ADMIN, '/directory/grids', {
          code: 'pc.gucheng.nosuchcommunity.g01',
          name: '第一网格',
          boundary: far,
          reason,
        }),
      ).toEqual([422, 'directory.unknown_parent']);
      expect(
        await refused(ADMIN, '/directory/units', {
          code: 'pc.nosuchstreet.publicServiceOffice',
          kind: 'office',
          name: '公共服务办公室',
          reason,
        }),
      ).toEqual([422, 'directory.unknown_parent']);
    });

    it('a grid over another grid, or one whose boundary crosses itself: 422', async () => {
      const g01 = demo.grids.find((g) => g.code === `${TYC}.g01`)!;
      const lat = g01.boundary.reduce((s, p) => s + p.lat, 0) / g01.boundary.length;
      const lng = g01.boundary.reduce((s, p) => s + p.lng, 0) / g01.boundary.length;
      expect(
        await refused(ADMIN, '/directory/grids', {
          code: `${TYC}.g99`,
          name: '第九十九网格',
          boundary: square(lat, lng, 0.0005),
          reason,
        }),
      ).toEqual([422, 'directory.grids_overlap']);
      const bowTie = [
        { lat: 39.0, lng: 112.0 },
        { lat: 39.01, lng: 112.01 },
        { lat: 39.0, lng: 112.01 },
        { lat: 39.01, lng: 112.0 },
      ];
      expect(
        await refused(ADMIN, '/directory/grids', {
          code: `${TYC}.g98`,
          name: '第九十八网格',
          boundary: bowTie,
          reason,
        }),
      ).toEqual([422, 'directory.invalid_boundary']);
    });

    const appointment = {
      id: 'cadre-gucheng-taiyangcheng-31',
      badge: 'PC-GC-TYC-031',
      name: '孙立新',
      community: TYC,
      post: '委员',
      duties: ['综治'],
      phone: '13800138031',
      reason: '换届选举',
    };

    it('a cadre in a second community, or with a badge another cadre wears: 409', async () => {
      expect(
        await refused(ADMIN, '/directory/cadres', {
          ...appointment,
          id: 'demo-cadre-taiyangcheng',
          community: 'pc.zhenhua.yunquanli',
        }),
      ).toEqual([409, 'directory.cadre_in_two_communities']);
      expect(await refused(ADMIN, '/directory/cadres', { ...appointment, badge: 'PC-GC-TYC-001' })).toEqual([
        409,
        'directory.badge_taken',
      ]);
    });

    it('stand-ins that go round in a circle: 422 directory.stand_in_cycle', async () => {
      const [a, b] = ['cadre-gucheng-taiyangcheng-03', 'cadre-gucheng-taiyangcheng-04'];
      const days = { from: '2030-03-01', to: '2030-03-05' };
      await changed(`/directory/cadres/${a}/leave`, { ...days, standInId: b, reason: '年休假' });
      expect(
        await refused(ADMIN, `/directory/cadres/${b}/leave`, { ...days, standInId: a, reason: '年休假' }),
      ).toEqual([422, 'directory.stand_in_cycle']);
    });

    it('a rota with a day missing, one that starts after the current one ends, or an unknown cadre: 422', async () => {
      const rota = `/directory/communities/${TYC}/duty-rota`;
      const [c1, c2] = ['cadre-gucheng-taiyangcheng-01', 'cadre-gucheng-taiyangcheng-02'];
      expect(
        await refused(ADMIN, rota, {
          days: [
            { day: shanghaiDay(0), cadreId: c1 },
            { day: shanghaiDay(2), cadreId: c2 },
          ],
          reason,
        }),
      ).toEqual([422, 'directory.rota_gap']);
      // The demo rota runs eight weeks from a week before start-up: 200 days on is past its end.
      expect(
        await refused(ADMIN, rota, {
          days: [
            { day: shanghaiDay(200), cadreId: c1 },
            { day: shanghaiDay(201), cadreId: c2 },
          ],
          reason,
        }),
      ).toEqual([422, 'directory.rota_gap']);
      expect(
        await refused(ADMIN, rota, {
          days: [{ day: shanghaiDay(0), cadreId: 'cadre-nobody-knows' }],
          reason,
        }),
      ).toEqual([422, 'directory.unknown_cadre']);
    });

    it('a matter made the responsibility of a unit no street has: 422 catalogue.unknown_responsible_unit', async () => {
      expect(
        await refused(ADMIN, '/catalogue/matters', {
          code: 'PC-TEST-0001',
          name: '测试事项',
          category: '测试',
          responsible: { kind: 'office', name: 'spaceProgrammeOffice' },
          communityHandles: true,
          priority: 'normal',
          slaPolicyId: 'standard-5d',
          reason,
        }),
      ).toEqual([422, 'catalogue.unknown_responsible_unit']);
    });

    it('malformed input: 400 request.validation_failed before anything is decided', async () => {
      const invalid: [string, unknown][] = [
        ['/directory/grids', { code: `${TYC}.g97`, name: '网格', boundary: far.slice(0, 2), reason }],
        ['/directory/grids', { code: `${TYC}.g97`, name: '网格', boundary: square(91, 112, 0.001), reason }],
        ['/directory/grids', { code: TYC, name: '网格', boundary: far, reason }],
        ['/directory/communities', { code: 'pc.gucheng', name: '社区', reason }],
        ['/directory/communities', { code: 'pc.gucheng.Bad-Name', name: '社区', reason }],
        ['/directory/streets', { code: 'pc.newstreet', name: '新街道' }],
        ['/directory/streets', { code: 'pc.newstreet', name: '  ', reason }],
        ['/directory/streets', { code: 'pc.newstreet', name: '新街道', reason, extra: 1 }],
        ['/directory/cadres', { ...appointment, phone: '12345' }],
        [
          `/directory/cadres/${'cadre-gucheng-taiyangcheng-01'}/leave`,
          { from: '2026-02-30', to: '2026-03-02', reason },
        ],
        ['/directory/cadres/bad%20id/leave', { from: '2030-01-01', to: '2030-01-02', reason }],
        ['/directory/grids/PC.BAD/responsible-cadre', { cadreId: null, reason }],
        [`/directory/grids/${G03}/responsible-cadre`, { reason }],
        [`/directory/communities/${TYC}/duty-rota`, { days: [], reason }],
        [
          '/directory/units',
          { code: 'pc.gucheng.marketStation', kind: 'stationedAgency', name: '市场监管所', reason },
        ],
        ['/directory/addresses', { addresses: [{ text: '太阳城小区9号楼', grid: TYC }], reason }],
        [
          '/catalogue/matters',
          {
            code: 'pc-lower',
            name: '事项',
            category: '类别',
            responsible: { kind: 'office', name: 'publicServiceOffice' },
            communityHandles: true,
            priority: 'normal',
            slaPolicyId: 'standard-5d',
            reason,
          },
        ],
      ];
      for (const [path, body] of invalid) {
        expect({ path, body, answer: await refused(ADMIN, path, body) }).toEqual({
          path,
          body,
          answer: [400, 'request.validation_failed'],
        });
      }
    });

    it('a cadre or a dispatcher may neither change nor read the directory: 403', async () => {
      for (const userId of ['demo-cadre-taiyangcheng', 'demo-dispatcher']) {
        expect(
          await refused(userId, '/directory/streets', { code: 'pc.xinqu', name: '新区街道', reason }),
        ).toEqual([403, 'auth.forbidden']);
        expect(
          await refused(userId, `/directory/grids/${G03}/responsible-cadre`, { cadreId: userId, reason }),
        ).toEqual([403, 'auth.forbidden']);
        expect((await call(userId, 'GET', '/admin/directory')).status).toBe(403);
        expect((await call(userId, 'GET', '/admin/directory/changes')).status).toBe(403);
      }
    });
  });

  it('a directory change while cases are in flight: each case keeps the version it was routed by', async () => {
    const newcomer = 'cadre-gucheng-taiyangcheng-21';
    const successor = 'demo-cadre-taiyangcheng-2';
    const appointed = await changed('/directory/cadres', {
      id: newcomer,
      badge: 'PC-GC-TYC-021',
      name: '周文静',
      community: TYC,
      post: '委员',
      duties: ['环境卫生', '物业协调'],
      phone: '13800138021',
      reason: '换届选举，新任社区委员',
    });
    expect(appointed['events']).toEqual([
      { type: 'directory.cadre_appointed', version: appointed['directoryVersion'] },
    ]);

    const assigned = await changed(`/directory/grids/${G03}/responsible-cadre`, {
      cadreId: newcomer,
      reason: '新任委员负责第三网格',
    });
    const v = assigned['directoryVersion'] as number;
    expect(assigned['events']).toEqual([{ type: 'directory.grid_cadre_assigned', version: v }]);

    const first = await submit(G03);
    expect((await routing(first.id)).data).toMatchObject({
      ownerId: newcomer,
      ownerOrgUnit: TYC,
      rule: 'grid_cadre',
      directoryVersion: v,
    });

    const reassigned = await changed(`/directory/grids/${G03}/responsible-cadre`, {
      cadreId: successor,
      reason: '周文静调整分工，第三网格改由委员负责',
    });
    expect(reassigned['directoryVersion']).toBe(v + 1);

    const second = await submit(G03);
    expect((await routing(second.id)).data).toMatchObject({
      ownerId: successor,
      rule: 'grid_cadre',
      directoryVersion: v + 1,
    });
    // The case routed before the change still shows who it went to, and by which version.
    expect((await routing(first.id)).data).toMatchObject({ ownerId: newcomer, directoryVersion: v });
    const detail = await call(
      'demo-supervisor-district',
      'GET',
      `/cases/${first.id}?after=${second.position}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ status: 'dispatched', designatedOwnerId: newcomer });
    const timeline = await call(
      'demo-supervisor-district',
      'GET',
      `/cases/${first.id}/timeline?after=${second.position}`,
    );
    expect(timeline.status).toBe(200);
    const dispatched = (timeline.body['items'] as { type: string; summary: string }[]).find(
      (item) => item.type === 'case.dispatched',
    );
    expect(dispatched?.summary).toContain(newcomer);
    expect(dispatched?.summary).toContain(`v${v}`);

    // The successor goes on leave today with the newcomer standing in: the next case is theirs.
    const leave = await changed(`/directory/cadres/${successor}/leave`, {
      from: shanghaiDay(-1),
      to: shanghaiDay(1),
      standInId: newcomer,
      reason: '病假三天，由周文静代岗',
    });
    expect(leave['directoryVersion']).toBe(v + 2);
    const third = await submit(G03);
    expect((await routing(third.id)).data).toMatchObject({
      ownerId: newcomer,
      rule: 'stand_in',
      directoryVersion: v + 2,
    });

    // The audit view: each change with who made it and why, newest first.
    const audit = await call(ADMIN, 'GET', '/admin/directory/changes?limit=3');
    expect(audit.status).toBe(200);
    const changes = audit.body['changes'] as ChangeEntry[];
    expect(changes.map((c) => [c.version, c.type, c.by, c.reason])).toEqual([
      [v + 2, 'directory.leave_recorded', { id: ADMIN, role: 'admin' }, '病假三天，由周文静代岗'],
      [
        v + 1,
        'directory.grid_cadre_assigned',
        { id: ADMIN, role: 'admin' },
        '周文静调整分工，第三网格改由委员负责',
      ],
      [v, 'directory.grid_cadre_assigned', { id: ADMIN, role: 'admin' }, '新任委员负责第三网格'],
    ]);
    expect(changes[0]!.changed).toEqual({
      cadreId: successor,
      from: shanghaiDay(-1),
      to: shanghaiDay(1),
      standInId: newcomer,
    });
    expect(changes[1]!.changed).toEqual({ grid: G03, cadreId: successor });
    expect(Date.parse(changes[0]!.at)).toBeGreaterThanOrEqual(Date.parse(changes[2]!.at));
    expect(audit.body['next']).toBe(v);
  });

  it('builds a new part of the district, and the catalogue, change by change', async () => {
    const street = 'pc.xinqu';
    const community = `${street}.chengbei`;
    const grid = `${community}.g01`;
    const cadre = 'cadre-xinqu-chengbei-01';
    await changed('/directory/streets', { code: street, name: '新区街道', reason: '区划调整，新设街道' });
    await changed('/directory/communities', { code: community, name: '城北社区', reason: '新设社区' });
    await changed('/directory/grids', {
      code: grid,
      name: '第一网格',
      boundary: square(39.5, 112.5, 0.002),
      reason: '划定网格',
    });
    // Redrawn: the same code, a new boundary.
    await changed('/directory/grids', {
      code: grid,
      name: '第一网格',
      boundary: square(39.5, 112.5, 0.003),
      reason: '网格边界调整',
    });
    await changed('/directory/units', {
      code: `${street}.publicServiceOffice`,
      kind: 'office',
      name: '公共服务办公室',
      reason: '新设办公室',
    });
    await changed('/directory/units', {
      code: `${street}.marketSupervisionStation`,
      kind: 'stationedAgency',
      name: '市场监管所',
      agencyType: 'marketSupervision',
      reason: '派驻机构入驻',
    });
    await changed('/directory/cadres', {
      id: cadre,
      badge: 'PC-XQ-CB-001',
      name: '钱卫东',
      community,
      post: '居委会主任',
      duties: ['综治'],
      phone: '13800138101',
      reason: '新任居委会主任',
    });
    await changed(`/directory/grids/${grid}/responsible-cadre`, { cadreId: cadre, reason: '网格长' });
    await changed(`/directory/communities/${community}/duty-rota`, {
      days: [-1, 0, 1, 2].map((d) => ({ day: shanghaiDay(d), cadreId: cadre })),
      reason: '本周值班',
    });
    await changed('/directory/addresses', {
      addresses: [{ text: '新区街道城北小区1号楼', grid }],
      reason: '新建小区入住登记',
    });
    const lookup = await call(
      'demo-resident-1',
      'GET',
      `/directory/lookup?address=${encodeURIComponent('新区街道城北小区1号楼')}`,
    );
    expect(lookup.body).toMatchObject({
      located: { street: { code: street }, community: { code: community }, grid: { code: grid } },
      cadre: { name: '钱卫东', present: true },
    });

    const matter = await changed('/catalogue/matters', {
      code: 'PC-XQ-0001',
      name: '新区道路破损',
      category: '市政设施',
      responsible: { kind: 'stationedAgency', name: 'marketSupervision' },
      communityHandles: false,
      priority: 'high',
      slaPolicyId: 'standard-5d',
      reason: '权责清单增补',
    });
    expect(matter).toMatchObject({
      catalogueVersion: 2,
      events: [{ type: 'catalogue.matter_set', version: 2 }],
    });
    const catalogue = await call(ADMIN, 'GET', '/admin/directory/changes?stream=catalogue');
    expect(catalogue.body).toMatchObject({ stream: 'catalogue', next: null });
    const entries = catalogue.body['changes'] as ChangeEntry[];
    expect(entries.map((c) => [c.version, c.type])).toEqual([
      [2, 'catalogue.matter_set'],
      [1, 'catalogue.records_imported'],
    ]);
    expect(entries[1]!.changed).toEqual({ dataset: 'pingcheng-demo', recordCount: demo.matters.length });
    expect(entries[1]!.by).toEqual({ id: 'seed', role: 'system' });
  });

  it('pages the audit view by version, newest first, down to the seed', async () => {
    const status = await call(ADMIN, 'GET', '/admin/directory');
    const latest = status.body['directoryVersion'] as number;
    const seen: ChangeEntry[] = [];
    let before: number | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page = await call(
        ADMIN,
        'GET',
        `/admin/directory/changes?limit=7${before === null ? '' : `&before=${before}`}`,
      );
      expect(page.status).toBe(200);
      seen.push(...(page.body['changes'] as ChangeEntry[]));
      before = page.body['next'] as number | null;
      if (before === null) break;
    }
    expect(seen.map((c) => c.version)).toEqual(Array.from({ length: latest }, (_, i) => latest - i));
    const imports = seen.filter((c) => c.type === 'directory.records_imported');
    expect(imports.length).toBeGreaterThan(0);
    for (const entry of imports) {
      expect(Object.keys(entry.changed).sort()).toEqual(['dataset', 'part', 'recordCount']);
      expect(entry.by).toEqual({ id: 'seed', role: 'system' });
    }
    const addresses = imports
      .filter((c) => c.changed['part'] === 'addresses')
      .reduce((n, c) => n + (c.changed['recordCount'] as number), 0);
    expect(addresses).toBe(demo.addresses.length);
    expect(JSON.stringify(seen)).not.toContain('"records"');
    const past = await call(ADMIN, 'GET', '/admin/directory/changes?before=1');
    expect(past.body).toEqual({ stream: 'directory', changes: [], next: null });
  });
});

describe('the directory admin API where there is no directory (DIRECTORY_SOURCE=none)', () => {
  let db: TestDatabase;
  let api: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('diradminnone');
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, {
      DATABASE_URL: db.url,
      AUTH_MODE: 'dev',
      AUTH_JWT_SECRET: SECRET,
      DIRECTORY_SOURCE: 'none',
    });
  });

  afterAll(async () => {
    await api?.app.close();
    await db?.drop();
  });

  it('answers every admin route 503 directory.unavailable', async () => {
    const login = await fetch(`${api.baseUrl}/api/v1/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: ADMIN }),
    });
    const { accessToken } = (await login.json()) as { accessToken: string };
    const answers = [];
    for (const [method, path, body] of [
      ['GET', '/admin/directory', undefined],
      ['GET', '/admin/directory/changes', undefined],
      ['POST', '/admin/directory/district', { code: 'pc', name: '平城区', reason: '建立目录' }],
      ['POST', '/admin/directory/streets', { code: 'pc.gucheng', name: '古城街道', reason: '建立目录' }],
    ] as const) {
      const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${accessToken}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      answers.push([path, res.status, ((await res.json()) as Record<string, unknown>)['code']]);
    }
    expect(answers).toEqual([
      ['/admin/directory', 503, 'directory.unavailable'],
      ['/admin/directory/changes', 503, 'directory.unavailable'],
      ['/admin/directory/district', 503, 'directory.unavailable'],
      ['/admin/directory/streets', 503, 'directory.unavailable'],
    ]);
  });
});
