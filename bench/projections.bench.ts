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
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { CASE_PROJECTIONS, CASE_READ_MODEL_MIGRATIONS } from '@tongban/case-read-models';
import { PostgresEventStore, migrateEventStore } from '@tongban/event-store';
import { rebuildProjection, rebuildProjections, type AnyProjection } from '@tongban/projections';
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
import {
  UNREACHED_RATE_LIMITS,
  enableStatementStats,
  readStatementStats,
  resetStatementStats,
  startApiAndProjector,
  type StatementFigures,
} from './support/api-projector';
import { summariseProfile, type ProfileSummary } from './support/cpu-profile';
import { postgresCpuSeconds } from './support/http-load';
import { machineFacts, type Machine } from './support/machine';
import { profileRebuild, timeStatements, type RebuildProfile } from './support/rebuild-profile';
import { fmt, log } from './support/report';
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
import { cpuPercent, round, runConcurrent, sample, type Sample } from './support/stats';
import { adminPool, BENCH_DIR, REPO_ROOT, storePool, type Pool } from './support/systems';
import { benchScale, KEEP, scaledBy } from './support/options';

const SCALE = benchScale();
/**
 * BENCH_PART=rebuild or visible runs one part alone; the report then keeps the other part's
 * figures from the last projections.json (and says so). Default: all.
 */
const PART = process.env.BENCH_PART ?? 'all';
if (!['all', 'rebuild', 'visible'].includes(PART))
  throw new Error(`BENCH_PART must be all, rebuild or visible, got ${PART}`);
const scaled = scaledBy(SCALE);

/** The label of the rebuild of every read model in one pass. */
const ONE_PASS = 'all 7, one pass';

/** A rebuild rate this close to its target (either side) is reported as marginal. */
const MARGIN = 0.15;

/** Every rebuild and floor run is repeated this many times; the report gives the median. */
const REPEATS = 3;

const CONFIG = {
  workload: { seed: 20261128, events: scaled(50_000, 1_000), seedWriters: 8, seedPoolMax: 10 },
  rebuild: {
    /** rebuildProjections' default (DEFAULT_BATCH_SIZE), as `npm run projections:rebuild` uses it. */
    batchSize: 20_000,
    /** The pool `npm run projections:rebuild` opens (apps/projector/src/rebuild.ts). */
    poolMax: 3,
    repeats: REPEATS,
  },
  floor: { poolMax: 10, writers: 10, rowsPerStatement: 5_000, repeats: REPEATS },
  standalone: {
    rate: 20,
    // A fresh process compiles its hot paths (V8 and PGlite's) over its first few hundred
    // commands; on a shared 2-core machine 5 s was not enough to leave them out of the figures.
    warmupSeconds: 15,
    seconds: scaled(60, 5),
    seed: 42,
    /** A second, lighter step right after the first, on the same (warm) server. */
    light: { rate: 10, seconds: scaled(20, 5) },
  },
  /** apps/api + apps/projector, two processes, on the PostgreSQL server. */
  // Two fresh processes compile their hot paths first, as standalone does.
  apiProjector: { rate: 50, warmupSeconds: 15, seconds: scaled(60, 5), seed: 43 },
  /**
   * After the measured steps, the same load again for this long with the CPU profiler on (never
   * during a measured step, whose figures it would change); not counted in the latency tables.
   */
  profile: { seconds: scaled(20, 5), samplingIntervalUs: 500 },
  targets: {
    rebuildEventsPerSecond: 20_000,
    rebuildVsFloorMulti: 0.8,
    onePassStoreEventsPerSecond: 10_000,
    visibleP99Ms: 100,
    apiProjectorVisibleP99Ms: 50,
  },
} as const;

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
  const pool = storePool(url, CONFIG.workload.seedPoolMax);
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
    /**
     * All 7 rebuilt together by `rebuildProjections`: ONE pass over the store feeding every
     * projection's fresh tables. (Kept inside wholeSet: BENCH_PART=visible carries it over whole.)
     */
    readonly onePass?: {
      readonly medianSeconds: number;
      readonly runs: readonly RebuildRun[];
      readonly storeEventsPerSecond: number;
      readonly projectedEventsPerSecond: number;
      readonly vsFloorMulti: number;
      readonly meetsTarget: boolean;
    };
    /** Where the time went in one profiled (untimed) run each: case_detail alone, all 7 in one pass. */
    readonly profiles?: readonly RebuildProfile[];
  };
}

async function part1(admin: Pool, url: string, seed: CaseSeed, generateSeconds: number): Promise<Part1> {
  const stamp = Date.now();
  const viewsDb = `bench_views_${stamp}`;
  const floorDb = `bench_viewsfloor_${stamp}`;
  const N = seed.events;
  const rebuildRuns: RebuildRun[] = [];
  const onePassRuns: RebuildRun[] = [];
  const profiles: RebuildProfile[] = [];
  const floorRuns: FloorRun[] = [];
  let tableFacts = new Map<string, TableFacts[]>();
  let seedSeconds: number;
  const pools: Pool[] = [];
  try {
    for (const db of [viewsDb, floorDb]) await admin.query(`CREATE DATABASE ${db}`);
    const viewsUrl = withDatabase(url, viewsDb);
    const floorUrl = withDatabase(url, floorDb);

    // The event store and the read models' tables, as the projector's database has them.
    const setup = storePool(viewsUrl, 2);
    await migrateEventStore(setup);
    await setup.end();
    await migrateReadModels(viewsUrl);
    seedSeconds = await seedStore(viewsUrl, seed);
    log(
      `seeded ${viewsDb}: ${fmt(N)} events of ${fmt(seed.cases)} cases in ${fmt(seed.appends.length)} appends ` +
        `(${CONFIG.workload.seedWriters} writers, ${fmt(seedSeconds, 1)} s)`,
    );

    const pool = storePool(viewsUrl, CONFIG.rebuild.poolMax);
    // Per-statement times seen from here, used when pg_stat_statements is not loaded.
    timeStatements(pool);
    pools.push(pool);
    const store = new PostgresEventStore({ pool });
    const floorPool = storePool(floorUrl, CONFIG.floor.poolMax);
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
      // All 7 together: one pass over the store, every projection's fresh tables fed per batch.
      await checkpoint();
      let swapAt: number | undefined;
      let report: Awaited<ReturnType<typeof rebuildProjections>> | undefined;
      const s = await sample(async () => {
        const started = performance.now();
        report = await rebuildProjections(pool, store, CASE_PROJECTIONS, {
          batchSize: CONFIG.rebuild.batchSize,
          onProgress: (p) => {
            if (p.phase === 'swapping' && swapAt === undefined) swapAt = performance.now() - started;
          },
        });
        const wallMs = performance.now() - started;
        return { latenciesMs: [wallMs], events: report.events, wallMs };
      });
      if (report!.events !== N) throw new Error(`the one-pass rebuild replayed ${report!.events} of ${N}`);
      const seconds = s.raw.wallMs / 1000;
      const replaySeconds = (swapAt ?? s.raw.wallMs) / 1000;
      const cpu = cpuOf(s);
      onePassRuns.push({
        projection: ONE_PASS,
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
        `round ${round_ + 1} rebuild of all ${CASE_PROJECTIONS.length} in one pass: ${fmt(N / seconds)} store events/s (${fmt(seconds, 2)} s, ` +
          `swap ${fmt((seconds - replaySeconds) * 1000)} ms; Node CPU ${fmt(cpu.client)}% of a core, machine ${fmt(cpu.machine)}%)`,
      );
    }
    // Where the time goes, in runs of their own (the profiler costs time: not in the figures above).
    for (const [label, projections] of [
      ['case_detail', [CASE_PROJECTIONS.find((p) => p.name === 'case_detail')!]],
      [ONE_PASS, CASE_PROJECTIONS],
    ] as const) {
      await checkpoint();
      const file = join(tmpdir(), `tongban-rebuild-${stamp}-${label.replace(/\W+/g, '-')}.cpuprofile`);
      profiles.push(
        await profileRebuild(
          label,
          pool,
          () => rebuildProjections(pool, store, projections, { batchSize: CONFIG.rebuild.batchSize }),
          file,
        ),
      );
      rmSync(file, { force: true });
      log(`profiled the rebuild of ${label}`);
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
      meetsTarget:
        rate >= CONFIG.targets.rebuildEventsPerSecond &&
        rate / floor.multi.eventsPerSecond >= CONFIG.targets.rebuildVsFloorMulti,
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
  const onePass = median(onePassRuns.map((r) => r.seconds));
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
      onePass: {
        medianSeconds: round(onePass, 3),
        runs: onePassRuns,
        storeEventsPerSecond: round(N / onePass, 0),
        projectedEventsPerSecond: round((N * CASE_PROJECTIONS.length) / onePass, 0),
        vsFloorMulti: round(N / onePass / floor.multi.eventsPerSecond, 3),
        meetsTarget: N / onePass >= CONFIG.targets.onePassStoreEventsPerSecond,
      },
      profiles,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: command → visible, in standalone and with the api + projector processes
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
  /** The p99 the step is judged against. */
  readonly targetP99Ms: number;
  /** All the server processes together (standalone: the one process, PGlite included). */
  readonly serverCpuPercentOfOneCore: number;
  /** By process, when there are several: api, projector, PostgreSQL (this database's backends). */
  readonly cpuByProcess?: Readonly<Record<string, number>>;
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

/** Where the time went during the profiled step (after the measured ones, same load). */
interface ProfileFigures {
  readonly seconds: number;
  /** CPU of each process over the profiled step, % of one core (from /proc). */
  readonly cpuPercentOfOneCore: Readonly<Record<string, number>>;
  /** Node's CPU profile of each Node process, by component and top functions. */
  readonly node: Readonly<Record<string, ProfileSummary>>;
  /** The database's statements by total time (pg_stat_statements), or null where not available. */
  readonly statements: readonly StatementFigures[] | null;
  /** Command → visible during the profiled step (profiler on: a little slower than measured). */
  readonly commandToVisible: Percentiles;
}

interface Part2 {
  readonly bootSeconds: number;
  /** The target load (the brief's 20 commands/s): the targets are judged on it. */
  readonly main: LoadStep;
  /** The same mix at half the rate, right after: where the latency goes with less load. */
  readonly light: LoadStep;
  readonly profile?: ProfileFigures;
  /** apps/api + apps/projector on the PostgreSQL server (absent in reports from before it). */
  readonly apiProjector?: {
    readonly bootSeconds: { readonly api: number; readonly projector: number };
    readonly main: LoadStep;
    readonly profile: ProfileFigures;
  };
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
  targetP99Ms: number,
  load: LoadResult,
  cpu: Readonly<Record<string, number>>,
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
  const cpuEntries = Object.entries(cpu);
  return {
    name,
    targetRate: rate,
    seconds,
    targetP99Ms,
    serverCpuPercentOfOneCore: round(
      cpuEntries.reduce((a, [, v]) => a + v, 0),
      1,
    ),
    ...(cpuEntries.length > 1 ? { cpuByProcess: cpu } : {}),
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
    meetsTarget: all.commandToVisible.p99 < targetP99Ms && (outcomes['visible'] ?? 0) === measured.length,
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

/** CPU seconds so far of each process, by name; NaN for one that cannot be read. */
type CpuMeter = () => Record<string, number>;

/** One open-loop step against `baseUrl`, with the servers' CPU over it. */
async function loadStep(
  baseUrl: string,
  meter: CpuMeter,
  step: {
    name: string;
    rate: number;
    warmupSeconds: number;
    seconds: number;
    seed: number;
    targetP99Ms: number;
  },
): Promise<LoadStep> {
  const cpu0 = meter();
  const started = performance.now();
  const load = await runLoad({
    baseUrl,
    rate: step.rate,
    warmupSeconds: step.warmupSeconds,
    seconds: step.seconds,
    seed: step.seed,
  });
  const cpu = cpuPercent(cpu0, meter(), (performance.now() - started) / 1000);
  const result = summariseStep(step.name, step.rate, step.seconds, step.targetP99Ms, load, cpu);
  const q = result.all.commandToVisible;
  log(
    `${step.name}: ${fmt(result.sent)} commands at ${fmt(result.sentPerSecond, 1)}/s; command → visible ` +
      `p50 ${fmt(q.p50, 1)} ms, p99 ${fmt(q.p99, 1)} ms, max ${fmt(q.max, 1)} ms; CPU ` +
      Object.entries(cpu)
        .map(([k, v]) => `${k} ${fmt(v)}%`)
        .join(', ') +
      ' of a core',
  );
  return result;
}

/**
 * The profiled step: the same load for CONFIG.profile.seconds with the Node profilers on (and the
 * database's statement statistics reset at its start), after the measured steps.
 */
async function profileStep(
  baseUrl: string,
  meter: CpuMeter,
  rate: number,
  seed: number,
  profiler: {
    start(): Promise<void>;
    stop(): Promise<Record<string, string>>;
    statements?: { reset(): Promise<void>; read(): Promise<StatementFigures[]> };
  },
): Promise<ProfileFigures> {
  const seconds = CONFIG.profile.seconds;
  await profiler.statements?.reset();
  await profiler.start();
  const cpu0 = meter();
  const started = performance.now();
  const load = await runLoad({ baseUrl, rate, warmupSeconds: 0, seconds, seed });
  const cpu = cpuPercent(cpu0, meter(), (performance.now() - started) / 1000);
  const files = await profiler.stop();
  const statements = profiler.statements ? await profiler.statements.read() : null;
  const node = Object.fromEntries(
    Object.entries(files).map(([name, file]) => [name, summariseProfile(file, 12)]),
  );
  const commandToVisible = latencyFigures(load.records).commandToVisible;
  log(
    `profiled ${seconds} s at ${rate}/s: command → visible p99 ${fmt(commandToVisible.p99, 1)} ms; ` +
      Object.entries(node)
        .map(([k, p]) => `${k} busy ${fmt((100 * p.busyMs) / Math.max(1, p.totalMs))}%`)
        .join(', '),
  );
  return { seconds, cpuPercentOfOneCore: cpu, node, statements, commandToVisible };
}

async function standaloneVisible(): Promise<Omit<Part2, 'apiProjector'>> {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-bench-standalone-'));
  const { rate, warmupSeconds, seconds, seed, light } = CONFIG.standalone;
  const profileFile = join(dir, 'standalone.cpuprofile');
  try {
    const server = await startStandalone(REPO_ROOT, dir, {
      execArgv: ['-r', join(BENCH_DIR, 'support', 'cpu-profiler.preload.ts')],
      // The load's six demo users send far more commands a minute than people do: the limiter
      // stays on (its cost is part of every request) with limits no run reaches.
      env: { BENCH_CPU_PROFILE: profileFile, ...UNREACHED_RATE_LIMITS },
    });
    log(`standalone up in ${fmt(server.bootSeconds, 1)} s (pid ${server.pid}, PGlite in ${dir})`);
    const meter: CpuMeter = () => ({ standalone: server.cpuSeconds() });
    const target = CONFIG.targets.visibleP99Ms;
    try {
      const main = await loadStep(server.baseUrl, meter, {
        name: `${rate} commands/s`,
        rate,
        warmupSeconds,
        seconds,
        seed,
        targetP99Ms: target,
      });
      const lighter = await loadStep(server.baseUrl, meter, {
        name: `${light.rate} commands/s`,
        rate: light.rate,
        warmupSeconds: 0,
        seconds: light.seconds,
        seed: seed + 1,
        targetP99Ms: target,
      });
      const profile = await profileStep(server.baseUrl, meter, rate, seed + 2, {
        start: () => server.signalAndWait('SIGWINCH', /cpu profile started/, 10_000),
        stop: async () => {
          await server.signalAndWait('SIGWINCH', /cpu profile written/, 30_000);
          return { standalone: profileFile };
        },
      });
      if (Object.keys(main.errors).length + Object.keys(lighter.errors).length > 0) {
        log(`standalone answered errors; its stderr (tail): ${server.stderrTail().slice(-1_500)}`);
      }
      return { bootSeconds: server.bootSeconds, main, light: lighter, profile };
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

async function apiProjectorVisible(url: string): Promise<NonNullable<Part2['apiProjector']>> {
  const { rate, warmupSeconds, seconds, seed } = CONFIG.apiProjector;
  const database = `bench_visible_${Date.now()}`;
  const dbUrl = withDatabase(url, database);
  const dir = mkdtempSync(join(tmpdir(), 'tongban-bench-api-projector-'));
  const admin = adminPool(url);
  let pool: Pool | undefined;
  try {
    await admin.query(`CREATE DATABASE ${database}`);
    const servers = await startApiAndProjector(dbUrl, dir);
    log(
      `api up in ${fmt(servers.api.bootSeconds, 1)} s, projector in ${fmt(servers.projector.bootSeconds, 1)} s ` +
        `(database ${database}, logs in ${dir})`,
    );
    pool = storePool(dbUrl, 1);
    const statsPool = pool;
    const statements = await enableStatementStats(statsPool);
    if (!statements) log('pg_stat_statements is not preloaded on this server: no per-statement times');
    const meter: CpuMeter = () => ({
      api: servers.api.cpuSeconds(),
      projector: servers.projector.cpuSeconds(),
      PostgreSQL: postgresCpuSeconds(database),
    });
    try {
      const main = await loadStep(servers.api.baseUrl, meter, {
        name: `${rate} commands/s`,
        rate,
        warmupSeconds,
        seconds,
        seed,
        targetP99Ms: CONFIG.targets.apiProjectorVisibleP99Ms,
      });
      const profile = await profileStep(servers.api.baseUrl, meter, rate, seed + 2, {
        start: () => servers.startProfiles(),
        stop: () => servers.stopProfiles(),
        ...(statements
          ? {
              statements: {
                reset: () => resetStatementStats(statsPool),
                read: () => readStatementStats(statsPool, 15),
              },
            }
          : {}),
      });
      return {
        bootSeconds: {
          api: round(servers.api.bootSeconds, 1),
          projector: round(servers.projector.bootSeconds, 1),
        },
        main,
        profile,
      };
    } catch (error) {
      log(`api log (tail): ${servers.api.logTail().slice(-1_000)}`);
      log(`projector log (tail): ${servers.projector.logTail().slice(-1_000)}`);
      throw error;
    } finally {
      await servers.stop();
      log('api and projector stopped');
    }
  } finally {
    await pool?.end();
    if (KEEP) log(`BENCH_KEEP=1: kept database ${database} and ${dir}`);
    else {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      rmSync(dir, { recursive: true, force: true });
    }
    await admin.end();
  }
}

async function part2(url: string): Promise<Part2> {
  const standalone = await standaloneVisible();
  const apiProjector = await apiProjectorVisible(url);
  return { ...standalone, apiProjector };
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const x = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(2)}×` : '—');
const mib = (b: number): string => fmt(b / 1024 ** 2, 1);

/**
 * The rebuild figures before issue 12's engine work, from the report of commit 414d596 (same
 * workload, same bench; one projection at a time, batches of 5,000, a load per batch). Kept beside
 * each run's figures; compare the ratios to floor (b), which each run measures anew.
 */
const BEFORE = {
  commit: '414d596',
  floorMulti: 23_652,
  rebuilds: {
    case_detail: 8_324,
    case_timeline: 13_732,
    resident_cases: 23_574,
    worklist: 13_624,
    referrals: 30_030,
    sla_clocks: 20_756,
    kpi_daily: 14_745,
  } as Record<string, number>,
  /** All 7 one after another (there was no one-pass rebuild). */
  allStoreEventsPerSecond: 2_182,
} as const;

/**
 * Before and after issue 12's engine work, one profiled rebuild each, back to back on the same
 * machine and load (\`bench/support/rebuild-probe.ts\` on 50,000 events of this workload; the
 * before on commit 49e1a59's engine, batches of 5,000; the after on this one, its default). Not
 * measured by this run: kept beside the run's own profile above.
 */
const BEFORE_PROFILE = `### Where the time went, before and after (rebuild-probe, back to back)

Measured with \`bench/support/rebuild-probe.ts\` (the probe seeds the same 50,000 events, then rebuilds under V8's
sampling profiler with \`pg_stat_statements\` loaded), the engine of commit 49e1a59 (batches of 5,000) and this one
(its defaults) back to back on the same machine within one minute, with the same handlers. The machine was loaded by
other work then (load average about 7.5 on 2 cores), so wall times are long; compare Node CPU and the statements.

| Run | wall s | Node CPU s | PostgreSQL statements s | Node: engine / handlers / pg driver / GC | Largest statements (server ms) |
| --- | ---: | ---: | ---: | --- | --- |
| case_detail, before | 7.45 | 4.44 | 2.57 | 26% / 28% / 26% / 17% | row loads \`SELECT to_jsonb(t)\` 1,036 (10×); upserts 610 (10×, 20,064 rows); store pages 495; stream versions 163 |
| case_detail, after | 5.44 | 3.35 | 2.46 | 24% / 37% / 19% / 18% | store pages 1,699 (sent while the client computes); one write per batch 578 (3×, about 10,000 rows) — no loads |
| all 7, before (one pass, batches of 5,000) | 22.68 | 10.73 | 9.09 | 36% / 24% / 20% / 17% | loads 1,300 + 684 + 487 + 274 + …; upserts 791 + 659 + 456 + 319 + 276 + …; about 27 statements per batch |
| all 7, after | 13.41 | 7.20 | 4.47 | 40% / 30% / 11% / 17% | one write per batch 2,912 (3×); store pages 1,170 |

Before, each batch loaded back every row its handlers read (\`to_jsonb\` out, JSON parse, normalise: the largest
statement and a quarter of Node's time in the driver) and wrote with one statement per table; Node and PostgreSQL
took turns. After: no loads (the replay remembers what it wrote), one statement per batch, written while the next
batch is computed. What is left on the Node side: the handlers (case_detail's \`finish\` alone about 15% of its profile),
the JSON of the rows written (\`addTo\`: \`JSON.stringify\` of whole rows, lifecycle included), parsing the store's
pages, and garbage collection.
`;

function rebuildTable(p: Part1): string {
  const target = CONFIG.targets;
  const lines = [
    `| Projection | events/s (median of 3) | runs (events/s) | median s | replay + indexes s | swap ms | ÷ floor (a) | ÷ floor (b) | before (${BEFORE.commit}): events/s, ÷ floor (b) | Node CPU (% of a core) | machine CPU | ≥ ${fmt(target.rebuildEventsPerSecond)}/s and ≥ ${target.rebuildVsFloorMulti}× floor (b) |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const before = (name: string): string => {
    const rate = BEFORE.rebuilds[name];
    return rate === undefined ? '—' : `${fmt(rate)}, ${x(rate / BEFORE.floorMulti)}`;
  };
  for (const r of p.rebuilds) {
    lines.push(
      `| ${r.projection} | ${fmt(r.eventsPerSecond)} | ${r.runsEventsPerSecond.map((v) => fmt(v)).join(' / ')} | ` +
        `${fmt(r.medianSeconds, 2)} | ${fmt(r.medianReplaySeconds, 2)} | ${fmt(r.medianSwapSeconds * 1000)} | ` +
        `${x(r.vsFloorSingle)} | ${x(r.vsFloorMulti)} | ${before(r.projection)} | ${fmt(r.clientCpuPercentOfOneCore)}% | ${fmt(r.machineCpuBusyPercent)}% | ` +
        `${r.meetsTarget ? 'met' : '**not met**'}${r.marginal ? ' (marginal)' : ''} |`,
    );
  }
  const w = p.wholeSet;
  lines.push(
    `| **all 7, one after another** | ${fmt(w.projectedEventsPerSecond)} projected (${fmt(w.storeEventsPerSecond)} store events/s) | ` +
      `${w.roundsSeconds.map((s) => `${fmt(s, 1)} s`).join(' / ')} | ${fmt(w.medianSeconds, 2)} | | | ${x(w.vsFloorSingle)} | ${x(w.vsFloorMulti)} | ${fmt(BEFORE.allStoreEventsPerSecond)} store events/s | | | |`,
  );
  const o = w.onePass;
  if (o) {
    const runs = o.runs;
    lines.push(
      `| **all 7, one pass** (\`rebuildProjections\`) | **${fmt(o.storeEventsPerSecond)} store events/s** (${fmt(o.projectedEventsPerSecond)} projected) | ` +
        `${runs.map((r) => fmt(r.events / r.seconds)).join(' / ')} | ${fmt(o.medianSeconds, 2)} | ${fmt(median(runs.map((r) => r.replaySeconds)), 2)} | ` +
        `${fmt(median(runs.map((r) => r.swapSeconds)) * 1000)} | | ${x(o.vsFloorMulti)} (store events) | ${fmt(BEFORE.allStoreEventsPerSecond)} store events/s (one after another) | ` +
        `${fmt(median(runs.map((r) => r.clientCpuPercentOfOneCore)))}% | ${fmt(median(runs.map((r) => r.machineCpuBusyPercent)))}% | ` +
        `≥ ${fmt(target.onePassStoreEventsPerSecond)} store events/s: ${o.meetsTarget ? 'met' : '**not met**'} |`,
    );
  }
  return lines.join('\n');
}

/** Where the time goes: this process (sampled) and PostgreSQL (per statement), per profiled run. */
function profileSection(p: Part1): string {
  const profiles = p.wholeSet.profiles ?? [];
  if (profiles.length === 0) return '(no profile in this run)';
  const out: string[] = [];
  for (const pr of profiles) {
    out.push(
      `**${pr.label}** — ${fmt(pr.wallSeconds, 2)} s with the profiler on; Node CPU ${fmt(pr.nodeCpuSeconds, 2)} s; ` +
        `PostgreSQL statements ${fmt(pr.statementMs / 1000, 2)} s (${pr.statementSource === 'pg_stat_statements' ? 'server execution time, pg_stat_statements' : 'call to answer, seen from the client: pg_stat_statements is not loaded'}).`,
      '',
      '| Node: component | % of busy samples |',
      '| --- | ---: |',
      ...pr.components.map((c) => `| ${c.component} | ${fmt(c.percent, 1)}% |`),
      '',
      '| Node: function (self time) | % |',
      '| --- | ---: |',
      ...pr.topFunctions.slice(0, 8).map((f) => `| \`${f.fn}\` | ${fmt(f.percent, 1)}% |`),
      '',
      '| PostgreSQL: statement | calls | rows | ms |',
      '| --- | ---: | ---: | ---: |',
      ...pr.statements.map(
        (st) =>
          `| ${st.statement} | ${fmt(st.calls)} | ${st.rows === null ? '—' : fmt(st.rows)} | ${fmt(st.ms)} |`,
      ),
      '',
    );
  }
  return out.join('\n');
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

/** Server CPU of a step: the total, and by process where there are several. */
function cpuCell(st: LoadStep): string {
  const by = st.cpuByProcess;
  if (!by) return `${fmt(st.serverCpuPercentOfOneCore)}%`;
  return `${fmt(st.serverCpuPercentOfOneCore)}% (${Object.entries(by)
    .map(([k, v]) => `${k} ${fmt(v)}%`)
    .join(', ')})`;
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
        `${fmt(o['visible'] ?? 0)} | ${fmt(o['behind'] ?? 0)} | ${fmt(o['stale'] ?? 0)} | ${fmt(errors)} | ${cpuCell(st)} |`,
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

/** Where each Node process spent its busy time, by component (the profiled step). */
function profileTable(p: ProfileFigures): string {
  const lines = [
    '| Process | CPU (% of a core) | Component | ms | % of its busy time |',
    '| --- | ---: | --- | ---: | ---: |',
  ];
  for (const [name, summary] of Object.entries(p.node)) {
    const cpu = p.cpuPercentOfOneCore[name];
    summary.components.slice(0, 8).forEach((c, i) => {
      lines.push(
        `| ${i === 0 ? name : ''} | ${i === 0 && cpu !== undefined ? `${fmt(cpu)}%` : ''} | ${c.component} | ${fmt(c.ms)} | ${fmt(c.percent, 1)}% |`,
      );
    });
  }
  for (const [name, cpu] of Object.entries(p.cpuPercentOfOneCore)) {
    if (!(name in p.node)) lines.push(`| ${name} | ${fmt(cpu)}% | (not a Node process) | | |`);
  }
  return lines.join('\n');
}

function topFunctionsTable(p: ProfileFigures): string {
  const lines = [
    '| Process | Function (self time) | ms | % of its busy time |',
    '| --- | --- | ---: | ---: |',
  ];
  for (const [name, summary] of Object.entries(p.node)) {
    summary.topFunctions.slice(0, 8).forEach((f, i) => {
      lines.push(
        `| ${i === 0 ? name : ''} | \`${f.fn.replace(/\|/g, '\\|')}\` | ${fmt(f.ms)} | ${fmt(f.percent, 1)}% |`,
      );
    });
  }
  return lines.join('\n');
}

function statementsTable(p: ProfileFigures): string {
  if (!p.statements) return '_pg_stat_statements is not preloaded on this server: no per-statement times._';
  const lines = [
    '| Statement (normalised, first 160 characters) | calls | total ms | mean ms | rows/call |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  for (const st of p.statements) {
    lines.push(
      `| \`${st.query.replace(/\|/g, '\\|')}\` | ${fmt(st.calls)} | ${fmt(st.totalMs, 1)} | ${fmt(st.meanMs, 3)} | ${fmt(st.rowsPerCall, 1)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * The command → visible figures of the run before the latency work (issue 12), kept in
 * bench/results/projections.visible-before.json, beside this run's.
 */
function beforeAfterTable(p2: Part2): string {
  const file = join(BENCH_DIR, 'results', 'projections.visible-before.json');
  if (!existsSync(file)) return '';
  const before = JSON.parse(readFileSync(file, 'utf8')) as { date: string; part2: Part2 };
  const rows: Array<[string, LoadStep | undefined, LoadStep | undefined]> = [
    ['standalone', before.part2.main, p2.main],
    ['standalone', before.part2.light, p2.light],
    ['api + projector', before.part2.apiProjector?.main, p2.apiProjector?.main],
  ];
  const lines = [
    `| Mode | Load | before: p50 / p99 / max ms (${before.date}) | now: p50 / p99 / max ms | target p99 |`,
    '| --- | --- | --- | --- | ---: |',
  ];
  const cell = (st: LoadStep | undefined): string => {
    if (!st) return '—';
    const q = st.all.commandToVisible;
    return `${fmt(q.p50, 1)} / ${fmt(q.p99, 1)} / ${fmt(q.max, 1)}`;
  };
  for (const [mode, b, a] of rows) {
    const st = a ?? b;
    if (!st) continue;
    lines.push(
      `| ${mode} | ${st.name} | ${cell(b)} | ${cell(a)} | < ${fmt(st.targetP99Ms ?? CONFIG.targets.visibleP99Ms)} ms |`,
    );
  }
  return `\n### Before and after the latency work\n\nCommand → visible (t2 − t0), the run before the changes of issue 12's latency work and this one:\n\n${lines.join('\n')}\n`;
}

function targetsTable(p1: Part1, p2: Part2): string {
  const met = p1.rebuilds.filter((r) => r.meetsTarget).map((r) => r.projection);
  const missed = p1.rebuilds
    .filter((r) => !r.meetsTarget)
    .map((r) => `${r.projection} (${fmt(r.eventsPerSecond)}, ${x(r.vsFloorMulti)})`);
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
    `| Rebuild throughput, per projection | ≥ ${fmt(CONFIG.targets.rebuildEventsPerSecond)} events/s and ≥ ${CONFIG.targets.rebuildVsFloorMulti}× floor (b) | ` +
      `${met.length} of ${p1.rebuilds.length} meet it${met.length > 0 ? `: ${met.join(', ')}` : ''}` +
      `${missed.length > 0 ? `; below: ${missed.join(', ')}` : ''}` +
      `${marginal.length > 0 ? `; within ${MARGIN * 100}% of the target, so a repeat run may land on the other side: ${marginal.join(', ')}` : ''}` +
      ` | ${missed.length === 0 ? 'met' : met.length === 0 ? '**not met**' : '**partly met**'}${marginal.length > 0 ? ' (marginal)' : ''} |`,
    ...(p1.wholeSet.onePass
      ? [
          `| All 7 rebuilt together, one pass over the store | ≥ ${fmt(CONFIG.targets.onePassStoreEventsPerSecond)} store events/s | ` +
            `${fmt(p1.wholeSet.onePass.storeEventsPerSecond)} store events/s (${x(p1.wholeSet.onePass.vsFloorMulti)} floor (b)) | ${p1.wholeSet.onePass.meetsTarget ? 'met' : '**not met**'} |`,
        ]
      : []),
    `| Command → visible in standalone, at ${p2.main.name} | p99 < ${CONFIG.targets.visibleP99Ms} ms | ${visible(p2.main)} | ${p2.main.meetsTarget ? 'met' : '**not met**'} |`,
    `| (for reference) the same at ${p2.light.name} | p99 < ${CONFIG.targets.visibleP99Ms} ms | ${visible(p2.light)} | ${p2.light.meetsTarget ? 'met' : 'not met'} |`,
    ...(p2.apiProjector
      ? [
          `| Command → visible, api + projector processes on PostgreSQL, at ${p2.apiProjector.main.name} | p99 < ${CONFIG.targets.apiProjectorVisibleP99Ms} ms | ${visible(p2.apiProjector.main)} | ${p2.apiProjector.main.meetsTarget ? 'met' : '**not met**'} |`,
        ]
      : []),
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
  const ap = p2.apiProjector;
  if (ap) {
    const a = ap.main.all;
    const cpu = ap.main.cpuByProcess ?? {};
    const top = ap.profile.statements?.[0];
    const statementMs = (ap.profile.statements ?? []).reduce((sum, st) => sum + st.totalMs, 0);
    lines.push(
      `- api + projector at ${ap.main.name}: command alone p50 ${fmt(a.commandOnly.p50, 1)} / p99 ${fmt(a.commandOnly.p99, 1)} ms, ` +
        `the read that waits p50 ${fmt(a.extraWait.p50, 1)} / p99 ${fmt(a.extraWait.p99, 1)} ms; CPU ` +
        Object.entries(cpu)
          .map(([k, v]) => `${k} ${fmt(v)}%`)
          .join(', ') +
        ' of a core.' +
        (top
          ? ` PostgreSQL's costliest statement over the profiled ${ap.profile.seconds} s: ${fmt(top.calls)} calls, ${fmt(top.meanMs, 3)} ms each ` +
            `(${fmt((100 * top.totalMs) / Math.max(1e-9, statementMs))}% of the listed statements' time): \`${top.query.slice(0, 80)}…\`.`
          : ''),
    );
  }
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
  const ap = p2.apiProjector;
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
after another (the order rotating each round), then all ${CASE_PROJECTIONS.length} together in ONE pass over the store
(\`rebuildProjections(pool, store, CASE_PROJECTIONS, { batchSize: ${fmt(CONFIG.rebuild.batchSize)} })\`, what \`npm run projections:rebuild -- --all\` does), every run right after a \`CHECKPOINT\`; a warm-up pass of each floor and one
warm-up rebuild come first, untimed. Every figure is the median of the ${REPEATS} runs; events/s = ${fmt(seed.events)} / median seconds.
Then one more rebuild of case_detail and one of all ${CASE_PROJECTIONS.length} in one pass, with V8's sampling profiler on and
PostgreSQL's statements counted (\`pg_stat_statements\` when the server loads it, else times seen from the client): where the time goes, not in the figures.

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

**Command → visible, api + projector.** The same load against the deployables as production runs them: \`apps/api\` and
\`apps/projector\`, each a child process of its own (\`node -r @swc-node/register apps/<app>/src/main.ts\`), on a fresh database
(\`bench_visible_<ts>\`) of the PostgreSQL server above; the api migrates it at boot, then the projector starts. AUTH_MODE=dev,
default pools (10 each), batches and waits; the rate limiter on, with limits no run reaches. The api answers the command and the read;
the projector applies the events and NOTIFYs its commits (\`tongban_read_models_committed\`), and the api's waiting read wakes on
its LISTEN connection. ${CONFIG.apiProjector.rate} commands/s for ${fmt(CONFIG.apiProjector.seconds)} s after a ${CONFIG.apiProjector.warmupSeconds} s warm-up.

**Profile.** After the measured steps of each mode, the same load again for ${CONFIG.profile.seconds} s with V8's sampling profiler on in every
Node server process (every ${CONFIG.profile.samplingIntervalUs} µs; started and stopped by a signal, never during a measured step), CPU of every
process from /proc (PostgreSQL: the backends of the benchmark's database), and, where the server preloads \`pg_stat_statements\`, the
database's statements by total execution time over the same window. Standalone's PGlite runs inside its Node process: its time is the
\`@electric-sql/pglite\` component of that profile.

## Rebuild throughput

Targets: every read model rebuilds at ≥ ${fmt(CONFIG.targets.rebuildEventsPerSecond)} events/s and ≥ ${CONFIG.targets.rebuildVsFloorMulti}× floor (b) of the same run;
all ${CASE_PROJECTIONS.length} rebuilt together in one pass at ≥ ${fmt(CONFIG.targets.onePassStoreEventsPerSecond)} store events/s. Floor (a) = ${fmt(p1.floor.single.eventsPerSecond)} events/s,
floor (b) = ${fmt(p1.floor.multi.eventsPerSecond)} events/s (below). Node CPU is this benchmark's process (the engine, its handlers and
the driver), in % of one core; machine CPU is all ${m.cores} cores (PostgreSQL included).

${rebuildTable(p1)}

Whole set: all ${CASE_PROJECTIONS.length} projections one after another, ${fmt(p1.wholeSet.medianSeconds, 1)} s (median round) — ${fmt(seed.events)} × ${CASE_PROJECTIONS.length} projected
events / total = ${fmt(p1.wholeSet.projectedEventsPerSecond)} events/s; ${fmt(seed.events)} store events / total = ${fmt(p1.wholeSet.storeEventsPerSecond)} events/s.
${p1.wholeSet.onePass ? `All ${CASE_PROJECTIONS.length} in one pass: ${fmt(p1.wholeSet.onePass.medianSeconds, 1)} s (median) — ${fmt(p1.wholeSet.onePass.storeEventsPerSecond)} store events/s.\n` : ''}
### Where the time goes (after)

${profileSection(p1)}
${BEFORE_PROFILE}

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
${
  p2.profile
    ? `
Where the time goes in standalone (profiled ${p2.profile.seconds} s at ${p2.main.name}, after the measured steps; command → visible
p99 ${fmt(p2.profile.commandToVisible.p99, 1)} ms with the profiler on):

${profileTable(p2.profile)}

${topFunctionsTable(p2.profile)}
`
    : ''
}${
    ap
      ? `
## Command → visible with the api and projector processes

Target: command → visible p99 < ${CONFIG.targets.apiProjectorVisibleP99Ms} ms at ${ap.main.name} on the real PostgreSQL. The api started in
${fmt(ap.bootSeconds.api, 1)} s (migrations included), the projector in ${fmt(ap.bootSeconds.projector, 1)} s. Server CPU: api, projector and
the PostgreSQL backends of the benchmark's database.

${stepsTable([ap.main])}
${
  Object.keys(ap.main.errors).length > 0
    ? `\nErrors and answers other than visible:\n\n${Object.entries(ap.main.errors)
        .map(([k, n]) => `  - ${n}× ${k}`)
        .join('\n')}\n`
    : ''
}
${latencyTable([ap.main])}

Command → visible over time, by when the command was sent:

${windowsTable(ap.main)}

By command:

${byKindTable(ap.main)}

Where the time goes (profiled ${ap.profile.seconds} s at ${ap.main.name}, after the measured step; command → visible p99
${fmt(ap.profile.commandToVisible.p99, 1)} ms with the profilers on):

${profileTable(ap.profile)}

${topFunctionsTable(ap.profile)}

PostgreSQL, by statement (the benchmark's database, same window):

${statementsTable(ap.profile)}
`
      : ''
  }${beforeAfterTable(p2)}
## Targets

${targetsTable(p1, p2)}

## Observations

${observations(p1, p2)}

Raw figures (every rebuild and floor run, every command's times): \`bench/results/projections.json\`.
`;
}

/** The last run's figures (projections.json), for the part BENCH_PART leaves out. */
function previousRun(): { p1: Part1; p2: Part2 } {
  const file = join(BENCH_DIR, 'results', 'projections.json');
  if (!existsSync(file)) throw new Error(`BENCH_PART=${PART} needs a previous full run's ${file}`);
  const r = JSON.parse(readFileSync(file, 'utf8')) as {
    workload: { generateSeconds: number; seedSeconds: number };
    rebuild: { projections: RebuildFigures[]; wholeSet: Part1['wholeSet']; runs: RebuildRun[] };
    floor: Part1['floor'] & { runs: FloorRun[] };
    visible?: Part2;
    /** The key before the api + projector mode. */
    standalone?: Part2;
  };
  const p2 = r.visible ?? r.standalone;
  if (!p2) throw new Error(`${file} has no command → visible figures`);
  return {
    p1: {
      seedSeconds: r.workload.seedSeconds,
      generateSeconds: r.workload.generateSeconds,
      rebuildRuns: r.rebuild.runs,
      floorRuns: r.floor.runs,
      rebuilds: r.rebuild.projections,
      floor: { single: r.floor.single, multi: r.floor.multi },
      wholeSet: r.rebuild.wholeSet,
    },
    p2,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg();
  const url = connectionUrl();
  const admin = adminPool(url);
  let machine: MachineWithPglite;
  let p1: Part1;
  let seed: CaseSeed;
  const previous = PART === 'all' ? undefined : previousRun();
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^bench_(views|viewsfloor|visible)_[0-9]+$'",
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
    if (PART === 'visible') {
      p1 = previous!.p1;
      log('BENCH_PART=visible: the rebuild figures are the last run’s (projections.json)');
    } else p1 = await part1(admin, url, seed, generateSeconds);
  } finally {
    await admin.end();
  }
  let p2: Part2;
  if (PART === 'rebuild') {
    p2 = previous!.p2;
    log('BENCH_PART=rebuild: the command → visible figures are the last run’s (projections.json)');
  } else p2 = await part2(url);

  const runSeconds = round((Date.now() - started) / 1000, 1);
  const load = { atStart: loadAtStart.map((v) => round(v, 2)), atEnd: loadavg().map((v) => round(v, 2)) };
  console.log(
    `\n${rebuildTable(p1)}\n\n${floorTable(p1)}\n\n${stepsTable([p2.main, p2.light])}\n\n${latencyTable([p2.main, p2.light])}\n\n` +
      `${windowsTable(p2.main)}\n\n${byKindTable(p2.main)}\n\n` +
      (p2.apiProjector
        ? `${stepsTable([p2.apiProjector.main])}\n\n${latencyTable([p2.apiProjector.main])}\n\n${windowsTable(p2.apiProjector.main)}\n\n`
        : '') +
      `${targetsTable(p1, p2)}\n`,
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
      ...(PART === 'all' ? {} : { part: PART }),
      visible: p2,
    }) + '\n',
  );
  writeFileSync(join(resultsDir, 'projections.md'), markdown({ machine, load, seed, p1, p2, runSeconds }));
  log(`wrote bench/results/projections.md and projections.json (whole run ${fmt(runSeconds, 1)} s)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
