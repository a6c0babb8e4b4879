import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createStandaloneApp } from '../../apps/standalone/src/start-standalone';

/**
 * Issue 10's reproductions, each refused now: commands checked the role but not the caller's
 * relation to the case, the history checked only the role, and refusals leaked (403 where reads
 * said 404, 409 before the scope). Every refusal here must append nothing: the case's version,
 * read by a district supervisor, is unchanged after it.
 */

const USERS = {
  resident: 'demo-resident-1',
  otherResident: 'demo-resident-2',
  hotline: 'demo-channel-hotline',
  taiyangchengCadre: 'demo-cadre-taiyangcheng',
  yunquanliCadre: 'demo-cadre-yunquanli',
  dispatcher: 'demo-dispatcher',
  guchengOffice: 'demo-office-gucheng-public-service',
  guchengSupervisor: 'demo-supervisor-gucheng',
  districtSupervisor: 'demo-supervisor-district',
  admin: 'demo-admin',
} as const;
type User = keyof typeof USERS;

const ZHENHUA_COMMUNITY = 'pc.zhenhua.yunquanli';
const GUCHENG_COMMUNITY = 'pc.gucheng.taiyangcheng';

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly etag: string | null;
}

describe('who may do what to which case (standalone)', () => {
  let dir: string;
  let app: NestFastifyApplication;
  let base: string;
  const tokens = new Map<string, string>();
  let keys = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-access-'));
    app = await createStandaloneApp(dir);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function token(user: User): Promise<string> {
    const known = tokens.get(user);
    if (known) return known;
    const res = await fetch(`${base}/api/v1/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: USERS[user] }),
    });
    const { accessToken } = (await res.json()) as { accessToken: string };
    tokens.set(user, accessToken);
    return accessToken;
  }

  async function call(
    user: User,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(user)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown>,
      etag: res.headers.get('etag'),
    };
  }

  /** What the district supervisor's audit says the case's version is. */
  async function versionOf(caseId: string): Promise<number> {
    const history = await call('districtSupervisor', 'GET', `/cases/${caseId}/history`);
    expect(history.status).toBe(200);
    return history.body['version'] as number;
  }

  async function act(user: User, caseId: string, action: string, body: unknown = {}): Promise<Answer> {
    return call(user, 'POST', `/cases/${caseId}/${action}`, body, { 'if-match': '*' });
  }

  async function ok(user: User, caseId: string, action: string, body: unknown = {}): Promise<void> {
    const answer = await act(user, caseId, action, body);
    expect({ action, status: answer.status, body: answer.body }).toMatchObject({ action, status: 200 });
  }

  /** A resident's portal case in a community, dispatched to and accepted by its cadre. */
  async function caseIn(community: string, stage: 'submitted' | 'in_handling' | 'resolved'): Promise<string> {
    keys += 1;
    const filed = await call(
      'resident',
      'POST',
      '/cases',
      {
        channel: 'portal',
        resident: { name: '王芳', phone: '13800001234' },
        location: { address: '迎宾广场 3 号楼', communityCode: community },
        title: '楼道灯不亮',
        description: '3 号楼二单元楼道灯坏了一周。',
      },
      { 'idempotency-key': `access-e2e-${String(keys).padStart(4, '0')}` },
    );
    expect(filed.status).toBe(201);
    const id = filed.body['caseId'] as string;
    if (stage === 'submitted') return id;
    const cadre: User = community === ZHENHUA_COMMUNITY ? 'yunquanliCadre' : 'taiyangchengCadre';
    await ok('dispatcher', id, 'dispatch', { ownerId: USERS[cadre], ownerOrgUnit: community });
    await ok(cadre, id, 'accept');
    if (stage === 'in_handling') return id;
    await ok(cadre, id, 'contact', { method: 'phone', note: '已电话联系居民' });
    await ok(cadre, id, 'resolve', { summary: '已更换灯泡' });
    return id;
  }

  /** The 404 a GET of a case that does not exist gets, with `caseId` in place of its id. */
  async function notFoundBody(user: User, path: (id: string) => string, caseId: string): Promise<unknown> {
    const ghost = crypto.randomUUID();
    const answer = await call(user, 'GET', path(ghost));
    expect(answer.status).toBe(404);
    return JSON.parse(JSON.stringify(answer.body).replaceAll(ghost, caseId)) as unknown;
  }

  const comparable = (body: Record<string, unknown>) => ({ ...body, requestId: null });

  it("the history of another street's case answers like a case that does not exist", async () => {
    const zhenhua = await caseIn(ZHENHUA_COMMUNITY, 'in_handling');
    const answer = await call('guchengSupervisor', 'GET', `/cases/${zhenhua}/history`);
    expect(answer.status).toBe(404);
    const ghost = (await notFoundBody(
      'guchengSupervisor',
      (id) => `/cases/${id}/history`,
      zhenhua,
    )) as Record<string, unknown>;
    expect(comparable(answer.body)).toEqual(comparable(ghost));
    expect(JSON.stringify(answer.body)).not.toContain('王');
    // Its own street's supervisor and the district see it.
    expect((await call('districtSupervisor', 'GET', `/cases/${zhenhua}/history`)).status).toBe(200);
  });

  it.each([
    ['supervise', { instruction: '请尽快处理' }],
    ['extensions', { clock: 'resolution', extraBusinessDays: 60, reason: '等待排期' }],
    ['rule-unreasonable', { reason: '诉求不合理' }],
    ['reopen', { reason: '居民不满意' }],
  ])("another street's supervisor: %s on a 振华 case is 404 and appends nothing", async (action, body) => {
    const zhenhua = await caseIn(ZHENHUA_COMMUNITY, 'in_handling');
    const before = await versionOf(zhenhua);
    const answer = await act('guchengSupervisor', zhenhua, action, body);
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ code: 'case.not_found' });
    expect(await versionOf(zhenhua)).toBe(before);
  });

  it('merging across streets, into a closed case, and in a loop are refused', async () => {
    const zhenhua = await caseIn(ZHENHUA_COMMUNITY, 'in_handling');
    const gucheng = await caseIn(GUCHENG_COMMUNITY, 'in_handling');
    const withdrawn = await caseIn(GUCHENG_COMMUNITY, 'submitted');
    await ok('resident', withdrawn, 'withdraw', { reason: '问题已自行解决' });
    const reason = { reason: '同一居民重复反映' };
    // Out of scope, either side: like a case that does not exist.
    expect(
      (await act('guchengSupervisor', zhenhua, 'merge', { intoCaseId: gucheng, ...reason })).body,
    ).toMatchObject({
      code: 'case.not_found',
    });
    expect(
      (await act('guchengSupervisor', gucheng, 'merge', { intoCaseId: zhenhua, ...reason })).body,
    ).toMatchObject({
      code: 'case.merge_target_not_found',
    });
    expect(
      (await act('guchengSupervisor', gucheng, 'merge', { intoCaseId: withdrawn, ...reason })).body,
    ).toMatchObject({ code: 'case.merge_target_not_open' });
    // A loop: once A is merged into B, B cannot be merged into A.
    const a = await caseIn(GUCHENG_COMMUNITY, 'submitted');
    await ok('guchengSupervisor', a, 'merge', { intoCaseId: gucheng, ...reason });
    const loop = await act('guchengSupervisor', gucheng, 'merge', { intoCaseId: a, ...reason });
    expect(loop.status).toBe(409);
    expect(loop.body).toMatchObject({ code: 'case.merge_target_not_open' });
  });

  it("the hotline cannot withdraw or rate a resident's portal case, and another resident cannot either", async () => {
    const portal = await caseIn(GUCHENG_COMMUNITY, 'resolved');
    const before = await versionOf(portal);
    const rating = { satisfaction: 'satisfied', solved: true };
    for (const [user, action, body] of [
      ['hotline', 'withdraw', { reason: '撤回' }],
      ['hotline', 'feedback', rating],
      ['otherResident', 'feedback', rating],
      ['otherResident', 'withdraw', { reason: '撤回' }],
    ] as const) {
      const answer = await act(user, portal, action, body);
      expect({ user, action, status: answer.status, code: answer.body['code'] }).toEqual({
        user,
        action,
        status: 404,
        code: 'case.not_found',
      });
    }
    expect(await versionOf(portal)).toBe(before);
    // The resident who filed it rates it.
    await ok('resident', portal, 'feedback', rating);
  });

  it('cadres: neither the owner nor another community records feedback; another community cannot close (404, not 409)', async () => {
    const resolved = await caseIn(GUCHENG_COMMUNITY, 'resolved');
    const before = await versionOf(resolved);
    const rating = { satisfaction: 'satisfied', solved: true };
    expect((await act('taiyangchengCadre', resolved, 'feedback', rating)).status).toBe(403);
    expect((await act('yunquanliCadre', resolved, 'feedback', rating)).status).toBe(403);
    const close = await act('yunquanliCadre', resolved, 'close');
    expect(close.status).toBe(404);
    expect(close.body).toMatchObject({ code: 'case.not_found' });
    expect(await versionOf(resolved)).toBe(before);
  });

  it('out of scope is checked before the version: a stale If-Match still answers 404', async () => {
    const zhenhua = await caseIn(ZHENHUA_COMMUNITY, 'in_handling');
    const stale = await call(
      'taiyangchengCadre',
      'POST',
      `/cases/${zhenhua}/steps`,
      { note: '上门查看' },
      { 'if-match': '"1"' },
    );
    expect(stale.status).toBe(404);
    expect(stale.body).toMatchObject({ code: 'case.not_found' });
  });

  it('an admin manages the read models but does not read residents’ cases', async () => {
    const gucheng = await caseIn(GUCHENG_COMMUNITY, 'in_handling');
    expect((await call('admin', 'GET', `/cases/${gucheng}/history`)).status).toBe(403);
    expect((await call('admin', 'GET', `/cases/${gucheng}`)).status).toBe(403);
    expect((await call('admin', 'GET', '/cases')).status).toBe(403);
    expect(
      (await act('admin', gucheng, 'dispatch', { ownerId: 'x', ownerOrgUnit: GUCHENG_COMMUNITY })).status,
    ).toBe(403);
  });
});
