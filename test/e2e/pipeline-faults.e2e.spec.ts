import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { CASE_READ_MODEL_MIGRATIONS, CASE_PROJECTIONS } from '@tongban/case-read-models';
import { READ_MODEL_TABLES, appendWorkload, readModelChecksums } from '@tongban/case-read-models/testing';
import { caseStreamId } from '@tongban/cases';
import { generateCaseWorkload, type CaseWorkload } from '@tongban/cases/testing';
import { DEAD_LETTER_HEADERS, kafkaTopics, toEnvelope } from '@tongban/contracts';
import { PostgresEventStore, eventStorePoolConfig, migrateEventStore } from '@tongban/event-store';
import { KafkaMessageBus, type ReceivedMessage } from '@tongban/messaging';
import { rebuildProjections } from '@tongban/projections';
import {
  createTestDatabase,
  eventually,
  migratedDataSource,
  startDeployable,
  startPrivateKafka,
  type DeployableProcess,
  type PrivateKafka,
  type TestDatabase,
} from '@tongban/testing';

/**
 * The multi-process pipeline under faults (issue 15, ADR 0030): the relay, two projectors and the
 * broker as separate processes on real PostgreSQL and a real Kafka of this file's own.
 *
 * 1. 10,000 events over 200 cases: the relay killed with -9 mid-stream and started again, the
 *    broker stopped and started mid-stream, one of the two projectors (one consumer group)
 *    killed with -9 mid-stream — every event applied once, in order per case, and the read
 *    models equal a rebuild from the store, checksum for checksum.
 * 2. One poison message among 1,000: 999 applied, the poison in the dead-letter topic with its
 *    error, and the partition moved on.
 */

const SECRET = 'e2e-pipeline-secret-that-is-long-enough-for-hs256';
const EVENTS = 10_000;
const CASES = 200;

let dir: string;
let kafka: PrivateKafka;
const procs: DeployableProcess[] = [];

async function start(
  app: 'relay' | 'projector',
  name: string,
  env: Record<string, string>,
): Promise<DeployableProcess> {
  const proc = await startDeployable({
    app,
    name,
    dir,
    env: { AUTH_MODE: 'jwt', AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: SECRET, ...env },
  });
  procs.push(proc);
  return proc;
}

interface Setup {
  readonly db: TestDatabase;
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly env: Record<string, string>;
  readonly prefix: string;
}

async function setup(name: string): Promise<Setup> {
  const db = await createTestDatabase(name);
  const pool = new Pool(eventStorePoolConfig(db.url, { max: 6 }));
  await migrateEventStore(pool);
  await (await migratedDataSource(db.url, CASE_READ_MODEL_MIGRATIONS)).destroy();
  const store = new PostgresEventStore({ pool });
  const prefix = `e2e.${db.name}.`;
  return {
    db,
    pool,
    store,
    prefix,
    env: {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      RELAY_LEASE_MS: '2000',
    },
  };
}

async function teardown(s: Setup | undefined): Promise<void> {
  await s?.store.close();
  await s?.pool.end();
  await s?.db.drop();
}

/** Appends the workload's appends in [from, to) as the case application would. */
async function append(s: Setup, workload: CaseWorkload, from: number, to: number): Promise<void> {
  await appendWorkload(s.store, workload.appends.slice(from, to), 'pipeline', from);
}

async function applied(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM message_inbox WHERE consumer = 'projector' AND outcome = 'applied'`,
  );
  return rows[0]!.n;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tongban-pipeline-'));
  kafka = await startPrivateKafka();
}, 180_000);

afterAll(async () => {
  for (const p of procs) await p.kill('SIGKILL');
  await kafka?.down();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('the pipeline store → relay → Kafka → projectors under faults', () => {
  it('10,000 events over 200 cases converge through kill -9 of the relay, a broker restart and kill -9 of a projector', async () => {
    const s = await setup('pipeline');
    try {
      const workload = generateCaseWorkload({ seed: 20261201, events: EVENTS, cases: CASES });
      const appends = workload.appends.length;
      const relay1 = await start('relay', 'relay-1', s.env);
      const projector1 = await start('projector', 'projector-1', s.env);
      const projector2 = await start('projector', 'projector-2', s.env);

      // A third of the load, then the relay is killed mid-stream while more is appended.
      await append(s, workload, 0, Math.floor(appends / 3));
      await eventually(async () => expect(await applied(s.pool)).toBeGreaterThan(500), { timeoutMs: 60_000 });
      await relay1.kill('SIGKILL');
      await append(s, workload, Math.floor(appends / 3), Math.floor(appends / 2));
      await start('relay', 'relay-2', s.env);

      // The broker stopped and started while events keep coming.
      await kafka.stop();
      await append(s, workload, Math.floor(appends / 2), Math.floor((2 * appends) / 3));
      await kafka.start();

      // One projector killed mid-stream: the other takes its partitions.
      await eventually(async () => expect(await applied(s.pool)).toBeGreaterThan(EVENTS / 2), {
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      await projector1.kill('SIGKILL');
      await append(s, workload, Math.floor((2 * appends) / 3), appends);

      await eventually(async () => expect(await applied(s.pool)).toBe(EVENTS), {
        timeoutMs: 240_000,
        intervalMs: 500,
      });
      expect(await s.store.countAll({ filter: { streamPrefix: 'case-' } })).toBe(EVENTS);
      // In order per case: each stream's versions taken in 1, 2, 3… with no hole, none twice.
      const { rows: holes } = await s.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM (
           SELECT stream_id, count(*) AS c, max(stream_version) AS m FROM message_inbox
            WHERE consumer = 'projector' GROUP BY stream_id) x
          WHERE c <> m`,
      );
      expect(holes[0]!.n).toBe(0);
      const { rows: dead } = await s.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM message_inbox WHERE outcome <> 'applied'`,
      );
      expect(dead[0]!.n).toBe(0);
      await projector2.kill('SIGTERM');
      for (const p of procs) await p.kill('SIGTERM');

      const fromKafka = await readModelChecksums(s.pool);
      for (const table of READ_MODEL_TABLES)
        expect({ table, rows: fromKafka[table]!.rows > 0 }).toEqual({ table, rows: true });
      expect((await rebuildProjections(s.pool, s.store, CASE_PROJECTIONS, { batchSize: 2_000 })).events).toBe(
        EVENTS,
      );
      expect(await readModelChecksums(s.pool)).toEqual(fromKafka);
    } finally {
      for (const p of procs) await p.kill('SIGKILL');
      await teardown(s);
    }
  }, 600_000);

  it('one poison message among 1,000: 999 applied, the poison in the dead-letter topic with its error', async () => {
    const s = await setup('poison');
    const bus = new KafkaMessageBus({ brokers: kafka.brokers, clientId: 'pipeline-poison' });
    try {
      const topics = kafkaTopics(s.prefix);
      const workload = generateCaseWorkload({ seed: 20261202, events: 999, cases: 40 });
      await start('relay', 'poison-relay', s.env);
      await start('projector', 'poison-projector', s.env);
      const dead: ReceivedMessage[] = [];
      await bus.ensureTopics([topics.caseEventsDeadLetter]);
      await bus.subscribe(
        { topic: topics.caseEventsDeadLetter, group: `${s.prefix}dlq-reader` },
        async (m) => {
          dead.push(m);
        },
      );

      const half = Math.floor(workload.appends.length / 2);
      await append(s, workload, 0, half);
      // A well-formed envelope the projections cannot take: an intake event without its data.
      const poisonCase = randomUUID();
      const poison = toEnvelope({
        id: randomUUID(),
        type: 'case.submitted',
        streamId: caseStreamId(poisonCase),
        version: 1,
        position: { tx: 1n, seq: 1n },
        data: { caseId: poisonCase, broken: true },
        metadata: {},
        schemaVersion: 1,
        recordedAt: new Date(),
      });
      await bus.publish(topics.caseEvents, [{ key: poisonCase, value: JSON.stringify(poison) }]);
      await append(s, workload, half, workload.appends.length);

      await eventually(async () => expect(await applied(s.pool)).toBe(999), {
        timeoutMs: 120_000,
        intervalMs: 200,
      });
      await eventually(() => expect(dead).toHaveLength(1), { timeoutMs: 60_000 });
      const letter = dead[0]!;
      expect(JSON.parse(letter.value)).toMatchObject({ eventId: poison.eventId, type: 'case.submitted' });
      expect(letter.headers?.[DEAD_LETTER_HEADERS.errorCode]).toBe('consumer.handler_failed');
      expect(letter.headers?.[DEAD_LETTER_HEADERS.error]).toContain(`${caseStreamId(poisonCase)}@1`);
      expect(Number(letter.headers?.[DEAD_LETTER_HEADERS.attempts])).toBeGreaterThanOrEqual(5);
      // Published before the inbox records it (ADR 0030): the record follows.
      await eventually(
        async () => {
          const { rows } = await s.pool.query(
            `SELECT outcome FROM message_inbox WHERE consumer = 'projector' AND event_id = $1`,
            [poison.eventId],
          );
          expect(rows).toEqual([{ outcome: 'dead_lettered' }]);
        },
        { timeoutMs: 30_000 },
      );
    } finally {
      await bus.close();
      for (const p of procs) await p.kill('SIGKILL');
      await teardown(s);
    }
  }, 300_000);
});
