import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { EVENT_MESSAGE_HEADERS, kafkaTopics } from '@tongban/contracts';
import { UNREACHED_RATE_LIMITS, kafkaBrokers } from './api-projector';
import { processCpuSeconds, startServer, type ServerProcess } from './http-load';
import { REPO_ROOT } from './systems';

/**
 * The issue-15 pipeline as production runs it: `apps/api`, `apps/relay` and `apps/projector`,
 * each a process of its own (`node -r @swc-node/register apps/<app>/src/main.ts`), on one
 * PostgreSQL database and the Kafka of `npm run services:up`, under a topic prefix of the run's
 * own (KAFKA_TOPIC_PREFIX: topics and consumer groups), so a run never reads or writes anybody
 * else's topics.
 */

export type PipelineApp = 'api' | 'relay' | 'projector';

/**
 * Starts one deployable on `databaseUrl` with AUTH_MODE=dev (dev-login tokens on loopback), the
 * product's defaults otherwise (pools, batches, relay lease and poll) but the rate limits (on,
 * never reached) and `extraEnv`. Its log goes to `<workDir>/<name>.log`.
 */
export function startPipelineApp(
  app: PipelineApp,
  options: {
    readonly name?: string;
    readonly databaseUrl: string;
    readonly topicPrefix: string;
    readonly workDir: string;
    readonly extraEnv?: Readonly<Record<string, string>>;
  },
): Promise<ServerProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // What the shell exported must not leak into the run: every setting comes from here or the defaults.
  for (const key of Object.keys(env)) {
    if (
      /^(DATABASE_|AUTH_|KAFKA_|RELAY_|METRICS_|READ_MODEL_|PROJECTION_|RATE_LIMIT_|LOG_LEVEL$|HTTP_|NODE_ENV$|STANDALONE_|BENCH_)/.test(
        key,
      )
    ) {
      delete env[key];
    }
  }
  const name = options.name ?? app;
  return startServer({
    name,
    cwd: REPO_ROOT,
    args: ['-r', '@swc-node/register', join('apps', app, 'src', 'main.ts')],
    env: {
      ...env,
      NODE_ENV: 'development',
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: '0',
      DATABASE_URL: options.databaseUrl,
      AUTH_MODE: 'dev',
      KAFKA_BROKERS: kafkaBrokers(),
      KAFKA_TOPIC_PREFIX: options.topicPrefix,
      ...UNREACHED_RATE_LIMITS,
      ...options.extraEnv,
    },
    logFile: join(options.workDir, `${name}.log`),
  });
}

/** The pid of the Kafka broker `npm run services:up` started (its JVM), from its pid file. */
function brokerPid(): number | undefined {
  try {
    const pid = Number(readFileSync(join(REPO_ROOT, '.data', 'kafka', 'kafka.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds so far of the services' Kafka broker, NaN if it cannot be read. */
export function brokerCpuSeconds(): number {
  const pid = brokerPid();
  return pid === undefined ? Number.NaN : processCpuSeconds(pid);
}

/** The broker's version, from the Kafka jar on its class path. */
export function brokerVersion(): string {
  const pid = brokerPid();
  try {
    const cmdline = pid === undefined ? '' : readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    const version = /kafka_[\d.]+-([\d.]+)\.jar/.exec(cmdline)?.[1];
    return version ? `Apache Kafka ${version} (KRaft, one broker)` : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Whether the case-events topic under `prefix` exists (the relay creates its topics at boot). */
export async function caseEventsTopicExists(prefix: string): Promise<boolean> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    return (await admin.listTopics()).includes(kafkaTopics(prefix).caseEvents);
  } finally {
    await admin.disconnect();
  }
}

function kafkaClient(): Kafka {
  return new Kafka({
    clientId: 'tongban-bench-pipeline',
    brokers: kafkaBrokers().split(','),
    connectionTimeout: 3_000,
    logLevel: logLevel.NOTHING,
  });
}

/**
 * Messages in the case-events topic under `prefix`: the sum of its partitions' high watermarks
 * (the topic is new and never compacted, so that is every message the broker acknowledged).
 */
export async function caseEventMessages(prefix: string): Promise<{ partitions: number; messages: number }> {
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(kafkaTopics(prefix).caseEvents);
    return {
      partitions: offsets.length,
      messages: offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0),
    };
  } finally {
    await admin.disconnect();
  }
}

/**
 * When the broker took each message of the case-events topic under `prefix`: its timestamp (the
 * producer's clock at send, i.e. the relay's, which is this machine's), by event id. Reads the
 * whole topic from its start with a consumer group of its own (`<prefix>bench-reader`), after the
 * run, so it changes nothing measured.
 */
export async function caseEventTimestamps(prefix: string, timeoutMs = 60_000): Promise<Map<string, number>> {
  const { messages } = await caseEventMessages(prefix);
  const out = new Map<string, number>();
  const consumer = kafkaClient().consumer({ groupId: `${prefix}bench-reader` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: kafkaTopics(prefix).caseEvents, fromBeginning: true });
    let seen = 0;
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            seen += 1;
            const id = m.headers?.[EVENT_MESSAGE_HEADERS.eventId];
            if (id !== undefined) out.set(String(id), Number(m.timestamp));
          }
          if (seen >= messages) resolve();
          await Promise.resolve();
        },
      });
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    return out;
  } finally {
    await consumer.disconnect();
  }
}

/** Deletes the run's topics and consumer groups (everything under `prefix`). */
export async function deleteKafkaPrefix(prefix: string): Promise<string[]> {
  if (prefix.length < 8) throw new Error(`refusing to delete under the short prefix '${prefix}'`);
  const admin = kafkaClient().admin();
  await admin.connect();
  try {
    const deleted: string[] = [];
    const groups = (await admin.listGroups()).groups
      .map((g) => g.groupId)
      .filter((g) => g.startsWith(prefix));
    if (groups.length > 0) {
      await admin.deleteGroups(groups);
      deleted.push(...groups.map((g) => `group ${g}`));
    }
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) {
      await admin.deleteTopics({ topics, timeout: 10_000 });
      deleted.push(...topics.map((t) => `topic ${t}`));
    }
    return deleted;
  } finally {
    await admin.disconnect();
  }
}

/** Reads a Prometheus counter or gauge (without labels) off a deployable's /metrics. */
export async function scrapeMetric(baseUrl: string, name: string): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`);
  const text = await res.text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

/**
 * The warnings and errors a deployable logged (pino JSON lines, level ≥ 40), counted by message
 * (numbers in the message blanked, so one kind of trouble counts as one).
 */
export function loggedTrouble(logFile: string): Record<string, number> {
  const out: Record<string, number> = {};
  if (!existsSync(logFile)) return out;
  const text = readFileSync(logFile, 'utf8');
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { level?: number; msg?: string; context?: string };
      if ((entry.level ?? 0) < 40 || entry.context === 'Authentication') continue;
      const key = `${entry.level === 40 ? 'warn' : 'error'} ${entry.context ?? ''}: ${(entry.msg ?? '').replace(/\d+/g, 'N').slice(0, 140)}`;
      out[key] = (out[key] ?? 0) + 1;
    } catch {
      // not a log entry
    }
  }
  return out;
}
