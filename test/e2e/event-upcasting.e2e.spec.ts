import { randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import { caseStreamId } from '@tongban/cases';
import { PostgresEventStore, type JsonObject } from '@tongban/event-store';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, eventually, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * ONE event codec (issue 12): `case.submitted` is written as v2 (every field present) and v1
 * events — recorded before the edge required a resident — are upcast on read. A v1 event in the
 * store is read as v2 by the decider (the next command on the case is decided on it), by the
 * projections (the read models show it) and by the audit history (which says it was upcast);
 * the stored row itself is never changed.
 */

const SECRET = 'e2e-upcasting-secret-that-is-long-enough-for-hs256';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });
const DISPATCHER: Principal = { id: 'upcast-dispatcher', role: 'dispatcher', orgUnit: 'pc' };
const COMMUNITY = 'pc.gucheng.taiyangcheng';

describe('a case.submitted v1 in the store (real PostgreSQL)', () => {
  let db: TestDatabase;
  let api: RunningApp;
  let projector: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase('upcast');
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: SECRET,
      RATE_LIMIT_ENABLED: 'false',
    };
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, env);
    projector = await bootReadSide(env);
  }, 120_000);

  afterAll(async () => {
    await projector?.app.close();
    await api?.app.close();
    await db?.drop();
  });

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) {
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await signer.sign(DISPATCHER, 600)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('is read as v2 by the decider, the projections and the history; the stored row stays v1', async () => {
    const caseId = randomUUID();
    // What the API stored before intakes required a resident: v1, no resident at all.
    const pool = new Pool({ connectionString: db.url, max: 2 });
    const store = new PostgresEventStore({ pool });
    try {
      await store.append(
        caseStreamId(caseId),
        [
          {
            id: randomUUID(),
            type: 'case.submitted',
            schemaVersion: 1,
            data: {
              caseId,
              at: '2026-11-20T01:00:00.000Z',
              by: { id: 'old-hotline', role: 'channel' },
              channel: 'hotline',
              caseNumber: 'PC-20261120-000001',
              location: { address: '太阳城 2 号楼', communityCode: COMMUNITY },
              title: '旧版本受理',
              description: '升级前存下的诉求，没有居民信息。',
              attachments: [],
            } satisfies JsonObject,
            metadata: { correlationId: randomUUID(), actor: { id: 'old-hotline', role: 'channel' } },
          },
        ],
        'no_stream',
      );
    } finally {
      await store.close();
      await pool.end();
    }

    // The decider: the case replays (as v2) and takes its next command.
    const dispatched = await call(
      'POST',
      `/cases/${caseId}/dispatch`,
      { ownerId: 'upcast-cadre', ownerOrgUnit: COMMUNITY },
      { 'if-match': '"1"' },
    );
    expect(dispatched).toMatchObject({ status: 200, body: { version: 2, events: ['case.dispatched'] } });

    // The projections: the read models show the case with v2's (empty) resident.
    // (Read until the read models have reached the command: a busy machine may answer `behind`.)
    const detail = await eventually(async () => {
      const answer = await call('GET', `/cases/${caseId}?after=${String(dispatched.body['position'])}`);
      expect(answer.body['consistency']).toMatchObject({ status: 'current' });
      return answer;
    });
    expect(detail).toMatchObject({
      status: 200,
      body: { status: 'dispatched', caseNumber: 'PC-20261120-000001', resident: { name: '', phone: '' } },
    });

    // The history: shown as v2, saying it was stored as v1.
    const history = await call('GET', `/cases/${caseId}/history`);
    expect(history.status).toBe(200);
    const [submitted, next] = history.body['events'] as Array<Record<string, unknown>>;
    expect(submitted).toMatchObject({
      type: 'case.submitted',
      schemaVersion: 2,
      storedSchemaVersion: 1,
      data: { resident: { name: '', phone: '' }, title: '旧版本受理' },
    });
    expect(next).toMatchObject({ type: 'case.dispatched', schemaVersion: 1, storedSchemaVersion: 1 });

    // The store keeps what was written: nothing is rewritten in place.
    const raw = new Client({ connectionString: db.url });
    await raw.connect();
    try {
      const { rows } = await raw.query<{ schema_version: number; has_resident: boolean }>(
        `SELECT schema_version, data ? 'resident' AS has_resident FROM tongban_es.events
          WHERE stream_id = $1 AND stream_version = 1`,
        [caseStreamId(caseId)],
      );
      expect(rows).toEqual([{ schema_version: 1, has_resident: false }]);
    } finally {
      await raw.end();
    }

    // And what is written from now on is v2.
    const filed = await fetch(`${api.baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await signer.sign({ id: 'upcast-hotline', role: 'channel', channel: 'hotline' }, 600)}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({
        channel: 'hotline',
        resident: { name: '新居民', phone: '13600004444' },
        location: { communityCode: COMMUNITY },
        title: '新版本受理',
        description: '升级后的诉求。',
      }),
    });
    expect(filed.status).toBe(201);
    const newId = ((await filed.json()) as { caseId: string }).caseId;
    const newHistory = await call('GET', `/cases/${newId}/history`);
    expect((newHistory.body['events'] as Array<Record<string, unknown>>)[0]).toMatchObject({
      schemaVersion: 2,
      storedSchemaVersion: 2,
    });
  }, 60_000);
});
