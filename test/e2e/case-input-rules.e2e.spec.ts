import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { caseStreamId } from '@tongban/cases';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * Issue 10's input rules on the real API and PostgreSQL: blank required text is refused at the
 * edge before an Idempotency-Key or a case number is claimed; a channel client files under its
 * own channel only; a case takes at most CASE_MAX_SUPPLEMENTS supplements. Each refusal appends
 * nothing.
 */
const SECRET = 'e2e-input-rules-secret-long-enough-for-hs256';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });
const MAX_SUPPLEMENTS = 2;

const people = {
  hotline: { id: 'hotline-12345-02', role: 'channel', orgUnit: 'pc', channel: 'hotline' },
  portalGateway: { id: 'gateway-portal-02', role: 'channel', channel: 'portal' },
  resident: { id: 'resident-zhou', role: 'resident' },
  cadre: { id: 'cadre-tyc-05', role: 'cadre', orgUnit: 'pc.gucheng.taiyangcheng' },
} satisfies Record<string, Principal>;

type Person = keyof typeof people;

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const intake = (channel: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  channel,
  resident: { name: '周桂芳', phone: '13812341234' },
  location: { address: '平城区古城街道太阳城社区5号楼', communityCode: 'pc.gucheng.taiyangcheng' },
  title: '楼道灯不亮',
  description: '5号楼1单元楼道灯坏了三天。',
  ...overrides,
});

describe('input rules of the case API (real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let sql: Client;

  beforeAll(async () => {
    db = await createTestDatabase('inputrules');
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, {
      DATABASE_URL: db.url,
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: SECRET,
      CASE_MAX_SUPPLEMENTS: String(MAX_SUPPLEMENTS),
    });
    sql = new Client({ connectionString: db.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await api?.app.close();
    await db?.drop();
  });

  async function post(
    who: Person | Principal,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const principal = typeof who === 'string' ? people[who] : who;
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await signer.sign(principal, 600)}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  const file = (who: Person | Principal, body: unknown, key: string = randomUUID()) =>
    post(who, '/cases', body, { 'idempotency-key': key });

  const eventCount = async (): Promise<number> =>
    Number((await sql.query<{ n: string }>('SELECT count(*) AS n FROM tongban_es.events')).rows[0]?.n);

  const claimed = async (key: string): Promise<number> =>
    Number(
      (
        await sql.query<{ n: string }>(
          'SELECT count(*) AS n FROM case_intake_requests WHERE idempotency_key = $1',
          [key],
        )
      ).rows[0]?.n,
    );

  /** PC-YYYYMMDD-NNNNNN → [day, sequence]. */
  const numberOf = (answer: Answer): [string, number] => {
    const match = /^PC-(\d{8})-(\d{6})$/.exec(String(answer.body['caseNumber']));
    if (!match) throw new Error(`not a case number: ${JSON.stringify(answer.body)}`);
    return [match[1]!, Number(match[2])];
  };

  describe('blank required text', () => {
    it('is refused with 400 naming the field, before a key or a case number is claimed; nothing is appended', async () => {
      const first = await file('hotline', intake('hotline'));
      expect(first.status).toBe(201);
      const [day, sequence] = numberOf(first);
      const events = await eventCount();

      const key = randomUUID();
      const blanks: Array<[string, Record<string, unknown>]> = [
        ['title', intake('hotline', { title: '    ' })],
        ['title', intake('hotline', { title: '\u3000\u3000' })],
        ['description', intake('hotline', { description: ' \n\t ' })],
        ['resident.name', intake('hotline', { resident: { name: '  ', phone: '13812341234' } })],
      ];
      for (const [field, body] of blanks) {
        const refused = await file('hotline', body, key);
        expect({ field, status: refused.status, code: refused.body['code'] }).toEqual({
          field,
          status: 400,
          code: 'request.validation_failed',
        });
        expect(refused.body['errors']).toEqual([
          { field, reason: 'isNotBlank', message: `${field.split('.').pop()} must not be blank` },
        ]);
      }
      expect(await eventCount()).toBe(events);
      expect(await claimed(key)).toBe(0);

      // The same key is still free, and the next intake takes the very next number.
      const next = await file('hotline', intake('hotline'), key);
      expect(next.status).toBe(201);
      const [nextDay, nextSequence] = numberOf(next);
      expect(nextSequence).toBe(nextDay === day ? sequence + 1 : 1);
    });

    it('is refused on a case command too, appending nothing', async () => {
      const filed = await file('resident', intake('app'));
      const id = String(filed.body['caseId']);
      const events = await eventCount();
      for (const [path, body] of [
        ['withdraw', { reason: '\u3000' }],
        ['supplement', { note: '   ' }],
      ] as const) {
        const refused = await post('resident', `/cases/${id}/${path}`, body, { 'if-match': '"1"' });
        expect({ path, status: refused.status, code: refused.body['code'] }).toEqual({
          path,
          status: 400,
          code: 'request.validation_failed',
        });
      }
      expect(await eventCount()).toBe(events);
    });

    it('an address of only spaces is no place: some place is still required', async () => {
      const refused = await file('resident', intake('app', { location: { address: '   ' } }));
      expect(refused.status).toBe(400);
      expect(refused.body['errors']).toEqual([
        expect.objectContaining({ field: 'location', reason: 'required' }),
      ]);
    });
  });

  describe('a channel client files under its own channel only', () => {
    it('the hotline cannot file as the portal (403 case.channel_not_allowed, nothing appended), only as the hotline', async () => {
      const events = await eventCount();
      for (const channel of ['portal', 'app', 'walk_in', 'third_party', 'grid_patrol']) {
        const refused = await file('hotline', intake(channel));
        expect({ channel, status: refused.status, code: refused.body['code'] }).toEqual({
          channel,
          status: 403,
          code: 'case.channel_not_allowed',
        });
      }
      expect(await eventCount()).toBe(events);
      expect((await file('hotline', intake('hotline'))).status).toBe(201);
    });

    it('a portal gateway files as the portal, not as the hotline', async () => {
      expect((await file('portalGateway', intake('portal'))).status).toBe(201);
      const refused = await file('portalGateway', intake('hotline'));
      expect([refused.status, refused.body['code']]).toEqual([403, 'case.channel_not_allowed']);
    });

    it.each<[string, Principal]>([
      ['no channel claim', { id: 'gateway-unnamed', role: 'channel' }],
      ['an unknown channel', { id: 'gateway-fax', role: 'channel', channel: 'fax' as 'hotline' }],
      ["a cadre's channel", { id: 'gateway-patrol', role: 'channel', channel: 'grid_patrol' as 'hotline' }],
    ])('a channel token with %s is refused 401 auth.invalid_channel', async (_what, principal) => {
      const events = await eventCount();
      const refused = await file(principal, intake('hotline'));
      expect([refused.status, refused.body['code']]).toEqual([401, 'auth.invalid_channel']);
      expect(await eventCount()).toBe(events);
    });

    it("keeps residents' and cadres' channels", async () => {
      expect((await file('resident', intake('mini_program'))).status).toBe(201);
      expect((await file('resident', intake('hotline'))).status).toBe(403);
      expect((await file('cadre', intake('grid_patrol'))).status).toBe(201);
      expect((await file('cadre', intake('portal'))).status).toBe(403);
    });
  });

  describe(`at most CASE_MAX_SUPPLEMENTS (${MAX_SUPPLEMENTS}) supplements per case`, () => {
    it('refuses one more with 409 case.too_many_supplements, appending nothing; the case goes on', async () => {
      const filed = await file('resident', intake('app'));
      const id = String(filed.body['caseId']);
      for (let i = 1; i <= MAX_SUPPLEMENTS; i++) {
        const added = await post(
          'resident',
          `/cases/${id}/supplement`,
          { note: `补充${i}` },
          { 'if-match': '*' },
        );
        expect(added.status).toBe(200);
      }
      const refused = await post(
        'resident',
        `/cases/${id}/supplement`,
        { note: '再补充' },
        { 'if-match': '*' },
      );
      expect(refused.status).toBe(409);
      expect(refused.body).toMatchObject({ code: 'case.too_many_supplements', status: 409 });
      const types = (
        await sql.query<{ type: string }>(
          'SELECT type FROM tongban_es.events WHERE stream_id = $1 ORDER BY stream_version',
          [caseStreamId(id)],
        )
      ).rows.map((r) => r.type);
      expect(types).toEqual([
        'case.submitted',
        ...Array.from({ length: MAX_SUPPLEMENTS }, () => 'case.resident_info_supplemented'),
      ]);
      const withdrawn = await post(
        'resident',
        `/cases/${id}/withdraw`,
        { reason: '已解决' },
        { 'if-match': '*' },
      );
      expect(withdrawn.status).toBe(200);
    });
  });
});
