import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createTokenSigner, type Principal } from '@tongban/security';
import {
  eventually,
  kafkaBrokers,
  startPrivatePostgres,
  type PrivatePostgres,
  type TestDatabase,
} from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * One transaction left open anywhere in the cluster — in ANOTHER database, by another
 * application, or prepared for two-phase commit and forgotten — holds back every reader of the
 * global log (issue 11). Appends and reads keep working (reads answer `behind`), /metrics shows
 * the wait, readiness turns `degraded` naming the blocking backend, and once it ends everything
 * appended meanwhile is there: nothing lost. On a cluster of its own: in the shared one the
 * transactions it holds open would hold back every other test file's readers too.
 */

const SECRET = 'e2e-horizon-secret-that-is-long-enough-for-hs256';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });
const HOTLINE: Principal = { id: 'horizon-hotline', role: 'channel', orgUnit: 'pc', channel: 'hotline' };
const PREPARED_GID = `tongban-e2e-forgotten-${randomUUID().slice(0, 8)}`;

interface Check {
  readonly name: string;
  readonly status: 'up' | 'degraded' | 'down';
  readonly error?: string;
}

describe('a transaction left open elsewhere in the cluster (real PostgreSQL)', () => {
  let cluster: PrivatePostgres;
  let db: TestDatabase;
  let other: TestDatabase;
  let api: RunningApp;
  let projector: RunningApp;
  let blocker: Client | undefined;

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    db = await cluster.createDatabase('horizon');
    other = await cluster.createDatabase('horizon_other');
    const env = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: SECRET,
      RATE_LIMIT_ENABLED: 'false',
      EVENT_STORE_HORIZON_DEGRADED_SECONDS: '1',
      READ_MODEL_WAIT_MS: '300',
    };
    api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, env);
    projector = await bootReadSide(env);
  }, 120_000);

  afterAll(async () => {
    await blocker?.end().catch(() => undefined);
    await projector?.app.close();
    await api?.app.close();
    // The cluster goes with its data: a prepared transaction a failed test left behind included.
    await cluster?.down();
  });

  async function file(title: string): Promise<{ id: string; position: string }> {
    const res = await fetch(`${api.baseUrl}/api/v1/cases`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await signer.sign(HOTLINE, 600)}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify({
        channel: 'hotline',
        resident: { name: '视界测试', phone: '13600003333' },
        location: { address: '太阳城 9 号楼', communityCode: 'pc.gucheng.taiyangcheng' },
        title,
        description: '可见性视界被占住时的受理。',
      }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    // Appends keep working while the readers are held back.
    expect({ status: res.status, body }).toMatchObject({ status: 201 });
    return { id: body['caseId'] as string, position: body['position'] as string };
  }

  async function consistencyOf(c: { id: string; position: string }): Promise<string> {
    const res = await fetch(`${api.baseUrl}/api/v1/cases?after=${c.position}&limit=1`, {
      headers: { authorization: `Bearer ${await signer.sign(HOTLINE, 600)}` },
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { consistency: { status: string } }).consistency.status;
  }

  async function horizonCheck(): Promise<Check & { ready: string }> {
    const res = await fetch(`${api.baseUrl}/health/ready`);
    const body = (await res.json()) as { status: string; checks: Check[] };
    const check = body.checks.find((c) => c.name === 'event-store-horizon');
    if (!check) throw new Error(`no event-store-horizon check in ${JSON.stringify(body)}`);
    return { ...check, ready: body.status };
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`no ${name} in /metrics`);
    return Number(line.split(' ')[1]);
  }

  it('an idle transaction in another database: degraded, named, measured; nothing lost once it ends', async () => {
    await eventually(async () => expect(await horizonCheck()).toMatchObject({ status: 'up' }));
    blocker = new Client({ connectionString: other.url, application_name: 'forgotten-report' });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('CREATE TABLE report_draft (n int)');
    const { rows } = await blocker.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const pid = rows[0]!.pid;

    const held = await file('behind an open transaction');
    expect(await consistencyOf(held)).toBe('behind');
    const degraded = await eventually(
      async () => {
        const check = await horizonCheck();
        expect(check).toMatchObject({ status: 'degraded', ready: 'degraded' });
        return check;
      },
      { timeoutMs: 15_000, intervalMs: 200 },
    );
    expect(degraded.error).toContain(`backend pid ${pid}`);
    expect(degraded.error).toContain("application_name 'forgotten-report'");
    expect(degraded.error).toContain('idle in transaction');
    expect(await metric('tongban_event_store_held_events')).toBeGreaterThanOrEqual(1);
    expect(await metric('tongban_event_store_held_seconds')).toBeGreaterThan(0);
    expect(await metric('tongban_event_store_horizon_transaction_seconds')).toBeGreaterThan(0);

    await blocker.query('ROLLBACK');
    await eventually(async () => expect(await horizonCheck()).toMatchObject({ status: 'up', ready: 'up' }), {
      timeoutMs: 15_000,
    });
    await eventually(async () => expect(await consistencyOf(held)).toBe('current'), { timeoutMs: 15_000 });
  }, 60_000);

  it('a forgotten prepared transaction: degraded, named by its id, until it is resolved', async () => {
    const admin = new Client({ connectionString: other.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ max_prepared_transactions: string }>(
        'SHOW max_prepared_transactions',
      );
      if (Number(rows[0]!.max_prepared_transactions) === 0) {
        process.stdout.write(
          'horizon e2e: prepared-transaction case skipped: max_prepared_transactions = 0 on this server ' +
            '(infra/scripts/services.sh sets 4)\n',
        );
        return;
      }
      await admin.query('BEGIN');
      await admin.query('CREATE TABLE IF NOT EXISTS two_phase (n int)');
      await admin.query('INSERT INTO two_phase VALUES (1)');
      await admin.query(`PREPARE TRANSACTION '${PREPARED_GID}'`);

      const held = await file('behind a prepared transaction');
      const degraded = await eventually(
        async () => {
          const check = await horizonCheck();
          expect(check).toMatchObject({ status: 'degraded' });
          return check;
        },
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      expect(degraded.error).toContain(`prepared transaction '${PREPARED_GID}'`);
      expect(await consistencyOf(held)).toBe('behind');

      await admin.query(`ROLLBACK PREPARED '${PREPARED_GID}'`);
      await eventually(async () => expect(await horizonCheck()).toMatchObject({ status: 'up' }), {
        timeoutMs: 15_000,
      });
      await eventually(async () => expect(await consistencyOf(held)).toBe('current'), { timeoutMs: 15_000 });
    } finally {
      await admin.end();
    }
  }, 60_000);
});
