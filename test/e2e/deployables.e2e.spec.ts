import { generateKeyPairSync } from 'node:crypto';
import { createTokenSigner } from '@tongban/security';
import { createTestDatabase, freePorts, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, getJson, type RunningApp } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/** Every deployable authenticates; outside production a shared HS256 secret is enough. */
const AUTH = { AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: 'e2e-secret-long-enough-for-hs256!' };

describe('deployables on the real PostgreSQL and Kafka', () => {
  let db: TestDatabase;
  const running: RunningApp[] = [];

  beforeAll(async () => {
    db = await createTestDatabase('e2e');
  });

  afterAll(async () => {
    await Promise.all(running.map((r) => r.app.close()));
    await db?.drop();
  });

  it('api: ready with its database, serves OpenAPI, answers unknown routes with problem+json', async () => {
    const api = await bootApp(
      () => require('../../apps/api/src/api.module').ApiModule,
      { ...AUTH, DATABASE_URL: db.url },
      {
        openApiTitle: 'Tongban API',
      },
    );
    running.push(api);
    const ready = await getJson(`${api.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'up',
      checks: [
        // What holds the event store's readers back (issue 11): nothing, here.
        { name: 'event-store-horizon', status: 'up' },
        { name: 'database', status: 'up' },
        // The business calendar: the shipped years and the `calendar` stream read (ADR 0027).
        { name: 'calendar', status: 'up' },
        { name: 'write-path', status: 'up' },
        // The stored directory is read (an empty store here: nothing to route with yet).
        { name: 'directory', status: 'up' },
      ],
    });
    const docs = await getJson(`${api.baseUrl}/docs-json`);
    expect(docs.status).toBe(200);
    expect(docs.body).toMatchObject({
      openapi: expect.stringMatching(/^3\./),
      info: { title: 'Tongban API' },
    });
    const missing = await getJson(`${api.baseUrl}/api/v1/unknown`);
    expect(missing.status).toBe(404);
    expect(missing.contentType).toMatch(/^application\/problem\+json/);
    expect(missing.body).toMatchObject({ code: 'route.not_found' });

    const anonymous = await fetch(`${api.baseUrl}/api/v1/auth/me`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await anonymous.json()).toMatchObject({ code: 'auth.unauthenticated' });
    const token = await createTokenSigner({
      secret: AUTH.AUTH_JWT_SECRET,
      issuer: 'tongban',
      audience: 'tongban-api',
    }).sign({ id: 'e2e-admin', role: 'admin' }, 60);
    const me = await fetch(`${api.baseUrl}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ id: 'e2e-admin', role: 'admin' });
    expect((await getJson(`${api.baseUrl}/api/v1/auth/dev/users`)).status).toBe(404);
  });

  it('api in production: no OpenAPI document, /metrics only on METRICS_PORT', async () => {
    const [metricsPort] = await freePorts(1);
    const api = await bootApp(
      () => require('../../apps/api/src/api.module').ApiModule,
      {
        NODE_ENV: 'production',
        // Production verifies RS256; only the public key is needed to start.
        AUTH_JWT_PUBLIC_KEY: generateKeyPairSync('rsa', {
          modulusLength: 2048,
          publicKeyEncoding: { type: 'spki', format: 'pem' },
          privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        }).publicKey,
        DATABASE_URL: db.url,
        METRICS_PORT: String(metricsPort),
      },
      { openApiTitle: 'Tongban API' },
    );
    running.push(api);
    expect((await getJson(`${api.baseUrl}/health/ready`)).status).toBe(200);
    for (const path of ['/docs', '/docs-json', '/metrics']) {
      const res = await fetch(`${api.baseUrl}${path}`);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    const metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('tongban_http_request_duration_seconds');
  });

  it.each([
    ['relay', () => require('../../apps/relay/src/relay.module').RelayModule],
    ['projector', () => require('../../apps/projector/src/projector.module').ProjectorModule],
    ['sla-watcher', () => require('../../apps/sla-watcher/src/sla-watcher.module').SlaWatcherModule],
  ])('%s: ready only with both its database and the broker', async (_name, load) => {
    const app = await bootApp(load, {
      ...AUTH,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
    });
    running.push(app);
    const ready = await getJson(`${app.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body['checks']).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'database', status: 'up' }),
        expect.objectContaining({ name: 'kafka', status: 'up' }),
      ]),
    );
    const metrics = await fetch(`${app.baseUrl}/metrics`);
    expect(await metrics.text()).toContain('tongban_http_request_duration_seconds');
  });

  it('sla-watcher: its feed is ready, /metrics shows the schedule, and it serves no case routes', async () => {
    const app = await bootApp(
      () => require('../../apps/sla-watcher/src/sla-watcher.module').SlaWatcherModule,
      { ...AUTH, DATABASE_URL: db.url, KAFKA_BROKERS: kafkaBrokers().join(',') },
    );
    running.push(app);
    const ready = await getJson(`${app.baseUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(ready.body['checks']).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'sla-watch', status: 'up' })]),
    );
    const metrics = await (await fetch(`${app.baseUrl}/metrics`)).text();
    for (const name of [
      'tongban_sla_clocks_open',
      'tongban_sla_cases_scheduled',
      'tongban_sla_due_within_hour',
      'tongban_sla_overdue',
      'tongban_sla_watcher_lag_events',
    ]) {
      expect(metrics).toMatch(new RegExp(`^${name} \\d+$`, 'm'));
    }
    // The case application without its routes (ADR 0028): commands go through the bus only.
    expect((await fetch(`${app.baseUrl}/api/v1/cases`, { method: 'POST' })).status).toBe(404);
  });

  it('a deployable with a bad environment refuses to start and names every bad variable', async () => {
    const failure = await bootApp(() => require('../../apps/relay/src/relay.module').RelayModule, {
      ...AUTH,
      DATABASE_URL: db.url,
      KAFKA_BROKERS: 'not a broker list',
      HTTP_PORT: '70000',
    }).then(
      () => new Error('started anyway'),
      (error: unknown) => error as Error,
    );
    expect(failure.message).toMatch(/^Invalid environment/);
    expect(failure.message).toContain('HTTP_PORT');
    expect(failure.message).toContain('KAFKA_BROKERS');
  });

  it('a deployable whose database is unreachable refuses to start instead of serving without it', async () => {
    const url = new URL(db.url);
    url.port = '1';
    await expect(
      bootApp(() => require('../../apps/api/src/api.module').ApiModule, {
        ...AUTH,
        DATABASE_URL: url.toString(),
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
