import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, eventually, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * What a query may cost (issue 10), over HTTP with the api and the projector as separate apps on
 * the real PostgreSQL: a consistency token no command can have returned is refused at once; a
 * waiting query wakes on the projector's commit, not by polling; the case detail carries one page
 * of its timeline and the rest is paged.
 */

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-signing';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });
const COMMUNITY = 'pc.gucheng.taiyangcheng';

const people = {
  resident: { id: 'resident-bounds-1', role: 'resident' },
  otherResident: { id: 'resident-bounds-2', role: 'resident' },
  dispatcher: { id: 'dispatcher-pc-01', role: 'dispatcher', orgUnit: 'pc' },
  cadre: { id: 'cadre-tyc-01', role: 'cadre', orgUnit: COMMUNITY },
  otherCommunityCadre: { id: 'cadre-yql-01', role: 'cadre', orgUnit: 'pc.zhenhua.yunquanli' },
} satisfies Record<string, Principal>;
type Person = keyof typeof people;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

interface Entry {
  version: number;
  type: string;
  actor: { id: string } | null;
  changes: Record<string, unknown> | null;
}

describe('query bounds: impossible tokens, woken waits, a paged timeline (api + projector)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let projector: RunningApp | undefined;
  /** Statements of the api that read the checkpoints. */
  let reads: { n: number };

  const environment = (): Record<string, string> => ({
    DATABASE_URL: db.url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    AUTH_JWT_ALGORITHM: 'HS256',
    AUTH_JWT_SECRET: SECRET,
    // This file makes more commands in a minute than the default limits allow one user.
    RATE_LIMIT_ENABLED: 'false',
  });

  const bootProjector = (): Promise<RunningApp> => bootReadSide(environment());

  /** Boots an api whose statements that read the checkpoints are counted in `reads.n`. */
  async function bootCountedApi(
    extra: Record<string, string>,
  ): Promise<{ app: RunningApp; reads: { n: number } }> {
    let dataSourceClass: unknown;
    let poolOf: ((dataSource: unknown) => Pool) | undefined;
    const app = await bootApp(
      () => {
        dataSourceClass = require('typeorm').DataSource;
        poolOf = require('@tongban/event-store').poolOf;
        return require('../../apps/api/src/api.module').ApiModule;
      },
      { ...environment(), ...extra },
    );
    const reads = { n: 0 };
    const pool = poolOf!(app.app.get(dataSourceClass as new () => unknown));
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    Object.assign(pool, {
      query: (...args: unknown[]) => {
        if (JSON.stringify(args[0] ?? '').includes('projection_checkpoints')) reads.n += 1;
        return query(...args);
      },
    });
    return { app, reads };
  }

  let quick: RunningApp;
  let quickReads: { n: number };

  beforeAll(async () => {
    db = await createTestDatabase('bounds');
    // A fallback poll far longer than any wait here: a wait that ends early was woken.
    const main = await bootCountedApi({ READ_MODEL_WAIT_MS: '20000', READ_MODEL_POLL_MS: '60000' });
    api = main.app;
    reads = main.reads;
    // The same, with a one-second bound: what a wait costs when nothing commits.
    const second = await bootCountedApi({ READ_MODEL_WAIT_MS: '1000', READ_MODEL_POLL_MS: '60000' });
    quick = second.app;
    quickReads = second.reads;
    projector = await bootProjector();
  }, 120_000);

  afterAll(async () => {
    await projector?.app.close();
    await quick?.app.close();
    await api?.app.close();
    await db?.drop();
  });

  async function call(
    who: Person,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers = {},
    via: RunningApp = api,
  ) {
    const res = await fetch(`${via.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await signer.sign(people[who], 600)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, text, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  async function file(who: Person = 'resident'): Promise<{ id: string; v: number; position: string }> {
    const res = await call(
      who,
      'POST',
      '/cases',
      {
        channel: 'app',
        resident: { name: '王秀兰', phone: '13812341234' },
        location: { address: '太阳城小区 3 号楼', communityCode: COMMUNITY },
        title: '楼道灯不亮',
        description: '3号楼2单元楼道灯坏了一周。',
      },
      { 'idempotency-key': randomUUID() },
    );
    if (res.status !== 201) throw new Error(`intake: ${res.status} ${res.text}`);
    return {
      id: res.body['caseId'] as string,
      v: res.body['version'] as number,
      position: res.body['position'] as string,
    };
  }

  async function act(who: Person, c: { id: string; v: number }, action: string, body: unknown = {}) {
    const res = await call(who, 'POST', `/cases/${c.id}/${action}`, body, { 'if-match': `"${c.v}"` });
    if (res.status !== 200) throw new Error(`${action}: ${res.status} ${res.text}`);
    c.v = res.body['version'] as number;
    return res.body['position'] as string;
  }

  function expectProblem(res: Answer, status: number, code: string): void {
    expect({ status: res.status, code: res.body['code'] }).toEqual({ status, code });
  }

  describe('a consistency token beyond the event store', () => {
    it.each(['/cases', `/cases/${randomUUID()}`, '/me/cases'])(
      '%s?after=99999999999999999999-1 → 400 query.position_ahead at once, not after the wait',
      async (path) => {
        const started = performance.now();
        const res = await call('resident', 'GET', `${path}?after=99999999999999999999-1`);
        expectProblem(res, 400, 'query.position_ahead');
        expect(res.body['errors']).toEqual([expect.objectContaining({ field: 'after' })]);
        // The api waits up to 20 s for a real token.
        expect(performance.now() - started).toBeLessThan(2_000);
      },
    );

    it('a token a command just returned is waited for and answered current', async () => {
      const c = await file();
      const res = await call('resident', 'GET', `/cases/${c.id}?after=${c.position}`);
      expect(res.status).toBe(200);
      expect(res.body['consistency']).toMatchObject({ status: 'current', requested: c.position });
    });
  });

  describe('the case detail pages its timeline', () => {
    const STEPS = 55;
    let c: { id: string; v: number; position: string };
    let last: string;

    beforeAll(async () => {
      c = await file();
      await act('dispatcher', c, 'dispatch', { ownerId: people.cadre.id, ownerOrgUnit: COMMUNITY });
      last = await act('cadre', c, 'accept');
      for (let i = 1; i <= STEPS; i++) last = await act('cadre', c, 'steps', { note: `第${i}次上门查看` });
    }, 120_000);

    /** The detail's page, then every page of /timeline after it. */
    async function walk(who: Person, first: number, size: number): Promise<Entry[][]> {
      const detail = await call(who, 'GET', `/cases/${c.id}?after=${last}&timelineLimit=${first}`);
      expect(detail.status).toBe(200);
      const pages = [detail.body['timeline'] as Entry[]];
      let cursor = detail.body['timelineNextCursor'] as string | null;
      while (cursor !== null) {
        expect(pages.length).toBeLessThan(100);
        const page = await call(
          who,
          'GET',
          `/cases/${c.id}/timeline?after=${last}&limit=${size}&cursor=${encodeURIComponent(cursor)}`,
        );
        expect(page.status).toBe(200);
        expect(page.body['consistency']).toMatchObject({ status: 'current' });
        pages.push(page.body['items'] as Entry[]);
        cursor = page.body['nextCursor'] as string | null;
      }
      return pages;
    }

    it('carries the first 50 entries by default, not the whole timeline', async () => {
      const detail = await call('cadre', 'GET', `/cases/${c.id}?after=${last}`);
      const timeline = detail.body['timeline'] as Entry[];
      expect(timeline.map((e) => e.version)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(detail.body['timelineNextCursor']).toEqual(expect.any(String));
    });

    it('pages on, in order, without gaps or repeats, to the last entry', async () => {
      const total = c.v;
      expect(total).toBe(3 + STEPS);
      const pages = await walk('cadre', 7, 10);
      expect(pages.map((p) => p.length)).toEqual([7, 10, 10, 10, 10, 10, 1]);
      expect(pages.flat().map((e) => e.version)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(pages.flat().every((e) => e.actor !== null)).toBe(true);
      // One page of up to 200 is the whole of it.
      const whole = await call('cadre', 'GET', `/cases/${c.id}?after=${last}&timelineLimit=200`);
      expect(whole.body['timelineNextCursor']).toBeNull();
      expect(whole.body['timeline']).toEqual(pages.flat());
    });

    it('shows the resident their view on every page: no actors, no internal changes', async () => {
      const pages = await walk('resident', 5, 20);
      const entries = pages.flat();
      expect(entries).toHaveLength(c.v);
      expect(entries.every((e) => e.actor === null && e.changes === null)).toBe(true);
    });

    it('answers 404 out of scope, like the detail, and refuses a cursor of another case or listing', async () => {
      expectProblem(await call('otherResident', 'GET', `/cases/${c.id}/timeline`), 404, 'case.not_found');
      expectProblem(
        await call('otherCommunityCadre', 'GET', `/cases/${c.id}/timeline`),
        404,
        'case.not_found',
      );
      const other = await file();
      const supplemented = await act('resident', other, 'supplement', { note: '补充：二单元也不亮' });
      const otherDetail = await call(
        'resident',
        'GET',
        `/cases/${other.id}?after=${supplemented}&timelineLimit=1`,
      );
      const foreign = otherDetail.body['timelineNextCursor'] as string;
      expect(foreign).toEqual(expect.any(String));
      expectProblem(
        await call('resident', 'GET', `/cases/${c.id}/timeline?cursor=${encodeURIComponent(foreign)}`),
        400,
        'query.invalid_cursor',
      );
      const list = await call('resident', 'GET', '/me/cases?limit=1');
      const listCursor = list.body['nextCursor'] as string;
      expectProblem(
        await call('resident', 'GET', `/cases/${c.id}/timeline?cursor=${encodeURIComponent(listCursor)}`),
        400,
        'query.invalid_cursor',
      );
      expectProblem(
        await call('cadre', 'GET', `/cases/${c.id}?timelineLimit=201`),
        400,
        'request.validation_failed',
      );
    });
  });

  // Last: they stop the projector.
  describe('with the projector in its own app, a waiting query', () => {
    let c: { id: string; v: number; position: string };
    let position: string;

    beforeAll(async () => {
      c = await file();
      // Projected before the projector goes: the read models know the case, not what follows.
      const filed = await call('resident', 'GET', `/cases/${c.id}?after=${c.position}`);
      expect(filed.body['consistency']).toMatchObject({ status: 'current' });
      await projector!.app.close();
      projector = undefined;
      position = await act('dispatcher', c, 'dispatch', {
        ownerId: people.cadre.id,
        ownerOrgUnit: COMMUNITY,
      });
    });

    it('does not poll the checkpoints while nothing commits (a one-second wait, answered behind)', async () => {
      quickReads.n = 0;
      const res = await call('resident', 'GET', `/cases/${c.id}?after=${position}`, undefined, {}, quick);
      expect(res.status).toBe(200);
      expect(res.body['consistency']).toMatchObject({ status: 'behind', requested: position });
      // Polling every 20 ms would be about 50 reads; a woken wait looks once, and again at the bound.
      expect(quickReads.n).toBeLessThanOrEqual(3);
    });

    it('wakes on the projector’s commit (LISTEN/NOTIFY), long before its 60 s fallback poll', async () => {
      reads.n = 0;
      const started = performance.now();
      const waiting = call('cadre', 'GET', `/cases/${c.id}?after=${position}`);
      await eventually(() => expect(reads.n).toBeGreaterThan(0));
      projector = await bootProjector();
      const res = await waiting;
      expect(res.status).toBe(200);
      expect(res.body['consistency']).toMatchObject({ status: 'current', requested: position });
      expect(res.body['status']).toBe('dispatched');
      // Without a wake-up it would sleep the 60 s poll into the 20 s bound and answer behind.
      expect(performance.now() - started).toBeLessThan(10_000);
    }, 30_000);
  });
});
