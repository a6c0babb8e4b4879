import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });
const hotline: Principal = { id: 'agent-12345-07', role: 'channel', channel: 'hotline' };

/** Intakes per api instance: more than one block of 100 each, so both refill while the other files. */
const PER_INSTANCE = 150;
const CONCURRENCY = 16;

const intake = (n: number): Record<string, unknown> => ({
  channel: 'hotline',
  resident: { name: '赵丽华', phone: '13812341234' },
  location: { address: '平城区南关街道永泰社区7号楼', communityCode: 'pc.nanguan.yongtai' },
  title: `路灯不亮 ${n}`,
  description: '7号楼门口的路灯坏了。',
});

/** The district's calendar day of an instant, as YYYYMMDD (the case number's middle part). */
const shanghaiDay = (at: Date): string =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(at).replace(/-/g, '');

describe('case numbers with two api instances on one database (real PostgreSQL)', () => {
  let db: TestDatabase;
  let apis: RunningApp[] = [];
  let sql: Client;
  let token: string;

  beforeAll(async () => {
    db = await createTestDatabase('casenumbers');
    const env = { DATABASE_URL: db.url, AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: SECRET };
    // One after the other: the second finds the migrations applied.
    apis = [
      await bootApp(() => require('../../apps/api/src/api.module').ApiModule, env),
      await bootApp(() => require('../../apps/api/src/api.module').ApiModule, env),
    ];
    sql = new Client({ connectionString: db.url });
    await sql.connect();
    token = await signer.sign(hotline, 600);
  });

  afterAll(async () => {
    await sql?.end();
    await Promise.all(apis.map((api) => api.app.close()));
    await db?.drop();
  });

  async function file(api: RunningApp, body: unknown, key = randomUUID()) {
    const res = await fetch(`${api.baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': key,
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('gives every case of both instances its own number, with the day of the district calendar', async () => {
    const before = shanghaiDay(new Date());
    const answers = (
      await Promise.all(
        apis.flatMap((api, a) =>
          Array.from({ length: CONCURRENCY }, async (_, lane) => {
            const mine = [];
            for (let i = lane; i < PER_INSTANCE; i += CONCURRENCY) {
              mine.push(await file(api, intake(a * PER_INSTANCE + i)));
            }
            return mine;
          }),
        ),
      )
    ).flat();
    const after = shanghaiDay(new Date());

    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    const numbers = answers.map((a) => String(a.body['caseNumber']));
    expect(new Set(numbers).size).toBe(2 * PER_INSTANCE);
    for (const number of numbers) {
      const [, day] = /^PC-(\d{8})-\d{6}$/.exec(number) ?? [];
      expect([before, after]).toContain(day);
    }

    // What the database holds says the same: one claim, one number and one event per case.
    const { rows } = await sql.query<{ claims: string; numbers: string; events: string }>(
      `SELECT (SELECT count(*) FROM case_intake_requests) AS claims,
              (SELECT count(DISTINCT case_number) FROM case_intake_requests) AS numbers,
              (SELECT count(*) FROM tongban_es.events WHERE type = 'case.submitted') AS events`,
    );
    expect(rows[0]).toEqual({
      claims: String(2 * PER_INSTANCE),
      numbers: String(2 * PER_INSTANCE),
      events: String(2 * PER_INSTANCE),
    });
    // Both drew whole blocks of 100 from the one counter row: 150 each takes two blocks each.
    const counter = await sql.query<{ last_value: number }>('SELECT last_value FROM case_number_counters');
    expect(counter.rows.map((r) => r.last_value)).toEqual([400]);
  });

  it('makes ONE case from one Idempotency-Key sent 20 times to each instance at once', async () => {
    const key = randomUUID();
    const body = intake(-1);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => file(apis[i % 2]!, body, key)));
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
    expect(new Set(answers.map((a) => a.body['caseId'])).size).toBe(1);
    expect(new Set(answers.map((a) => a.body['caseNumber'])).size).toBe(1);
    const { rows } = await sql.query<{ events: string }>(
      `SELECT count(*) AS events FROM tongban_es.events WHERE stream_id = $1`,
      [`case-${String(answers[0]!.body['caseId'])}`],
    );
    expect(rows[0]!.events).toBe('1');
    // The same key with another body, on either instance: refused, nothing written.
    for (const api of apis) {
      const reused = await file(api, intake(-2), key);
      expect(reused.status).toBe(422);
      expect(reused.body['code']).toBe('idempotency.key_reused');
    }
  });
});
