/**
 * Event-store benchmark: Tongban's PostgresEventStore against the floor (plain INSERTs into a
 * comparable table) and a peer (Emmett's PostgreSQL event store), on the same PostgreSQL server,
 * each system in its own fresh database, in one run. See bench/README.md.
 *
 *   npm run services:up && npm run bench:store
 *
 * BENCH_SCALE=0.1 shrinks every count (a smoke run; its report says so). BENCH_KEEP=1 keeps the
 * databases afterwards (drop them by hand; a later run drops those older than an hour).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { connectionUrl, withDatabase } from './support/services';
import { newStreamAppends, utf8Bytes, type BenchAppend } from './support/payloads';
import {
  figuresTable,
  fmt,
  log,
  ratio,
  ratiosTable,
  targetsTable,
  type Machine,
  type Target,
  type WorkloadResult,
} from './support/report';
import {
  elapsedMs,
  nowNs,
  round,
  runConcurrent,
  sample,
  slices,
  summarise,
  type Measurement,
  type RawRun,
  type Sample,
} from './support/stats';
import {
  adminPool,
  BENCH_DIR,
  EmmettSystem,
  emmettInstalled,
  emmettVersion,
  FloorSystem,
  POOL_MAX,
  REPO_ROOT,
  TongbanSystem,
  type Pool,
  type CatchUpBatch,
  type SystemKey,
  type SystemUnderTest,
} from './support/systems';
import { benchScale, KEEP, scaledBy } from './support/options';

const SCALE = benchScale();
const scaled = scaledBy(SCALE);

/** Timed work is cut into this many slices, run in turns by the three systems. */
const ROUNDS = 3;

/** Fixed counts, not durations: sized so the whole run takes a few minutes on 2 cores. */
const CONFIG = {
  w1: { warmup: scaled(300), appends: scaled(12_000) },
  w2: { writers: 8, warmupPerWriter: scaled(50), appendsPerWriter: scaled(5000) },
  w3: { eventsPerAppend: 10, warmup: scaled(100), appends: scaled(4000) },
  w4: { streamLength: 1000, seedAppendSize: 100, warmup: scaled(20), reads: scaled(600) },
  w5: {
    totalEvents: scaled(100_000, 5_000),
    batchSize: 1000,
    seedAppendSize: 100,
    seedWriters: 4,
    warmupBatches: 5,
    /** One full catch-up per round. */
    passes: ROUNDS,
  },
  poolMax: POOL_MAX,
} as const;

/** The admin connection: databases, CHECKPOINT, server facts. */
class Server {
  constructor(private readonly pool: Pool) {}

  async query<T extends Record<string, unknown>>(text: string): Promise<T[]> {
    return (await this.pool.query<T>(text)).rows;
  }

  async createDatabase(name: string): Promise<void> {
    await this.pool.query(`CREATE DATABASE ${name}`);
  }

  async dropDatabase(name: string): Promise<void> {
    await this.pool.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }

  /** Each measured run starts right after a checkpoint, so none pays for another's dirty pages. */
  async checkpoint(): Promise<void> {
    await this.pool.query('CHECKPOINT');
  }

  async databaseBytes(name: string): Promise<number> {
    const rows = await this.pool.query<{ size: string }>('SELECT pg_database_size($1) AS size', [name]);
    return Number(rows.rows[0]!.size);
  }

  /** Databases left by an interrupted run more than an hour ago. */
  async dropStale(): Promise<string[]> {
    const rows = await this.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^bench_(floor|emmett|tongban)_[0-9]+$'",
    );
    const stale = rows.map((r) => r.datname).filter((n) => Date.now() - Number(n.split('_')[2]) > 3_600_000);
    for (const name of stale) await this.dropDatabase(name);
    return stale;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function machineFacts(server: Server): Promise<Machine> {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const [{ version }] = (await server.query<{ version: string }>('SELECT version()')) as [
    { version: string },
  ];
  const settings: Record<string, string> = {};
  for (const name of [
    'shared_buffers',
    'synchronous_commit',
    'fsync',
    'wal_sync_method',
    'max_wal_size',
    'checkpoint_timeout',
    'jit',
  ]) {
    const [row] = await server.query<Record<string, string>>(`SHOW ${name}`);
    settings[name] = row?.[name] ?? '?';
  }
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'libs/platform/event-store'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim();
    if (dirty) commit += ' + uncommitted changes in libs/platform/event-store';
  } catch {
    // not a git checkout
  }
  return {
    cpu: model,
    cores: cpus().length,
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    postgres: version,
    postgresSettings: settings,
    node: process.version,
    emmett: emmettVersion(),
    commit,
    date: new Date().toISOString(),
  };
}

/** What one full catch-up read delivered, checked event id by event id (untimed). */
interface DeliveryCheck {
  readonly system: SystemKey;
  /** Events in the log. */
  readonly expected: number;
  /** Events delivered, duplicates included. */
  readonly delivered: number;
  readonly distinct: number;
  readonly duplicates: number;
  readonly missing: number;
  /** Events delivered by each timed pass. */
  readonly timedPasses: number[];
  readonly ok: boolean;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg();
  if (!emmettInstalled()) {
    throw new Error(
      'Emmett is not installed in bench/node_modules: run `npm --prefix bench ci` (npm run bench:store does).',
    );
  }
  const url = connectionUrl();
  const server = new Server(adminPool(url));
  let machine: Machine;
  try {
    const stale = await server.dropStale();
    if (stale.length > 0) log(`dropped stale databases of an interrupted run: ${stale.join(', ')}`);
    machine = await machineFacts(server);
  } catch (error) {
    await server.close();
    throw error;
  }
  log(`${machine.cpu}, ${machine.cores} cores; ${machine.postgres.split(' on ')[0]}; Node ${machine.node}`);
  if (SCALE !== 1) log(`BENCH_SCALE=${SCALE}: a smoke run, not comparable with a full one`);

  const stamp = Date.now();
  const factories: Record<SystemKey, (connectionString: string) => SystemUnderTest> = {
    floor: (c) => new FloorSystem(c),
    emmett: (c) => new EmmettSystem(c),
    tongban: (c) => new TongbanSystem(c),
  };
  const order: SystemKey[] = ['floor', 'emmett', 'tongban'];
  const databases = order.map((key) => ({ key, name: `bench_${key}_${stamp}` }));
  const systems: SystemUnderTest[] = [];
  const bytesAtStart = new Map<SystemKey, number>();
  const bytesAtEnd = new Map<SystemKey, number>();
  const workloads: WorkloadResult[] = [];
  let totalEvents = 0;
  const checks: DeliveryCheck[] = [];

  try {
    for (const db of databases) {
      await server.createDatabase(db.name);
      bytesAtStart.set(db.key, await server.databaseBytes(db.name));
      const system = factories[db.key](withDatabase(url, db.name));
      systems.push(system);
      await system.setup();
      log(`${system.label}: database ${db.name} ready`);
    }

    /**
     * Every system warms up, then the timed work is cut into ROUNDS slices and the systems take
     * turns slice by slice (the order rotating each round), each slice right after a CHECKPOINT:
     * a change in the machine's background load hits all three alike instead of one.
     */
    const eachSystem = async (
      w: WorkloadResult,
      plan: (s: SystemUnderTest) => {
        warm: () => Promise<unknown>;
        slice: (round: number) => Promise<RawRun>;
        /** Untimed, after the timed slices. */
        verify?: () => Promise<void>;
      },
    ): Promise<void> => {
      const plans = systems.map((s) => ({ s, p: plan(s), samples: [] as Sample[] }));
      for (const { p } of plans) await p.warm();
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < plans.length; k++) {
          const { p, samples } = plans[(k + round) % plans.length]!;
          await server.checkpoint();
          samples.push(await sample(() => p.slice(round)));
        }
      }
      for (const { s, p, samples } of plans) {
        await p.verify?.();
        const m = summarise(samples);
        (w.results as Record<SystemKey, Measurement>)[s.key] = m;
        log(
          `${w.id} ${s.label}: ${fmt(m.opsPerSecond)} ${w.op}/s, ${fmt(m.eventsPerSecond)} events/s, ` +
            `p50 ${fmt(m.latencyMs.p50, 2)} ms, p99 ${fmt(m.latencyMs.p99, 2)} ms ` +
            `(slices ${m.sliceOpsPerSecond.map((v) => fmt(v)).join(' / ')} ${w.op}/s; CPU busy ${fmt(m.machineCpuBusyPercent)}%)`,
        );
      }
      workloads.push(w);
    };

    /** Appends to new streams: warm-up, then the timed appends in ROUNDS slices. */
    const appendPlan =
      (warm: readonly BenchAppend[], items: readonly BenchAppend[], writers: number) =>
      (s: SystemUnderTest) => {
        const parts = slices(items, ROUNDS);
        const append = (a: BenchAppend): Promise<number> => s.appendNew(a);
        return {
          warm: () => runConcurrent(warm, writers, append),
          slice: (round: number) => runConcurrent(parts[round]!, writers, append),
        };
      };

    // W1: one event per append, new streams, one writer.
    await eachSystem(
      { id: 'W1', title: '1 event/append, 1 writer', op: 'appends', primary: 'opsPerSecond', results: {} },
      appendPlan(
        newStreamAppends(CONFIG.w1.warmup, 1, 'w1w-'),
        newStreamAppends(CONFIG.w1.appends, 1, 'w1-'),
        1,
      ),
    );

    // W2: the same with 8 concurrent writers.
    {
      const { writers } = CONFIG.w2;
      await eachSystem(
        {
          id: 'W2',
          title: `1 event/append, ${writers} writers`,
          op: 'appends',
          primary: 'opsPerSecond',
          results: {},
        },
        appendPlan(
          newStreamAppends(CONFIG.w2.warmupPerWriter * writers, 1, 'w2w-'),
          newStreamAppends(CONFIG.w2.appendsPerWriter * writers, 1, 'w2-'),
          writers,
        ),
      );
    }

    // W3: ten events per append, new streams, one writer.
    {
      const n = CONFIG.w3.eventsPerAppend;
      await eachSystem(
        {
          id: 'W3',
          title: `${n} events/append, 1 writer`,
          op: 'appends',
          primary: 'opsPerSecond',
          results: {},
        },
        appendPlan(
          newStreamAppends(CONFIG.w3.warmup, n, 'w3w-'),
          newStreamAppends(CONFIG.w3.appends, n, 'w3-'),
          1,
        ),
      );
    }

    // W4: reading one 1,000-event stream, again and again.
    {
      const { streamLength, seedAppendSize } = CONFIG.w4;
      const [stream] = newStreamAppends(1, streamLength, 'w4-') as [BenchAppend];
      const chunks: BenchAppend[] = [];
      for (let v = 0; v < streamLength; v += seedAppendSize) {
        chunks.push({ streamId: stream.streamId, events: stream.events.slice(v, v + seedAppendSize) });
      }
      for (const s of systems) {
        let version = 0;
        for (const chunk of chunks) version += await s.appendAt(chunk, version);
        await s.sql('VACUUM (ANALYZE)');
      }
      const reads = (s: SystemUnderTest, count: number): Promise<RawRun> =>
        runConcurrent(
          Array.from({ length: count }, () => stream.streamId),
          1,
          async (id) => {
            const n = await s.readStream(id);
            if (n !== streamLength)
              throw new Error(`${s.label} read ${n} events of a ${streamLength}-event stream`);
            return n;
          },
        );
      const perRound = slices(Array.from({ length: CONFIG.w4.reads }), ROUNDS).map((part) => part.length);
      await eachSystem(
        {
          id: 'W4',
          title: `read a ${streamLength}-event stream`,
          op: 'reads',
          primary: 'opsPerSecond',
          results: {},
        },
        (s) => ({ warm: () => reads(s, CONFIG.w4.warmup), slice: (round) => reads(s, perRound[round]!) }),
      );
    }

    // W5: catch-up reads of the whole global log from its start, in batches.
    {
      const { totalEvents: target, batchSize, seedAppendSize, seedWriters, warmupBatches } = CONFIG.w5;
      const counts = await Promise.all(systems.map((s) => s.countEvents()));
      if (new Set(counts).size !== 1)
        throw new Error(`systems disagree on their event count: ${counts.join(', ')}`);
      const have = counts[0]!;
      const missing = Math.max(0, target - have);
      const seed = newStreamAppends(Math.floor(missing / seedAppendSize), seedAppendSize, 'w5-');
      if (missing % seedAppendSize > 0) seed.push(...newStreamAppends(1, missing % seedAppendSize, 'w5-'));
      for (const s of systems) {
        const t0 = Date.now();
        await runConcurrent(seed, seedWriters, (a) => s.appendNew(a));
        await s.sql('VACUUM (ANALYZE)');
        log(
          `W5 seed ${s.label}: ${fmt(missing)} events in appends of ${seedAppendSize} (${fmt((Date.now() - t0) / 1000, 1)} s)`,
        );
      }
      totalEvents = have + missing;
      /** A catch-up from the start of the log (at most `maxBatches`): every batch timed. */
      const catchUp = async (
        s: SystemUnderTest,
        maxBatches: number,
        onBatch?: (batch: CatchUpBatch) => void,
      ): Promise<RawRun> => {
        const cursor = s.catchUp(batchSize);
        const latenciesMs: number[] = [];
        let events = 0;
        const start = nowNs();
        for (let i = 0; i < maxBatches; i++) {
          const t0 = nowNs();
          const batch = await cursor.next();
          latenciesMs.push(elapsedMs(t0));
          events += batch.count;
          onBatch?.(batch);
          if (batch.done) break;
        }
        return { latenciesMs, events, wallMs: elapsedMs(start) };
      };
      const timedPasses = new Map<SystemKey, number[]>();
      // A catch-up reader must deliver every event of the log exactly once: one more, untimed pass
      // checks that by event id.
      const verify = (s: SystemUnderTest) => async (): Promise<void> => {
        const seen = new Set<string>();
        const { events: delivered } = await catchUp(s, Number.MAX_SAFE_INTEGER, (b) => {
          for (const id of b.ids()) seen.add(id);
        });
        const check: DeliveryCheck = {
          system: s.key,
          expected: totalEvents,
          delivered,
          distinct: seen.size,
          duplicates: delivered - seen.size,
          missing: totalEvents - seen.size,
          timedPasses: timedPasses.get(s.key) ?? [],
          ok: delivered === totalEvents && seen.size === totalEvents,
        };
        checks.push(check);
        if (!check.ok) {
          log(
            `W5 ${s.label}: delivered ${fmt(delivered)} events of a ${fmt(totalEvents)}-event log: ` +
              `${fmt(check.duplicates)} duplicates, ${fmt(check.missing)} never delivered`,
          );
        }
      };
      await eachSystem(
        {
          id: 'W5',
          title: `catch-up read of ${fmt(totalEvents)} events`,
          op: 'batches',
          primary: 'eventsPerSecond',
          results: {},
        },
        (s) => ({
          warm: () => catchUp(s, warmupBatches),
          slice: async () => {
            const run = await catchUp(s, Number.MAX_SAFE_INTEGER);
            timedPasses.set(s.key, [...(timedPasses.get(s.key) ?? []), run.events]);
            return run;
          },
          verify: verify(s),
        }),
      );
    }

    for (const db of databases) bytesAtEnd.set(db.key, await server.databaseBytes(db.name));
  } finally {
    await Promise.allSettled(systems.map((s) => s.close()));
    if (KEEP) log(`BENCH_KEEP=1: kept databases ${databases.map((d) => d.name).join(', ')}`);
    else for (const db of databases) await server.dropDatabase(db.name).catch(() => undefined);
    await server.close();
  }

  const runSeconds = round((Date.now() - started) / 1000, 1);
  const load = { atStart: loadAtStart.map((v) => round(v, 2)), atEnd: loadavg().map((v) => round(v, 2)) };
  const byId = (id: string): WorkloadResult => workloads.find((w) => w.id === id)!;
  const w2 = byId('W2');
  const w5 = byId('W5');
  const w2Floor = ratio(w2, 'tongban', 'floor') ?? 0;
  const w2Emmett = ratio(w2, 'tongban', 'emmett') ?? 0;
  const w5Rate = w5.results.tongban?.eventsPerSecond ?? 0;
  const targets: Target[] = [
    {
      name: 'Single-event appends, 8 writers, vs the floor',
      workload: 'W2',
      required: '≥ 0.60× floor',
      actual: `${w2Floor.toFixed(2)}× (${fmt(w2.results.tongban?.opsPerSecond ?? 0)} vs ${fmt(w2.results.floor?.opsPerSecond ?? 0)} appends/s)`,
      met: w2Floor >= 0.6,
    },
    {
      name: 'Single-event appends, 8 writers, vs Emmett',
      workload: 'W2',
      required: '≥ 1.5× Emmett',
      actual: `${w2Emmett.toFixed(2)}× (${fmt(w2.results.tongban?.opsPerSecond ?? 0)} vs ${fmt(w2.results.emmett?.opsPerSecond ?? 0)} appends/s)`,
      met: w2Emmett >= 1.5,
    },
    {
      name: 'Catch-up read',
      workload: 'W5',
      required: '≥ 50,000 events/s',
      actual: `${fmt(w5Rate)} events/s`,
      met: w5Rate >= 50_000,
    },
  ];
  const storage = Object.fromEntries(
    databases.map((db) => {
      const grown = (bytesAtEnd.get(db.key) ?? Number.NaN) - (bytesAtStart.get(db.key) ?? Number.NaN);
      return [db.key, { databaseGrowthBytes: grown, bytesPerEvent: round(grown / totalEvents, 0) }];
    }),
  ) as Record<SystemKey, { databaseGrowthBytes: number; bytesPerEvent: number }>;
  const example = newStreamAppends(1, 1, 'example-')[0]!.events[0]!;
  const payload = { dataBytes: utf8Bytes(example.data), metadataBytes: utf8Bytes(example.metadata) };

  const figures = figuresTable(workloads);
  const ratios = ratiosTable(workloads);
  const targetLines = targetsTable(targets);
  console.log(`\n${figures}\n\n${ratios}\n\n${targetLines}\n`);

  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'event-store.json'),
    JSON.stringify(
      {
        machine,
        load,
        scale: SCALE,
        config: CONFIG,
        payload,
        runSeconds,
        workloads,
        targets,
        deliveryChecks: checks,
        storage,
      },
      null,
      2,
    ) + '\n',
  );
  writeFileSync(
    join(resultsDir, 'event-store.md'),
    markdown({
      machine,
      load,
      figures,
      ratios,
      targetLines,
      storage,
      payload,
      runSeconds,
      totalEvents,
      checks,
    }),
  );
  log(`wrote bench/results/event-store.md and event-store.json (whole run ${fmt(runSeconds, 1)} s)`);
}

const SYSTEM_NAMES: Record<SystemKey, string> = { floor: 'floor', emmett: 'Emmett', tongban: 'Tongban' };

/** Why Emmett's batch reader can skip or repeat events; from its source (readMessagesBatch), 0.42.0. */
const EMMETT_SKIP_NOTE =
  ' Its reader orders a batch by (transaction_id, global_position) but continues from the *global_position*' +
  " of the batch's last message (`global_position >= last + 1`), and its append takes the transaction id" +
  ' before it draws global positions. With concurrent writers (W2, the W5 seed) a transaction with a later' +
  ' id can hold a smaller global position, so that continuation point can skip events that sort after a' +
  ' batch boundary (never delivered) and repeat events with a larger global position but an earlier' +
  ' transaction (delivered twice).';

/** Other work on the machine takes cores from both the client and PostgreSQL. */
function busyNote(load: { atStart: readonly number[] }, cores: number): string {
  const load1 = load.atStart[0] ?? 0;
  if (load1 < 0.5 * cores) return '';
  return `\n**The machine was busy with other work when the run started (1-minute load ${load1} on ${cores} cores): the figures are lower and noisier than on a quiet machine. The ratios are only as fair as that other load was steady across the run (see the per-slice figures in the JSON).**\n`;
}

function completeness(checks: readonly DeliveryCheck[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    const passes = c.timedPasses.map((n) => fmt(n)).join(', ');
    lines.push(
      `- ${SYSTEM_NAMES[c.system]}: ${fmt(c.delivered)} events delivered for a ${fmt(c.expected)}-event log, ` +
        `${fmt(c.distinct)} distinct` +
        (c.ok
          ? ' — complete, no duplicates.'
          : ` — **${fmt(c.missing)} never delivered, ${fmt(c.duplicates)} delivered twice or more.**` +
            (c.system === 'emmett' ? EMMETT_SKIP_NOTE : '')) +
        ` (Timed passes delivered ${passes}.)`,
    );
  }
  return lines.join('\n');
}

function markdown(r: {
  machine: Machine;
  load: { atStart: number[]; atEnd: number[] };
  figures: string;
  ratios: string;
  targetLines: string;
  storage: Record<SystemKey, { databaseGrowthBytes: number; bytesPerEvent: number }>;
  payload: { dataBytes: number; metadataBytes: number };
  runSeconds: number;
  totalEvents: number;
  checks: readonly DeliveryCheck[];
}): string {
  const m = r.machine;
  const s = m.postgresSettings;
  const mib = (b: number): string => fmt(b / 1024 ** 2, 1);
  return `# Event store benchmark

Written by \`npm run bench:store\` (\`bench/event-store.bench.ts\`); see \`bench/README.md\` for what each
workload measures and how to read the ratios. One run: the floor, Emmett and Tongban on the same
PostgreSQL server, each in its own fresh database. For every workload each system warms up, then the
timed work is cut into ${ROUNDS} slices that the three systems run in turns (the order rotating each
round), every slice right after a \`CHECKPOINT\`; a system's figures add up its slices.${SCALE === 1 ? '' : `\n\n**Smoke run at BENCH_SCALE=${SCALE}: counts are scaled down; do not compare with a full run.**`}

## Machine

| | |
| --- | --- |
| Date | ${m.date} |
| CPU | ${m.cpu}, ${m.cores} cores (client and server share them) |
| Memory | ${m.memoryGiB} GiB |
| PostgreSQL | ${m.postgres} |
| PostgreSQL settings | shared_buffers ${s.shared_buffers}, synchronous_commit ${s.synchronous_commit}, fsync ${s.fsync}, wal_sync_method ${s.wal_sync_method}, max_wal_size ${s.max_wal_size}, checkpoint_timeout ${s.checkpoint_timeout}, jit ${s.jit} |
| Node | ${m.node} |
| Emmett | @event-driven-io/emmett-postgresql ${m.emmett} |
| Tongban | commit ${m.commit} |
| Run time | ${fmt(r.runSeconds, 1)} s for the whole run (setup, seeding, warm-ups included) |
| Load average (1/5/15 min) | ${r.load.atStart.join(' / ')} at the start; ${r.load.atEnd.join(' / ')} at the end, this run's own load included |
${busyNote(r.load, m.cores)}
## Workloads

Every event is a \`case.submitted\`-like event: about ${r.payload.dataBytes} bytes of JSON data (UTF-8, Chinese
text included) and ${r.payload.metadataBytes} bytes of metadata (correlationId, causationId, actor
{id, role, orgUnit}, channel). The same events go to all three systems. One pg.Pool of max
${CONFIG.poolMax} connections per system. Fixed counts, each after a short warm-up:

- **W1** — ${fmt(CONFIG.w1.appends)} appends of 1 event to new streams, 1 writer (warm-up ${fmt(CONFIG.w1.warmup)}).
- **W2** — ${CONFIG.w2.writers} concurrent writers × ${fmt(CONFIG.w2.appendsPerWriter)} appends of 1 event to new streams (warm-up ${CONFIG.w2.writers} × ${fmt(CONFIG.w2.warmupPerWriter)}).
- **W3** — ${fmt(CONFIG.w3.appends)} appends of ${CONFIG.w3.eventsPerAppend} events to new streams, 1 writer (warm-up ${fmt(CONFIG.w3.warmup)}).
- **W4** — ${fmt(CONFIG.w4.reads)} reads of one ${fmt(CONFIG.w4.streamLength)}-event stream, 1 reader (warm-up ${fmt(CONFIG.w4.warmup)}).
- **W5** — a catch-up read of the whole global log, ${fmt(r.totalEvents)} events, from its start in batches of ${fmt(CONFIG.w5.batchSize)}
  (the earlier workloads' events plus seed appends of ${CONFIG.w5.seedAppendSize} events through each system's own append path; \`VACUUM (ANALYZE)\` before;
  warm-up ${CONFIG.w5.warmupBatches} batches), ${CONFIG.w5.passes} timed full passes (one per slice).
  Tongban: \`readAll({ after, maxCount })\` until \`caughtUp\`. Emmett: \`readMessagesBatch(execute, { after, batchSize })\`,
  the exported function its consumers use, until \`areMessagesLeft\` is false. Floor: \`SELECT … WHERE id > $1 ORDER BY id LIMIT 1000\`.

## Figures

p50/p99 are per operation: one append (W1–W3), one whole-stream read (W4), one batch (W5). CPU busy is
the share of both cores in use during the timed slices (the client and PostgreSQL together, plus anything
else running on the machine).

${r.figures}

## Ratios

Throughput of Tongban divided by the other system's, on the workload's compared figure (above 1× means Tongban is faster).

${r.ratios}

## Targets

From the event-store issue.

${r.targetLines}

## Catch-up completeness (W5)

A catch-up reader must deliver every event of the log exactly once. After its timed passes, each
system made one more, untimed pass that collected the event ids it delivered:

${completeness(r.checks)}

W5's events/s counts the events delivered, duplicates included.

## Storage

Growth of each system's database over the whole run, for the same ${fmt(r.totalEvents)} events:
floor ${mib(r.storage.floor.databaseGrowthBytes)} MiB (${fmt(r.storage.floor.bytesPerEvent)} B/event),
Emmett ${mib(r.storage.emmett.databaseGrowthBytes)} MiB (${fmt(r.storage.emmett.bytesPerEvent)} B/event),
Tongban ${mib(r.storage.tongban.databaseGrowthBytes)} MiB (${fmt(r.storage.tongban.bytesPerEvent)} B/event).

Raw numbers, with client CPU per operation and the machine's CPU load during each run: \`bench/results/event-store.json\`.
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
