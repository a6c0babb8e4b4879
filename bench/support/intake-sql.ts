import { randomUUID } from 'node:crypto';
import { PostgresEventStore, type EventToAppend, type JsonObject } from '@tongban/event-store';
import { elapsedMs, nowNs, sample, summarise, type Measurement, type RawRun } from './stats';
import type { Pool } from './systems';

/**
 * The database work of one intake without HTTP, Nest or the api process: the statements
 * `SubmitCaseHandler` sent before ADR 0013 (`today`, `claimOnly`), under ADR 0013 (`merged`), the
 * one it sends now (`oneStatement`, as libs/case-handling/src/submit-case/submit-case.command.ts
 * sends it through `PostgresEventStore.startStreamWith`), and the step in between, each at the same concurrency on the same tables of the api's database. What the
 * api adds on top is the difference between these figures and the HTTP ones. The keys stay as
 * they were so runs from before the change still render.
 */

export interface SqlVariant {
  readonly key: string;
  readonly title: string;
  /** Round trips and commits per intake, as the code sends them. */
  readonly shape: string;
}

export const SQL_VARIANTS: readonly SqlVariant[] = [
  {
    key: 'today',
    title: 'before ADR 0013: claim transaction, then the append',
    shape:
      'BEGIN · SELECT claim · upsert the day counter (row locked until COMMIT) · INSERT claim · COMMIT, then the append: 6 round trips, 2 commits',
  },
  {
    key: 'claimOnly',
    title: 'before ADR 0013: the claim transaction alone',
    shape:
      'BEGIN · SELECT · upsert counter · INSERT claim · COMMIT: 5 round trips, 1 commit under the counter lock',
  },
  {
    key: 'appendOnly',
    title: 'the append alone (PostgresEventStore.append)',
    shape: '1 round trip, 1 commit',
  },
  {
    key: 'blocks',
    title: 'two transactions, the number from a block of 100 reserved on the counter row',
    shape:
      'BEGIN · SELECT claim · INSERT claim · COMMIT, then the append: 5 round trips, 2 commits; the counter row once per 100 intakes',
  },
  {
    key: 'merged',
    title: 'ADR 0013: ONE transaction (claim + append), number from a reserved block',
    shape: 'BEGIN · INSERT claim ON CONFLICT DO NOTHING · append_events · COMMIT: 4 round trips, 1 commit',
  },
  {
    key: 'oneStatement',
    title: 'now (ADR 0016): ONE autocommit statement (claim CTE + append), number from a reserved block',
    shape:
      'WITH claim AS (INSERT … ON CONFLICT DO NOTHING RETURNING) SELECT … append_events_or_raise(…): 1 round trip, 1 commit',
  },
  {
    key: 'floor',
    title: 'bare: one autocommit INSERT of the JSON into one table',
    shape: '1 round trip, 1 commit',
  },
];

/** Per-day case numbers handed out from blocks reserved on the counter row (hi/lo). */
class NumberBlocks {
  private next = 0;
  private end = 0;
  private refill: Promise<void> | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly day: string,
    private readonly size: number,
  ) {}

  async take(): Promise<number> {
    while (this.next >= this.end) {
      this.refill ??= this.reserve().finally(() => (this.refill = undefined));
      await this.refill;
    }
    return ++this.next;
  }

  private async reserve(): Promise<void> {
    // One short autocommit statement per block: the row is locked for this statement only.
    const { rows } = await this.pool.query<{ last_value: number }>(
      `INSERT INTO case_number_counters (day, last_value) VALUES ($1, $2)
       ON CONFLICT (day) DO UPDATE SET last_value = case_number_counters.last_value + $2
       RETURNING last_value`,
      [this.day, this.size],
    );
    this.end = rows[0]!.last_value;
    this.next = this.end - this.size;
  }
}

export interface SqlRunResult {
  readonly variant: SqlVariant;
  readonly measurement: Measurement;
}

/**
 * Runs every variant for `seconds` with `clients` concurrent loops on `pool` (the api's database,
 * after its migrations), each intake a new case stream with a real `case.submitted` payload.
 */
export async function runIntakeSql(options: {
  readonly pool: Pool;
  readonly clients: number;
  readonly seconds: number;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
  readonly requestJson: string;
  readonly log: (message: string) => void;
}): Promise<SqlRunResult[]> {
  const { pool } = options;
  const store = new PostgresEventStore({ pool });
  await pool.query(
    'CREATE TABLE IF NOT EXISTS bench_sql_floor (id bigserial PRIMARY KEY, body jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())',
  );
  const event = (): EventToAppend => ({
    id: randomUUID(),
    type: 'case.submitted',
    schemaVersion: 1,
    data: options.data,
    metadata: options.metadata,
  });
  // Far-future days of their own: the api's numbers are never touched.
  let dayIndex = 0;
  const nextDay = (): string => `2099-01-${String(++dayIndex).padStart(2, '0')}`;

  const claimToday = async (scope: string, key: string, day: string): Promise<string> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        'SELECT case_id, case_number, request_hash FROM case_intake_requests WHERE scope = $1 AND idempotency_key = $2',
        [scope, key],
      );
      const { rows } = await client.query<{ last_value: number }>(
        `INSERT INTO case_number_counters (day, last_value) VALUES ($1, 1)
         ON CONFLICT (day) DO UPDATE SET last_value = case_number_counters.last_value + 1
         RETURNING last_value`,
        [day],
      );
      const caseId = randomUUID();
      await client.query(
        `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, idempotency_key) DO NOTHING RETURNING case_id`,
        [scope, key, 'h', caseId, `BENCH-${day}-${rows[0]!.last_value}`],
      );
      await client.query('COMMIT');
      return caseId;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  };

  const runs: Record<string, (day: string) => () => Promise<number>> = {
    today: (day) => async () => {
      const caseId = await claimToday('bench-sql', randomUUID(), day);
      await store.append(`case-${caseId}`, [event()], 'no_stream');
      return 1;
    },
    claimOnly: (day) => async () => {
      await claimToday('bench-sql', randomUUID(), day);
      return 1;
    },
    appendOnly: () => async () => {
      await store.append(`case-${randomUUID()}`, [event()], 'no_stream');
      return 1;
    },
    blocks: (day) => {
      const numbers = new NumberBlocks(pool, day, 100);
      return async () => {
        const number = await numbers.take();
        const client = await pool.connect();
        const caseId = randomUUID();
        try {
          await client.query('BEGIN');
          await client.query(
            'SELECT case_id FROM case_intake_requests WHERE scope = $1 AND idempotency_key = $2',
            ['bench-sql', caseId],
          );
          await client.query(
            `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, idempotency_key) DO NOTHING RETURNING case_id`,
            ['bench-sql', caseId, 'h', caseId, `BENCH-${day}-${number}`],
          );
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        await store.append(`case-${caseId}`, [event()], 'no_stream');
        return 1;
      };
    },
    merged: (day) => {
      const numbers = new NumberBlocks(pool, day, 100);
      return async () => {
        const number = await numbers.take();
        const client = await pool.connect();
        const caseId = randomUUID();
        try {
          await client.query('BEGIN');
          const { rows } = await client.query(
            `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, idempotency_key) DO NOTHING RETURNING case_id`,
            ['bench-sql', caseId, 'h', caseId, `BENCH-${day}-${number}`],
          );
          if (rows.length !== 1) throw new Error('unexpected claim conflict');
          await store.appendInTransaction(client, `case-${caseId}`, [event()], 'no_stream');
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
        return 1;
      };
    },
    oneStatement: (day) => {
      const numbers = new NumberBlocks(pool, day, 100);
      return async () => {
        const number = await numbers.take();
        const caseId = randomUUID();
        const appended = await store.startStreamWith(
          {
            name: 'bench.claim_intake',
            text: `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
                   VALUES ($1, $2, $3, $4, $5) ON CONFLICT (scope, idempotency_key) DO NOTHING RETURNING case_id`,
            values: ['bench-sql', caseId, 'h', caseId, `BENCH-${day}-${number}`],
          },
          `case-${caseId}`,
          [event()],
        );
        if (!appended) throw new Error('unexpected claim conflict');
        return 1;
      };
    },
    floor: () => async () => {
      await pool.query({
        name: 'bench_sql_floor',
        text: 'INSERT INTO bench_sql_floor (body) VALUES ($1::jsonb) RETURNING id',
        values: [options.requestJson],
      });
      return 1;
    },
  };

  const results: SqlRunResult[] = [];
  for (const variant of SQL_VARIANTS) {
    const op = runs[variant.key]!(nextDay());
    // A short untimed warm-up: connections open, statements prepared.
    await timed(op, options.clients, 0.5);
    await pool.query('CHECKPOINT');
    const s = await sample(() => timed(op, options.clients, options.seconds));
    const measurement = summarise([s]);
    options.log(
      `  sql ${variant.key}: ${Math.round(measurement.opsPerSecond)} intakes/s, p50 ${measurement.latencyMs.p50.toFixed(1)} ms, p99 ${measurement.latencyMs.p99.toFixed(1)} ms`,
    );
    results.push({ variant, measurement });
  }
  return results;
}

/** `op` in `clients` closed loops until `seconds` have passed. */
async function timed(op: () => Promise<number>, clients: number, seconds: number): Promise<RawRun> {
  const latenciesMs: number[] = [];
  let events = 0;
  const start = nowNs();
  const deadline = performance.now() + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const t0 = nowNs();
      const written = await op();
      latenciesMs.push(elapsedMs(t0));
      events += written;
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  return { latenciesMs, events, wallMs: elapsedMs(start) };
}
