import { Kafka, logLevel } from 'kafkajs';

import type { TopicSpec } from '../message-bus';

export type { TopicSpec };

/**
 * Creates the topics that do not exist yet, with their settings, through an admin client of its
 * own (before the deployable's bus exists). Existing topics are left as they are.
 */
export async function ensureKafkaTopics(
  options: { readonly brokers: readonly string[]; readonly clientId: string },
  topics: readonly TopicSpec[],
): Promise<void> {
  const kafka = new Kafka({
    clientId: options.clientId,
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    retry: { retries: 8, initialRetryTime: 100, maxRetryTime: 5_000 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions ?? 3,
        configEntries: Object.entries(t.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
