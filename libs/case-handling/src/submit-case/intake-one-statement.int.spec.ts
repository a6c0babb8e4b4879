import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CaseError } from '@tongban/cases';
import { poolOnConnect, startEmbeddedPostgres } from '@tongban/database';
import {
  migrateEventStore,
  PostgresEventStore,
  poolOf,
  WrongExpectedVersionError,
} from '@tongban/event-store';
import { createTestDatabase } from '@tongban/testing';
import { DEFAULT_CASE_HANDLING_OPTIONS } from '../case-handling.options';
import { CaseIntake1764201600000 } from './case-intake.migration';
import {
  IdempotencyKeyReusedError,
  SubmitCaseCommand,
  SubmitCaseHandler,
  type SubmitCaseInput,
  type SubmitCaseResult,
} from './submit-case.command';
import { fixedDirectory } from '../directory/case-directory';
import { CaseRouter } from '../route-case/case-router';

/** These tests are about intake itself: no directory, nothing routed. */
const ROUTING_OFF = new CaseRouter(fixedDirectory(null), DEFAULT_CASE_HANDLING_OPTIONS);

/**
 * Intake as ONE statement (ADR 0016) on both databases Tongban runs on: PostgreSQL with a pool
 * as the api sizes it, and PGlite (one session, a pool of one) as standalone connects to it.
 */
interface Target {
  readonly dataSource: DataSource;
  stop(): Promise<void>;
}

const targets: Array<[string, () => Promise<Target>]> = [
  [
    'PostgreSQL, a pool of 10',
    async () => {
      const db = await createTestDatabase('intake1');
      const dataSource = new DataSource({
        type: 'postgres',
        url: db.url,
        migrations: [CaseIntake1764201600000],
        extra: { max: 10 },
      });
      return {
        dataSource,
        stop: async () => {
          await dataSource.destroy();
          await db.drop();
        },
      };
    },
  ],
  [
    'PGlite, a pool of one',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tongban-intake1-'));
      const embedded = await startEmbeddedPostgres({ dataDir: dir });
      const dataSource = new DataSource({
        type: 'postgres',
        url: embedded.url,
        migrations: [CaseIntake1764201600000],
        extra: { max: 1, onConnect: poolOnConnect(embedded.onConnect) },
      });
      return {
        dataSource,
        stop: async () => {
          await dataSource.destroy();
          await embedded.stop();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  ],
];

const input = (overrides: Partial<SubmitCaseInput> = {}): SubmitCaseInput => ({
  actor: { id: 'agent-12345-07', role: 'channel' },
  at: '2026-12-01T02:00:00.000Z',
  channel: 'hotline',
  resident: { name: '周立新', phone: '13812345678' },
  location: { address: '平城区南关街道永泰社区3号楼' },
  title: '楼道灯不亮',
  description: '3号楼二单元楼道灯坏了一周。',
  attachments: [],
  ...overrides,
});

describe.each(targets)('intake as one statement on %s', (_name, start) => {
  let target: Target;
  let store: PostgresEventStore;
  let handler: SubmitCaseHandler;
  const statements: string[] = [];

  beforeAll(async () => {
    target = await start();
    const pool = poolOf(await target.dataSource.initialize());
    await target.dataSource.runMigrations();
    await migrateEventStore(pool);
    // Every statement sent through the pool, by its first words, and every connection taken
    // for a transaction of its own.
    let inQuery = false;
    const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
      statements.push(text.trim().split(/\s+/).slice(0, 2).join(' '));
      // pool.query takes its connection through pool.connect, synchronously: not counted.
      inQuery = true;
      try {
        return query(...args);
      } finally {
        inQuery = false;
      }
    };
    const connect = pool.connect.bind(pool) as (...args: unknown[]) => unknown;
    (pool as unknown as { connect: (...args: unknown[]) => unknown }).connect = (...args: unknown[]) => {
      if (!inQuery) statements.push('pool.connect');
      return connect(...args);
    };
    store = new PostgresEventStore({ pool, notify: false });
    handler = new SubmitCaseHandler(target.dataSource, store, DEFAULT_CASE_HANDLING_OPTIONS, ROUTING_OFF);
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await target?.stop();
  });

  const submit = (body: SubmitCaseInput, key = randomUUID()): Promise<SubmitCaseResult> =>
    handler.execute(new SubmitCaseCommand(body, key, { correlationId: randomUUID() }));

  async function rows(): Promise<{ claims: number; events: number; unpaired: number }> {
    const [row] = await target.dataSource.query<Array<{ claims: number; events: number; unpaired: number }>>(
      `SELECT (SELECT count(*)::int FROM case_intake_requests) AS claims,
              (SELECT count(*)::int FROM tongban_es.events) AS events,
              (SELECT count(*)::int FROM case_intake_requests c
                WHERE NOT EXISTS (SELECT 1 FROM tongban_es.events e
                                   WHERE e.stream_id = 'case-' || c.case_id::text
                                     AND e.type = 'case.submitted')) AS unpaired`,
    );
    return row!;
  }

  it('files a case with ONE statement once its number block is reserved', async () => {
    await submit(input());
    statements.length = 0;
    const result = await submit(input());
    expect(result).toMatchObject({ created: true, version: 1 });
    expect(statements).toEqual(['WITH guard']);
    expect(await rows()).toMatchObject({ unpaired: 0 });
  });

  it('makes ONE case of 50 concurrent retries of a key, and answers every one with it', async () => {
    const before = await rows();
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 50 }, () => submit(input(), key)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const { created: _created, ...first } = results.find((r) => r.created)!;
    for (const r of results) expect(r).toEqual({ ...first, created: r.created });
    expect(await rows()).toEqual({ claims: before.claims + 1, events: before.events + 1, unpaired: 0 });
  });

  it('answers 422 to concurrent requests that reuse a key with another body, filing one case', async () => {
    const before = await rows();
    const key = randomUUID();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => submit(input({ title: `楼道灯不亮 ${i % 2}` }), key)),
    );
    const filed = outcomes.filter(
      (o): o is PromiseFulfilledResult<SubmitCaseResult> => o.status === 'fulfilled',
    );
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    // Ten bodies are the winner's (its case); the other ten are refused.
    expect(filed).toHaveLength(10);
    expect(new Set(filed.map((o) => o.value.caseId)).size).toBe(1);
    expect(refused).toHaveLength(10);
    for (const o of refused) expect(o.reason).toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await rows()).toEqual({ claims: before.claims + 1, events: before.events + 1, unpaired: 0 });
  });

  it('answers 422 key_reused to a request decide would refuse, when its key was used for another', async () => {
    const key = randomUUID();
    await submit(input(), key);
    const before = await rows();
    const refused = input({ resident: { name: '', phone: '13812345678' } });
    await expect(submit(refused, key)).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    // With a key of its own, the same request gets decide's own refusal.
    await expect(submit(refused)).rejects.toBeInstanceOf(CaseError);
    expect(await rows()).toEqual(before);
  });

  it('takes the claim back when the store refuses the append (its stream exists)', async () => {
    const before = await rows();
    const caseId = randomUUID();
    const stream = `case-${caseId}`;
    await store.append(stream, [{ id: randomUUID(), type: 'case.noted', data: {} }], 'no_stream');
    const claim = {
      name: 'test.claim_intake',
      text: `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
             VALUES ($1, $2, 'h', $3, $4) ON CONFLICT (scope, idempotency_key) DO NOTHING RETURNING case_id`,
      values: ['someone', randomUUID(), caseId, `TEST-${caseId}`],
    };
    await expect(
      store.startStreamWith(claim, stream, [{ id: randomUUID(), type: 'case.submitted', data: {} }]),
    ).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect(await rows()).toEqual({ ...before, events: before.events + 1 });
  });

  it('never leaves a claim without its event: a refused append takes the claim with it', async () => {
    const before = await rows();
    await target.dataSource.query(`
      CREATE FUNCTION refuse_intake_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'the events table refuses case.submitted'; END $$;
      CREATE TRIGGER refuse_intake_event BEFORE INSERT ON tongban_es.events
        FOR EACH ROW WHEN (NEW.type = 'case.submitted') EXECUTE FUNCTION refuse_intake_event();`);
    const key = randomUUID();
    try {
      await expect(submit(input(), key)).rejects.toThrow('the events table refuses case.submitted');
      expect(await rows()).toEqual(before);
    } finally {
      await target.dataSource.query(
        'DROP TRIGGER refuse_intake_event ON tongban_es.events; DROP FUNCTION refuse_intake_event()',
      );
    }
    // The key was not used up: the same request files its case now.
    expect(await submit(input(), key)).toMatchObject({ created: true });
    expect(await rows()).toEqual({ claims: before.claims + 1, events: before.events + 1, unpaired: 0 });
  });

  it('refuses a case number already taken (the UNIQUE backstop), writing nothing, and skips it', async () => {
    // A day of its own and a handler of its own: its first block starts at 1.
    const day = { at: '2026-12-02T02:00:00.000Z' };
    await target.dataSource.query(
      `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
       VALUES ('someone-else', $1, 'h', $2, 'PC-20261202-000001')`,
      [randomUUID(), randomUUID()],
    );
    const before = await rows();
    const fresh = new SubmitCaseHandler(target.dataSource, store, DEFAULT_CASE_HANDLING_OPTIONS, ROUTING_OFF);
    const submitFresh = (key = randomUUID()) =>
      fresh.execute(new SubmitCaseCommand(input(day), key, { correlationId: randomUUID() }));
    const key = randomUUID();
    await expect(submitFresh(key)).rejects.toThrow(/case_number/);
    expect(await rows()).toEqual(before);
    // The number is skipped, never retried; the key was not used up.
    expect(await submitFresh(key)).toMatchObject({ created: true, caseNumber: 'PC-20261202-000002' });
    expect(await rows()).toEqual({
      claims: before.claims + 1,
      events: before.events + 1,
      unpaired: before.unpaired,
    });
  });
});
