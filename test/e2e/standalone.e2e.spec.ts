import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { createStandaloneApp } from '../../apps/standalone/src/start-standalone';
import { getJson } from './boot';
import { eventually } from '@tongban/testing';

/** `npm start`'s app, in-process: embedded PostgreSQL, in-process bus, nothing installed. */
describe('standalone mode', () => {
  let dir: string;
  let app: NestFastifyApplication | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-standalone-'));
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(): Promise<string> {
    app = await createStandaloneApp(dir);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  }

  it('answers health and OpenAPI with no service installed, and keeps its data across restarts', async () => {
    let base = await start();
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    const ready = await getJson(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'up',
      checks: [
        { name: 'database', status: 'up' },
        // The business calendar: the shipped years and the `calendar` stream read (ADR 0027).
        { name: 'calendar', status: 'up' },
        { name: 'write-path', status: 'up' },
        // The demo district, seeded on this first start and read back (ADR 0024).
        { name: 'directory', status: 'up' },
        // The SLA watcher runs in-process: its feed follows the log (ADR 0028).
        { name: 'sla-watch', status: 'up' },
        { name: 'projections', status: 'up' },
      ],
    });
    const docs = await getJson(`${base}/docs-json`);
    expect(docs.status).toBe(200);
    expect(docs.body).toMatchObject({ info: { title: 'Tongban API (standalone)' } });
    const ui = await fetch(`${base}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');

    await app!
      .get(DataSource)
      .query(`CREATE TABLE pilot (street text); INSERT INTO pilot VALUES ('南关街道')`);
    await app!.close();
    app = undefined;

    base = await start();
    expect((await getJson(`${base}/health/ready`)).status).toBe(200);
    expect(await app!.get(DataSource).query('SELECT street FROM pilot')).toEqual([{ street: '南关街道' }]);
  });

  it('offers the dev login, so a newcomer can try a role from /docs', async () => {
    await app?.close();
    const base = await start();
    const users = await getJson(`${base}/api/v1/auth/dev/users`);
    expect(users.status).toBe(200);
    expect(users.body['users']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'demo-supervisor-district', role: 'supervisor' }),
      ]),
    );
    const login = await fetch(`${base}/api/v1/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'demo-supervisor-district' }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const me = await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      id: 'demo-supervisor-district',
      role: 'supervisor',
      orgUnit: 'pc',
    });
    expect((await fetch(`${base}/api/v1/auth/me`)).status).toBe(401);
  });

  it('handles a case end to end on the embedded database: intake, dispatch, accept, audit history, read models', async () => {
    await app?.close();
    const base = await start();
    const token = async (userId: string) => {
      const res = await fetch(`${base}/api/v1/auth/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId }),
      });
      return ((await res.json()) as { accessToken: string }).accessToken;
    };
    const post = async (userId: string, path: string, body: unknown, headers: Record<string, string>) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${await token(userId)}`,
          ...headers,
        },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const filed = await post(
      'demo-channel-hotline',
      '/cases',
      {
        channel: 'hotline',
        resident: { name: '李大爷', phone: '13900001111' },
        location: { address: '平城区古城街道' },
        title: '小区路灯不亮',
        description: '东门附近三盏路灯晚上不亮。',
      },
      { 'idempotency-key': 'standalone-e2e-0001' },
    );
    expect(filed.status).toBe(201);
    const id = filed.body['caseId'] as string;
    // The address names a street and nothing in it: routing (issue 13) sent it to the street's
    // dispatcher with the submission, who dispatches it.
    expect(filed.body['version']).toBe(2);
    const cadre = 'demo-cadre-taiyangcheng';
    const dispatched = await post(
      'demo-dispatcher',
      `/cases/${id}/dispatch`,
      { ownerId: cadre, ownerOrgUnit: 'pc.gucheng.taiyangcheng' },
      { 'if-match': '"2"' },
    );
    expect(dispatched.status).toBe(200);
    // The SLA watcher runs in-process and records due times as the clocks start (ADR 0029): the
    // dispatcher's If-Match may be behind them, which is no conflict.
    const accepted = await post(
      cadre,
      `/cases/${id}/accept`,
      {},
      { 'if-match': `"${String(dispatched.body['version'])}"` },
    );
    expect(accepted.status).toBe(200);
    type Recorded = { type: string; data: Record<string, unknown> };
    const readHistory = async (): Promise<Recorded[]> => {
      const history = await fetch(`${base}/api/v1/cases/${id}/history`, {
        headers: { authorization: `Bearer ${await token('demo-supervisor-district')}` },
      });
      expect(history.status).toBe(200);
      return ((await history.json()) as { events: Recorded[] }).events;
    };
    // Once the watcher has seen the dispatch, the response and resolution clocks have due times.
    const events = await eventually(async () => {
      const all = await readHistory();
      const last = all.filter((e) => e.type === 'case.due_times_set').at(-1);
      const clocks = (last?.data['clocks'] ?? []) as Array<{ clock: string; dueAt: string | null }>;
      if (!clocks.some((c) => c.clock === 'resolution' && c.dueAt !== null))
        throw new Error('no due times yet');
      return all;
    });
    expect(events.map((e) => e.type).filter((t) => t !== 'case.due_times_set')).toEqual([
      'case.submitted',
      'case.routed',
      'case.dispatched',
      'case.accepted',
    ]);
    expect(events[1]!.data).toMatchObject({ rule: 'street_dispatcher', queue: 'pc.gucheng' });

    // The projections run in-process: with the accept's position, the cadre's next read shows it.
    const get = async (userId: string, path: string) => {
      const res = await fetch(`${base}/api/v1${path}`, {
        headers: { authorization: `Bearer ${await token(userId)}` },
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    const after = accepted.body['position'] as string;
    const detail = await eventually(async () => {
      const read = await get(cadre, `/cases/${id}?after=${after}`);
      expect(read.body['version']).toBe(events.length);
      return read;
    });
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({
      caseId: id,
      status: 'in_handling',
      ownerId: cadre,
      version: events.length,
      resident: { name: '李大爷', phone: '139****1111' },
      consistency: { status: 'current', requested: after },
    });
    const worklist = await get(cadre, `/worklist?after=${after}`);
    expect(worklist.body['items']).toEqual([expect.objectContaining({ caseId: id, reason: 'owner' })]);
    expect(JSON.stringify(detail.body)).not.toContain('13900001111');

    // Standalone's embedded database cannot be opened by another process: an admin rebuilds a
    // read model in-process, blue/green, and it reads the same afterwards.
    const rebuilt = await post('demo-admin', '/admin/read-models/case_detail/rebuild', {}, {});
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toMatchObject({ projection: 'case_detail', events: events.length });
    const again = await get(cadre, `/cases/${id}`);
    // The same, but for the business time the running clocks used meanwhile (counted when asked).
    const settled = (body: Record<string, unknown>) => ({
      ...body,
      consistency: null,
      slaClocks: (body['slaClocks'] as Array<Record<string, unknown>>).map(
        ({ businessMsUsed: _used, remainingMs: _remaining, ...clock }) => clock,
      ),
    });
    expect(settled(again.body)).toEqual(settled(detail.body));
    const models = await get('demo-admin', '/admin/read-models');
    expect(models.body['readModels']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'case_detail', eventsApplied: events.length }),
      ]),
    );
    expect((await post(cadre, '/admin/read-models/case_detail/rebuild', {}, {})).status).toBe(403);
    expect((await post('demo-admin', '/admin/read-models/nope/rebuild', {}, {})).body).toMatchObject({
      code: 'read_model.not_found',
    });
  });
});
