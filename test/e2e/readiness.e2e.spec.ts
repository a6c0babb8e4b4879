import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '@tongban/event-store';
import { eventually } from '@tongban/testing';
import { createStandaloneApp } from '../../apps/standalone/src/start-standalone';

/**
 * Health tells the truth (issue 9, item 5): readiness stayed 200 `up` during both single-request
 * outages — every write failing, and the read models frozen behind an event they could not
 * apply. Each outage is injected here the way it looked from outside (the database refuses what
 * the app sends), without relying on the bugs that caused them, which are fixed: readiness must
 * turn red with the reason, /metrics must show it, and both must clear once the fault is gone.
 */

interface Check {
  readonly name: string;
  readonly status: 'up' | 'down';
  readonly error?: string;
}

describe('readiness and metrics in an outage (standalone)', () => {
  let dir: string;
  let app: NestFastifyApplication;
  let base: string;
  let db: DataSource;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-readiness-'));
    app = await createStandaloneApp(dir);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    db = app.get(DataSource);
  });

  afterAll(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function token(userId: string): Promise<string> {
    const known = tokens.get(userId);
    if (known) return known;
    const res = await fetch(`${base}/api/v1/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    const { accessToken } = (await res.json()) as { accessToken: string };
    tokens.set(userId, accessToken);
    return accessToken;
  }

  async function ready(): Promise<{ status: number; checks: Check[] }> {
    const res = await fetch(`${base}/health/ready`);
    const body = (await res.json()) as { checks: Check[] };
    return { status: res.status, checks: body.checks };
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${base}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name} `));
    if (!line) throw new Error(`metric ${name} not exported`);
    return Number(line.slice(name.length + 1));
  }

  let intakes = 0;
  async function fileCase(): Promise<{ status: number; body: Record<string, unknown> }> {
    intakes += 1;
    const res = await fetch(`${base}/api/v1/cases`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await token('demo-channel-hotline')}`,
        'idempotency-key': `readiness-e2e-${String(intakes).padStart(4, '0')}`,
      },
      body: JSON.stringify({
        channel: 'hotline',
        resident: { name: '赵阿姨', phone: '13900002222' },
        location: { address: '平城区古城街道太阳城社区' },
        title: '楼道灯不亮',
        description: '3号楼二单元楼道灯坏了一周。',
      }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('is up, with the write path and the projections checked, while everything works', async () => {
    const answer = await ready();
    expect(answer.status).toBe(200);
    expect(answer.checks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'database', status: 'up' }),
        expect.objectContaining({ name: 'write-path', status: 'up' }),
        expect.objectContaining({ name: 'projections', status: 'up' }),
      ]),
    );
    expect((await fileCase()).status).toBe(201);
  });

  it('turns red with the reason while no write can be stored, and green again after', async () => {
    await db.query(`CREATE FUNCTION tongban_es.outage() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected outage: the events table refuses writes'; END $$`);
    await db.query(`CREATE TRIGGER outage BEFORE INSERT ON tongban_es.events
      FOR EACH ROW EXECUTE FUNCTION tongban_es.outage()`);
    try {
      expect((await fileCase()).status).toBe(500);
      const answer = await ready();
      expect(answer.status).toBe(503);
      expect(answer.checks).toEqual(
        expect.arrayContaining([
          // SELECT 1 still works: only the probe of the real append tells.
          expect.objectContaining({ name: 'database', status: 'up' }),
          expect.objectContaining({
            name: 'write-path',
            status: 'down',
            error: expect.stringContaining('injected outage') as unknown,
          }),
        ]),
      );
    } finally {
      await db.query('DROP TRIGGER outage ON tongban_es.events');
      await db.query('DROP FUNCTION tongban_es.outage()');
    }
    expect((await ready()).status).toBe(200);
    expect((await fileCase()).status).toBe(201);
  });

  it('turns red with the reason while the projections are stuck, shows it in /metrics, and recovers', async () => {
    // Every projection writes its stream versions with every batch: all of them are stuck. (One
    // stuck alone is `degraded`, below: ADR 0017.)
    const streamTables = (
      await db.query<Array<{ table_name: string }>>(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_name LIKE 'rm\\_%\\_streams' ORDER BY 1`,
      )
    ).map((r) => r.table_name);
    expect(streamTables).toContain('rm_case_detail_streams');
    await db.query(`CREATE FUNCTION public.stuck() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault: the read models refuse rows'; END $$`);
    for (const table of streamTables) {
      await db.query(`CREATE TRIGGER stuck BEFORE INSERT OR UPDATE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION public.stuck()`);
    }
    let filed: { status: number; body: Record<string, unknown> };
    try {
      filed = await fileCase();
      expect(filed.status).toBe(201);
      const answer = await eventually(
        async () => {
          const now = await ready();
          expect(now.status).toBe(503);
          return now;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const projections = answer.checks.find((c) => c.name === 'projections');
      expect(projections).toMatchObject({ status: 'down' });
      expect(projections?.error).toMatch(/^stuck at position \S+ since .*batches failed in a row/);
      expect(projections?.error).toContain('injected fault');
      // The write path is fine: commands are still stored, only their views lag.
      expect(answer.checks.find((c) => c.name === 'write-path')).toMatchObject({ status: 'up' });
      expect(await metric('tongban_projection_consecutive_failures')).toBeGreaterThanOrEqual(3);
      expect(await metric('tongban_projection_failures')).toBeGreaterThanOrEqual(3);
      expect(await metric('tongban_projection_lag_events')).toBeGreaterThanOrEqual(1);
      expect(await metric('tongban_projection_lag_seconds')).toBeGreaterThan(0);
    } finally {
      for (const table of streamTables) await db.query(`DROP TRIGGER stuck ON ${table}`);
      await db.query('DROP FUNCTION public.stuck()');
    }
    await eventually(async () => expect((await ready()).status).toBe(200), {
      timeoutMs: 40_000,
      intervalMs: 200,
    });
    expect(await metric('tongban_projection_consecutive_failures')).toBe(0);
    expect(await metric('tongban_projection_lag_events')).toBe(0);
    expect(await metric('tongban_projection_lag_seconds')).toBe(0);
    const detail = await fetch(`${base}/api/v1/cases/${String(filed.body['caseId'])}`, {
      headers: { authorization: `Bearer ${await token('demo-supervisor-district')}` },
    });
    expect(detail.status).toBe(200);
  }, 90_000);

  it('says degraded, not down, naming the read model, while ONE projection is stuck; the others keep up; and recovers', async () => {
    await db.query(`CREATE FUNCTION public.stuck_one() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'injected fault: case_detail refuses rows'; END $$`);
    await db.query(`CREATE TRIGGER stuck_one BEFORE INSERT OR UPDATE ON rm_case_detail
      FOR EACH ROW EXECUTE FUNCTION public.stuck_one()`);
    let filed: { status: number; body: Record<string, unknown> };
    try {
      filed = await fileCase();
      expect(filed.status).toBe(201);
      const answer = await eventually(
        async () => {
          const res = await fetch(`${base}/health/ready`);
          const body = (await res.json()) as { status: string; checks: Check[] };
          expect(res.status).toBe(200);
          expect(body.status).toBe('degraded');
          return body;
        },
        { timeoutMs: 30_000, intervalMs: 200 },
      );
      const projections = answer.checks.find((c) => c.name === 'projections') as Check & {
        status: string;
      };
      expect(projections.status).toBe('degraded');
      expect(projections.error).toMatch(
        /^case_detail stopped at position \S+ since \S+ \(\d+ failed attempts, next retry \S+\): /,
      );
      expect(projections.error).toContain('injected fault');
      expect(answer.checks.find((c) => c.name === 'write-path')).toMatchObject({ status: 'up' });
      const text = await (await fetch(`${base}/metrics`)).text();
      expect(text).toContain('tongban_projection_stopped{projection="case_detail"} 1');
      expect(text).toContain('tongban_projection_stopped{projection="case_timeline"} 0');
      expect(await metric('tongban_projection_consecutive_failures')).toBe(0);
      expect(await metric('tongban_projection_failures')).toBeGreaterThanOrEqual(1);
      expect(await metric('tongban_projection_lag_events')).toBeGreaterThanOrEqual(1);
      // The others are current: the case's timeline has it while its detail cannot be built.
      const timeline = await db.query<Array<{ type: string }>>(
        `SELECT type FROM rm_case_timeline WHERE case_id = $1 ORDER BY version`,
        [filed.body['caseId']],
      );
      // Its submission and, in the same append, its routing (issue 13); then, once the SLA
      // watcher has seen it, its due times (ADR 0029).
      expect(timeline.map((r) => r.type).slice(0, 2)).toEqual(['case.submitted', 'case.routed']);
      expect(timeline.slice(2).every((r) => r.type === 'case.due_times_set')).toBe(true);
    } finally {
      await db.query('DROP TRIGGER stuck_one ON rm_case_detail');
      await db.query('DROP FUNCTION public.stuck_one()');
    }
    // It retries by itself with back-off, and catches up once the fault is gone.
    await eventually(
      async () => {
        const res = await fetch(`${base}/health/ready`);
        expect(((await res.json()) as { status: string }).status).toBe('up');
      },
      { timeoutMs: 40_000, intervalMs: 200 },
    );
    expect(await metric('tongban_projection_lag_events')).toBe(0);
    const detail = await fetch(`${base}/api/v1/cases/${String(filed.body['caseId'])}`, {
      headers: { authorization: `Bearer ${await token('demo-supervisor-district')}` },
    });
    expect(detail.status).toBe(200);
  }, 90_000);

  // Last: a poison event holds the runner until an operator ships an upcaster (ADR 0006, 0008).
  it('turns red naming the event when an event in the store cannot be read by the projections', async () => {
    const store = app.get<EventStore>(EVENT_STORE);
    const caseId = crypto.randomUUID();
    // What a newer build (or a hand edit) could leave behind: a schema version no upcaster knows.
    await store.append(
      `case-${caseId}`,
      [
        {
          id: crypto.randomUUID(),
          type: 'case.submitted',
          schemaVersion: 99,
          data: { caseId },
          metadata: { correlationId: crypto.randomUUID() },
        },
      ],
      'no_stream',
    );
    const answer = await eventually(
      async () => {
        const now = await ready();
        expect(now.status).toBe(503);
        // The SLA watcher's feed meets the event too (ADR 0028); wait for both to have said so.
        expect(now.checks.find((c) => c.name === 'projections')?.error).toBeDefined();
        expect(now.checks.find((c) => c.name === 'sla-watch')).toMatchObject({ status: 'down' });
        return now;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(answer.checks.find((c) => c.name === 'sla-watch')?.error).toContain('case.submitted v99 in case-');
    const projections = answer.checks.find((c) => c.name === 'projections');
    expect(projections?.error).toContain(`case.submitted case-${caseId}@1`);
    expect(projections?.error).toContain('case.submitted v99 in case-');
    expect(projections?.error).toContain('is newer than this build knows (v2)');
    expect(answer.checks.find((c) => c.name === 'write-path')).toMatchObject({ status: 'up' });
    expect(await metric('tongban_projection_lag_events')).toBeGreaterThanOrEqual(1);
  }, 60_000);
});
