import { Counter, Gauge, type Registry } from 'prom-client';
import type { InboxConsumer } from './inbox-consumer';

/**
 * An inbox consumer's metrics: lag per partition (messages after the last one resolved, as of the
 * partition's last batch), partitions stopped, and what it applied, skipped and dead-lettered.
 * Labelled by consumer, so a process with two (none today) would not clash.
 */
export function registerConsumerMetrics(
  registry: Registry,
  consumer: Pick<InboxConsumer<unknown>, 'name' | 'state' | 'applied' | 'duplicates' | 'deadLettered'>,
): void {
  const name = consumer.name;
  new Gauge({
    name: 'tongban_consumer_lag',
    help: 'Messages of a partition after the last one this consumer finished (as of its last batch)',
    labelNames: ['consumer', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of consumer.state()) this.set({ consumer: name, partition: String(p.partition) }, p.lag);
    },
  });
  new Gauge({
    name: 'tongban_consumer_partition_stopped',
    help: '1 for a partition not moving: out of order for a stream (needs a person) or failing',
    labelNames: ['consumer', 'partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const p of consumer.state()) {
        this.set({ consumer: name, partition: String(p.partition) }, p.stopped ? 1 : 0);
      }
    },
  });
  const counter = (metric: string, help: string, read: () => number): void => {
    new Counter({
      name: metric,
      help,
      labelNames: ['consumer'],
      registers: [registry],
      collect() {
        this.reset();
        this.inc({ consumer: name }, read());
      },
    });
  };
  counter(
    'tongban_consumer_applied_total',
    'Messages applied by this consumer since it started',
    () => consumer.applied,
  );
  counter(
    'tongban_consumer_duplicates_total',
    'Messages delivered again and skipped by the inbox since start',
    () => consumer.duplicates,
  );
  counter(
    'tongban_consumer_dead_letters_total',
    'Messages sent to the dead-letter topic since start',
    () => consumer.deadLettered,
  );
}
