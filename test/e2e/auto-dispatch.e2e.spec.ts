import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { PostgresEventStore } from '@tongban/event-store';
import { demoRotaStart } from '@tongban/case-handling';
import { pingchengDemoDistrict } from '@tongban/directory';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp } from './boot';
import { startStandalone, type StandaloneClient } from './standalone-client';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * Issue 13: every submitted case is routed to ONE accountable cadre (or a queue) by the
 * directory's rules, in the same append as the submission; a return is routed again, never to
 * the cadre who returned it, and a second return goes to the street's dispatcher. Each routing
 * event cites its rule and the directory and catalogue versions. On the api against the real
 * PostgreSQL (JWT, DIRECTORY_SOURCE=demo), and on the standalone app (dev mode, PGlite), where
 * the designated cadre's worklist shows the case.
 */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });

const TYC = 'pc.gucheng.taiyangcheng';
const people = {
  resident: { id: 'resident-zhao', role: 'resident' },
  tycCadre: { id: 'demo-cadre-taiyangcheng', role: 'cadre', orgUnit: TYC },
  supervisor: { id: 'demo-supervisor-district', role: 'supervisor', orgUnit: 'pc' },
  dispatcher: { id: 'demo-dispatcher', role: 'dispatcher', orgUnit: 'pc' },
} satisfies Record<string, Principal>;

/** The versions of the `directory` and `catalogue` streams in the store at `url`. */
async function storedVersions(url: string): Promise<{ directory: number; catalogue: number }> {
  const pool = new Pool({ connectionString: url, max: 2 });
  const store = new PostgresEventStore({ pool });
  try {
    const [directory, catalogue] = await Promise.all([
      store.streamState('directory'),
      store.streamState('catalogue'),
    ]);
    return { directory: directory.version, catalogue: catalogue.version };
  } finally {
    await store.close();
    await pool.end();
  }
}

interface HistoryEvent {
  readonly type: string;
  readonly actor: { readonly id: string; readonly role: string };
  readonly data: Record<string, unknown>;
}

describe('auto-dispatch at intake (api, real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  /** The versions of the directory the api seeded (its streams' versions: ADR 0024). */
  let seeded: { directory: number; catalogue: number };

  beforeAll(async () => {
    db = await createTestDatabase('routing');
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, {
      DATABASE_URL: db.url,
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: SECRET,
      DIRECTORY_SOURCE: 'demo',
    });
    seeded = await storedVersions(db.url);
    expect(seeded.directory).toBeGreaterThan(1);
  });

  afterAll(async () => {
    await api?.app.close();
    await db?.drop();
  });

  async function call(
    who: Principal,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await signer.sign(who, 600)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function submit(
    location: Record<string, unknown>,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; version: number }> {
    const res = await call(
      people.resident,
      'POST',
      '/cases',
      {
        channel: 'app',
        resident: { name: '赵丽', phone: '13912345678' },
        location,
        category: '公共设施维修',
        title: '楼道灯不亮',
        description: '楼道灯坏了一周，老人夜间出行不便。',
        ...extra,
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(res.status).toBe(201);
    return { id: res.body['caseId'] as string, version: res.body['version'] as number };
  }

  async function history(id: string): Promise<HistoryEvent[]> {
    const res = await call(people.supervisor, 'GET', `/cases/${id}/history`);
    expect(res.status).toBe(200);
    return res.body['events'] as HistoryEvent[];
  }

  it('a case in a grid goes to the grid’s cadre, in the same append as the submission', async () => {
    const { id, version } = await submit({ gridCode: `${TYC}.g01` });
    expect(version).toBe(2);
    const events = await history(id);
    expect(events.map((e) => e.type)).toEqual(['case.submitted', 'case.dispatched']);
    expect(events[1]!.actor).toMatchObject({ id: 'router', role: 'system' });
    expect(events[1]!.data).toMatchObject({
      ownerId: 'demo-cadre-taiyangcheng',
      ownerOrgUnit: TYC,
      rule: 'grid_cadre',
      directoryVersion: seeded.directory,
      catalogueVersion: seeded.catalogue,
      located: { by: 'grid_code', community: TYC, grid: `${TYC}.g01` },
      redispatch: false,
    });
  });

  it('an address in its written forms is located in the same grid', async () => {
    const forms = [
      '古城街道太阳城小区3号楼',
      '山西省大同市平城区太阳城小区３栋２单元301室',
      '太阳城小区 3 号楼',
    ];
    const located = [];
    for (const address of forms) {
      const { id } = await submit({ address });
      const routed = (await history(id))[1]!;
      located.push(routed.data['located']);
    }
    expect(located[0]).toMatchObject({ by: 'address', community: TYC });
    expect(located[1]).toEqual(located[0]);
    expect(located[2]).toEqual(located[0]);
  });

  it('outside the district: the district dispatcher’s queue (兜底); the status stays submitted', async () => {
    const { id, version } = await submit({
      address: '北京市东城区东长安街1号',
      latitude: 39.9,
      longitude: 116.4,
    });
    expect(version).toBe(2);
    const events = await history(id);
    expect(events.map((e) => e.type)).toEqual(['case.submitted', 'case.routed']);
    expect(events[1]!.data).toMatchObject({
      rule: 'district_dispatcher',
      queue: 'pc',
      directoryVersion: seeded.directory,
    });
    const detail = await call(people.supervisor, 'GET', `/cases/${id}/history`);
    expect(detail.body['version']).toBe(2);
  });

  it('a return is routed again, never to the cadre who returned it; a second return goes to the street', async () => {
    const { id } = await submit({ gridCode: `${TYC}.g01` });
    const first = await call(
      people.tycCadre,
      'POST',
      `/cases/${id}/return`,
      { reason: '不属于本网格' },
      {
        'if-match': '*',
      },
    );
    expect(first.status).toBe(200);
    const events = await history(id);
    expect(events.map((e) => e.type).slice(0, 3)).toEqual([
      'case.submitted',
      'case.dispatched',
      'case.returned',
    ]);
    const rerouted = events[3]!;
    expect(events).toHaveLength(4);
    if (rerouted.type === 'case.dispatched') {
      // The rota's cadre of the day (someone else): they return it too.
      expect(rerouted.data).toMatchObject({ rule: 'on_duty_cadre', ownerOrgUnit: TYC, redispatch: true });
      expect(rerouted.data['ownerId']).not.toBe('demo-cadre-taiyangcheng');
      const onDuty: Principal = { id: rerouted.data['ownerId'] as string, role: 'cadre', orgUnit: TYC };
      const second = await call(
        onDuty,
        'POST',
        `/cases/${id}/return`,
        { reason: '仍不属于本人' },
        { 'if-match': '*' },
      );
      expect(second.status).toBe(200);
      const after = await history(id);
      expect(after.slice(4).map((e) => e.type)).toEqual(['case.returned', 'case.routed']);
      expect(after[5]!.data).toMatchObject({ rule: 'second_return', queue: 'pc.gucheng' });
    } else {
      // The returning cadre was the one on duty too: the community's queue.
      expect(rerouted).toMatchObject({ type: 'case.routed', data: { rule: 'community_queue', queue: TYC } });
    }
  });

  describe('who is my one person: GET /directory/lookup', () => {
    const lookup = (who: Principal, query: string) => call(who, 'GET', `/directory/lookup?${query}`);
    const g01 = pingchengDemoDistrict().grids.find((g) => g.code === `${TYC}.g01`)!;
    const centre = {
      lat: g01.boundary.reduce((s, p) => s + p.lat, 0) / g01.boundary.length,
      lng: g01.boundary.reduce((s, p) => s + p.lng, 0) / g01.boundary.length,
    };

    it('by point: the grid’s cadre as their badge shows them; staff see the id and the full number', async () => {
      const answer = await lookup(people.supervisor, `lat=${centre.lat}&lng=${centre.lng}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        located: {
          by: 'point',
          street: { code: 'pc.gucheng', name: '古城街道' },
          community: { code: TYC, name: '太阳城社区' },
          grid: { code: `${TYC}.g01` },
        },
        cadre: { id: 'demo-cadre-taiyangcheng', present: true },
        standIn: null,
        directoryVersion: seeded.directory,
      });
      expect((answer.body['cadre'] as { phone: string }).phone).toMatch(/^1\d{10}$/);
    });

    it('by address, for a resident: no staff ids, the number masked', async () => {
      const answer = await lookup(
        people.resident,
        `address=${encodeURIComponent('太阳城小区 ３ 号楼 2单元')}`,
      );
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ located: { by: 'address', community: { code: TYC } } });
      const cadre = answer.body['cadre'] as { id: string | null; phone: string; name: string };
      expect(cadre.id).toBeNull();
      expect(cadre.phone).toMatch(/^\d{3}\*{4}\d{4}$/);
      expect(cadre.name.length).toBeGreaterThan(1);
    });

    it('outside the district: located null', async () => {
      const answer = await lookup(people.resident, 'lat=39.9&lng=116.4');
      expect(answer.body).toMatchObject({ located: null, cadre: null, standIn: null });
    });

    it('exactly one of address or a point, numbers in range: else 400', async () => {
      for (const query of [
        '',
        'address=太阳城&lat=40&lng=113',
        'lat=40',
        'lng=113',
        'lat=abc&lng=113',
        'lat=91&lng=113',
      ]) {
        const answer = await lookup(people.resident, query);
        expect({ query, status: answer.status, code: answer.body['code'] }).toEqual({
          query,
          status: 400,
          code: 'request.validation_failed',
        });
      }
    });
  });

  it('a dispatch to a cadre no longer in post is refused (422 case.target_absent), and appends nothing', async () => {
    const gone = pingchengDemoDistrict().cadres.find((c) => c.status === 'inactive')!;
    const { id, version } = await submit({ address: '北京市东城区东长安街1号' });
    const refused = await call(
      people.dispatcher,
      'POST',
      `/cases/${id}/dispatch`,
      { ownerId: gone.id, ownerOrgUnit: gone.community },
      { 'if-match': `"${version}"` },
    );
    expect({ status: refused.status, code: refused.body['code'] }).toEqual({
      status: 422,
      code: 'case.target_absent',
    });
    expect(await history(id)).toHaveLength(version);
  });

  it('a referral without a unit goes to the unit the catalogue names for the matter; the owner stays', async () => {
    const demo = pingchengDemoDistrict();
    const matter = demo.matters.find((m) => m.responsible.kind === 'stationedAgency')!;
    const agency = demo.units.find(
      (u) =>
        u.street === 'pc.gucheng' && u.kind === 'stationedAgency' && u.agencyType === matter.responsible.name,
    )!;
    const { id } = await submit({ gridCode: `${TYC}.g01` }, { matterCode: matter.code });
    expect((await call(people.tycCadre, 'POST', `/cases/${id}/accept`, {}, { 'if-match': '*' })).status).toBe(
      200,
    );
    const halfNamed = await call(
      people.tycCadre,
      'POST',
      `/cases/${id}/referrals`,
      { target: 'agency', request: '请协助核查' },
      { 'if-match': '*' },
    );
    expect({ status: halfNamed.status, code: halfNamed.body['code'] }).toEqual({
      status: 400,
      code: 'request.validation_failed',
    });
    const referred = await call(
      people.tycCadre,
      'POST',
      `/cases/${id}/referrals`,
      { request: '请市场监管所现场核查' },
      { 'if-match': '*' },
    );
    expect(referred.status).toBe(200);
    const events = await history(id);
    expect(events.at(-1)).toMatchObject({
      type: 'case.step_referred',
      data: { target: 'agency', toOrgUnit: agency.code, referralId: referred.body['referralId'] },
    });
    expect(events.filter((e) => e.type === 'case.dispatched').at(-1)!.data).toMatchObject({
      ownerId: 'demo-cadre-taiyangcheng',
    });

    // A case without a matter: the owner names the unit; nothing is appended.
    const plain = await submit({ gridCode: `${TYC}.g01` });
    await call(people.tycCadre, 'POST', `/cases/${plain.id}/accept`, {}, { 'if-match': '*' });
    const before = (await history(plain.id)).length;
    const refused = await call(
      people.tycCadre,
      'POST',
      `/cases/${plain.id}/referrals`,
      { request: '请协助' },
      { 'if-match': '*' },
    );
    expect({ status: refused.status, code: refused.body['code'] }).toEqual({
      status: 422,
      code: 'case.no_catalogue_unit',
    });
    expect(await history(plain.id)).toHaveLength(before);
  });

  it('a hand-over to a cadre the directory does not know is refused: nothing can be wedged', async () => {
    const { id } = await submit({ gridCode: `${TYC}.g01` });
    expect((await call(people.tycCadre, 'POST', `/cases/${id}/accept`, {}, { 'if-match': '*' })).status).toBe(
      200,
    );
    const handOver = await call(
      people.tycCadre,
      'POST',
      `/cases/${id}/hand-over`,
      { toCadreId: 'cadre-typo-99', toOrgUnit: TYC, reason: '调岗' },
      { 'if-match': '*' },
    );
    expect({ status: handOver.status, code: handOver.body['code'] }).toEqual({
      status: 422,
      code: 'case.unknown_target',
    });
  });
});

describe('a deployment without a directory', () => {
  let db: TestDatabase;
  let api: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('nodirectory');
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, {
      DATABASE_URL: db.url,
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: SECRET,
    });
  });

  afterAll(async () => {
    await api?.app.close();
    await db?.drop();
  });

  it('answers the lookup 503 directory.unavailable, and routes nothing', async () => {
    const headers = { authorization: `Bearer ${await signer.sign(people.resident, 600)}` };
    const res = await fetch(
      `${api.baseUrl}/api/v1/directory/lookup?address=${encodeURIComponent('太阳城小区3号楼')}`,
      {
        headers,
      },
    );
    expect(res.status).toBe(503);
    expect(((await res.json()) as Record<string, unknown>)['code']).toBe('directory.unavailable');
    const filed = await fetch(`${api.baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({
        channel: 'app',
        resident: { name: '赵丽', phone: '13912345678' },
        location: { gridCode: `${TYC}.g01` },
        title: '楼道灯不亮',
        description: '楼道灯坏了一周。',
      }),
    });
    expect(filed.status).toBe(201);
    expect(((await filed.json()) as Record<string, unknown>)['version']).toBe(1);
  });
});

describe('auto-dispatch at intake (standalone, PGlite)', () => {
  let client: StandaloneClient;

  beforeAll(async () => {
    client = await startStandalone('routing');
  });

  afterAll(async () => {
    await client?.close();
  });

  it('the grid’s cadre finds the new case on their worklist, dispatched to them', async () => {
    const created = await client.call(
      'demo-resident-1',
      'POST',
      '/cases',
      {
        channel: 'portal',
        resident: { name: '赵丽', phone: '13912345678' },
        location: { gridCode: `${TYC}.g01`, address: '太阳城小区1号楼' },
        category: '公共设施维修',
        title: '楼道灯不亮',
        description: '楼道灯坏了一周。',
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const id = created.body['caseId'] as string;
    const position = created.body['position'] as string;
    const worklist = await client.call(
      'demo-cadre-taiyangcheng',
      'GET',
      `/worklist?after=${position}&limit=100`,
    );
    expect(worklist.status).toBe(200);
    const item = (worklist.body['items'] as Array<Record<string, unknown>>).find((i) => i['caseId'] === id);
    expect(item).toMatchObject({ status: 'dispatched', reason: 'designated' });
    const detail = await client.call('demo-cadre-taiyangcheng', 'GET', `/cases/${id}?after=${position}`);
    expect(detail.body).toMatchObject({ status: 'dispatched', designatedOwnerId: 'demo-cadre-taiyangcheng' });
  });

  it('the dev login offers the demo district’s people: a grid’s cadre signs in and finds their case', async () => {
    // The district as the standalone app seeded it (its rota and leave from a week before today).
    const demo = pingchengDemoDistrict({ from: demoRotaStart(new Date(), 'Asia/Shanghai') });
    // A grid whose cadre is not one of the fixed demo users (someone only the directory knows),
    // and takes no leave: routing gives them the case whatever the day.
    const grid = demo.grids.find((g) => {
      const id = g.responsibleCadreId;
      const cadre = demo.cadres.find((c) => c.id === id);
      return g.community === 'pc.zhenhua.yunquanli' && !id?.startsWith('demo-') && cadre?.leave.length === 0;
    })!;
    const cadre = demo.cadres.find((c) => c.id === grid.responsibleCadreId)!;
    const users = await fetch(`${client.baseUrl}/api/v1/auth/dev/users?orgUnit=${grid.community}&role=cadre`);
    const listed = ((await users.json()) as { users: { id: string; displayName: string }[] }).users;
    expect(listed.map((u) => u.id)).toEqual(expect.arrayContaining(['demo-cadre-yunquanli', cadre.id]));
    expect(listed.find((u) => u.id === cadre.id)?.displayName).toContain(cadre.name);
    const created = await client.call(
      'demo-resident-1',
      'POST',
      '/cases',
      {
        channel: 'portal',
        resident: { name: '赵丽', phone: '13912345678' },
        location: { gridCode: grid.code },
        category: '环境卫生',
        title: '垃圾未清运',
        description: '楼下垃圾三天未清运。',
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(created.status).toBe(201);
    const id = created.body['caseId'] as string;
    const detail = await client.call(
      cadre.id,
      'GET',
      `/cases/${id}?after=${created.body['position'] as string}`,
    );
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ status: 'dispatched', designatedOwnerId: cadre.id });
    expect((await client.act(cadre.id, id, 'accept')).status).toBe(200);
  });
});
