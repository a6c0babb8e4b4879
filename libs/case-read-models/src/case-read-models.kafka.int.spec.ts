import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { generateCaseWorkload } from '@tongban/cases/testing';
import { consumerDeadLetterHeaders, decodeEventMessage, eventMessage } from '@tongban/contracts';
import {
  PostgresEventStore,
  eventStorePoolConfig,
  migrateEventStore,
  type GlobalPosition,
  type RecordedEvent,
} from '@tongban/event-store';
import { KafkaMessageBus, type BusMessage } from '@tongban/messaging';
import { KafkaProjector, ReadModelConsistency, rebuildProjections } from '@tongban/projections';
import {
  createTestDatabase,
  eventually,
  kafkaBrokers,
  migratedDataSource,
  type TestDatabase,
} from '@tongban/testing';
import { CASE_PROJECTIONS } from './projections';
import { READ_MODEL_TABLES, appendWorkload, readModelChecksums } from './testing';
import { CASE_READ_MODEL_MIGRATIONS } from './index';

/**
 * The case read models fed through the real Kafka (ADR 0030): 10,000 events of a randomized
 * workload over 200 cases, published as the relay publishes them (the public envelope, keyed by
 * case), consumed by two projectors in one consumer group of which one is stopped mid-stream —
 * every event applied once, in order per case, and the tables equal a rebuild from the store,
 * checksum for checksum. A query's `after` waits on the inbox, whichever partition the event took.
 */
const EVENTS = 10_000;
const CASES = 200;

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;
let bus: KafkaMessageBus;
const topic = `case-events-${randomUUID().slice(0, 8)}`;
const consumer = `projector-${randomUUID().slice(0, 8)}`;

function projector(): KafkaProjector {
  return new KafkaProjector({
    topic,
    deadLetterTopic: `${topic}.dead-letter`,
    consumer,
    decode: decodeEventMessage,
    deadLetterHeaders: consumerDeadLetterHeaders,
    pool,
    store,
    bus,
    projections: CASE_PROJECTIONS,
  });
}

async function inboxCount(): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM message_inbox WHERE consumer = $1 AND outcome = 'applied'`,
    [consumer],
  );
  return rows[0]!.n;
}

beforeAll(async () => {
  db = await createTestDatabase('kafka_views');
  pool = new Pool(eventStorePoolConfig(db.url, { max: 10 }));
  await migrateEventStore(pool);
  await (await migratedDataSource(db.url, CASE_READ_MODEL_MIGRATIONS)).destroy();
  store = new PostgresEventStore({ pool });
  bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'kafka-views-int' });
  await bus.ensureTopics([topic, `${topic}.dead-letter`]);
}, 60_000);

afterAll(async () => {
  await bus?.close();
  await store?.close();
  await pool?.end();
  await db?.drop();
});

describe('the case read models through Kafka', () => {
  it('apply 10,000 events over 200 cases once each, in order per case, across a projector stopped mid-stream, equal to a rebuild from the store', async () => {
    const workload = generateCaseWorkload({ seed: 20261130, events: EVENTS, cases: CASES });
    const head = await appendWorkload(store, workload.appends, 'kafka');
    // All of them visible to readers: a transaction open elsewhere in the cluster may hold some back a moment.
    await eventually(async () => expect(await store.countAll()).toBe(EVENTS));
    const events: RecordedEvent[] = [];
    for (let after: GlobalPosition | undefined; ;) {
      const page = await store.readAll({ ...(after ? { after } : {}), maxCount: 2_000 });
      events.push(...page.events);
      after = page.next;
      if (page.caughtUp) break;
    }
    expect(events).toHaveLength(EVENTS);
    expect(new Set(events.map((e) => e.streamId)).size).toBeGreaterThanOrEqual(CASES);
    const messages: BusMessage[] = events.map((e) => eventMessage(e)!.message);

    const first = projector();
    const second = projector();
    await first.start();
    await second.start();
    // The first half, then one projector stops while the second half arrives: the other takes its
    // partitions over (a rebalance mid-stream) and nothing is lost or applied twice.
    await bus.publish(topic, messages.slice(0, EVENTS / 2));
    await eventually(async () => expect(await inboxCount()).toBeGreaterThan(EVENTS / 4), {
      timeoutMs: 60_000,
    });
    await first.stop();
    await bus.publish(topic, messages.slice(EVENTS / 2));
    // And the first half once more: redelivery on a grand scale, absorbed by the inbox.
    await bus.publish(topic, messages.slice(0, EVENTS / 2));
    await eventually(async () => expect(await inboxCount()).toBe(EVENTS), {
      timeoutMs: 120_000,
      intervalMs: 200,
    });
    await eventually(() => expect(second.consumer.duplicates).toBeGreaterThanOrEqual(EVENTS / 2), {
      timeoutMs: 60_000,
    });

    // The checkpoints mean what the store's runner's mean: everything up to the head is applied,
    // so read-your-writes holds for any query, whichever partitions its cases took.
    const names = CASE_PROJECTIONS.map((p) => p.name);
    const consistency = new ReadModelConsistency({ pool, store });
    expect((await consistency.waitFor(names, head, 10_000)).reached).toBe(true);
    // What the partitions applied is recorded per partition, none beyond the checkpoints.
    const { rows: delivered } = await pool.query<{ beyond: boolean }>(
      `SELECT (d.position_tx, d.position_seq) > (c.position_tx, c.position_seq) AS beyond
         FROM projection_delivered d JOIN projection_checkpoints c USING (projection)`,
    );
    expect(delivered.length).toBeGreaterThanOrEqual(names.length);
    for (const d of delivered) expect(d.beyond).toBe(false);
    await second.stop();
    expect(second.consumer.deadLettered).toBe(0);
    expect(second.consumer.state().every((p) => !p.stopped)).toBe(true);

    // In order per case: the inbox took each stream's versions 1, 2, 3… with no hole.
    const { rows: holes } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (
         SELECT stream_id, count(*) AS c, max(stream_version) AS m FROM message_inbox
          WHERE consumer = $1 GROUP BY stream_id) s
        WHERE c <> m`,
      [consumer],
    );
    expect(holes[0]!.n).toBe(0);

    const fromKafka = await readModelChecksums(pool);
    for (const table of READ_MODEL_TABLES)
      expect({ table, rows: fromKafka[table]!.rows > 0 }).toEqual({ table, rows: true });
    expect((await rebuildProjections(pool, store, CASE_PROJECTIONS, { batchSize: 2_000 })).events).toBe(
      EVENTS,
    );
    expect(await readModelChecksums(pool)).toEqual(fromKafka);
  }, 300_000);
});
