import { TIMEKEEPING_EVENT_TYPES as TIMEKEEPING, type CaseEventType } from '@tongban/cases';
import { startStandalone, type Answer, type DemoCommunity, type StandaloneClient } from './standalone-client';

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

const ZHENHUA_COMMUNITY = 'pc.zhenhua.yunquanli' satisfies DemoCommunity;
const GUCHENG_COMMUNITY = 'pc.gucheng.taiyangcheng' satisfies DemoCommunity;

describe('who may do what to which case (standalone)', () => {
  let client: StandaloneClient;
  let base: string;

  beforeAll(async () => {
    client = await startStandalone('access');
    base = client.baseUrl;
  });

  const token = (user: User): Promise<string> => client.token(USERS[user]);

  afterAll(async () => {
    await client?.close();
  });

  const call = (
    user: User,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer> => client.call(USERS[user], method, path, body, headers);

  /** What the district supervisor's audit says the case's version is. */
  /**
   * How many events the case has, the SLA watcher's timekeeping aside: standalone runs the
   * watcher, which records due times, warnings and breaches at its own pace (ADR 0029), while a
   * refused command appends nothing at all.
   */
  async function versionOf(caseId: string): Promise<number> {
    const history = await call('districtSupervisor', 'GET', `/cases/${caseId}/history`);
    expect(history.status).toBe(200);
    const events = history.body['events'] as Array<{ type: string }>;
    return events.filter((e) => !TIMEKEEPING.includes(e.type as CaseEventType)).length;
  }

  const act = (user: User, caseId: string, action: string, body: unknown = {}): Promise<Answer> =>
    client.act(USERS[user], caseId, action, body);

  const ok = (user: User, caseId: string, action: string, body: unknown = {}): Promise<Answer> =>
    client.ok(USERS[user], caseId, action, body);

  /** A resident's portal case in a community, dispatched to and accepted by its cadre. */
  const caseIn = (
    community: DemoCommunity,
    stage: 'submitted' | 'in_handling' | 'resolved',
  ): Promise<string> => client.caseIn(community, stage);

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

  it("the resident's timeline words staff by role and names no staff id; staff still see the ids", async () => {
    const id = await caseIn(GUCHENG_COMMUNITY, 'resolved');
    // The read model catches up with the five events (submitted … resolved): poll with a deadline.
    const summaries = async (user: User): Promise<string[]> => {
      const deadline = Date.now() + 5_000;
      for (;;) {
        const answer = await call(user, 'GET', `/cases/${id}/timeline`);
        const items = (answer.body['items'] ?? []) as { summary: string }[];
        if (items.length >= 5 || Date.now() > deadline) return items.map((e) => e.summary);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const mine = await summaries('resident');
    expect(mine).toEqual(
      expect.arrayContaining(['Dispatched to a community cadre', 'Accepted by a community cadre']),
    );
    for (const staffId of [USERS.taiyangchengCadre, USERS.dispatcher, GUCHENG_COMMUNITY]) {
      expect(mine.filter((line) => line.includes(staffId))).toEqual([]);
    }
    expect(await summaries('guchengSupervisor')).toContain(
      `Accepted by cadre ${USERS.taiyangchengCadre} of ${GUCHENG_COMMUNITY}`,
    );
  });

  describe('the full phone number: revealed to the owner and the filing channel, and recorded', () => {
    const reveal = (user: User, caseId: string, reason: unknown = '回电前核对居民手机号') =>
      call(user, 'POST', `/cases/${caseId}/contact-details/reveal`, { reason });

    it('the owner cadre gets the number once the reveal is recorded (who, when, why) for supervisors', async () => {
      const id = await caseIn(GUCHENG_COMMUNITY, 'in_handling');
      const before = await versionOf(id);
      const res = await fetch(`${base}/api/v1/cases/${id}/contact-details/reveal`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${await token('taiyangchengCadre')}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ reason: '回电前核对居民手机号' }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toMatchObject({ caseId: id, phone: '13800001234' });
      // One event recorded; the version answered is the one it made (the watcher's timekeeping,
      // which `versionOf` leaves aside, may have come in between and counts in the stream's).
      expect(await versionOf(id)).toBe(before + 1);

      // The audit history names who, when and why; the number is not copied into the record.
      const history = await call('districtSupervisor', 'GET', `/cases/${id}/history`);
      const events = history.body['events'] as {
        type: string;
        version: number;
        actor: unknown;
        data: unknown;
      }[];
      const revealed = events.find((e) => e.type === 'case.contact_revealed');
      expect(revealed).toMatchObject({
        version: body['version'],
        actor: { id: USERS.taiyangchengCadre, role: 'cadre' },
        data: { by: { id: USERS.taiyangchengCadre }, reason: '回电前核对居民手机号', at: body['revealedAt'] },
      });
      expect(JSON.stringify(history.body)).not.toContain('13800001234');

      // The street supervisor's timeline lists it; the resident's leaves it out.
      const after = `?after=${String(body['position'])}`;
      const staff = await call('guchengSupervisor', 'GET', `/cases/${id}/timeline${after}`);
      const staffItems = staff.body['items'] as { type: string; summary: string }[];
      expect(staffItems.find((e) => e.type === 'case.contact_revealed')?.summary).toBe(
        `Resident's full phone number revealed to cadre ${USERS.taiyangchengCadre}`,
      );
      const mine = await call('resident', 'GET', `/cases/${id}/timeline${after}`);
      const mineItems = mine.body['items'] as { type: string }[];
      expect(mineItems.map((e) => e.type)).not.toContain('case.contact_revealed');
      expect(JSON.stringify(await call('guchengSupervisor', 'GET', `/cases/${id}${after}`))).not.toContain(
        '13800001234',
      );
    });

    it('everyone else: 403 in scope, 404 out of it, 400 without a reason; none of it appends', async () => {
      const id = await caseIn(GUCHENG_COMMUNITY, 'in_handling');
      const before = await versionOf(id);
      for (const [user, status] of [
        ['yunquanliCadre', 404],
        ['hotline', 404],
        ['resident', 403],
        ['dispatcher', 403],
        ['guchengSupervisor', 403],
        ['admin', 403],
      ] as const) {
        const answer = await reveal(user, id);
        expect({ user, status: answer.status }).toEqual({ user, status });
        expect(JSON.stringify(answer.body)).not.toContain('13800001234');
      }
      for (const body of [{ reason: '   ' }, { reason: '' }, {}]) {
        const answer = await call('taiyangchengCadre', 'POST', `/cases/${id}/contact-details/reveal`, body);
        expect({ body, status: answer.status }).toEqual({ body, status: 400 });
      }
      expect(await versionOf(id)).toBe(before);
    });

    it('the channel that filed gets it for the call-back; the designated cadre, not yet the owner, does not', async () => {
      const filed = await call(
        'hotline',
        'POST',
        '/cases',
        {
          channel: 'hotline',
          resident: { name: '李强', phone: '13900005678' },
          location: { address: '迎宾广场 5 号楼', communityCode: GUCHENG_COMMUNITY },
          title: '路灯不亮',
          description: '5 号楼前路灯坏了。',
        },
        { 'idempotency-key': 'access-e2e-reveal-hotline' },
      );
      expect(filed.status).toBe(201);
      const id = filed.body['caseId'] as string;
      const answer = await reveal('hotline', id, '12345 回访居民');
      expect(answer).toMatchObject({ status: 200, body: { phone: '13900005678' } });
      // The owner-to-be has no owner relation yet: the designated cadre is refused.
      await ok('dispatcher', id, 'dispatch', {
        ownerId: USERS.taiyangchengCadre,
        ownerOrgUnit: GUCHENG_COMMUNITY,
      });
      expect((await reveal('taiyangchengCadre', id)).status).toBe(403);
    });

    it("supervisors list the reveals of their street's cases (who, when, which case, why), never the number", async () => {
      const gucheng = await caseIn(GUCHENG_COMMUNITY, 'in_handling');
      const zhenhua = await caseIn(ZHENHUA_COMMUNITY, 'in_handling');
      const inGucheng = await reveal('taiyangchengCadre', gucheng, '回电前核对居民手机号');
      const inZhenhua = await reveal('yunquanliCadre', zhenhua, '上门前电话联系');
      expect([inGucheng.status, inZhenhua.status]).toEqual([200, 200]);
      // The later of the two (they ran one after the other): tokens are opaque, never compared.
      const after = String(inZhenhua.body['position']);

      type Reveal = { caseId: string; revealedBy: { id: string }; reason: string; revealedAt: string };
      const list = async (user: User, query = ''): Promise<Answer> =>
        call(user, 'GET', `/contact-reveals?after=${after}${query}`);

      const street = await list('guchengSupervisor');
      expect(street.status).toBe(200);
      const streetItems = street.body['items'] as Reveal[];
      expect(streetItems.find((r) => r.caseId === gucheng)).toMatchObject({
        revealedBy: { id: USERS.taiyangchengCadre, role: 'cadre', orgUnit: GUCHENG_COMMUNITY },
        reason: '回电前核对居民手机号',
        revealedAt: inGucheng.body['revealedAt'],
      });
      expect(streetItems.map((r) => r.caseId)).not.toContain(zhenhua);

      const district = (await list('districtSupervisor')).body['items'] as Reveal[];
      expect(district.map((r) => r.caseId)).toEqual(expect.arrayContaining([gucheng, zhenhua]));
      // Newest first.
      const times = district.map((r) => r.revealedAt);
      expect([...times].sort().reverse()).toEqual(times);

      // Paged: one at a time, every reveal once, in the same order.
      const paged: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Answer = await list('districtSupervisor', `&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        paged.push(...(page.body['items'] as Reveal[]).map((r) => `${r.caseId}@${r.revealedAt}`));
        cursor = page.body['nextCursor'] as string | null;
      } while (cursor);
      expect(paged).toEqual(district.map((r) => `${r.caseId}@${r.revealedAt}`));

      for (const user of ['taiyangchengCadre', 'dispatcher', 'hotline', 'resident', 'admin'] as const) {
        expect({ user, status: (await list(user)).status }).toEqual({ user, status: 403 });
      }
      const listed = JSON.stringify([street.body, district]);
      expect(listed).not.toContain('13800001234');
      expect(listed).not.toContain('phone');
    });
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
