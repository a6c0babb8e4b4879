import { randomUUID } from 'node:crypto';
import type { MessageBus, ReceivedMessage, Subscription } from './message-bus';

export interface MessageBusContractOptions {
  /** A fresh bus; the suite closes it. */
  readonly create: () => Promise<MessageBus>;
  /** How long a test may wait for deliveries (a broker needs seconds to rebalance). */
  readonly deliveryTimeoutMs: number;
}

/**
 * ONE contract every MessageBus adapter passes. Each test uses unique topic and group names so
 * it can run against a shared broker.
 */
export function messageBusContract(name: string, options: MessageBusContractOptions): void {
  describe(`MessageBus contract: ${name}`, () => {
    let bus: MessageBus;
    const subscriptions: Subscription[] = [];

    beforeEach(async () => {
      bus = await options.create();
    });

    afterEach(async () => {
      await Promise.all(subscriptions.splice(0).map((s) => s.stop()));
      await bus.close();
    });

    const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

    async function collect(topic: string, group: string, until: (got: ReceivedMessage[]) => boolean) {
      const got: ReceivedMessage[] = [];
      let resolveDone: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      const subscription = await bus.subscribe({ topic, group }, async (message) => {
        got.push(message);
        if (until(got)) resolveDone();
      });
      subscriptions.push(subscription);
      return { got, done: withTimeout(done, options.deliveryTimeoutMs, `${topic}/${group}`), subscription };
    }

    it('delivers every published message, in publish order per key', async () => {
      const topic = unique('order');
      await bus.ensureTopics([topic]);
      const keys = ['case-a', 'case-b', 'case-c', 'case-d'];
      const messages = Array.from({ length: 60 }, (_, i) => ({
        key: keys[i % keys.length]!,
        value: JSON.stringify({ seq: i }),
      }));
      const { got, done } = await collect(topic, unique('g'), (g) => g.length >= messages.length);
      await bus.publish(topic, messages.slice(0, 30));
      await bus.publish(topic, messages.slice(30));
      await done;
      expect(got).toHaveLength(60);
      for (const key of keys) {
        const seqs = got
          .filter((m) => m.key === key)
          .map((m) => (JSON.parse(m.value) as { seq: number }).seq);
        const expected = messages
          .map((m, i) => ({ key: m.key, i }))
          .filter((m) => m.key === key)
          .map((m) => m.i);
        expect(seqs).toEqual(expected);
      }
    });

    it('gives every consumer group its own copy', async () => {
      const topic = unique('groups');
      await bus.ensureTopics([topic]);
      const first = await collect(topic, unique('g1'), (g) => g.length >= 5);
      const second = await collect(topic, unique('g2'), (g) => g.length >= 5);
      await bus.publish(
        topic,
        [1, 2, 3, 4, 5].map((n) => ({ key: `k${n}`, value: String(n) })),
      );
      await Promise.all([first.done, second.done]);
      expect(first.got.map((m) => m.value).sort()).toEqual(['1', '2', '3', '4', '5']);
      expect(second.got.map((m) => m.value).sort()).toEqual(['1', '2', '3', '4', '5']);
    });

    it('round-trips Chinese text, headers and large payloads unchanged', async () => {
      const topic = unique('payload');
      await bus.ensureTopics([topic]);
      const big = '平城区'.repeat(50_000);
      const sent = [
        {
          key: '案件-001',
          value: JSON.stringify({ 描述: '楼道灯坏了，请尽快维修', big }),
          headers: { 'x-channel': '12345热线' },
        },
      ];
      const { got, done } = await collect(topic, unique('g'), (g) => g.length >= 1);
      await bus.publish(topic, sent);
      await done;
      expect(got[0]!.key).toBe('案件-001');
      expect(got[0]!.value).toBe(sent[0]!.value);
      expect(got[0]!.headers?.['x-channel']).toBe('12345热线');
    });

    it('delivers a message again when its handler fails, and nothing after it overtakes it', async () => {
      const topic = unique('retry');
      await bus.ensureTopics([topic]);
      const seen: string[] = [];
      let failuresLeft = 2;
      let resolveDone: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      subscriptions.push(
        await bus.subscribe({ topic, group: unique('g') }, async (message) => {
          seen.push(message.value);
          if (message.value === 'first' && failuresLeft > 0) {
            failuresLeft--;
            throw new Error('transient failure');
          }
          if (message.value === 'second') resolveDone();
        }),
      );
      await bus.publish(topic, [
        { key: 'same', value: 'first' },
        { key: 'same', value: 'second' },
      ]);
      await withTimeout(done, options.deliveryTimeoutMs, topic);
      expect(seen).toEqual(['first', 'first', 'first', 'second']);
    });

    it('resumes a group after the last acknowledged message', async () => {
      const topic = unique('resume');
      const group = unique('g');
      await bus.ensureTopics([topic]);
      const firstRun = await collect(topic, group, (g) => g.length >= 3);
      await bus.publish(
        topic,
        ['a', 'b', 'c'].map((v) => ({ key: 'k', value: v })),
      );
      await firstRun.done;
      await firstRun.subscription.stop();
      subscriptions.splice(subscriptions.indexOf(firstRun.subscription), 1);

      await bus.publish(
        topic,
        ['d', 'e'].map((v) => ({ key: 'k', value: v })),
      );
      const secondRun = await collect(topic, group, (g) => g.length >= 2);
      await secondRun.done;
      expect(firstRun.got.map((m) => m.value)).toEqual(['a', 'b', 'c']);
      expect(secondRun.got.map((m) => m.value)).toEqual(['d', 'e']);
    });

    it('hands over batches of one partition in offset order, and delivers the unresolved part again', async () => {
      const topic = unique('batches');
      const group = unique('g');
      await bus.ensureTopics([topic]);
      const values = Array.from({ length: 20 }, (_, i) => String(i));
      const seen: string[] = [];
      let heldBack = false;
      let resolveDone: () => void = () => undefined;
      const done = new Promise<void>((resolve) => (resolveDone = resolve));
      subscriptions.push(
        await bus.subscribeBatches({ topic, group }, async (batch, control) => {
          expect(batch.topic).toBe(topic);
          expect(control.active()).toBe(true);
          for (const message of batch.messages) {
            expect(message.partition).toBe(batch.partition);
            expect(BigInt(message.offset)).toBeLessThan(BigInt(batch.highWatermark));
            // The first time '10' comes, stop before it without resolving it: it must come again.
            if (message.value === '10' && !heldBack) {
              heldBack = true;
              return;
            }
            seen.push(message.value);
            control.resolve(message.offset);
            if (seen.length === values.length) resolveDone();
          }
        }),
      );
      await bus.publish(
        topic,
        values.map((value) => ({ key: 'one-case', value })),
      );
      await withTimeout(done, options.deliveryTimeoutMs, topic);
      expect(heldBack).toBe(true);
      expect(seen).toEqual(values);
    });

    it('resumes a batch subscription after the last resolved offset', async () => {
      const topic = unique('batch-resume');
      const group = unique('g');
      await bus.ensureTopics([topic]);
      await bus.publish(
        topic,
        ['a', 'b', 'c', 'd'].map((value) => ({ key: 'k', value })),
      );
      const first: string[] = [];
      let resolveFirst: () => void = () => undefined;
      const firstDone = new Promise<void>((resolve) => (resolveFirst = resolve));
      const firstRun = await bus.subscribeBatches({ topic, group }, async (batch, control) => {
        for (const message of batch.messages) {
          if (first.length === 2) {
            resolveFirst();
            return;
          }
          first.push(message.value);
          control.resolve(message.offset);
        }
      });
      await withTimeout(firstDone, options.deliveryTimeoutMs, topic);
      await firstRun.stop();
      const second: string[] = [];
      let resolveSecond: () => void = () => undefined;
      const secondDone = new Promise<void>((resolve) => (resolveSecond = resolve));
      subscriptions.push(
        await bus.subscribeBatches({ topic, group }, async (batch, control) => {
          for (const message of batch.messages) {
            second.push(message.value);
            control.resolve(message.offset);
            if (second.length === 2) resolveSecond();
          }
        }),
      );
      await withTimeout(secondDone, options.deliveryTimeoutMs, topic);
      expect(first).toEqual(['a', 'b']);
      expect(second).toEqual(['c', 'd']);
    });
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no delivery on ${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
