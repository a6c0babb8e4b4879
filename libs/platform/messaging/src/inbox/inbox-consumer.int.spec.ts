import { randomUUID } from 'node:crypto';
import { Pool, type PoolClient } from 'pg';
import {
  createTestDatabase,
  eventually,
  kafkaBrokers,
  migratedDataSource,
  type TestDatabase,
} from '@tongban/testing';
import { InProcessMessageBus } from '../in-process-message-bus';
import { KafkaMessageBus } from '../kafka-message-bus';
import type { BusMessage, MessageBus, ReceivedMessage } from '../message-bus';
import { InboxConsumer, type Decoded, type DeadLetterFailure, type Inboxed } from './inbox-consumer';
import { INBOX_MIGRATIONS } from './inbox.migration';

/**
 * The inbox consumer on the real PostgreSQL (ADR 0030), over the in-process bus and the real
 * broker: each message applied once whatever is delivered twice, a gap or step back stops the
 * partition, a poison message goes to the dead-letter topic with its error after bounded attempts
 * and the later events of its stream follow it there, an unreadable one goes at once, and a
 * database failure is waited out, never dead-lettered.
 */

interface Body {
  readonly id: string;
  readonly stream: string;
  readonly version: number;
  readonly poison?: boolean;
}

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('inbox');
  await (await migratedDataSource(db.url, [...INBOX_MIGRATIONS])).destroy();
  pool = new Pool({ connectionString: db.url, max: 6 });
  await pool.query(
    `CREATE TABLE applied (consumer text, stream text, version int, PRIMARY KEY (consumer, stream, version))`,
  );
}, 60_000);

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const decode = (message: ReceivedMessage): Decoded<Body> => {
  try {
    const body = JSON.parse(message.value) as Body;
    if (typeof body.id !== 'string') return { ok: false, code: 'test.no_id', reason: 'no id' };
    return { ok: true, entry: { id: body.id, streamId: body.stream, version: body.version }, value: body };
  } catch {
    return { ok: false, code: 'test.not_json', reason: 'not JSON' };
  }
};

const msg = (stream: string, version: number, extra: Partial<Body> = {}): BusMessage => ({
  key: stream,
  value: JSON.stringify({ id: extra.id ?? randomUUID(), stream, version, ...extra }),
});

interface Harness {
  readonly consumer: InboxConsumer<Body>;
  readonly dead: ReceivedMessage[];
  readonly name: string;
  readonly topic: string;
  attempts: number;
  failTransiently: number;
}

async function harness(
  bus: MessageBus,
  overrides: { handle?: (items: readonly Inboxed<Body>[]) => void } = {},
): Promise<Harness> {
  const name = `c-${randomUUID().slice(0, 8)}`;
  const topic = `inbox-${randomUUID().slice(0, 8)}`;
  const deadLetterTopic = `${topic}.dead-letter`;
  const dead: ReceivedMessage[] = [];
  const h: { -readonly [K in keyof Harness]: Harness[K] } = {
    consumer: undefined as unknown as InboxConsumer<Body>,
    dead,
    name,
    topic,
    attempts: 0,
    failTransiently: 0,
  };
  h.consumer = new InboxConsumer<Body>({
    name,
    topic,
    deadLetterTopic,
    pool,
    bus,
    decode,
    retryDelayMs: 20,
    maxRetryDelayMs: 100,
    maxAttempts: 3,
    deadLetterHeaders: (f: DeadLetterFailure) => ({
      'x-code': f.code,
      'x-error': f.error,
      'x-attempts': String(f.attempts),
    }),
    handle: async (client: PoolClient, items) => {
      overrides.handle?.(items);
      if (h.failTransiently > 0) {
        h.failTransiently -= 1;
        throw Object.assign(new Error('the database went away'), { code: '57P01' });
      }
      for (const item of items) {
        if (item.value.poison) {
          h.attempts += 1;
          throw new Error(`cannot handle ${item.value.stream}@${item.value.version}`);
        }
      }
      await client.query(
        `INSERT INTO applied SELECT $1, x.stream, x.version FROM jsonb_to_recordset($2::jsonb) AS x(stream text, version int)`,
        [name, JSON.stringify(items.map((i) => ({ stream: i.value.stream, version: i.value.version })))],
      );
    },
  });
  await bus.ensureTopics([topic, deadLetterTopic]);
  await bus.subscribe({ topic: deadLetterTopic, group: `${name}-dlq-reader` }, async (m) => {
    dead.push(m);
  });
  await h.consumer.start();
  return h;
}

async function appliedOf(name: string): Promise<string[]> {
  const { rows } = await pool.query<{ stream: string; version: number }>(
    `SELECT stream, version FROM applied WHERE consumer = $1 ORDER BY stream, version`,
    [name],
  );
  return rows.map((r) => `${r.stream}@${r.version}`);
}

describe.each([
  ['in-process', () => new InProcessMessageBus({ retryDelayMs: 20 }) as MessageBus, 10_000],
  [
    'kafka',
    () => new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'inbox-int' }) as MessageBus,
    30_000,
  ],
])('InboxConsumer over the %s bus', (_name, createBus, within) => {
  let bus: MessageBus;
  const consumers: InboxConsumer<Body>[] = [];

  beforeEach(() => {
    bus = createBus();
  });

  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.stop();
    await bus.close();
  });

  it('applies every message once though each is delivered twice', async () => {
    const h = await harness(bus);
    consumers.push(h.consumer);
    const messages = ['a', 'b', 'c'].flatMap((s) => [1, 2, 3, 4].map((v) => msg(s, v)));
    await bus.publish(h.topic, messages);
    await bus.publish(h.topic, messages);
    await eventually(async () => expect(await appliedOf(h.name)).toHaveLength(12), { timeoutMs: within });
    await eventually(() => expect(h.consumer.duplicates).toBe(12), { timeoutMs: within });
    expect(await appliedOf(h.name)).toEqual(
      ['a', 'b', 'c'].flatMap((s) => [1, 2, 3, 4].map((v) => `${s}@${v}`)),
    );
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM message_inbox WHERE consumer = $1`, [
      h.name,
    ]);
    expect(rows[0].n).toBe(12);
    expect(h.dead).toHaveLength(0);
  });

  it('stops a partition at a gap, applies what came before it and nothing over it, and says so in its state', async () => {
    const h = await harness(bus);
    consumers.push(h.consumer);
    await bus.publish(h.topic, [msg('gap', 1), msg('gap', 3), msg('gap', 4)]);
    await eventually(
      () => {
        const stopped = h.consumer.state().find((p) => p.stopped);
        expect(stopped?.stopped?.reason).toMatch(/gap jumps from version 1 to 3/);
        expect(stopped?.stopped?.order).toBe(true);
      },
      { timeoutMs: within },
    );
    expect(() => h.consumer.check()).toThrow(/stopped/);
    expect(await appliedOf(h.name)).toEqual(['gap@1']);
    expect(h.dead).toHaveLength(0);
  });

  it('stops at a step back: another event at a version already taken in', async () => {
    const h = await harness(bus);
    consumers.push(h.consumer);
    await bus.publish(h.topic, [msg('back', 1), msg('back', 2), msg('back', 2)]);
    await eventually(
      () =>
        expect(h.consumer.state().find((p) => p.stopped)?.stopped?.reason).toMatch(/steps back to version 2/),
      { timeoutMs: within },
    );
    expect(await appliedOf(h.name)).toEqual(['back@1', 'back@2']);
  });

  it('dead-letters a poison message after bounded attempts; its stream follows it there, the rest moves on', async () => {
    const h = await harness(bus);
    consumers.push(h.consumer);
    await bus.publish(h.topic, [
      msg('p', 1),
      msg('p', 2, { poison: true }),
      msg('p', 3),
      msg('q', 1),
      msg('q', 2),
    ]);
    await eventually(() => expect(h.dead).toHaveLength(2), { timeoutMs: within });
    await eventually(async () => expect(await appliedOf(h.name)).toEqual(['p@1', 'q@1', 'q@2']), {
      timeoutMs: within,
    });
    expect(h.attempts).toBe(3 + 1); // the run's first try, then three alone
    const [poison, follower] = h.dead;
    expect(poison!.headers?.['x-code']).toBe('consumer.handler_failed');
    expect(poison!.headers?.['x-error']).toBe('cannot handle p@2');
    expect(poison!.headers?.['x-attempts']).toBe('3');
    expect(JSON.parse(poison!.value)).toMatchObject({ stream: 'p', version: 2 });
    expect(follower!.headers?.['x-code']).toBe('consumer.stream_blocked');
    expect(JSON.parse(follower!.value)).toMatchObject({ stream: 'p', version: 3 });
    // A dead letter is published before the inbox records it (ADR 0030): the record follows.
    await eventually(
      async () => {
        const { rows } = await pool.query(
          `SELECT stream_id, stream_version, outcome FROM message_inbox WHERE consumer = $1 AND outcome = 'dead_lettered' ORDER BY stream_version`,
          [h.name],
        );
        expect(rows).toEqual([
          { stream_id: 'p', stream_version: 2, outcome: 'dead_lettered' },
          { stream_id: 'p', stream_version: 3, outcome: 'dead_lettered' },
        ]);
      },
      { timeoutMs: within },
    );
    expect(h.consumer.state().every((p) => !p.stopped)).toBe(true);
  });

  it('dead-letters an unreadable message at once with the decoder code, and goes on', async () => {
    const h = await harness(bus);
    consumers.push(h.consumer);
    await bus.publish(h.topic, [msg('u', 1), { key: 'u', value: '{not json' }, msg('u', 2)]);
    await eventually(async () => expect(await appliedOf(h.name)).toEqual(['u@1', 'u@2']), {
      timeoutMs: within,
    });
    expect(h.dead).toHaveLength(1);
    expect(h.dead[0]!.value).toBe('{not json');
    expect(h.dead[0]!.headers?.['x-code']).toBe('test.not_json');
  });

  it('waits out a database failure instead of dead-lettering', async () => {
    const h = await harness(bus);
    consumers.push(h.consumer);
    h.failTransiently = 8; // more than maxAttempts
    await bus.publish(h.topic, [msg('t', 1), msg('t', 2)]);
    await eventually(async () => expect(await appliedOf(h.name)).toEqual(['t@1', 't@2']), {
      timeoutMs: within,
    });
    expect(h.failTransiently).toBe(0);
    expect(h.dead).toHaveLength(0);
  });
});
