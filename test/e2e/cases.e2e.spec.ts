import { randomUUID } from 'node:crypto';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });

const people = {
  hotlineAgent: { id: 'agent-12345-01', role: 'channel', channel: 'hotline' },
  resident: { id: 'resident-wang', role: 'resident' },
  otherResident: { id: 'resident-li', role: 'resident' },
  dispatcher: { id: 'dispatcher-pc-01', role: 'dispatcher', orgUnit: 'pc' },
  cadreA: { id: 'cadre-yongtai-01', role: 'cadre', orgUnit: 'pc.nanguan.yongtai' },
  cadreB: { id: 'cadre-yongtai-02', role: 'cadre', orgUnit: 'pc.nanguan.yongtai' },
  office: { id: 'staff-nanguan-ps-01', role: 'office_staff', orgUnit: 'pc.nanguan.publicServiceOffice' },
  supervisor: { id: 'supervisor-nanguan', role: 'supervisor', orgUnit: 'pc.nanguan' },
} satisfies Record<string, Principal>;

type Person = keyof typeof people;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

describe('cases over HTTP (real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('cases');
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

  async function call(
    who: Person | null,
    method: 'GET' | 'POST',
    path: string,
    options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...options.headers };
    if (who) headers['authorization'] = `Bearer ${await signer.sign(people[who], 600)}`;
    if (options.body !== undefined || options.rawBody !== undefined)
      headers['content-type'] = 'application/json';
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method,
      headers,
      ...(options.rawBody !== undefined ? { body: options.rawBody } : {}),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: res.headers,
    };
  }

  const intake = (channel: string, overrides: Record<string, unknown> = {}) => ({
    channel,
    resident: { name: '王秀兰', phone: '13812341234', idNumber: '11010519491231002X' },
    location: { address: '平城区南关街道永泰社区3号楼2单元', communityCode: 'pc.nanguan.yongtai' },
    category: '公共设施维修',
    title: '楼道灯不亮',
    description: '3号楼2单元楼道灯坏了一周，老人夜间出行不便。',
    ...overrides,
  });

  async function submit(
    who: Person,
    channel: string,
    key = randomUUID(),
  ): Promise<{ id: string; version: number }> {
    const res = await call(who, 'POST', '/cases', {
      body: intake(channel),
      headers: { 'idempotency-key': key },
    });
    expect(res.status).toBe(201);
    return { id: res.body['caseId'] as string, version: res.body['version'] as number };
  }

  /** Performs an action with the version we last saw and returns the next one. */
  async function act(
    who: Person,
    id: string,
    version: number,
    action: string,
    body: unknown = {},
  ): Promise<number> {
    const res = await call(who, 'POST', `/cases/${id}/${action}`, {
      body,
      headers: { 'if-match': `"${version}"` },
    });
    if (res.status !== 200) throw new Error(`${action} by ${who}: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.headers.get('etag')).toBe(`"${res.body['version'] as number}"`);
    return res.body['version'] as number;
  }

  async function historyTypes(id: string): Promise<string[]> {
    const res = await call('supervisor', 'GET', `/cases/${id}/history`);
    expect(res.status).toBe(200);
    return (res.body['events'] as Array<{ type: string }>).map((e) => e.type);
  }

  it('files from the hotline and handles the case through return, referral, suspension, resolution and close', async () => {
    const res = await call('hotlineAgent', 'POST', '/cases', {
      body: intake('hotline'),
      headers: { 'idempotency-key': randomUUID() },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ version: 1, caseNumber: expect.stringMatching(/^PC-\d{8}-\d{6}$/) });
    // Opaque: no transaction id or counter a client could read or compare.
    expect(res.body['position']).toMatch(/^p[A-Za-z0-9_-]{22}$/);
    const id = res.body['caseId'] as string;
    let v = 1;

    v = await act('dispatcher', id, v, 'dispatch', {
      ownerId: people.cadreB.id,
      ownerOrgUnit: 'pc.nanguan.yongtai',
    });
    v = await act('cadreB', id, v, 'return', { reason: '该楼栋属永泰社区另一网格' });
    v = await act('dispatcher', id, v, 'dispatch', {
      ownerId: people.cadreA.id,
      ownerOrgUnit: 'pc.nanguan.yongtai',
    });
    v = await act('cadreA', id, v, 'accept');
    v = await act('cadreA', id, v, 'contact', { method: 'phone', note: '已电话联系居民' });
    const referred = await call('cadreA', 'POST', `/cases/${id}/referrals`, {
      body: { target: 'office', toOrgUnit: 'pc.nanguan.publicServiceOffice', request: '请协调线路检修' },
      headers: { 'if-match': `"${v}"` },
    });
    expect(referred.status).toBe(200);
    v = referred.body['version'] as number;
    const history = await call('supervisor', 'GET', `/cases/${id}/history`);
    const referralId = (
      history.body['events'] as Array<{ type: string; data: { referralId?: string } }>
    ).find((e) => e.type === 'case.step_referred')!.data.referralId!;
    v = await act('cadreA', id, v, 'suspend', { reason: '等待居民在家时上门' });
    v = await act('cadreA', id, v, 'resume', { reason: '居民已约定时间' });
    v = await act('office', id, v, `referrals/${referralId}/complete`, { outcome: '线路已检修' });
    v = await act('cadreA', id, v, 'steps', { note: '更换灯泡' });
    v = await act('cadreA', id, v, 'resolve', { summary: '楼道灯已恢复' });
    v = await act('hotlineAgent', id, v, 'feedback', { satisfaction: 'satisfied', solved: true });
    v = await act('cadreA', id, v, 'close');

    expect(await historyTypes(id)).toEqual([
      'case.submitted',
      'case.dispatched',
      'case.returned',
      'case.dispatched',
      'case.accepted',
      'case.resident_contacted',
      'case.step_referred',
      'case.suspended',
      'case.resumed',
      'case.referral_completed',
      'case.handling_step_recorded',
      'case.resolved',
      'case.feedback_recorded',
      'case.closed',
    ]);
    expect(v).toBe(14);
  });

  it('files from the app, reopens after an unsatisfied rating, and closes; the history masks contact numbers', async () => {
    const { id } = await submit('resident', 'app');
    let v = 1;
    v = await act('dispatcher', id, v, 'dispatch', {
      ownerId: people.cadreA.id,
      ownerOrgUnit: 'pc.nanguan.yongtai',
    });
    v = await act('cadreA', id, v, 'accept');
    v = await act('resident', id, v, 'supplement', { note: '2单元的灯也不亮，可打13812341234找我' });
    v = await act('cadreA', id, v, 'contact', { method: 'visit', note: '上门查看' });
    v = await act('cadreA', id, v, 'resolve', { summary: '已更换灯泡' });
    v = await act('resident', id, v, 'feedback', {
      satisfaction: 'unsatisfied',
      solved: false,
      comment: '晚上又灭了',
    });
    v = await act('supervisor', id, v, 'reopen', { reason: '居民不满意，重办' });
    v = await act('supervisor', id, v, 'supervise', { instruction: '两个工作日内办结' });
    v = await act('cadreA', id, v, 'steps', { note: '更换线路' });
    v = await act('cadreA', id, v, 'resolve', { summary: '线路已更换' });
    v = await act('resident', id, v, 'feedback', { satisfaction: 'satisfied', solved: true });
    await act('cadreA', id, v, 'close');

    const history = await call('supervisor', 'GET', `/cases/${id}/history`);
    const text = JSON.stringify(history.body);
    expect(text).toContain('138****1234');
    // Masked in the structured fields and inside free text (the supplement's note) alike.
    expect(text).not.toContain('13812341234');
    expect(text).not.toContain('11010519491231002X');
    expect(text).toContain('可打138****1234找我');
    const types = (history.body['events'] as Array<{ type: string; actor: { id: string } }>).map(
      (e) => e.type,
    );
    expect(types.filter((t) => t === 'case.resolved')).toHaveLength(2);
    expect(types).toContain('case.reopened');
    expect(types[types.length - 1]).toBe('case.closed');
  });

  it('lets exactly one of 20 concurrent accepts win; the others get 409 problem+json', async () => {
    const { id } = await submit('hotlineAgent', 'hotline');
    const v = await act('dispatcher', id, 1, 'dispatch', {
      ownerId: people.cadreA.id,
      ownerOrgUnit: 'pc.nanguan.yongtai',
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        call('cadreA', 'POST', `/cases/${id}/accept`, { body: {}, headers: { 'if-match': `"${v}"` } }),
      ),
    );
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const conflicts = answers.filter((a) => a.status === 409);
    expect(conflicts).toHaveLength(19);
    for (const c of conflicts) {
      expect(c.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(c.body['code']).toBe('case.version_conflict');
    }
    expect((await historyTypes(id)).filter((t) => t === 'case.accepted')).toHaveLength(1);
  });

  it('makes ONE case from the same Idempotency-Key sent 50 times at once', async () => {
    const key = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        call('hotlineAgent', 'POST', '/cases', {
          body: intake('hotline'),
          headers: { 'idempotency-key': key },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 50 }, () => 201));
    const ids = new Set(answers.map((a) => a.body['caseId']));
    const numbers = new Set(answers.map((a) => a.body['caseNumber']));
    expect(ids.size).toBe(1);
    expect(numbers.size).toBe(1);
    expect(await historyTypes([...ids][0] as string)).toEqual(['case.submitted']);
    // A different request under the same key is refused, not silently answered with the old case.
    const reused = await call('hotlineAgent', 'POST', '/cases', {
      body: intake('hotline', { title: '另一个问题' }),
      headers: { 'idempotency-key': key },
    });
    expect(reused.status).toBe(422);
    expect(reused.body['code']).toBe('idempotency.key_reused');
  });

  it('closes a duplicate into an existing case, and refuses a merge into a case that does not exist', async () => {
    const original = await submit('hotlineAgent', 'hotline');
    const duplicate = await submit('resident', 'app');
    const missing = await call('supervisor', 'POST', `/cases/${duplicate.id}/merge`, {
      body: { intoCaseId: randomUUID(), reason: '重复反映' },
      headers: { 'if-match': '"1"' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body['code']).toBe('case.merge_target_not_found');
    await act('supervisor', duplicate.id, 1, 'merge', {
      intoCaseId: original.id,
      reason: '同一问题重复反映',
    });
    expect(await historyTypes(duplicate.id)).toEqual(['case.submitted', 'case.merged_into']);
    const after = await call('resident', 'POST', `/cases/${duplicate.id}/supplement`, {
      body: { note: '还有补充' },
      headers: { 'if-match': '"2"' },
    });
    expect(after.status).toBe(409);
    expect(after.body['code']).toBe('case.invalid_transition');
  });

  describe('bad input is refused with a stable code and writes nothing', () => {
    let id: string;
    beforeAll(async () => {
      id = (await submit('hotlineAgent', 'hotline')).id;
    });

    const intakeCases: Array<[string, unknown, Record<string, string>, number, string]> = [
      [
        'an unknown field',
        { ...intake('hotline'), priority: 'urgent' },
        {},
        400,
        'request.validation_failed',
      ],
      [
        'a phone that is not a mainland mobile',
        intake('hotline', { resident: { name: '王', phone: '12345' } }),
        {},
        400,
        'request.validation_failed',
      ],
      [
        'an ID number with a wrong check digit',
        intake('hotline', { resident: { name: '王', phone: '13812341234', idNumber: '110105194912310021' } }),
        {},
        400,
        'request.validation_failed',
      ],
      [
        'a description over the length limit',
        intake('hotline', { description: '长'.repeat(2001) }),
        {},
        400,
        'request.validation_failed',
      ],
      ['an unknown channel', intake('fax'), {}, 400, 'request.validation_failed'],
      ['no location at all', intake('hotline', { location: {} }), {}, 400, 'request.validation_failed'],
      // Issue 9: a missing nested object passed @ValidateNested() and was recorded (or answered 500).
      ['no resident', intake('hotline', { resident: undefined }), {}, 400, 'request.validation_failed'],
      [
        'a resident that is a list',
        intake('hotline', { resident: [] }),
        {},
        400,
        'request.validation_failed',
      ],
      ['no location field', intake('hotline', { location: undefined }), {}, 400, 'request.validation_failed'],
      [
        'a missing Idempotency-Key',
        intake('hotline'),
        { 'idempotency-key': '' },
        400,
        'idempotency.key_missing',
      ],
    ];

    it.each(intakeCases)('intake with %s', async (_what, body, headers, status, code) => {
      const before = await call('supervisor', 'GET', `/cases/${id}/history`);
      const res = await call('hotlineAgent', 'POST', '/cases', {
        body,
        headers: { 'idempotency-key': randomUUID(), ...headers },
      });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.body['code']).toBe(code);
      expect(typeof res.body['requestId']).toBe('string');
      // Nothing else was written to the existing case either.
      expect((await call('supervisor', 'GET', `/cases/${id}/history`)).body['version']).toBe(
        before.body['version'],
      );
    });

    it('intake without a resident names the field', async () => {
      const res = await call('hotlineAgent', 'POST', '/cases', {
        body: intake('hotline', { resident: undefined }),
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status).toBe(400);
      expect(res.body['code']).toBe('request.validation_failed');
      expect((res.body['errors'] as Array<{ field: string }>).map((e) => e.field)).toContain('resident');
    });

    it('malformed JSON', async () => {
      const res = await call('hotlineAgent', 'POST', '/cases', {
        rawBody: '{"channel": "hotline",',
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status).toBe(400);
      expect(res.body['code']).toBe('request.malformed_body');
    });

    it.each([
      ['an empty reason', 'return', { reason: '' }, { 'if-match': '"1"' }, 400, 'request.validation_failed'],
      [
        'an unknown field',
        'dispatch',
        { ownerId: 'x', ownerOrgUnit: 'pc.nanguan.yongtai', force: true },
        { 'if-match': '"1"' },
        400,
        'request.validation_failed',
      ],
      [
        'a malformed If-Match',
        'dispatch',
        { ownerId: 'x', ownerOrgUnit: 'pc.nanguan.yongtai' },
        { 'if-match': 'latest' },
        400,
        'request.invalid_header',
      ],
      [
        'no If-Match',
        'dispatch',
        { ownerId: 'x', ownerOrgUnit: 'pc.nanguan.yongtai' },
        {},
        428,
        'request.precondition_required',
      ],
      [
        'a stale If-Match',
        'dispatch',
        { ownerId: 'x', ownerOrgUnit: 'pc.nanguan.yongtai' },
        { 'if-match': '"7"' },
        409,
        'case.version_conflict',
      ],
    ])('an action with %s', async (_what, action, body, headers, status, code) => {
      const who: Person = action === 'return' ? 'cadreA' : 'dispatcher';
      const res = await call(who, 'POST', `/cases/${id}/${action}`, { body, headers });
      expect(res.status).toBe(status);
      expect(res.body['code']).toBe(code);
      expect((await call('supervisor', 'GET', `/cases/${id}/history`)).body['version']).toBe(1);
    });

    it('a case id that is not a UUID', async () => {
      const res = await call('supervisor', 'GET', '/cases/not-a-uuid/history');
      expect(res.status).toBe(400);
      expect(res.body['code']).toBe('request.validation_failed');
    });

    it('an action on a case that does not exist', async () => {
      const res = await call('dispatcher', 'POST', `/cases/${randomUUID()}/dispatch`, {
        body: { ownerId: 'x', ownerOrgUnit: 'pc.nanguan.yongtai' },
        headers: { 'if-match': '"0"' },
      });
      expect(res.status).toBe(404);
      expect(res.body['code']).toBe('case.not_found');
    });
  });

  describe('roles', () => {
    it('a resident cannot call cadre actions', async () => {
      const { id } = await submit('resident', 'app');
      const res = await call('resident', 'POST', `/cases/${id}/accept`, {
        body: {},
        headers: { 'if-match': '"1"' },
      });
      expect(res.status).toBe(403);
      expect(res.body['code']).toBe('auth.forbidden');
      expect(await historyTypes(id)).toEqual(['case.submitted']);
    });

    it('a resident cannot file through the hotline channel', async () => {
      const res = await call('resident', 'POST', '/cases', {
        body: intake('hotline'),
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status).toBe(403);
      expect(res.body['code']).toBe('case.channel_not_allowed');
    });

    it('another resident cannot act on a case they did not file: it is not theirs to know of (404)', async () => {
      const { id } = await submit('resident', 'app');
      const res = await call('otherResident', 'POST', `/cases/${id}/withdraw`, {
        body: { reason: '不需要了' },
        headers: { 'if-match': '"1"' },
      });
      expect(res.status).toBe(404);
      expect(res.body['code']).toBe('case.not_found');
    });

    it('no token, no entry', async () => {
      const res = await call(null, 'POST', '/cases', {
        body: intake('hotline'),
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status).toBe(401);
      expect(res.body['code']).toBe('auth.unauthenticated');
    });

    it('a cadre who is not the owner cannot act on the case', async () => {
      const { id } = await submit('hotlineAgent', 'hotline');
      const v = await act('dispatcher', id, 1, 'dispatch', {
        ownerId: people.cadreA.id,
        ownerOrgUnit: 'pc.nanguan.yongtai',
      });
      const res = await call('cadreB', 'POST', `/cases/${id}/accept`, {
        body: {},
        headers: { 'if-match': `"${v}"` },
      });
      expect(res.status).toBe(403);
      expect(res.body['code']).toBe('case.not_owner');
    });
  });
});
