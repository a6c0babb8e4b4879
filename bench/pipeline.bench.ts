/**
 * Pipeline benchmark (issue 15): the store's append rate on this machine, the relay's publish rate
 * to Kafka over a backlog of those very events, and command → visible through store → relay →
 * Kafka → projector at a steady 50 commands/s, in ONE run. See bench/README.md ("Pipeline").
 *
 *   npm run services:up && npm run bench:pipeline
 *
 * BENCH_SCALE=0.1 shrinks the counts and the load's duration (a smoke run; its report says so).
 * BENCH_KEEP=1 keeps the databases, the Kafka topics and the processes' logs afterwards.
 * BENCH_RENDER=1 writes the report again from bench/results/pipeline.json without running anything.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PostgresEventStore, migrateEventStore } from '@tongban/event-store';
import { caseSeed, shardByStream, type CaseSeed, type StoredAppend } from './support/case-workload';
import { postgresCpuSeconds, type ServerProcess } from './support/http-load';
import { sampleHorizon, type HorizonFigures } from './support/pipeline-horizon';
import {
  brokerCpuSeconds,
  brokerVersion,
  caseEventTimestamps,
  caseEventsTopicExists,
  caseEventMessages,
  deleteKafkaPrefix,
  loggedTrouble,
  scrapeMetric,
  startPipelineApp,
} from './support/pipeline-processes';
import { fmt, log } from './support/report';
import { connectionUrl, withDatabase } from './support/services';
import {
  COMMAND_KINDS,
  percentiles,
  runLoad,
  type CommandKind,
  type CommandRecord,
  type LoadResult,
  type Percentiles,
} from './support/standalone-load';
import { cpuPercent, elapsedMs, nowNs, round, sample } from './support/stats';
import { machineFacts, type Machine as SharedMachine } from './support/machine';
import { adminPool, BENCH_DIR, storePool, type Pool } from './support/systems';
import { benchScale, KEEP, scaledBy } from './support/options';

const SCALE = benchScale();
const scaled = scaledBy(SCALE);

const CONFIG = {
  append: {
    seed: 20261201,
    events: scaled(50_000, 2_000),
    /** Appended first, untimed: the server's and the client's hot paths warm up. */
    warmupEvents: scaled(2_000, 200),
    writers: 8,
    poolMax: 10,
  },
  /** How often the relay's checkpoint and the projector's inbox are read while they drain. */
  drain: { pollMs: 25, timeoutMs: 600_000 },
  live: {
    rate: 50,
    // Three fresh processes compile their hot paths over their first few hundred requests.
    warmupSeconds: 15,
    seconds: scaled(60, 10),
    seed: 45,
    /**
     * The api's bound on a `?after=` wait, raised from its 2 s default to its maximum so that no
     * read gives up before the event is visible: every command's time is then measured, not cut off.
     */
    readModelWaitMs: 30_000,
  },
  targets: { relayVsAppend: 2, visibleP99Ms: 500 },
} as const;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** CPU seconds so far of each process, by name (NaN for one that cannot be read). */
type CpuMeter = () => Record<string, number>;

const clientCpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// ---------------------------------------------------------------------------------------------
// Machine
// ---------------------------------------------------------------------------------------------

/** Where the run was, the broker's version included. */
type Machine = SharedMachine & { readonly kafka: string };

async function pipelineMachine(admin: Pool): Promise<Machine> {
  const machine = await machineFacts(admin, {
    settings: ['shared_buffers', 'synchronous_commit', 'fsync', 'max_wal_size', 'deadlock_timeout'],
    watched: ['libs', 'apps', 'bench'],
    dirtyNote: ' + uncommitted changes in libs, apps or bench',
    shortVersion: true,
  });
  return { ...machine, kafka: brokerVersion() };
}

// ---------------------------------------------------------------------------------------------
// Part 1: append throughput, then the relay over the backlog, then the projector over the topic
// ---------------------------------------------------------------------------------------------

interface AppendFigures {
  readonly events: number;
  readonly appends: number;
  readonly warmupEvents: number;
  readonly writers: number;
  readonly seconds: number;
  readonly appendsPerSecond: number;
  readonly eventsPerSecond: number;
  /** Latency of one append (one store call), ms. */
  readonly latencyMs: Percentiles;
  readonly cpuPercentOfOneCore: Record<string, number>;
  readonly machineCpuBusyPercent: number;
}

/** How a drain (relay or projector over a backlog) went. */
interface DrainFigures {
  readonly events: number;
  readonly bootSeconds: number;
  /** From the first sign of work (relay: checkpoint row; projector: first inbox row) to the last event. */
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** The rate between 10% and 90% of the events: without the start and the tail. */
  readonly steadyEventsPerSecond: number;
  /** Events done by the end of each second of the drain. */
  readonly perSecond: readonly number[];
  readonly cpuPercentOfOneCore: Record<string, number>;
}

interface Part1 {
  readonly database: string;
  readonly topicPrefix: string;
  readonly workload: {
    readonly cases: number;
    readonly types: Record<string, number>;
    readonly dataBytes: number;
  };
  readonly append: AppendFigures;
  readonly relay: DrainFigures & {
    /** Messages in the topic afterwards (sum of the partitions' high watermarks). */
    readonly topicMessages: number;
    readonly topicPartitions: number;
    /** `tongban_relay_events_total` of the relay process afterwards. */
    readonly metricEventsTotal: number;
    readonly batchSize: number;
    readonly horizon: HorizonFigures;
  };
  readonly projector: DrainFigures & { readonly applied: number };
  readonly relayVsAppend: number;
  /** Warnings and errors in the apps' logs, by message. */
  readonly trouble: Record<string, Record<string, number>>;
}

/** Appends `appends` with one writer per stream shard (each stream's appends in order). */
async function appendAll(
  store: PostgresEventStore,
  appends: readonly StoredAppend[],
  writers: number,
): Promise<{ latenciesMs: number[]; events: number; wallMs: number }> {
  const latenciesMs: number[] = [];
  let events = 0;
  const start = nowNs();
  await Promise.all(
    shardByStream(appends, writers).map(async (shard) => {
      for (const a of shard) {
        const t0 = nowNs();
        await store.append(a.streamId, a.events, a.expectedVersion);
        latenciesMs.push(elapsedMs(t0));
        events += a.events.length;
      }
    }),
  );
  return { latenciesMs, events, wallMs: elapsedMs(start) };
}

async function measureAppends(url: string, database: string, seed: CaseSeed): Promise<AppendFigures> {
  const pool = storePool(url, CONFIG.append.poolMax);
  const store = new PostgresEventStore({ pool });
  try {
    // The warm-up: the first appends of the workload in time order, untimed.
    let cut = 0;
    for (let n = 0; cut < seed.appends.length && n < CONFIG.append.warmupEvents; cut++) {
      n += seed.appends[cut]!.events.length;
    }
    const warmup = seed.appends.slice(0, cut);
    const timed = seed.appends.slice(cut);
    await appendAll(store, warmup, CONFIG.append.writers);
    await pool.query('CHECKPOINT');
    const meter: CpuMeter = () => ({
      'load generator': clientCpuSeconds(),
      PostgreSQL: postgresCpuSeconds(database),
    });
    const cpu0 = meter();
    const s = await sample(async () => {
      const run = await appendAll(store, timed, CONFIG.append.writers);
      return { latenciesMs: run.latenciesMs, events: run.events, wallMs: run.wallMs };
    });
    const seconds = s.raw.wallMs / 1000;
    const cpu = cpuPercent(cpu0, meter(), seconds);
    return {
      events: s.raw.events,
      appends: s.raw.latenciesMs.length,
      warmupEvents: warmup.reduce((a, x) => a + x.events.length, 0),
      writers: CONFIG.append.writers,
      seconds: round(seconds, 3),
      appendsPerSecond: round(s.raw.latenciesMs.length / seconds, 1),
      eventsPerSecond: round(s.raw.events / seconds, 1),
      latencyMs: percentiles(s.raw.latenciesMs),
      cpuPercentOfOneCore: cpu,
      machineCpuBusyPercent: round((100 * s.busyTicks) / Math.max(1, s.totalTicks), 1),
    };
  } finally {
    await store.close();
    await pool.end();
  }
}

/**
 * Reads `count()` every CONFIG.drain.pollMs until it reaches `total`; `started()` says when the
 * work has begun (null before). The times are this process's; a reading costs one small query.
 */
async function watchDrain(
  total: number,
  count: () => Promise<number | null>,
  meter: CpuMeter,
): Promise<Omit<DrainFigures, 'bootSeconds'>> {
  const deadline = performance.now() + CONFIG.drain.timeoutMs;
  const samples: { t: number; n: number }[] = [];
  let cpu0: Record<string, number> | undefined;
  for (;;) {
    const n = await count();
    const t = performance.now();
    if (n !== null) {
      if (samples.length === 0) cpu0 = meter();
      samples.push({ t, n });
      if (n >= total) break;
    }
    if (t > deadline) {
      throw new Error(`drain: ${n ?? 0} of ${total} events after ${CONFIG.drain.timeoutMs / 1000} s`);
    }
    await sleep(CONFIG.drain.pollMs);
  }
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const seconds = (last.t - first.t) / 1000;
  const cpu = cpuPercent(cpu0!, meter(), seconds);
  const at = (fraction: number) => samples.find((s) => s.n >= fraction * total) ?? last;
  const lo = at(0.1);
  const hi = at(0.9);
  const perSecond: number[] = [];
  for (let second = 1; first.t + (second - 1) * 1000 < last.t; second++) {
    const upTo = samples.filter((s) => s.t <= first.t + second * 1000);
    perSecond.push(upTo[upTo.length - 1]?.n ?? 0);
  }
  return {
    events: total,
    seconds: round(seconds, 3),
    eventsPerSecond: round(total / Math.max(1e-6, seconds), 1),
    steadyEventsPerSecond: round((hi.n - lo.n) / Math.max(1e-6, (hi.t - lo.t) / 1000), 1),
    perSecond,
    cpuPercentOfOneCore: cpu,
  };
}

async function part1(url: string, admin: Pool, stamp: string, workDir: string): Promise<Part1> {
  const database = `bench_relay_${stamp}`;
  const dbUrl = withDatabase(url, database);
  const topicPrefix = `bench.pipeline.${stamp}.relay.`;
  const seed = caseSeed(CONFIG.append.seed, CONFIG.append.events);
  log(
    `workload: ${fmt(seed.events)} events of ${fmt(seed.cases)} cases in ${fmt(seed.appends.length)} appends ` +
      `(generateCaseWorkload seed ${CONFIG.append.seed})`,
  );
  await admin.query(`CREATE DATABASE ${database}`);
  const servers: ServerProcess[] = [];
  const pool = storePool(dbUrl, 2);
  try {
    await migrateEventStore(pool);
    const append = await measureAppends(dbUrl, database, seed);
    log(
      `append: ${fmt(append.events)} events in ${fmt(append.seconds, 2)} s with ${append.writers} writers: ` +
        `${fmt(append.eventsPerSecond)} events/s (${fmt(append.appendsPerSecond)} appends/s), ` +
        `p50 ${fmt(append.latencyMs.p50, 2)} ms, p99 ${fmt(append.latencyMs.p99, 2)} ms`,
    );
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tongban_es.events');
    const total = rows[0]!.n;
    await pool.query('VACUUM (ANALYZE)');
    await pool.query('CHECKPOINT');

    // The relay from checkpoint zero over the whole log (the warm-up's events included).
    const relay = await startPipelineApp('relay', {
      name: 'relay-backlog',
      databaseUrl: dbUrl,
      topicPrefix,
      workDir,
    });
    servers.push(relay);
    await requirePrefixedTopics(topicPrefix);
    log(`relay up in ${fmt(relay.bootSeconds, 1)} s; draining ${fmt(total)} events to Kafka`);
    const relayHorizon = sampleHorizon(pool);
    const relayDrain = await watchDrain(
      total,
      async () => {
        try {
          const r = await pool.query<{ n: string }>(
            `SELECT events_relayed::text AS n FROM relay_checkpoints WHERE name = 'events'`,
          );
          return r.rows[0] ? Number(r.rows[0].n) : null;
        } catch {
          return null; // the relay's migrations have not run yet
        }
      },
      () => ({
        relay: relay.cpuSeconds(),
        PostgreSQL: postgresCpuSeconds(database),
        Kafka: brokerCpuSeconds(),
        'load generator': clientCpuSeconds(),
      }),
    );
    const relayHorizonFigures = await relayHorizon.stop();
    log(horizonLine(relayHorizonFigures));
    const topic = await caseEventMessages(topicPrefix);
    const metricEventsTotal = await scrapeMetric(relay.baseUrl, 'tongban_relay_events_total');
    log(
      `relay: ${fmt(total)} events in ${fmt(relayDrain.seconds, 2)} s: ${fmt(relayDrain.eventsPerSecond)} events/s ` +
        `(10–90%: ${fmt(relayDrain.steadyEventsPerSecond)}/s); topic holds ${fmt(topic.messages)} messages ` +
        `in ${topic.partitions} partitions; CPU ${cpuLine(relayDrain.cpuPercentOfOneCore)}`,
    );
    await relay.stop();

    // Then the projector from the topic's start (a new consumer group), nothing else running.
    await pool.query('CHECKPOINT');
    const projector = await startPipelineApp('projector', {
      name: 'projector-backlog',
      databaseUrl: dbUrl,
      topicPrefix,
      workDir,
    });
    servers.push(projector);
    log(`projector up in ${fmt(projector.bootSeconds, 1)} s; applying ${fmt(total)} events from Kafka`);
    const projectorDrain = await watchDrain(
      total,
      async () => {
        try {
          const r = await pool.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM message_inbox WHERE consumer = 'projector'`,
          );
          const n = r.rows[0]!.n;
          return n > 0 ? n : null;
        } catch {
          return null; // the projector's migrations have not run yet
        }
      },
      () => ({
        projector: projector.cpuSeconds(),
        PostgreSQL: postgresCpuSeconds(database),
        Kafka: brokerCpuSeconds(),
        'load generator': clientCpuSeconds(),
      }),
    );
    const applied = (
      await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM message_inbox WHERE consumer = 'projector' AND outcome = 'applied'`,
      )
    ).rows[0]!.n;
    log(
      `projector: ${fmt(total)} events in ${fmt(projectorDrain.seconds, 2)} s: ${fmt(projectorDrain.eventsPerSecond)} events/s ` +
        `(10–90%: ${fmt(projectorDrain.steadyEventsPerSecond)}/s), ${fmt(applied)} applied; CPU ${cpuLine(projectorDrain.cpuPercentOfOneCore)}`,
    );
    return {
      database,
      topicPrefix,
      workload: { cases: seed.cases, types: seed.types, dataBytes: seed.dataBytes },
      append,
      relay: {
        ...relayDrain,
        bootSeconds: round(relay.bootSeconds, 1),
        topicMessages: topic.messages,
        topicPartitions: topic.partitions,
        metricEventsTotal,
        batchSize: 500,
        horizon: relayHorizonFigures,
      },
      projector: { ...projectorDrain, bootSeconds: round(projector.bootSeconds, 1), applied },
      trouble: {
        relay: loggedTrouble(join(workDir, 'relay-backlog.log')),
        projector: loggedTrouble(join(workDir, 'projector-backlog.log')),
      },
      relayVsAppend: round(relayDrain.eventsPerSecond / append.eventsPerSecond, 2),
    };
  } catch (error) {
    for (const s of servers) log(`${s.name} log (tail): ${s.logTail().slice(-1_500)}`);
    throw error;
  } finally {
    for (const s of servers) await s.stop();
    await pool.end();
    await cleanUp(admin, database, topicPrefix);
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2: command → visible through Kafka at a steady load
// ---------------------------------------------------------------------------------------------

/** One command in the JSON: ms from the start of the load; t1/t2 null when it never got there. */
type RecordRow = [CommandKind, boolean, number, number, number | null, number | null, string, string | null];
const RECORD_COLUMNS = [
  'kind',
  'warmup',
  'scheduledMs',
  't0Ms',
  't1Ms',
  't2Ms',
  'outcome',
  'detail',
] as const;

interface Part2 {
  readonly database: string;
  readonly topicPrefix: string;
  readonly bootSeconds: Record<string, number>;
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly sent: number;
  readonly sentPerSecond: number;
  readonly measuredWallSeconds: number;
  readonly outcomes: Record<string, number>;
  readonly errors: Record<string, number>;
  /** t2 − t0: command sent → the read shows it. */
  readonly commandToVisible: Percentiles & { readonly p95: number };
  /** t1 − t0: the command alone. */
  readonly commandOnly: Percentiles;
  /** t2 − t1: the read that waits for the read model. */
  readonly extraWait: Percentiles;
  /** How late the open-loop schedule sent requests (the load generator's own delay). */
  readonly sendLag: Percentiles;
  readonly byKind: Partial<
    Record<CommandKind, { count: number; visible: Percentiles; command: Percentiles }>
  >;
  readonly windows: readonly { fromSecond: number; latency: Percentiles }[];
  /** Per event of the measured window: recorded_at (store) → received_at (the projector's inbox row). */
  readonly storeToInbox: Percentiles & { readonly p95: number };
  /** Of which: recorded_at → the Kafka message's timestamp (the relay's clock at send). */
  readonly storeToKafka: Percentiles & { readonly p95: number };
  /** And the Kafka message's timestamp → received_at. */
  readonly kafkaToInbox: Percentiles & { readonly p95: number };
  /** The 10 events slowest to reach the inbox, ms: in all, before Kafka, after Kafka. */
  readonly slowestEvents: readonly { total: number; relay: number; consume: number }[];
  readonly eventsInWindow: number;
  readonly casesStarted: number;
  readonly casesClosed: number;
  readonly cpuPercentOfOneCore: Record<string, number>;
  /** The visibility horizon over the load (warm-up included). */
  readonly horizon: HorizonFigures;
  /** After the load: events in the store, relayed, and in the projector's inbox. */
  /** After the load: case events in the store, relayed, in the inbox, and how long they took to match. */
  readonly settled: {
    readonly store: number;
    readonly relayed: number;
    readonly inbox: number;
    readonly seconds: number;
  };
  /** Warnings and errors in the apps' logs over the whole step, by message. */
  readonly trouble: Record<string, Record<string, number>>;
  readonly records: { readonly columns: readonly string[]; readonly rows: readonly RecordRow[] };
}

/** Nearest-rank p95, which `percentiles` leaves out. */
function withP95(values: readonly number[]): Percentiles & { p95: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil(0.95 * sorted.length);
  const p95 = sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
  return { ...percentiles(values), p95: round(p95, 2) };
}

function loadFigures(
  load: LoadResult,
): Pick<
  Part2,
  | 'sent'
  | 'sentPerSecond'
  | 'measuredWallSeconds'
  | 'outcomes'
  | 'errors'
  | 'commandToVisible'
  | 'commandOnly'
  | 'extraWait'
  | 'sendLag'
  | 'byKind'
  | 'windows'
  | 'records'
> {
  const measured = load.records.filter((r) => !r.warmup);
  const outcomes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (const r of measured) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (r.detail) errors[`${r.kind}: ${r.detail}`] = (errors[`${r.kind}: ${r.detail}`] ?? 0) + 1;
  }
  const done = (rs: readonly CommandRecord[]) => rs.filter((r) => r.t1 !== null && r.t2 !== null);
  const byKind: Part2['byKind'] = {};
  for (const kind of COMMAND_KINDS) {
    const of = measured.filter((r) => r.kind === kind);
    if (of.length === 0) continue;
    byKind[kind] = {
      count: of.length,
      visible: percentiles(done(of).map((r) => r.t2! - r.t0)),
      command: percentiles(of.filter((r) => r.t1 !== null).map((r) => r.t1! - r.t0)),
    };
  }
  const schedule = measured.map((r) => r.scheduled);
  const first = Math.min(...schedule);
  const span = (Math.max(...schedule) - first) / 1000;
  const windows: { fromSecond: number; latency: Percentiles }[] = [];
  for (let from = 0; from < span; from += 10) {
    const of = done(measured).filter(
      (r) => r.scheduled - first >= from * 1000 && r.scheduled - first < (from + 10) * 1000,
    );
    if (of.length > 0) windows.push({ fromSecond: from, latency: percentiles(of.map((r) => r.t2! - r.t0)) });
  }
  const visible = done(measured).filter((r) => r.outcome === 'visible');
  return {
    sent: measured.length,
    sentPerSecond: round((measured.length - 1) / Math.max(1e-6, span), 2),
    measuredWallSeconds: load.measuredWallSeconds,
    outcomes,
    errors,
    commandToVisible: withP95(visible.map((r) => r.t2! - r.t0)),
    commandOnly: percentiles(measured.filter((r) => r.t1 !== null).map((r) => r.t1! - r.t0)),
    extraWait: percentiles(visible.map((r) => r.t2! - r.t1!)),
    sendLag: percentiles(measured.map((r) => r.t0 - r.scheduled)),
    byKind,
    windows,
    records: {
      columns: RECORD_COLUMNS,
      rows: load.records.map((r): RecordRow => [
        r.kind,
        r.warmup,
        round(r.scheduled, 2),
        round(r.t0, 2),
        r.t1 === null ? null : round(r.t1, 2),
        r.t2 === null ? null : round(r.t2, 2),
        r.outcome,
        r.detail ?? null,
      ]),
    },
  };
}

async function part2(url: string, admin: Pool, stamp: string, workDir: string): Promise<Part2> {
  const database = `bench_pipeline_${stamp}`;
  const dbUrl = withDatabase(url, database);
  const topicPrefix = `bench.pipeline.${stamp}.live.`;
  const { rate, warmupSeconds, seconds, seed, readModelWaitMs } = CONFIG.live;
  await admin.query(`CREATE DATABASE ${database}`);
  const servers: ServerProcess[] = [];
  const pool = storePool(dbUrl, 2);
  try {
    // The api first: it runs the event store's, the case application's and the read models' migrations.
    const api = await startPipelineApp('api', {
      databaseUrl: dbUrl,
      topicPrefix,
      workDir,
      extraEnv: { READ_MODEL_WAIT_MS: String(readModelWaitMs) },
    });
    servers.push(api);
    const relay = await startPipelineApp('relay', { databaseUrl: dbUrl, topicPrefix, workDir });
    servers.push(relay);
    await requirePrefixedTopics(topicPrefix);
    const projector = await startPipelineApp('projector', { databaseUrl: dbUrl, topicPrefix, workDir });
    servers.push(projector);
    log(
      `api up in ${fmt(api.bootSeconds, 1)} s, relay in ${fmt(relay.bootSeconds, 1)} s, projector in ` +
        `${fmt(projector.bootSeconds, 1)} s (database ${database}, topics ${topicPrefix}*)`,
    );
    const meter: CpuMeter = () => ({
      api: api.cpuSeconds(),
      relay: relay.cpuSeconds(),
      projector: projector.cpuSeconds(),
      PostgreSQL: postgresCpuSeconds(database),
      Kafka: brokerCpuSeconds(),
      'load generator': clientCpuSeconds(),
    });
    const wallStart = Date.now();
    const started = performance.now();
    const cpu0 = meter();
    const sampler = sampleHorizon(pool);
    const load = await runLoad({ baseUrl: api.baseUrl, rate, warmupSeconds, seconds, seed });
    const cpu = cpuPercent(cpu0, meter(), (performance.now() - started) / 1000);
    const horizon = await sampler.stop();
    log(horizonLine(horizon));
    const figures = loadFigures(load);
    const q = figures.commandToVisible;
    log(
      `${rate} commands/s: ${fmt(figures.sent)} commands measured at ${fmt(figures.sentPerSecond, 1)}/s; ` +
        `command → visible p50 ${fmt(q.p50, 1)} ms, p95 ${fmt(q.p95, 1)} ms, p99 ${fmt(q.p99, 1)} ms, ` +
        `max ${fmt(q.max, 1)} ms; CPU ${cpuLine(cpu)}`,
    );

    // Store → inbox per event, for the events appended after the warm-up (the same clock: the server's).
    const measuredFrom = new Date(wallStart + warmupSeconds * 1000);
    const lag = await pool.query<{ id: string; recorded: string; received: string }>(
      `SELECT i.event_id AS id,
              (extract(epoch FROM e.recorded_at) * 1000)::text AS recorded,
              (extract(epoch FROM i.received_at) * 1000)::text AS received
         FROM message_inbox i JOIN tongban_es.events e ON e.event_id = i.event_id::uuid
        WHERE i.consumer = 'projector' AND e.recorded_at >= $1`,
      [measuredFrom],
    );
    const sent = await caseEventTimestamps(topicPrefix);
    const hops = lag.rows.map((r) => {
      const recorded = Number(r.recorded);
      const received = Number(r.received);
      const kafka = sent.get(r.id);
      return {
        total: received - recorded,
        relay: kafka === undefined ? Number.NaN : kafka - recorded,
        consume: kafka === undefined ? Number.NaN : received - kafka,
      };
    });
    const storeToInbox = withP95(hops.map((h) => h.total));
    const timed = hops.filter((h) => Number.isFinite(h.relay));
    const storeToKafka = withP95(timed.map((h) => h.relay));
    const kafkaToInbox = withP95(timed.map((h) => h.consume));
    const slowest = [...hops]
      .sort((a, b) => b.total - a.total)
      .slice(0, 10)
      .map((h) => ({ total: round(h.total, 1), relay: round(h.relay, 1), consume: round(h.consume, 1) }));
    log(
      `store → inbox per event (${fmt(storeToInbox.count)} events): p50 ${fmt(storeToInbox.p50, 1)} ms, ` +
        `p99 ${fmt(storeToInbox.p99, 1)} ms, max ${fmt(storeToInbox.max, 1)} ms; of which store → Kafka ` +
        `p50 ${fmt(storeToKafka.p50, 1)} / p99 ${fmt(storeToKafka.p99, 1)} ms, Kafka → inbox ` +
        `p50 ${fmt(kafkaToInbox.p50, 1)} / p99 ${fmt(kafkaToInbox.p99, 1)} ms`,
    );
    const count = async (sql: string): Promise<number> =>
      Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? Number.NaN);
    // The last commands' events reach the inbox shortly after the load: wait for them (bounded).
    const settleStarted = performance.now();
    let settled = { store: 0, relayed: 0, inbox: -1 };
    while (settled.inbox < settled.store && performance.now() - settleStarted < 60_000) {
      if (settled.inbox >= 0) await sleep(100);
      settled = {
        store: await count(`SELECT count(*)::text AS n FROM tongban_es.events WHERE stream_id LIKE 'case-%'`),
        relayed: await count(`SELECT events_relayed::text AS n FROM relay_checkpoints WHERE name = 'events'`),
        inbox: await count(`SELECT count(*)::text AS n FROM message_inbox WHERE consumer = 'projector'`),
      };
    }
    const settleSeconds = round((performance.now() - settleStarted) / 1000, 2);
    return {
      database,
      topicPrefix,
      bootSeconds: {
        api: round(api.bootSeconds, 1),
        relay: round(relay.bootSeconds, 1),
        projector: round(projector.bootSeconds, 1),
      },
      rate,
      warmupSeconds,
      seconds,
      ...figures,
      storeToInbox,
      storeToKafka,
      kafkaToInbox,
      slowestEvents: slowest,
      eventsInWindow: storeToInbox.count,
      casesStarted: load.casesStarted,
      casesClosed: load.casesClosed,
      cpuPercentOfOneCore: cpu,
      horizon,
      settled: { ...settled, seconds: settleSeconds },
      trouble: Object.fromEntries(
        (['api', 'relay', 'projector'] as const).map((app) => [
          app,
          loggedTrouble(join(workDir, `${app}.log`)),
        ]),
      ),
    };
  } catch (error) {
    for (const s of servers) log(`${s.name} log (tail): ${s.logTail().slice(-1_500)}`);
    throw error;
  } finally {
    for (const s of [...servers].reverse()) await s.stop();
    await pool.end();
    await cleanUp(admin, database, topicPrefix);
  }
}

/** The relay creates its topics at boot, under the prefix: if they are missing it ignored the prefix. */
async function requirePrefixedTopics(topicPrefix: string): Promise<void> {
  if (!(await caseEventsTopicExists(topicPrefix))) {
    throw new Error(
      `the relay did not create ${topicPrefix}tongban.case-events.v1: it ignores KAFKA_TOPIC_PREFIX ` +
        '(and publishes to the unprefixed topics); the benchmark needs a relay that honours it',
    );
  }
}

async function cleanUp(admin: Pool, database: string, topicPrefix: string): Promise<void> {
  if (KEEP) {
    log(`BENCH_KEEP=1: kept database ${database} and the Kafka topics ${topicPrefix}*`);
    return;
  }
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  try {
    const deleted = await deleteKafkaPrefix(topicPrefix);
    log(`dropped ${database}; deleted ${deleted.length} Kafka topics and groups under ${topicPrefix}`);
  } catch (error) {
    log(`could not delete the Kafka topics under ${topicPrefix}: ${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

function horizonLine(h: HorizonFigures): string {
  const top = (holders: Record<string, number>): string =>
    Object.entries(holders)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([who, n]) => `${who} × ${fmt(n)}`)
      .join('; ');
  const other = top(h.otherHolders);
  const own = top(h.ownHolders);
  return (
    `horizon (${fmt(h.samples)} samples every ${h.intervalMs} ms): committed events invisible to the relay for ` +
    `p50 ${ms(h.heldMs.p50)} / p99 ${ms(h.heldMs.p99)} / max ${ms(h.heldMs.max)} ms, over 100 ms in ` +
    `${fmt(100 * h.heldOver100MsShare, 1)}% of samples; a write transaction open > 100 ms in another database in ` +
    `${fmt(100 * h.otherOpenOver100MsShare, 1)}% of samples (longest ${fmt(h.otherOpenMaxMs)} ms${other ? `: ${other}` : ''}), ` +
    `in the run's own database in ${fmt(100 * h.ownOpenOver100MsShare, 1)}% (longest ${fmt(h.ownOpenMaxMs)} ms${own ? `: ${own}` : ''})`
  );
}

const busiest = (cpu: Record<string, number>): number =>
  Math.max(
    ...Object.entries(cpu)
      .filter(([k]) => k !== 'load generator')
      .map(([, v]) => (Number.isFinite(v) ? v : 0)),
  );

const troubleCount = (trouble: Record<string, Record<string, number>>, pattern: RegExp): number =>
  Object.values(trouble)
    .flatMap((messages) => Object.entries(messages))
    .filter(([message]) => pattern.test(message))
    .reduce((sum, [, n]) => sum + n, 0);

/** What this run's figures say, in sentences (each only when the figures bear it out). */
function observations(m: Machine, p1: Part1, p2: Part2): string {
  const out: string[] = [];
  const relayCpu = p1.relay.cpuPercentOfOneCore['relay'] ?? Number.NaN;
  out.push(
    `The relay published the ${fmt(p1.relay.events)}-event backlog at ${fmt(p1.relay.eventsPerSecond)} events/s, ` +
      `${p1.relayVsAppend.toFixed(2)}× the ${fmt(p1.append.eventsPerSecond)} events/s the store took appends at with ${p1.append.writers} writers; ` +
      `the relay process used ${fmt(relayCpu)}% of a core meanwhile, PostgreSQL ${fmt(p1.relay.cpuPercentOfOneCore['PostgreSQL'] ?? Number.NaN)}% and the broker ` +
      `${fmt(p1.relay.cpuPercentOfOneCore['Kafka'] ?? Number.NaN)}%: the relay's own process (reading, encoding, the producer) is what bounds it.`,
  );
  out.push(
    `The projector drained the same topic at ${fmt(p1.projector.eventsPerSecond)} events/s, ` +
      `${(p1.projector.eventsPerSecond / p1.append.eventsPerSecond).toFixed(2)}× the append rate, with ` +
      `${fmt(p1.projector.cpuPercentOfOneCore['projector'] ?? Number.NaN)}% of a core for itself and ` +
      `${fmt(p1.projector.cpuPercentOfOneCore['PostgreSQL'] ?? Number.NaN)}% for PostgreSQL` +
      (p1.projector.eventsPerSecond < p1.append.eventsPerSecond
        ? ': slower than the store takes appends, so a burst of writes leaves it behind for a while.'
        : '.'),
  );
  const deadlocks1 = troubleCount(p1.trouble, /deadlock/);
  if (deadlocks1 > 0) {
    out.push(
      `While draining, the projector logged ${fmt(deadlocks1)} messages of a deadlock (\`deadlock detected\`): PostgreSQL finds one only ` +
        `after \`deadlock_timeout\` (${m.postgresSettings['deadlock_timeout'] ?? '?'} on this server), during which the partitions involved stand still.`,
    );
  }
  const q = p2.commandToVisible;
  const met = q.p99 < CONFIG.targets.visibleP99Ms;
  out.push(
    `At ${p2.rate} commands/s command → visible was p50 ${ms(q.p50)} ms and p99 ${ms(q.p99)} ms ` +
      `(${met ? 'within' : 'over'} the ${CONFIG.targets.visibleP99Ms} ms target); the command alone p99 ${ms(p2.commandOnly.p99)} ms, ` +
      `so ${met ? 'most of it' : 'nearly all of the excess'} is the wait for the read model. Per event, store → inbox p50 ${ms(p2.storeToInbox.p50)} / ` +
      `p99 ${ms(p2.storeToInbox.p99)} ms: store → Kafka p99 ${ms(p2.storeToKafka.p99)} ms, Kafka → inbox p99 ${ms(p2.kafkaToInbox.p99)} ms. ` +
      `${busiest(p2.cpuPercentOfOneCore) < 60 ? 'No process was busy' : 'CPU'}: over the load the relay used ${fmt(p2.cpuPercentOfOneCore['relay'] ?? Number.NaN)}%, the projector ` +
      `${fmt(p2.cpuPercentOfOneCore['projector'] ?? Number.NaN)}% and PostgreSQL ${fmt(p2.cpuPercentOfOneCore['PostgreSQL'] ?? Number.NaN)}% of a core.`,
  );
  const h = p2.horizon;
  if (h.heldOver100MsShare > 0.01) {
    const projectorHeld = Object.entries(h.ownHolders)
      .filter(([who]) => who.startsWith('tongban-projector'))
      .reduce((sum, [, n]) => sum + n, 0);
    const ownHeld = Object.values(h.ownHolders).reduce((sum, n) => sum + n, 0);
    out.push(
      `Committed events were invisible to the relay for more than 100 ms in ${fmt(100 * h.heldOver100MsShare, 1)}% of the horizon samples ` +
        `(up to ${fmt(h.heldMs.max)} ms). The relay reads the global log only below the oldest write transaction open anywhere on the ` +
        `server (ADR 0002), so such a transaction holds every event committed after it began. ` +
        (h.otherOpenOver100MsShare > 0.01
          ? `Another database of this shared server had one open > 100 ms in ${fmt(100 * h.otherOpenOver100MsShare, 1)}% of the samples: part of the wait is somebody else's. `
          : "No other database had one open longer than 100 ms: the wait is not somebody else's. ") +
        (ownHeld > 0
          ? `In the run's own database a write transaction was open > 100 ms in ${fmt(100 * h.ownOpenOver100MsShare, 1)}% of the samples, ` +
            `${fmt((100 * projectorHeld) / ownHeld)}% of those the projector's (its statements and waits are listed above): a partition's batch ` +
            'transaction that holds a transaction id (it has locked or written rows) and then waits for a lock — the checkpoint rows, which every partition ' +
            "locks — keeps the relay from seeing new events until it ends, so the projector's lock waits delay the relay as well as itself."
          : ''),
    );
  }
  const deadlocks2 = troubleCount(p2.trouble, /deadlock/);
  if (deadlocks2 > 0) {
    out.push(
      `Over the load the projector logged ${fmt(deadlocks2)} deadlock messages; with \`deadlock_timeout\` ` +
        `${m.postgresSettings['deadlock_timeout'] ?? '?'}, each one is a second or more in which the transactions involved hold the horizon.`,
    );
  }
  return out.map((o) => `- ${o}`).join('\n');
}

function troubleLine(trouble: Record<string, Record<string, number>>): string {
  const lines = Object.entries(trouble).flatMap(([app, messages]) =>
    Object.entries(messages).map(([message, n]) => `${app} ${message} × ${fmt(n)}`),
  );
  return lines.length === 0 ? 'no warnings or errors' : lines.map((l) => `\`${l}\``).join('; ');
}

function cpuLine(cpu: Record<string, number>): string {
  return Object.entries(cpu)
    .map(([k, v]) => `${k} ${Number.isFinite(v) ? fmt(v) : '—'}%`)
    .join(', ');
}

const ms = (v: number): string => fmt(v, 1);
const verdict = (met: boolean): string => (met ? 'met' : '**not met**');

function busyNote(load: { atStart: readonly number[] }, cores: number): string {
  return load.atStart[0]! > cores * 0.5
    ? `\n\n**The machine was busy when the run started** (load average ${load.atStart[0]!.toFixed(2)} on ${cores} cores): ` +
        'other work shared the cores and the PostgreSQL server and the Kafka broker with this run; its figures are lower, and its latencies higher, than on a quiet machine.'
    : '';
}

function percentilesRow(name: string, p: Percentiles & { p95?: number }): string {
  return `| ${name} | ${fmt(p.count)} | ${ms(p.p50)} | ${p.p95 === undefined ? '—' : ms(p.p95)} | ${ms(p.p99)} | ${ms(p.max)} | ${ms(p.mean)} |`;
}

function markdown(r: {
  scale: number;
  machine: Machine;
  load: { atStart: number[]; atEnd: number[] };
  runSeconds: number;
  p1: Part1;
  p2: Part2;
}): string {
  const { machine: m, p1, p2 } = r;
  const relayMet = p1.relayVsAppend >= CONFIG.targets.relayVsAppend;
  const visibleMet =
    p2.commandToVisible.p99 < CONFIG.targets.visibleP99Ms && (p2.outcomes['visible'] ?? 0) === p2.sent;
  const la = (v: readonly number[]): string => v.map((x) => x.toFixed(2)).join(' / ');
  const types = Object.entries(p1.workload.types)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${fmt(n)}`)
    .join(', ');
  const kinds = COMMAND_KINDS.filter((k) => p2.byKind[k])
    .map((k) => {
      const b = p2.byKind[k]!;
      return `| ${k} | ${fmt(b.count)} | ${ms(b.command.p50)} / ${ms(b.command.p99)} | ${ms(b.visible.p50)} / ${ms(b.visible.p99)} / ${ms(b.visible.max)} |`;
    })
    .join('\n');
  const windows = p2.windows
    .map(
      (w) =>
        `| ${w.fromSecond}–${w.fromSecond + 10} s | ${fmt(w.latency.count)} | ${ms(w.latency.p50)} | ${ms(w.latency.p99)} | ${ms(w.latency.max)} |`,
    )
    .join('\n');
  const drainRow = (name: string, d: DrainFigures): string =>
    `| ${name} | ${fmt(d.events)} | ${fmt(d.seconds, 2)} | ${fmt(d.eventsPerSecond)} | ${fmt(d.steadyEventsPerSecond)} | ${fmt(d.bootSeconds, 1)} | ${cpuLine(d.cpuPercentOfOneCore)} |`;
  const outcomes = Object.entries(p2.outcomes)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  const errors = Object.entries(p2.errors);
  return `# Pipeline benchmark

Written by \`npm run bench:pipeline\` (\`bench/pipeline.bench.ts\`); see \`bench/README.md\`. One run on one machine:
the event store's append rate, the relay's publish rate to Kafka over a backlog of those very events (and the
projector's rate off the topic), then command → visible through store → relay → Kafka → projector at a steady
${p2.rate} commands/s against the three deployables as separate processes.${r.scale === 1 ? '' : `\n\n**Smoke run at BENCH_SCALE=${r.scale}: counts and durations are scaled down; do not compare with a full run.**`}${busyNote(r.load, m.cores)}

## Machine

| | |
| --- | --- |
| Date | ${m.date} |
| CPU | ${m.cpu}, ${m.cores} cores (load generator, the three apps, PostgreSQL and the Kafka broker share them) |
| Memory | ${fmt(m.memoryGiB, 1)} GiB |
| PostgreSQL | ${m.postgres} (${Object.entries(m.postgresSettings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}) |
| Kafka | ${m.kafka}, topics of 3 partitions, replication 1; the relay's producer is idempotent with acks=all |
| Node | ${m.node} |
| Tongban | commit ${m.commit} plus the working tree's uncommitted changes at the time of the run (issue 15 in progress) |
| Run time | ${fmt(r.runSeconds, 1)} s for the whole run |
| Load average (1/5/15 min) | ${la(r.load.atStart)} at the start; ${la(r.load.atEnd)} at the end, this run's own load included |

## Method

**Append.** A fresh database (\`bench_relay_<ts>\`) gets the event store schema, then ${fmt(p1.append.events + p1.append.warmupEvents)} events of
${fmt(p1.workload.cases)} cases from \`generateCaseWorkload({ seed: ${CONFIG.append.seed}, events: ${fmt(CONFIG.append.events)} })\` (every event out of the
real decider, cases interleaved in time order; events by type: ${types}), appended through \`PostgresEventStore\`
(\`eventStorePoolConfig\`, a pool of ${CONFIG.append.poolMax}) by ${p1.append.writers} writers, each stream's appends in order, as fast as they go. The first
${fmt(p1.append.warmupEvents)} events are a warm-up, untimed; the append rate is the other ${fmt(p1.append.events)} events over the wall time of their appends.

**Relay.** Then \`VACUUM (ANALYZE)\` and \`CHECKPOINT\`, and \`apps/relay\` starts as a child process (\`node -r @swc-node/register apps/relay/src/main.ts\`)
on that database with the product's defaults (batches of ${p1.relay.batchSize}, lease 5 s, NOTIFY wake-ups) and a Kafka topic prefix of this run's own
(\`KAFKA_TOPIC_PREFIX=${p1.topicPrefix}\`: its topics are new, and deleted at the end). It takes the lease and publishes the whole log from checkpoint
zero — ${fmt(p1.relay.events)} events, the warm-up's included — to \`${p1.topicPrefix}tongban.case-events.v1\`, keyed by case id, each batch acknowledged
by the broker before the checkpoint moves. The benchmark reads \`relay_checkpoints.events_relayed\` every ${CONFIG.drain.pollMs} ms: the relay's time runs from the
first reading that shows the checkpoint row (created when the relay takes the lease, after its boot and topic creation) to the first that shows every
event relayed; "10–90%" is the rate between the readings at 10% and 90% of the events (no start-up, no tail). Afterwards the topic's high
watermarks and the relay's \`tongban_relay_events_total\` are read as a cross-check. The relay/append ratio divides the relay's whole-drain rate by the append rate.

**Projector.** With the relay stopped, \`apps/projector\` starts on the same database and prefix (a new consumer group \`…projector\`, so it reads the topic
from its start) and applies the ${fmt(p1.projector.events)} events to the 7 case read models, each partition's batch in one transaction with its inbox; the rate
runs from the first inbox row to the last (\`message_inbox\`, counted every ${CONFIG.drain.pollMs} ms). Not a target: it says what the read side drains a backlog at.

**Command → visible through Kafka.** A second fresh database (\`bench_pipeline_<ts>\`) and prefix (\`${p2.topicPrefix}\`); \`apps/api\` (which migrates the
database at boot), \`apps/relay\` and \`apps/projector\` start as three child processes, AUTH_MODE=dev, the product's defaults but the rate limits (on, every
limit at 1,000,000 a minute: six demo users send the whole load) and the api's \`READ_MODEL_WAIT_MS=${CONFIG.live.readModelWaitMs}\` (its maximum, from the 2 s default, so that
no read gives up before the event is visible and every command's time is measured rather than cut at 2 s). The load is bench:projections'
(\`bench/support/standalone-load.ts\`): an open loop of ${p2.rate} commands/s for ${p2.seconds} s after a ${p2.warmupSeconds} s warm-up that is not counted; about one command in
eight an intake (\`POST /api/v1/cases\` with an Idempotency-Key, by a resident or the 12345 hotline), the others taking earlier cases through dispatch,
accept, contact, a handling step, resolve, feedback and close with If-Match. For each command t0 = request sent, t1 = the command answered with its
\`position\`, t2 = \`GET /api/v1/cases/<id>?after=<position>\` answered by the same user with \`consistency.status = current\` and the command's version: the api
waits until the read models' checkpoints reach that position (\`ReadModelConsistency\`; through a broker the projector moves them over the log as
far as its inbox holds every event, ADR 0030), woken by the projector's NOTIFY. No client polling. **Store → inbox** is, per event appended after the warm-up, the projector's
\`message_inbox.received_at\` minus the store's \`recorded_at\`, both \`now()\` of their transaction on the same server's clock: the transaction that
applies the event starts at \`received_at\` and commits a few ms later, so the figure is the lag up to the projector taking the event in, not quite up to visibility.
Each event is also found in the topic afterwards (a reader of the benchmark's own, after the run) and its message timestamp — the
relay's clock at send — splits that lag into store → Kafka and Kafka → inbox.

**Horizon and logs.** The relay reads the global log only below the oldest write transaction open anywhere on the PostgreSQL server
(ADR 0002). Every 100 ms while the relay drains and while the load runs, the benchmark samples how long committed events of its store
have been invisible, and the write transaction open longest in another database (which database and application) and in its own
(which app, its state, what it waits for and its statement, from \`pg_stat_activity\`). The warnings and errors the apps logged are
counted by message.

## Figures

### Append and relay (same run, same events)

| Step | Events | Seconds | events/s | 10–90% events/s | Boot s | CPU, % of one core |
| --- | ---: | ---: | ---: | ---: | ---: | --- |
| append, ${p1.append.writers} writers (\`PostgresEventStore.append\`) | ${fmt(p1.append.events)} | ${fmt(p1.append.seconds, 2)} | ${fmt(p1.append.eventsPerSecond)} | — | — | ${cpuLine(p1.append.cpuPercentOfOneCore)} |
${drainRow('relay → Kafka, from checkpoint zero', p1.relay)}
${drainRow('Kafka → projector (7 read models), from the topic start', p1.projector)}

- Append: ${fmt(p1.append.appendsPerSecond)} appends/s (${fmt(p1.append.events / Math.max(1, p1.append.appends), 2)} events per append), one append p50 ${fmt(p1.append.latencyMs.p50, 2)} ms / p99 ${fmt(p1.append.latencyMs.p99, 2)} ms; machine ${fmt(p1.append.machineCpuBusyPercent)}% busy.
- **Relay / append: ${p1.relayVsAppend.toFixed(2)}×** (10–90%: ${(p1.relay.steadyEventsPerSecond / p1.append.eventsPerSecond).toFixed(2)}×). Afterwards the topic held ${fmt(p1.relay.topicMessages)} messages in ${p1.relay.topicPartitions} partitions for ${fmt(p1.relay.events)} events in the store; the relay's \`tongban_relay_events_total\` said ${fmt(p1.relay.metricEventsTotal)}.
- While the relay drained, ${horizonLine(p1.relay.horizon)}.
- Projector: ${fmt(p1.projector.applied)} of ${fmt(p1.projector.events)} inbox rows \`applied\`.
- Logged by the relay and the projector meanwhile: ${troubleLine(p1.trouble)}.
- Relay events done by the end of each second: ${p1.relay.perSecond.map((n) => fmt(n)).join(', ')}.
- Projector events done by the end of each second: ${p1.projector.perSecond.map((n) => fmt(n)).join(', ')}.

### Command → visible through Kafka at ${p2.rate} commands/s

${fmt(p2.sent)} commands measured, sent at ${fmt(p2.sentPerSecond, 1)}/s over ${fmt(p2.seconds)} s; outcomes: ${outcomes}. Cases started ${fmt(p2.casesStarted)}, closed ${fmt(p2.casesClosed)}.
Boot: api ${fmt(p2.bootSeconds['api']!, 1)} s, relay ${fmt(p2.bootSeconds['relay']!, 1)} s, projector ${fmt(p2.bootSeconds['projector']!, 1)} s.

| ms | count | p50 | p95 | p99 | max | mean |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${percentilesRow('**command → visible** (t2 − t0)', p2.commandToVisible)}
${percentilesRow('command alone (t1 − t0)', p2.commandOnly)}
${percentilesRow('read waiting for the read model (t2 − t1)', p2.extraWait)}
${percentilesRow('**store → inbox, per event** (recorded_at → received_at)', p2.storeToInbox)}
${percentilesRow('… of which store → Kafka (recorded_at → message timestamp)', p2.storeToKafka)}
${percentilesRow('… and Kafka → inbox (message timestamp → received_at)', p2.kafkaToInbox)}
${percentilesRow('send lag of the open loop (t0 − scheduled)', p2.sendLag)}

The 10 events slowest to reach the inbox (ms, in all = before Kafka + after): ${p2.slowestEvents
    .map((e) => `${ms(e.total)} = ${ms(e.relay)} + ${ms(e.consume)}`)
    .join('; ')}.

Over the load, ${horizonLine(p2.horizon)}. (The relay reads the global log only below the oldest write transaction still open
anywhere on the PostgreSQL server — ADR 0002 —, so a transaction open in another database of this shared server holds every event
behind it back: that wait shows as store → Kafka time, though none of our processes is busy.)

Logged by the apps over the step (warm-up included): ${troubleLine(p2.trouble)}.

CPU over the load (warm-up included), % of one core: ${cpuLine(p2.cpuPercentOfOneCore)}.
After the load: ${fmt(p2.settled.store)} case events in the store, ${fmt(p2.settled.relayed)} events relayed (every stream the relay routes, directory changes included), ${fmt(p2.settled.inbox)} in the projector's inbox (read ${fmt(p2.settled.seconds, 2)} s after the load ended, once the inbox had caught up or 60 s had passed).${
    errors.length === 0
      ? ''
      : `\n\nErrors: ${errors
          .slice(0, 10)
          .map(([k, v]) => `${k} × ${fmt(v)}`)
          .join('; ')}.`
  }

By command (ms): command alone p50 / p99; command → visible p50 / p99 / max.

| Command | count | command alone | command → visible |
| --- | ---: | --- | --- |
${kinds}

Command → visible by 10-second window of send time (ms):

| Window | count | p50 | p99 | max |
| --- | ---: | ---: | ---: | ---: |
${windows}

## Observations

${observations(m, p1, p2)}

## Targets (issue 15)

| Target | Required | Measured | Verdict |
| --- | --- | --- | --- |
| Relay throughput vs the append rate of the same run | ≥ ${CONFIG.targets.relayVsAppend}× | ${p1.relayVsAppend.toFixed(2)}× (${fmt(p1.relay.eventsPerSecond)} vs ${fmt(p1.append.eventsPerSecond)} events/s) | ${verdict(relayMet)} |
| Command → visible through Kafka at ${p2.rate} commands/s | p99 < ${CONFIG.targets.visibleP99Ms} ms, every command visible | p99 ${ms(p2.commandToVisible.p99)} ms (p50 ${ms(p2.commandToVisible.p50)}, p95 ${ms(p2.commandToVisible.p95)}, max ${ms(p2.commandToVisible.max)}); ${fmt(p2.outcomes['visible'] ?? 0)} of ${fmt(p2.sent)} visible | ${verdict(visibleMet)} |

The raw figures (every command's times, the drains' per-second progress) are in \`bench/results/pipeline.json\`.
The load generator, the three apps, PostgreSQL and the Kafka broker share the machine's ${m.cores} cores; compare ratios between runs, not absolute figures between machines.
`;
}

// ---------------------------------------------------------------------------------------------

/** BENCH_RENDER=1: the report again from pipeline.json, nothing run. */
function render(): void {
  const resultsDir = join(BENCH_DIR, 'results');
  const report = JSON.parse(readFileSync(join(resultsDir, 'pipeline.json'), 'utf8')) as Parameters<
    typeof markdown
  >[0];
  writeFileSync(join(resultsDir, 'pipeline.md'), markdown(report));
  log('wrote bench/results/pipeline.md from pipeline.json');
}

async function main(): Promise<void> {
  if (process.env.BENCH_RENDER === '1') return render();
  const runStarted = performance.now();
  const loadAtStart = loadavg().map((v) => round(v, 2));
  const url = connectionUrl();
  const admin = adminPool(url);
  const stamp = `${Date.now()}`;
  const workDir = mkdtempSync(join(tmpdir(), 'tongban-bench-pipeline-'));
  try {
    const machine = await pipelineMachine(admin);
    log(`machine: ${machine.cpu}, ${machine.cores} cores; load average ${loadAtStart.join(' / ')}`);
    if (SCALE !== 1) log(`BENCH_SCALE=${SCALE}: a smoke run, not comparable with a full one`);
    log(`logs of the apps in ${workDir}`);
    const p1 = await part1(url, admin, stamp, workDir);
    const p2 = await part2(url, admin, stamp, workDir);
    const loadAtEnd = loadavg().map((v) => round(v, 2));
    const runSeconds = round((performance.now() - runStarted) / 1000, 1);
    const report = {
      scale: SCALE,
      machine,
      load: { atStart: loadAtStart, atEnd: loadAtEnd },
      runSeconds,
      p1,
      p2,
    };
    const resultsDir = join(BENCH_DIR, 'results');
    mkdirSync(resultsDir, { recursive: true });
    const md = markdown(report);
    writeFileSync(join(resultsDir, 'pipeline.md'), md);
    writeFileSync(
      join(resultsDir, 'pipeline.json'),
      `${JSON.stringify({ config: CONFIG, ...report }, null, 1)}\n`,
    );
    console.log(md);
    log(`wrote bench/results/pipeline.md and pipeline.json (${runSeconds} s)`);
  } finally {
    await admin.end();
    if (!KEEP) rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
