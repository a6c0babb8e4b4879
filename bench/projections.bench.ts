/**
 * Projection benchmark: how fast the case read models rebuild from the event store, against the
 * raw insert floor of the same PostgreSQL in the same run, and how long a command takes to become
 * visible to queries in standalone mode. See bench/README.md.
 *
 *   npm run services:up && npm run bench:projections
 *
 * BENCH_SCALE=0.1 shrinks every count and the load's duration (a smoke run; its report says so).
 * BENCH_KEEP=1 keeps the databases afterwards (drop them by hand; a later run drops those older
 * than an hour).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CASE_PROJECTIONS, CASE_READ_MODEL_MIGRATIONS } from '@tongban/case-read-models';
import { PostgresEventStore, eventStorePoolConfig, migrateEventStore } from '@tongban/event-store';
import { rebuildProjection, type AnyProjection } from '@tongban/projections';
import { connectionUrl, withDatabase } from './support/services';
import {
  caseSeed,
  floorInsertMany,
  floorParams,
  floorRows,
  FLOOR_INSERT_ONE,
  FLOOR_TABLE,
  shardByStream,
  type CaseSeed,
  type FloorRow,
} from './support/case-workload';
import { machineFacts, type Machine } from './support/machine';
import { fmt } from './support/report';
import {
  COMMAND_KINDS,
  percentiles,
  runLoad,
  startStandalone,
  type CommandKind,
  type CommandRecord,
  type LoadResult,
  type Percentiles,
} from './support/standalone-load';
import { round, runConcurrent, sample, type Sample } from './support/stats';
import { adminPool, BENCH_DIR, REPO_ROOT, type Pool } from './support/systems';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
if (!(SCALE > 0 && SCALE <= 10))
  throw new Error(`BENCH_SCALE must be in (0, 10], got ${process.env.BENCH_SCALE}`);
const KEEP = process.env.BENCH_KEEP === '1';
const scaled = (n: number, min = 1): number => Math.max(min, Math.round(n * SCALE));

/** A rebuild rate this close to its target (either side) is reported as marginal. */
const MARGIN = 0.15;

/** Every rebuild and floor run is repeated this many times; the report gives the median. */
const REPEATS = 3;

const CONFIG = {
  workload: { seed: 20261128, events: scaled(50_000, 1_000), seedWriters: 8, seedPoolMax: 10 },
  rebuild: {
    /** rebuildProjection's default, as `npm run projections:rebuild` uses it. */
    batchSize: 5_000,
    /** The pool `npm run projections:rebuild` opens (apps/projector/src/rebuild.ts). */
    poolMax: 3,
    repeats: REPEATS,
  },
  floor: { poolMax: 10, writers: 10, rowsPerStatement: 5_000, repeats: REPEATS },
  standalone: {
    rate: 20,
    warmupSeconds: 5,
    seconds: scaled(60, 5),
    seed: 42,
    /** A second, lighter step right after the first, on the same (warm) server. */
    light: { rate: 10, seconds: scaled(20, 5) },
  },
  targets: { rebuildEventsPerSecond: 10_000, visibleP99Ms: 100 },
} as const;

const log = (message: string): void =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

/** The product's node-postgres (root node_modules), not bench/node_modules' copy. */
const rootPg = createRequire(join(REPO_ROOT, 'package.json'))('pg') as {
  Pool: new (config: ReturnType<typeof eventStorePoolConfig>) => Pool;
};

function newPool(url: string, max: number): Pool {
  const pool = new rootPg.Pool(eventStorePoolConfig(url, { max }));
  // An idle connection cut by the server (the databases are dropped at the end) must not crash us.
  pool.on('error', () => undefined);
  return pool;
}

const median = (values: readonly number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

// ---------------------------------------------------------------------------------------------
// Machine
// ---------------------------------------------------------------------------------------------

/** The machine facts every report gives, and the PGlite build standalone runs on. */
type MachineWithPglite = Machine & { readonly pglite: string };

async function machineWithPglite(admin: Pool): Promise<MachineWithPglite> {
  const machine = await machineFacts(admin, {
    settings: [
      'shared_buffers',
      'work_mem',
      'maintenance_work_mem',
      'synchronous_commit',
      'fsync',
      'max_wal_size',
      'jit',
    ],
    watched: ['libs/platform/projections', 'libs/case-read-models', 'apps/standalone'],
    dirtyNote: ' + uncommitted changes in the projection engine, case read models or standalone',
  });
  let pglite = 'unknown';
  try {
    const file = join(REPO_ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json');
    pglite = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    // not installed
  }
  return { ...machine, pglite };
}

// ---------------------------------------------------------------------------------------------
// Part 1: rebuild throughput and the raw insert floor
// ---------------------------------------------------------------------------------------------

interface RebuildRun {
  readonly projection: string;
  readonly round: number;
  readonly events: number;
  readonly seconds: number;
  /** From the call until the swap began: replay, secondary indexes, catch-up. */
  readonly replaySeconds: number;
  /** The swap transaction and what follows it. */
  readonly swapSeconds: number;
  readonly swapRetries: number;
  /** CPU of this Node process (the engine's handlers, JSON, the driver) over the wall time. */
  readonly clientCpuPercentOfOneCore: number;
  /** Both cores, everything on the machine (PostgreSQL included). */
  readonly machineCpuBusyPercent: number;
}

interface FloorRun {
  readonly kind: 'single' | 'multi';
  readonly round: number;
  readonly rows: number;
  readonly seconds: number;
  readonly clientCpuPercentOfOneCore: number;
  readonly machineCpuBusyPercent: number;
}

interface TableFacts {
  readonly table: string;
  readonly rows: number;
  readonly bytes: number;
}

interface RebuildFigures {
  readonly projection: string;
  readonly events: number;
  readonly medianSeconds: number;
  readonly eventsPerSecond: number;
  readonly runsEventsPerSecond: readonly number[];
  readonly medianReplaySeconds: number;
  readonly medianSwapSeconds: number;
  readonly clientCpuPercentOfOneCore: number;
  readonly machineCpuBusyPercent: number;
  readonly vsFloorSingle: number;
  readonly vsFloorMulti: number;
  readonly meetsTarget: boolean;
  /** Within MARGIN of the target: another run on the same machine may land on the other side. */
  readonly marginal: boolean;
  readonly tables: readonly TableFacts[];
}

const cpuOf = (s: Sample): { client: number; machine: number } => ({
  client: round((100 * s.clientCpuMs) / Math.max(1e-6, s.raw.wallMs), 1),
  machine: round((100 * s.busyTicks) / Math.max(1, s.totalTicks), 1),
});

async function seedStore(url: string, seed: CaseSeed): Promise<number> {
  const pool = newPool(url, CONFIG.workload.seedPoolMax);
  const store = new PostgresEventStore({ pool });
  try {
    const started = performance.now();
    await Promise.all(
      shardByStream(seed.appends, CONFIG.workload.seedWriters).map(async (shard) => {
        for (const a of shard) await store.append(a.streamId, a.events, a.expectedVersion);
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    await pool.query('VACUUM (ANALYZE)');
    return seconds;
  } finally {
    await store.close();
    await pool.end();
  }
}

async function migrateReadModels(url: string): Promise<void> {
  const dataSource = new DataSource({ type: 'postgres', url, migrations: CASE_READ_MODEL_MIGRATIONS });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'all' });
  } finally {
    await dataSource.destroy();
  }
}

async function tablesOf(pool: Pool, projection: AnyProjection): Promise<TableFacts[]> {
  const out: TableFacts[] = [];
  for (const table of [...projection.tables.map((t) => t.table), projection.streamsTable]) {
    const { rows } = await pool.query<{ rows: string; bytes: string }>(
      `SELECT (SELECT count(*) FROM "${table}") AS rows, pg_total_relation_size($1::regclass) AS bytes`,
      [table],
    );
    out.push({ table, rows: Number(rows[0]!.rows), bytes: Number(rows[0]!.bytes) });
  }
  return out;
}

interface Part1 {
  readonly seedSeconds: number;
  readonly generateSeconds: number;
  readonly rebuildRuns: readonly RebuildRun[];
  readonly floorRuns: readonly FloorRun[];
  readonly rebuilds: readonly RebuildFigures[];
  readonly floor: {
    readonly single: { medianSeconds: number; eventsPerSecond: number; runs: readonly number[] };
    readonly multi: { medianSeconds: number; eventsPerSecond: number; runs: readonly number[] };
  };
  readonly wholeSet: {
    readonly medianSeconds: number;
    readonly roundsSeconds: readonly number[];
    readonly projectedEventsPerSecond: number;
    readonly storeEventsPerSecond: number;
    readonly vsFloorSingle: number;
    readonly vsFloorMulti: number;
  };
}

async function part1(admin: Pool, url: string, seed: CaseSeed, generateSeconds: number): Promise<Part1> {
  const stamp = Date.now();
  const viewsDb = `bench_views_${stamp}`;
  const floorDb = `bench_viewsfloor_${stamp}`;
  const N = seed.events;
  const rebuildRuns: RebuildRun[] = [];
  const floorRuns: FloorRun[] = [];
  let tableFacts = new Map<string, TableFacts[]>();
  let seedSeconds: number;
  const pools: Pool[] = [];
  try {
    for (const db of [viewsDb, floorDb]) await admin.query(`CREATE DATABASE ${db}`);
    const viewsUrl = withDatabase(url, viewsDb);
    const floorUrl = withDatabase(url, floorDb);

    // The event store and the read models' tables, as the projector's database has them.
    const setup = newPool(viewsUrl, 2);
    await migrateEventStore(setup);
    await setup.end();
    await migrateReadModels(viewsUrl);
    seedSeconds = await seedStore(viewsUrl, seed);
    log(
      `seeded ${viewsDb}: ${fmt(N)} events of ${fmt(seed.cases)} cases in ${fmt(seed.appends.length)} appends ` +
        `(${CONFIG.workload.seedWriters} writers, ${fmt(seedSeconds, 1)} s)`,
    );

    const pool = newPool(viewsUrl, CONFIG.rebuild.poolMax);
    pools.push(pool);
    const store = new PostgresEventStore({ pool });
    const floorPool = newPool(floorUrl, CONFIG.floor.poolMax);
    pools.push(floorPool);
    await floorPool.query(FLOOR_TABLE);
    const rows = floorRows(seed.appends);
    if (rows.length !== N) throw new Error(`floor rows ${rows.length} != ${N} events`);

    const checkpoint = (): Promise<unknown> => admin.query('CHECKPOINT');

    const floorSingle = async (): Promise<{ wallMs: number }> =>
      runConcurrent(rows, CONFIG.floor.writers, async (r: FloorRow) => {
        await floorPool.query(FLOOR_INSERT_ONE, floorParams(r));
        return 1;
      });
    const floorMulti = async (): Promise<{ wallMs: number }> => {
      const started = performance.now();
      for (let i = 0; i < rows.length; i += CONFIG.floor.rowsPerStatement) {
        const { text, values } = floorInsertMany(rows.slice(i, i + CONFIG.floor.rowsPerStatement));
        await floorPool.query(text, values);
      }
      return { wallMs: performance.now() - started };
    };

    // Warm-ups, untimed: one floor pass of each kind and one rebuild of the first projection.
    for (const fill of [floorSingle, floorMulti]) {
      await floorPool.query('TRUNCATE events RESTART IDENTITY');
      await fill();
    }
    await rebuildProjection(pool, store, CASE_PROJECTIONS[0]!, { batchSize: CONFIG.rebuild.batchSize });
    log('warm-up done (one floor pass of each kind, one rebuild)');

    for (let round_ = 0; round_ < REPEATS; round_++) {
      for (const [kind, fill] of [
        ['single', floorSingle],
        ['multi', floorMulti],
      ] as const) {
        await floorPool.query('TRUNCATE events RESTART IDENTITY');
        await checkpoint();
        const s = await sample(async () => {
          const r = await fill();
          return { latenciesMs: [r.wallMs], events: N, wallMs: r.wallMs };
        });
        const cpu = cpuOf(s);
        floorRuns.push({
          kind,
          round: round_,
          rows: N,
          seconds: round(s.raw.wallMs / 1000, 3),
          clientCpuPercentOfOneCore: cpu.client,
          machineCpuBusyPercent: cpu.machine,
        });
        log(
          `round ${round_ + 1} floor ${kind === 'single' ? `(a) single-row INSERTs, ${CONFIG.floor.writers} writers` : `(b) ${fmt(CONFIG.floor.rowsPerStatement)}-row INSERTs`}: ` +
            `${fmt(N / (s.raw.wallMs / 1000))} events/s (${fmt(s.raw.wallMs / 1000, 2)} s)`,
        );
      }
      // The order of the projections rotates each round.
      const order = CASE_PROJECTIONS.map((_, k) => CASE_PROJECTIONS[(k + round_) % CASE_PROJECTIONS.length]!);
      for (const projection of order) {
        await checkpoint();
        let swapAt: number | undefined;
        let report: Awaited<ReturnType<typeof rebuildProjection>> | undefined;
        const s = await sample(async () => {
          const started = performance.now();
          report = await rebuildProjection(pool, store, projection, {
            batchSize: CONFIG.rebuild.batchSize,
            onProgress: (p) => {
              if (p.phase === 'swapping' && swapAt === undefined) swapAt = performance.now() - started;
            },
          });
          const wallMs = performance.now() - started;
          return { latenciesMs: [wallMs], events: report.events, wallMs };
        });
        if (report!.events !== N) throw new Error(`${projection.name} replayed ${report!.events} of ${N}`);
        const seconds = s.raw.wallMs / 1000;
        const replaySeconds = (swapAt ?? s.raw.wallMs) / 1000;
        const cpu = cpuOf(s);
        rebuildRuns.push({
          projection: projection.name,
          round: round_,
          events: report!.events,
          seconds: round(seconds, 3),
          replaySeconds: round(replaySeconds, 3),
          swapSeconds: round(seconds - replaySeconds, 3),
          swapRetries: report!.swapRetries,
          clientCpuPercentOfOneCore: cpu.client,
          machineCpuBusyPercent: cpu.machine,
        });
        log(
          `round ${round_ + 1} rebuild ${projection.name}: ${fmt(N / seconds)} events/s (${fmt(seconds, 2)} s, ` +
            `swap ${fmt((seconds - replaySeconds) * 1000)} ms; Node CPU ${fmt(cpu.client)}% of a core, machine ${fmt(cpu.machine)}%)`,
        );
      }
    }
    tableFacts = new Map(
      await Promise.all(CASE_PROJECTIONS.map(async (p) => [p.name, await tablesOf(pool, p)] as const)),
    );
    await store.close();
  } finally {
    await Promise.allSettled(pools.map((p) => p.end()));
    if (KEEP) log(`BENCH_KEEP=1: kept databases ${viewsDb}, ${floorDb}`);
    else
      for (const db of [viewsDb, floorDb])
        await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
  }

  const floorOf = (kind: FloorRun['kind']) => {
    const runs = floorRuns.filter((r) => r.kind === kind).map((r) => r.seconds);
    const m = median(runs);
    return { medianSeconds: round(m, 3), eventsPerSecond: round(N / m, 0), runs };
  };
  const floor = { single: floorOf('single'), multi: floorOf('multi') };
  const rebuilds = CASE_PROJECTIONS.map((p): RebuildFigures => {
    const runs = rebuildRuns.filter((r) => r.projection === p.name);
    const m = median(runs.map((r) => r.seconds));
    const rate = N / m;
    return {
      projection: p.name,
      events: N,
      medianSeconds: round(m, 3),
      eventsPerSecond: round(rate, 0),
      runsEventsPerSecond: runs.map((r) => round(N / r.seconds, 0)),
      medianReplaySeconds: round(median(runs.map((r) => r.replaySeconds)), 3),
      medianSwapSeconds: round(median(runs.map((r) => r.swapSeconds)), 3),
      clientCpuPercentOfOneCore: round(median(runs.map((r) => r.clientCpuPercentOfOneCore)), 1),
      machineCpuBusyPercent: round(median(runs.map((r) => r.machineCpuBusyPercent)), 1),
      vsFloorSingle: round(rate / floor.single.eventsPerSecond, 3),
      vsFloorMulti: round(rate / floor.multi.eventsPerSecond, 3),
      meetsTarget: rate >= CONFIG.targets.rebuildEventsPerSecond,
      marginal: Math.abs(rate / CONFIG.targets.rebuildEventsPerSecond - 1) < MARGIN,
      tables: tableFacts.get(p.name) ?? [],
    };
  });
  const roundsSeconds = Array.from({ length: REPEATS }, (_, r) =>
    round(
      rebuildRuns.filter((x) => x.round === r).reduce((a, x) => a + x.seconds, 0),
      3,
    ),
  );
  const whole = median(roundsSeconds);
  const projected = (N * CASE_PROJECTIONS.length) / whole;
  return {
    seedSeconds: round(seedSeconds, 2),
    generateSeconds: round(generateSeconds, 2),
    rebuildRuns,
    floorRuns,
    rebuilds,
    floor,
    wholeSet: {
      medianSeconds: round(whole, 3),
      roundsSeconds,
      projectedEventsPerSecond: round(projected, 0),
      storeEventsPerSecond: round(N / whole, 0),
      vsFloorSingle: round(projected / floor.single.eventsPerSecond, 3),
      vsFloorMulti: round(projected / floor.multi.eventsPerSecond, 3),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: command → visible in standalone
// ---------------------------------------------------------------------------------------------

interface LatencyFigures {
  readonly commandToVisible: Percentiles;
  readonly extraWait: Percentiles;
  readonly commandOnly: Percentiles;
  /** How late the open-loop schedule sent requests (client-side delay). */
  readonly sendLag: Percentiles;
}

/** One steady load step: its rate, what was sent and how it went. */
interface LoadStep {
  readonly name: string;
  readonly targetRate: number;
  readonly seconds: number;
  readonly serverCpuPercentOfOneCore: number;
  readonly sent: number;
  readonly sentPerSecond: number;
  readonly visiblePerSecond: number;
  readonly measuredWallSeconds: number;
  readonly outcomes: Record<string, number>;
  readonly errors: Record<string, number>;
  readonly all: LatencyFigures;
  readonly byKind: Partial<
    Record<CommandKind, { count: number; visible: Percentiles; command: Percentiles }>
  >;
  /** Command → visible by 10-second window of send time: shows drift and queueing episodes. */
  readonly windows: readonly { fromSecond: number; latency: Percentiles }[];
  readonly casesStarted: number;
  readonly casesClosed: number;
  readonly meetsTarget: boolean;
  /** Every command of the step (warm-up included), one row each: see RECORD_COLUMNS. */
  readonly records: { readonly columns: readonly string[]; readonly rows: readonly RecordRow[] };
}

interface Part2 {
  readonly bootSeconds: number;
  /** The target load (the brief's 20 commands/s): the targets are judged on it. */
  readonly main: LoadStep;
  /** The same mix at half the rate, right after: where the latency goes with less load. */
  readonly light: LoadStep;
}

/** One command in the JSON: ms from the start of the step; t1/t2 null when it never got there. */
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

/** JSON with arrays of plain values on one line (the command rows, the per-run figures). */
function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /\[\n\s*([^[\]{}]*?)\n\s*\]/g,
    (_m, inner: string) => `[${inner.split(/,\n\s*/).join(', ')}]`,
  );
}

function latencyFigures(records: readonly CommandRecord[]): LatencyFigures {
  const done = records.filter((r) => r.outcome === 'visible' || r.outcome === 'behind');
  return {
    commandToVisible: percentiles(done.map((r) => r.t2! - r.t0)),
    extraWait: percentiles(done.map((r) => r.t2! - r.t1!)),
    commandOnly: percentiles(records.filter((r) => r.t1 !== null).map((r) => r.t1! - r.t0)),
    sendLag: percentiles(records.map((r) => r.t0 - r.scheduled)),
  };
}

function summariseStep(
  name: string,
  rate: number,
  seconds: number,
  load: LoadResult,
  serverCpu: number,
): LoadStep {
  const measured = load.records.filter((r) => !r.warmup);
  const outcomes: Record<string, number> = {};
  const errors: Record<string, number> = {};
  for (const r of measured) {
    outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
    if (r.detail) errors[`${r.kind}: ${r.detail}`] = (errors[`${r.kind}: ${r.detail}`] ?? 0) + 1;
  }
  const byKind: LoadStep['byKind'] = {};
  for (const kind of COMMAND_KINDS) {
    const of = measured.filter((r) => r.kind === kind);
    if (of.length === 0) continue;
    const done = of.filter((r) => r.t2 !== null && r.t1 !== null);
    byKind[kind] = {
      count: of.length,
      visible: percentiles(done.map((r) => r.t2! - r.t0)),
      command: percentiles(of.filter((r) => r.t1 !== null).map((r) => r.t1! - r.t0)),
    };
  }
  const all = latencyFigures(measured);
  const schedule = measured.map((r) => r.scheduled);
  const first = Math.min(...schedule);
  const span = (Math.max(...schedule) - first) / 1000;
  const windows: { fromSecond: number; latency: Percentiles }[] = [];
  for (let from = 0; from < span; from += 10) {
    const of = measured.filter(
      (r) =>
        r.t2 !== null &&
        r.t1 !== null &&
        r.scheduled - first >= from * 1000 &&
        r.scheduled - first < (from + 10) * 1000,
    );
    if (of.length > 0) windows.push({ fromSecond: from, latency: percentiles(of.map((r) => r.t2! - r.t0)) });
  }
  return {
    name,
    targetRate: rate,
    seconds,
    serverCpuPercentOfOneCore: serverCpu,
    sent: measured.length,
    sentPerSecond: round((measured.length - 1) / Math.max(1e-6, span), 2),
    visiblePerSecond: round(
      measured.filter((r) => r.outcome === 'visible').length / load.measuredWallSeconds,
      2,
    ),
    measuredWallSeconds: load.measuredWallSeconds,
    outcomes,
    errors,
    all,
    byKind,
    windows,
    casesStarted: load.casesStarted,
    casesClosed: load.casesClosed,
    meetsTarget:
      all.commandToVisible.p99 < CONFIG.targets.visibleP99Ms &&
      (outcomes['visible'] ?? 0) === measured.length,
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

async function part2(): Promise<Part2> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-bench-standalone-'));
  const { rate, warmupSeconds, seconds, seed, light } = CONFIG.standalone;
  try {
    const server = await startStandalone(REPO_ROOT, dir);
    log(`standalone up in ${fmt(server.bootSeconds, 1)} s (pid ${server.pid}, PGlite in ${dir})`);
    try {
      const step = async (
        name: string,
        r: number,
        warmup: number,
        secs: number,
        s: number,
      ): Promise<LoadStep> => {
        const cpu0 = server.cpuSeconds();
        const started = performance.now();
        const load = await runLoad({
          baseUrl: server.baseUrl,
          rate: r,
          warmupSeconds: warmup,
          seconds: secs,
          seed: s,
        });
        const cpu =
          (100 * (server.cpuSeconds() - cpu0)) / Math.max(1e-6, (performance.now() - started) / 1000);
        const result = summariseStep(name, r, secs, load, round(cpu, 1));
        const q = result.all.commandToVisible;
        log(
          `${name}: ${fmt(result.sent)} commands at ${fmt(result.sentPerSecond, 1)}/s; command → visible ` +
            `p50 ${fmt(q.p50, 1)} ms, p99 ${fmt(q.p99, 1)} ms, max ${fmt(q.max, 1)} ms; server CPU ${fmt(result.serverCpuPercentOfOneCore)}% of a core`,
        );
        return result;
      };
      const main = await step(`${rate} commands/s`, rate, warmupSeconds, seconds, seed);
      const lighter = await step(`${light.rate} commands/s`, light.rate, 0, light.seconds, seed + 1);
      return { bootSeconds: server.bootSeconds, main, light: lighter };
    } catch (error) {
      log(`standalone stderr (tail): ${server.stderrTail().slice(-1_000)}`);
      throw error;
    } finally {
      const exit = await server.stop();
      log(`standalone stopped (${exit.signal ?? `exit ${exit.code}`})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');
const mib = (b: number): string => fmt(b / 1024 ** 2, 1);

function rebuildTable(p: Part1): string {
  const lines = [
    '| Projection | events/s (median of 3) | runs (events/s) | median s | replay + indexes s | swap ms | ÷ floor (a) | ÷ floor (b) | Node CPU (% of a core) | machine CPU | ≥ 10,000/s |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  for (const r of p.rebuilds) {
    lines.push(
      `| ${r.projection} | ${fmt(r.eventsPerSecond)} | ${r.runsEventsPerSecond.map((v) => fmt(v)).join(' / ')} | ` +
        `${fmt(r.medianSeconds, 2)} | ${fmt(r.medianReplaySeconds, 2)} | ${fmt(r.medianSwapSeconds * 1000)} | ` +
        `${x(r.vsFloorSingle)} | ${x(r.vsFloorMulti)} | ${fmt(r.clientCpuPercentOfOneCore)}% | ${fmt(r.machineCpuBusyPercent)}% | ` +
        `${r.meetsTarget ? 'met' : '**not met**'}${r.marginal ? ' (marginal)' : ''} |`,
    );
  }
  const w = p.wholeSet;
  lines.push(
    `| **all 7, one after another** | ${fmt(w.projectedEventsPerSecond)} projected (${fmt(w.storeEventsPerSecond)} store events/s) | ` +
      `${w.roundsSeconds.map((s) => `${fmt(s, 1)} s`).join(' / ')} | ${fmt(w.medianSeconds, 2)} | | | ${x(w.vsFloorSingle)} | ${x(w.vsFloorMulti)} | | | |`,
  );
  return lines.join('\n');
}

function floorTable(p: Part1): string {
  return [
    '| Floor | events/s (median of 3) | runs (s) |',
    '| --- | ---: | --- |',
    `| (a) single-row autocommit INSERTs, ${CONFIG.floor.writers} writers, pool of ${CONFIG.floor.poolMax} | ${fmt(p.floor.single.eventsPerSecond)} | ${p.floor.single.runs.map((s) => fmt(s, 2)).join(' / ')} |`,
    `| (b) ${fmt(CONFIG.floor.rowsPerStatement)}-row INSERTs, 1 writer | ${fmt(p.floor.multi.eventsPerSecond)} | ${p.floor.multi.runs.map((s) => fmt(s, 2)).join(' / ')} |`,
  ].join('\n');
}

function tablesTable(p: Part1): string {
  const lines = ['| Projection | Table | rows | size MiB |', '| --- | --- | ---: | ---: |'];
  for (const r of p.rebuilds) {
    for (const t of r.tables)
      lines.push(`| ${r.projection} | ${t.table} | ${fmt(t.rows)} | ${mib(t.bytes)} |`);
  }
  return lines.join('\n');
}

function latencyTable(steps: readonly LoadStep[]): string {
  const lines = [
    '| Load | Latency (ms) | n | p50 | p90 | p99 | max | mean |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const st of steps) {
    const row = (name: string, q: Percentiles): string =>
      `| ${st.name} | ${name} | ${fmt(q.count)} | ${fmt(q.p50, 1)} | ${fmt(q.p90, 1)} | ${fmt(q.p99, 1)} | ${fmt(q.max, 1)} | ${fmt(q.mean, 1)} |`;
    lines.push(
      row('**command → visible** (t2 − t0)', st.all.commandToVisible),
      row('extra wait for the read model (t2 − t1)', st.all.extraWait),
      row('command alone (t1 − t0)', st.all.commandOnly),
      row('send lag behind the schedule (client)', st.all.sendLag),
    );
  }
  return lines.join('\n');
}

function stepsTable(steps: readonly LoadStep[]): string {
  const lines = [
    '| Load | measured s | sent | sent/s | visible/s | visible | behind | stale | errors | server CPU (% of a core) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const st of steps) {
    const o = st.outcomes;
    const errors = (o['command_error'] ?? 0) + (o['read_error'] ?? 0);
    lines.push(
      `| ${st.name} | ${fmt(st.seconds)} | ${fmt(st.sent)} | ${fmt(st.sentPerSecond, 2)} | ${fmt(st.visiblePerSecond, 2)} | ` +
        `${fmt(o['visible'] ?? 0)} | ${fmt(o['behind'] ?? 0)} | ${fmt(o['stale'] ?? 0)} | ${fmt(errors)} | ${fmt(st.serverCpuPercentOfOneCore)}% |`,
    );
  }
  return lines.join('\n');
}

function byKindTable(st: LoadStep): string {
  const lines = [
    '| Command | n | visible p50 | visible p99 | command p50 | command p99 |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const kind of COMMAND_KINDS) {
    const k = st.byKind[kind];
    if (!k) continue;
    lines.push(
      `| ${kind} | ${fmt(k.count)} | ${fmt(k.visible.p50, 1)} | ${fmt(k.visible.p99, 1)} | ${fmt(k.command.p50, 1)} | ${fmt(k.command.p99, 1)} |`,
    );
  }
  return lines.join('\n');
}

function windowsTable(st: LoadStep): string {
  const lines = ['| Sent during | n | p50 | p99 | max |', '| --- | ---: | ---: | ---: | ---: |'];
  for (const w of st.windows) {
    lines.push(
      `| ${w.fromSecond}–${w.fromSecond + 10} s | ${fmt(w.latency.count)} | ${fmt(w.latency.p50, 1)} | ${fmt(w.latency.p99, 1)} | ${fmt(w.latency.max, 1)} |`,
    );
  }
  return lines.join('\n');
}

function targetsTable(p1: Part1, p2: Part2): string {
  const met = p1.rebuilds.filter((r) => r.meetsTarget).map((r) => r.projection);
  const missed = p1.rebuilds
    .filter((r) => !r.meetsTarget)
    .map((r) => `${r.projection} (${fmt(r.eventsPerSecond)})`);
  const marginal = p1.rebuilds
    .filter((r) => r.marginal)
    .map((r) => `${r.projection} (${fmt(r.eventsPerSecond)})`);
  const visible = (st: LoadStep): string => {
    const q = st.all.commandToVisible;
    const problems = Object.entries(st.outcomes)
      .filter(([k]) => k !== 'visible')
      .map(([k, n]) => `${n} ${k}`);
    return (
      `p99 ${fmt(q.p99, 1)} ms (p50 ${fmt(q.p50, 1)}, max ${fmt(q.max, 1)})` +
      (problems.length > 0 ? `; ${problems.join(', ')}` : '')
    );
  };
  return [
    '| Target | Required | Measured | Verdict |',
    '| --- | --- | --- | --- |',
    `| Rebuild throughput, per projection | ≥ ${fmt(CONFIG.targets.rebuildEventsPerSecond)} events/s | ` +
      `${met.length} of ${p1.rebuilds.length} meet it${met.length > 0 ? `: ${met.join(', ')}` : ''}` +
      `${missed.length > 0 ? `; below: ${missed.join(', ')}` : ''}` +
      `${marginal.length > 0 ? `; within ${MARGIN * 100}% of the target, so a repeat run may land on the other side: ${marginal.join(', ')}` : ''}` +
      ` | ${missed.length === 0 ? 'met' : met.length === 0 ? '**not met**' : '**partly met**'}${marginal.length > 0 ? ' (marginal)' : ''} |`,
    `| Command → visible in standalone, at ${p2.main.name} | p99 < ${CONFIG.targets.visibleP99Ms} ms | ${visible(p2.main)} | ${p2.main.meetsTarget ? 'met' : '**not met**'} |`,
    `| (for reference) the same at ${p2.light.name} | p99 < ${CONFIG.targets.visibleP99Ms} ms | ${visible(p2.light)} | ${p2.light.meetsTarget ? 'met' : 'not met'} |`,
  ].join('\n');
}

function busyNote(load: { atStart: readonly number[] }, cores: number): string {
  const load1 = load.atStart[0] ?? 0;
  if (load1 < 0.5 * cores) return '';
  return `\n**The machine was busy with other work when the run started (1-minute load ${load1} on ${cores} cores): the figures are lower and noisier than on a quiet machine; compare the ratios, and see the per-run figures.**\n`;
}

function observations(p1: Part1, p2: Part2): string {
  const sorted = [...p1.rebuilds].sort((a, b) => a.eventsPerSecond - b.eventsPerSecond);
  const slowest = sorted[0]!;
  const fastest = sorted[sorted.length - 1]!;
  const spread = (r: RebuildFigures): number =>
    Math.max(...r.runsEventsPerSecond) / Math.max(1, Math.min(...r.runsEventsPerSecond));
  const noisy = p1.rebuilds.filter((r) => spread(r) > 1.25).map((r) => r.projection);
  const lines = [
    `- Slowest rebuild: **${slowest.projection}**, ${fmt(slowest.eventsPerSecond)} events/s; fastest: ${fastest.projection}, ` +
      `${fmt(fastest.eventsPerSecond)} events/s. During the slowest, this Node process was busy ${fmt(slowest.clientCpuPercentOfOneCore)}% ` +
      `of the wall time and the machine ${fmt(slowest.machineCpuBusyPercent)}% of its ${cpus().length} cores` +
      (slowest.clientCpuPercentOfOneCore >= 90
        ? ': the replay is bound by the engine’s own CPU (handlers, row copies, JSON), not by PostgreSQL.'
        : slowest.machineCpuBusyPercent >= 90
          ? ': the machine was saturated.'
          : ': neither side is saturated — the engine works on a batch (handlers, row copies, JSON) while PostgreSQL waits, ' +
            'then waits while PostgreSQL writes it; only the next read is prefetched.'),
    `- The swap (rename, index names, checkpoint) took ${fmt(Math.min(...p1.rebuilds.map((r) => r.medianSwapSeconds)) * 1000)}–` +
      `${fmt(Math.max(...p1.rebuilds.map((r) => r.medianSwapSeconds)) * 1000)} ms per projection (median).`,
    noisy.length > 0
      ? `- Runs of ${noisy.join(', ')} differ by more than 25% between repeats: noise from the machine, or from dead rows left by the earlier rebuilds.`
      : '- The three runs of every projection agree within 25%.',
    `- Standalone server process CPU: ${fmt(p2.main.serverCpuPercentOfOneCore)}% of one core at ${p2.main.name}, ` +
      `${fmt(p2.light.serverCpuPercentOfOneCore)}% at ${p2.light.name} (API, projector and PGlite share one event loop and one database connection).`,
    `- At ${p2.main.name} the p99 of command → visible per 10-second window ranged from ` +
      `${fmt(Math.min(...p2.main.windows.map((w) => w.latency.p99)), 1)} to ${fmt(Math.max(...p2.main.windows.map((w) => w.latency.p99)), 1)} ms ` +
      `(p99 ${fmt(p2.light.all.commandToVisible.p99, 1)} ms at ${p2.light.name}).`,
  ];
  return lines.join('\n');
}

function markdown(r: {
  machine: MachineWithPglite;
  load: { atStart: number[]; atEnd: number[] };
  seed: CaseSeed;
  p1: Part1;
  p2: Part2;
  runSeconds: number;
}): string {
  const { machine: m, seed, p1, p2 } = r;
  const s = m.postgresSettings;
  const types = Object.entries(seed.types)
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `${t} ${fmt(n)}`)
    .join(', ');
  const steps = [p2.main, p2.light];
  const errorLines = steps.flatMap((st) =>
    Object.entries(st.errors).map(([k, n]) => `  - ${st.name}: ${n}× ${k}`),
  );
  return `# Projection benchmark

Written by \`npm run bench:projections\` (\`bench/projections.bench.ts\`); see \`bench/README.md\`. One run
on one machine: the rebuild of each case read model and the raw insert floor on the same PostgreSQL
server, then command → visible latency in standalone mode.${SCALE === 1 ? '' : `\n\n**Smoke run at BENCH_SCALE=${SCALE}: counts and durations are scaled down; do not compare with a full run.**`}

## Machine

| | |
| --- | --- |
| Date | ${m.date} |
| CPU | ${m.cpu}, ${m.cores} cores (client, PostgreSQL and the standalone process share them) |
| Memory | ${m.memoryGiB} GiB |
| PostgreSQL | ${m.postgres} |
| PostgreSQL settings | shared_buffers ${s.shared_buffers}, work_mem ${s.work_mem}, maintenance_work_mem ${s.maintenance_work_mem}, synchronous_commit ${s.synchronous_commit}, fsync ${s.fsync}, max_wal_size ${s.max_wal_size}, jit ${s.jit} |
| Standalone database | PGlite ${m.pglite} (embedded, in the standalone process) |
| Node | ${m.node} |
| Tongban | commit ${m.commit} |
| Run time | ${fmt(r.runSeconds, 1)} s for the whole run |
| Load average (1/5/15 min) | ${r.load.atStart.join(' / ')} at the start; ${r.load.atEnd.join(' / ')} at the end, this run's own load included |
${busyNote(r.load, m.cores)}
## Method

**Rebuild.** A fresh database gets the event store schema and the read models' migrations, then
${fmt(seed.events)} events of ${fmt(seed.cases)} cases from \`generateCaseWorkload({ seed: ${CONFIG.workload.seed}, events: ${fmt(CONFIG.workload.events)} })\`
(every event out of the real decider, cases interleaved in time order; ${fmt(seed.appends.length)} appends,
on average ${fmt(seed.dataBytes / seed.events)} bytes of data and ${fmt(seed.metadataBytes / seed.events)} bytes of metadata per event),
appended through \`PostgresEventStore\` by ${CONFIG.workload.seedWriters} writers (each stream's appends in order), then \`VACUUM (ANALYZE)\`.
Events by type: ${types}.
Each of the ${CASE_PROJECTIONS.length} projections is then rebuilt with \`rebuildProjection(pool, store, projection, { batchSize: ${fmt(CONFIG.rebuild.batchSize)} })\`
on a pool of ${CONFIG.rebuild.poolMax} (what \`npm run projections:rebuild\` does): fresh \`__rebuild\` tables, replay of the whole store,
secondary indexes, swap. The time is the whole call. ${REPEATS} rounds, each: floor (a), floor (b), then all ${CASE_PROJECTIONS.length} rebuilds one
after another (the order rotating each round), every run right after a \`CHECKPOINT\`; a warm-up pass of each floor and one
warm-up rebuild come first, untimed. Every figure is the median of the ${REPEATS} runs; events/s = ${fmt(seed.events)} / median seconds.

**Floor.** The same ${fmt(seed.events)} events (same ids, streams, versions, data and metadata JSON) inserted into a comparable table
in a second fresh database on the same server (bigserial id, stream_id, stream_version, event_id uuid unique, type, data jsonb,
metadata jsonb, unique (stream_id, stream_version); bench:store's floor): **(a)** one autocommit single-row INSERT per event,
${CONFIG.floor.writers} concurrent writers on a pool of ${CONFIG.floor.poolMax}; **(b)** multi-row INSERTs of ${fmt(CONFIG.floor.rowsPerStatement)} rows per statement, one after another.
The table is truncated before each run. A rebuild reads every event and writes read-model rows, so the ratios say how much of the
server's raw insert rate a rebuild keeps, not which is "better".

**Command → visible.** The standalone app (\`apps/standalone/src/main.ts\`: API, projector and embedded PGlite in one process, a pool of
one connection, the in-process bus, AUTH_MODE=dev, default settings: projection batches of 500, read waits of at most 2 s) runs in a
child process of its own, on a fresh temporary data folder, started with \`node -r @swc-node/register\` (the source \`npm start\` compiles).
The benchmark takes dev-login tokens for the demo users and sends an open-loop load of ${CONFIG.standalone.rate} commands/s
(one every ${fmt(1000 / CONFIG.standalone.rate)} ms, whether or not earlier ones have answered) for ${fmt(CONFIG.standalone.seconds)} s after a ${CONFIG.standalone.warmupSeconds} s warm-up
that is not counted. About one command in eight is an intake (POST /api/v1/cases with an Idempotency-Key, by a resident through the app
or by the 12345 hotline); the others take earlier cases through dispatch (dispatcher), accept, contact, a handling step, resolve (the
community's cadre), feedback (whoever filed) and close (cadre), each with If-Match of the version the last command returned.
Personal data is invented. For each command: t0 = request sent, t1 = command answered (with its \`position\`), t2 = \`GET /api/v1/cases/<id>?after=<position>\`
answered by the same user — the server waits until the read models reach the position — with \`consistency.status = current\`
and the case's version at least the command's. No client polling.

## Rebuild throughput

Target: a rebuild replays at least ${fmt(CONFIG.targets.rebuildEventsPerSecond)} events/s. Floor (a) = ${fmt(p1.floor.single.eventsPerSecond)} events/s,
floor (b) = ${fmt(p1.floor.multi.eventsPerSecond)} events/s (below). Node CPU is this benchmark's process (the engine, its handlers and
the driver), in % of one core; machine CPU is all ${m.cores} cores (PostgreSQL included).

${rebuildTable(p1)}

Whole set: all ${CASE_PROJECTIONS.length} projections one after another, ${fmt(p1.wholeSet.medianSeconds, 1)} s (median round) — ${fmt(seed.events)} × ${CASE_PROJECTIONS.length} projected
events / total = ${fmt(p1.wholeSet.projectedEventsPerSecond)} events/s; ${fmt(seed.events)} store events / total = ${fmt(p1.wholeSet.storeEventsPerSecond)} events/s.

### The raw append floor

${floorTable(p1)}

### Read-model tables after the last rebuild

${tablesTable(p1)}

## Command → visible in standalone

Target: command → visible p99 < ${CONFIG.targets.visibleP99Ms} ms at ${p2.main.name}, for ${fmt(p2.main.seconds)} s after a
${CONFIG.standalone.warmupSeconds} s warm-up; then, on the same server, ${fmt(p2.light.seconds)} s at ${p2.light.name} for reference. Standalone
started in ${fmt(p2.bootSeconds, 1)} s. Cases started ${fmt(p2.main.casesStarted + p2.light.casesStarted)}, taken all the way to closed
${fmt(p2.main.casesClosed + p2.light.casesClosed)} (warm-up included). "visible/s" counts the commands whose change the read showed, over the
time from the first measured send to the last answer.

${stepsTable(steps)}
${errorLines.length > 0 ? `\nErrors and answers other than visible:\n\n${errorLines.join('\n')}\n` : ''}
${latencyTable(steps)}

t2 − t1 is the whole read request: the server-side wait for the read models plus the query itself (detail, timeline, SLA clocks).

Command → visible over time at ${p2.main.name}, by when the command was sent:

${windowsTable(p2.main)}

By command, at ${p2.main.name}:

${byKindTable(p2.main)}

## Targets

${targetsTable(p1, p2)}

## Observations

${observations(p1, p2)}

Raw figures (every rebuild and floor run, every command's times): \`bench/results/projections.json\`.
`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg();
  const url = connectionUrl();
  const admin = adminPool(url);
  let machine: MachineWithPglite;
  let p1: Part1;
  let seed: CaseSeed;
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^bench_views(floor)?_[0-9]+$'",
    );
    for (const { datname } of rows) {
      if (Date.now() - Number(datname.split('_')[2]) > 3_600_000) {
        await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
        log(`dropped stale database ${datname}`);
      }
    }
    machine = await machineWithPglite(admin);
    log(`${machine.cpu}, ${machine.cores} cores; ${machine.postgres.split(' on ')[0]}; Node ${machine.node}`);
    if (SCALE !== 1) log(`BENCH_SCALE=${SCALE}: a smoke run, not comparable with a full one`);
    const t0 = performance.now();
    seed = caseSeed(CONFIG.workload.seed, CONFIG.workload.events);
    const generateSeconds = (performance.now() - t0) / 1000;
    log(
      `workload: ${fmt(seed.events)} events, ${fmt(seed.cases)} cases (generated in ${fmt(generateSeconds, 1)} s)`,
    );
    p1 = await part1(admin, url, seed, generateSeconds);
  } finally {
    await admin.end();
  }
  const p2 = await part2();

  const runSeconds = round((Date.now() - started) / 1000, 1);
  const load = { atStart: loadAtStart.map((v) => round(v, 2)), atEnd: loadavg().map((v) => round(v, 2)) };
  console.log(
    `\n${rebuildTable(p1)}\n\n${floorTable(p1)}\n\n${stepsTable([p2.main, p2.light])}\n\n${latencyTable([p2.main, p2.light])}\n\n` +
      `${windowsTable(p2.main)}\n\n${byKindTable(p2.main)}\n\n${targetsTable(p1, p2)}\n`,
  );

  const resultsDir = join(BENCH_DIR, 'results');
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(
    join(resultsDir, 'projections.json'),
    compactJson({
      machine,
      load,
      scale: SCALE,
      config: CONFIG,
      runSeconds,
      workload: {
        events: seed.events,
        cases: seed.cases,
        appends: seed.appends.length,
        types: seed.types,
        dataBytesPerEvent: round(seed.dataBytes / seed.events, 0),
        metadataBytesPerEvent: round(seed.metadataBytes / seed.events, 0),
        generateSeconds: p1.generateSeconds,
        seedSeconds: p1.seedSeconds,
      },
      rebuild: { projections: p1.rebuilds, wholeSet: p1.wholeSet, runs: p1.rebuildRuns },
      floor: { ...p1.floor, runs: p1.floorRuns },
      standalone: p2,
    }) + '\n',
  );
  writeFileSync(join(resultsDir, 'projections.md'), markdown({ machine, load, seed, p1, p2, runSeconds }));
  log(`wrote bench/results/projections.md and projections.json (whole run ${fmt(runSeconds, 1)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
