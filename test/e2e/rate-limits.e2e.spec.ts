import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * The rate limits on the real API and PostgreSQL (ADR 0010): intake and the case commands are
 * limited per principal and per address, and a refused request appends nothing. The window's
 * reset and every rule in isolation are in libs/platform/http/src/rate-limit.unit.spec.ts, with
 * a fake clock.
 */
const SECRET = 'e2e-rate-limit-secret-long-enough-for-hs256';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });

const resident = (name: string): Principal => ({ id: `resident-${name}-${randomUUID()}`, role: 'resident' });

const intake = {
  channel: 'portal',
  resident: { name: '王秀兰', phone: '13812341234' },
  location: { address: '平城区南关街道永泰社区3号楼2单元', communityCode: 'pc.nanguan.yongtai' },
  category: '公共设施维修',
  title: '楼道灯不亮',
  description: '3号楼2单元楼道灯坏了一周，老人夜间出行不便。',
};

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Headers;
}

describe('rate limits on the API (real PostgreSQL)', () => {
  let db: TestDatabase;
  const running: RunningApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('ratelimit');
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.app.close()));
    await db?.drop();
  });

  async function bootApi(limits: Record<string, string>): Promise<RunningApp> {
    const api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, {
      DATABASE_URL: db.url,
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: SECRET,
      ...limits,
    });
    running.push(api);
    return api;
  }

  async function call(
    api: RunningApp,
    who: Principal,
    path: string,
    body: unknown,
    headers = {},
  ): Promise<Answer> {
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await signer.sign(who, 600)}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      headers: res.headers,
    };
  }

  const file = (api: RunningApp, who: Principal): Promise<Answer> =>
    call(api, who, '/cases', intake, { 'idempotency-key': randomUUID() });

  async function casesFiledBy(who: Principal): Promise<number> {
    const client = new Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM tongban_es.events WHERE type = 'case.submitted' AND data::text LIKE $1`,
        [`%${who.id}%`],
      );
      return Number(rows[0]?.n ?? 0);
    } finally {
      await client.end();
    }
  }

  it('refuses intake beyond the limit with 429 problem+json and Retry-After, files nothing, spares others', async () => {
    const api = await bootApi({ RATE_LIMIT_INTAKE_PER_MINUTE: '3' });
    const wang = resident('wang');
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await file(api, wang));
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    const refused = answers[3]!;
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(refused.body).toMatchObject({
      status: 429,
      code: 'request.rate_limited',
      instance: '/api/v1/cases',
    });
    expect(await casesFiledBy(wang)).toBe(3);

    expect((await file(api, resident('li'))).status).toBe(201);
  });

  it('counts the case commands of one principal together, whatever the command, apart from intake', async () => {
    const api = await bootApi({ RATE_LIMIT_COMMANDS_PER_MINUTE: '3' });
    const zhao = resident('zhao');
    const filed = await file(api, zhao);
    expect(filed.status).toBe(201);
    const id = String(filed.body['caseId']);
    const commands = [
      () => call(api, zhao, `/cases/${id}/supplement`, { note: '补充：楼道灯在二楼' }, { 'if-match': '*' }),
      () => call(api, zhao, `/cases/${id}/supplement`, { note: '补充：三楼也不亮' }, { 'if-match': '*' }),
      () => call(api, zhao, `/cases/${id}/withdraw`, { reason: '已自行修好' }, { 'if-match': '*' }),
      () => call(api, zhao, `/cases/${id}/withdraw`, { reason: '已自行修好' }, { 'if-match': '*' }),
    ];
    const statuses: number[] = [];
    for (const command of commands) statuses.push((await command()).status);
    // Whatever the first three answer (a withdrawn case refuses a second withdrawal), they count.
    expect(statuses.slice(0, 3)).not.toContain(429);
    expect(statuses[3]).toBe(429);
    expect((await file(api, zhao)).status).toBe(201);
  });

  it('limits one address across principals', async () => {
    const api = await bootApi({ RATE_LIMIT_IP_INTAKE_PER_MINUTE: '4' });
    for (const name of ['a', 'b']) {
      const who = resident(name);
      expect([(await file(api, who)).status, (await file(api, who)).status]).toEqual([201, 201]);
    }
    const refused = await file(api, resident('c'));
    expect([refused.status, refused.body['code']]).toEqual([429, 'request.rate_limited']);
    expect(refused.body['detail']).toMatch(/this address/);
  });
});
