/**
 * HTTP write-path benchmark: intake (POST /api/v1/cases) and a cadre action (accept) through the
 * api process on the real PostgreSQL with real JWT verification, side by side in ONE run with a
 * bare Fastify + pg handler that inserts the same JSON into one table. See bench/README.md.
 *
 *   npm run services:up && npm run bench:http
 *
 * BENCH_SCALE=0.2 shortens every timed slice (a smoke run; its report says so).
 * BENCH_KEEP=1 keeps the two databases afterwards (a later run drops those older than an hour), and
 * the folder with the servers' logs and the api's CPU profile.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool as PgPool } from 'pg';
import type { JsonObject } from '@tongban/event-store';
import { createTokenSigner, type Principal } from '@tongban/security';
import { summariseProfile, type ComponentShare, type ProfileSummary } from './support/cpu-profile';
import {
  closedLoop,
  HttpClient,
  postgresCpuSeconds,
  startServer,
  type HttpAnswer,
  type HttpRequestSpec,
  type LoadRun,
  type ServerProcess,
} from './support/http-load';
import { runIntakeMicro, type MicroResult } from './support/intake-micro';
import { runIntakeSql, type SqlRunResult } from './support/intake-sql';
import { machineFacts, type Machine } from './support/machine';
import { fmt, log } from './support/report';
import { connectionUrl, withDatabase } from './support/services';
import { round, sample, summarise, type Measurement } from './support/stats';
import { adminPool, BENCH_DIR, REPO_ROOT, type Pool } from './support/systems';
import { benchScale, KEEP } from './support/options';

const SCALE = benchScale(4);

const CONFIG = {
  clients: 16,
  /** Intake: untimed warm-up per server, then `rounds` × one slice per server, the order alternating. */
  intake: { warmupSeconds: 3, sliceSeconds: 5 * SCALE, rounds: 3, profileSeconds: 5 * SCALE },
  /** Accept: every case once; the api's slices take a third of the cases each, the bare ones run this long. */
  accept: {
    warmupCases: Math.max(50, Math.round(300 * Math.min(1, SCALE))),
    bareSliceSeconds: 4 * SCALE,
    rounds: 3,
    profileCases: Math.max(200, Math.round(1_000 * Math.min(1, SCALE))),
    maxCases: 9_000,
  },
  /** The database part of one intake alone, per variant. */
  sql: { seconds: 3 * SCALE, poolMax: 10 },
  /** pg_stat_activity is read this often during the timed slices. */
  activityEveryMs: 50,
  target: 0.5,
} as const;

/** The api's rate limits (issue 10), all raised to their maximum for the benchmark. */
const RATE_LIMITS = [
  'RATE_LIMIT_INTAKE_PER_MINUTE',
  'RATE_LIMIT_COMMANDS_PER_MINUTE',
  'RATE_LIMIT_CHANNEL_PER_MINUTE',
  'RATE_LIMIT_IP_INTAKE_PER_MINUTE',
  'RATE_LIMIT_IP_COMMANDS_PER_MINUTE',
] as const;

// ---------------------------------------------------------------------------------------------
// The people and their requests (personal data invented; principals as the demo users)
// ---------------------------------------------------------------------------------------------

const HOTLINE: Principal = { id: 'demo-channel-hotline', role: 'channel', orgUnit: 'pc', channel: 'hotline' };
const DISPATCHER: Principal = { id: 'demo-dispatcher', role: 'dispatcher', orgUnit: 'pc' };
const CADRE: Principal = { id: 'demo-cadre-taiyangcheng', role: 'cadre', orgUnit: 'pc.gucheng.taiyangcheng' };

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴'];
const GIVEN = ['秀兰', '建国', '桂英', '志强', '淑珍', '海燕', '德明', '玉梅'];
const ISSUES = [
  ['楼道灯不亮', '单元楼道灯坏了一周，老人夜间上下楼不方便。', '公共设施维修'],
  ['小区垃圾清运不及时', '垃圾桶已满两天无人清运，气味很大。', '环境卫生'],
  ['下水道堵塞', '楼下下水井返水，路面积水影响通行。', '市政管网'],
  ['噪音扰民', '夜间施工噪音持续到十一点以后，影响休息。', '噪音污染'],
] as const;

/** 200 different intake bodies, serialised once: the load generator only picks one. */
function intakeBodies(): string[] {
  return Array.from({ length: 200 }, (_, i) => {
    const [title, description, category] = ISSUES[i % ISSUES.length]!;
    const phone = `139${String(10_000_000 + i * 7_919).slice(-8)}`;
    return JSON.stringify({
      channel: 'hotline',
      resident: { name: `${SURNAMES[i % SURNAMES.length]}${GIVEN[i % GIVEN.length]}`, phone },
      location: {
        address: `平城区古城街道太阳城社区${1 + (i % 30)}号楼${1 + (i % 4)}单元`,
        communityCode: 'pc.gucheng.taiyangcheng',
      },
      category,
      title,
      description: `${description}来电人称已反映多次，希望尽快处理。`,
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Databases and machine
// ---------------------------------------------------------------------------------------------

/** What the connections of one database were doing, sampled from pg_stat_activity. */
class ActivitySampler {
  private timer: NodeJS.Timeout | undefined;
  private samples = 0;
  private readonly counts = new Map<string, number>();
  private busy = false;

  constructor(
    private readonly admin: Pool,
    private readonly database: string,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), CONFIG.activityEveryMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Average number of connections in each state over the samples taken so far. */
  averages(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of [...this.counts.entries()].sort((a, b) => b[1] - a[1])) {
      out[k] = round(v / Math.max(1, this.samples), 2);
    }
    return out;
  }

  private async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      const { rows } = await this.admin.query<{
        state: string | null;
        type: string | null;
        event: string | null;
      }>(
        `SELECT state, wait_event_type AS type, wait_event AS event FROM pg_stat_activity
          WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
        [this.database],
      );
      this.samples++;
      for (const r of rows) {
        const key = activityOf(r.state, r.type, r.event);
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
    } catch {
      // a missed sample
    } finally {
      this.busy = false;
    }
  }
}

function activityOf(state: string | null, type: string | null, event: string | null): string {
  if (state === 'idle') return 'idle in the pool';
  if (state === 'idle in transaction') return 'in a transaction, waiting for the app’s next statement';
  if (state !== 'active') return `${state ?? '?'}`;
  if (type === null) return 'running a statement (CPU)';
  if (type === 'Lock' && (event === 'transactionid' || event === 'tuple')) return 'waiting for a row lock';
  if (type === 'Lock' && event === 'advisory') return 'waiting for an advisory lock';
  if (
    (type === 'IO' && (event === 'WALSync' || event === 'WALWrite')) ||
    (type === 'LWLock' && event === 'WALWrite')
  ) {
    return 'committing: WAL flush';
  }
  return `other wait: ${type}:${event ?? '?'}`;
}

// ---------------------------------------------------------------------------------------------
// Slices
// ---------------------------------------------------------------------------------------------

type Side = 'api' | 'bare';

/** One timed slice with what it cost whom. */
interface Slice {
  readonly side: Side;
  readonly run: LoadRun;
  readonly serverCpuSeconds: number;
  readonly postgresCpuSeconds: number;
  readonly clientCpuMs: number;
  readonly busyTicks: number;
  readonly totalTicks: number;
}

interface SideResult {
  readonly requests: number;
  readonly wallSeconds: number;
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly errors: number;
  readonly statuses: Record<string, number>;
  readonly sliceRequestsPerSecond: readonly number[];
  /** CPU per request, ms: the server process, every postgres process, the load generator. */
  readonly serverCpuMsPerRequest: number;
  readonly postgresCpuMsPerRequest: number;
  readonly clientCpuMsPerRequest: number;
  /** Both cores, everything on the machine. */
  readonly machineBusyPercent: number;
  readonly activity: Record<string, number>;
  readonly failures: readonly string[];
}

async function timedSlice(
  side: Side,
  server: ServerProcess,
  database: string,
  body: () => Promise<LoadRun>,
): Promise<Slice> {
  const cpu0 = server.cpuSeconds();
  const pg0 = postgresCpuSeconds(database);
  let run: LoadRun | undefined;
  const s = await sample(async () => {
    run = await body();
    return { latenciesMs: run.latenciesMs, events: run.latenciesMs.length, wallMs: run.wallMs };
  });
  return {
    side,
    run: run!,
    serverCpuSeconds: server.cpuSeconds() - cpu0,
    postgresCpuSeconds: postgresCpuSeconds(database) - pg0,
    clientCpuMs: s.clientCpuMs,
    busyTicks: s.busyTicks,
    totalTicks: s.totalTicks,
  };
}

function sideResult(slices: readonly Slice[], activity: Record<string, number>): SideResult {
  const m: Measurement = summarise(
    slices.map((s) => ({
      raw: { latenciesMs: s.run.latenciesMs, events: s.run.latenciesMs.length, wallMs: s.run.wallMs },
      clientCpuMs: s.clientCpuMs,
      busyTicks: s.busyTicks,
      totalTicks: s.totalTicks,
    })),
  );
  const sorted = slices.flatMap((s) => s.run.latenciesMs).sort((a, b) => a - b);
  const p90 = sorted[Math.min(sorted.length - 1, Math.ceil(0.9 * sorted.length) - 1)] ?? Number.NaN;
  const statuses: Record<string, number> = {};
  for (const s of slices)
    for (const [k, v] of Object.entries(s.run.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const errors = Object.entries(statuses)
    .filter(([k]) => !k.startsWith('2'))
    .reduce((a, [, v]) => a + v, 0);
  const per = (total: number): number => round((1000 * total) / Math.max(1, m.ops), 3);
  return {
    requests: m.ops,
    wallSeconds: m.wallSeconds,
    requestsPerSecond: m.opsPerSecond,
    p50: m.latencyMs.p50,
    p90: round(p90, 3),
    p99: m.latencyMs.p99,
    max: m.latencyMs.max,
    errors,
    statuses,
    sliceRequestsPerSecond: m.sliceOpsPerSecond,
    serverCpuMsPerRequest: per(slices.reduce((a, s) => a + s.serverCpuSeconds, 0)),
    postgresCpuMsPerRequest: per(slices.reduce((a, s) => a + s.postgresCpuSeconds, 0)),
    clientCpuMsPerRequest: m.clientCpuMsPerOp,
    machineBusyPercent: m.machineCpuBusyPercent,
    activity,
    failures: slices.flatMap((s) => s.run.failures).slice(0, 5),
  };
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

interface Workload {
  readonly id: 'intake' | 'accept';
  readonly api: SideResult;
  readonly bare: SideResult;
  readonly ratio: number;
  readonly profile?: ProfileSummary & { readonly requests: number; readonly requestsPerSecond: number };
}

interface Result {
  readonly machine: Machine;
  readonly load: { readonly atStart: number[]; readonly atEnd: number[] };
  readonly runSeconds: number;
  readonly bootSeconds: { readonly api: number; readonly bare: number };
  readonly intake: Workload;
  readonly dispatch: {
    readonly cases: number;
    readonly requestsPerSecond: number;
    readonly p50: number;
    readonly p99: number;
    readonly errors: number;
  };
  readonly accept: Workload;
  readonly sql: readonly SqlRunResult[];
  readonly micro: readonly MicroResult[];
  /** Which postgres processes the CPU figures count (absent in runs before this was scoped). */
  readonly postgresCpuScope?: 'bench databases';
  /** BENCH_SCALE of the run (absent: 1). */
  readonly scale?: number;
  readonly checks: {
    readonly cases: number;
    readonly distinctNumbers: number;
    readonly highestNumber: number;
    readonly submittedEvents: number;
  };
}

/**
 * The run before ADR 0016's changes (http.before.json, kept as it was written), for the
 * report's before/after table; absent, the table is left out.
 */
function beforeRun(resultsDir: string): Result | undefined {
  const file = join(resultsDir, 'http.before.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Result) : undefined;
}

/** Writes http.md again from http.json (BENCH_RENDER=1): the report's text changes without a new run. */
function render(): void {
  const resultsDir = join(BENCH_DIR, 'results');
  const r = JSON.parse(readFileSync(join(resultsDir, 'http.json'), 'utf8')) as Result;
  // Runs before the fix filed functions named `constructor` under no component.
  const named = (p: ProfileSummary): ProfileSummary => ({
    ...p,
    components: p.components.map((c) => ({
      ...c,
      component:
        (c as Partial<ComponentShare>).component ??
        'functions named `constructor` (not attributed in this run)',
    })),
  });
  const fixed: Result = {
    ...r,
    intake: {
      ...r.intake,
      ...(r.intake.profile ? { profile: { ...r.intake.profile, ...named(r.intake.profile) } } : {}),
    },
    accept: {
      ...r.accept,
      ...(r.accept.profile ? { profile: { ...r.accept.profile, ...named(r.accept.profile) } } : {}),
    },
  };
  writeFileSync(join(resultsDir, 'http.md'), markdown(fixed, beforeRun(resultsDir)));
  log('wrote bench/results/http.md from http.json');
}

async function main(): Promise<void> {
  if (process.env.BENCH_RENDER === '1') return render();
  const started = Date.now();
  const loadAtStart = loadavg().map((v) => round(v, 2));
  const url = connectionUrl();
  const admin = adminPool(url);
  const stamp = Date.now();
  const apiDb = `bench_http_${stamp}`;
  const bareDb = `bench_httpbare_${stamp}`;
  const work = mkdtempSync(join(tmpdir(), 'tongban-bench-http-'));
  const servers: ServerProcess[] = [];
  const clients: HttpClient[] = [];
  try {
    const { rows: stale } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^bench_http(bare)?_[0-9]+$'",
    );
    for (const { datname } of stale) {
      if (Date.now() - Number(datname.split('_')[2]) > 3_600_000) {
        await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
        log(`dropped stale database ${datname}`);
      }
    }
    const machine = await machineFacts(admin, {
      settings: [
        'shared_buffers',
        'synchronous_commit',
        'fsync',
        'wal_sync_method',
        'commit_delay',
        'max_connections',
      ],
      watched: ['apps', 'libs'],
      dirtyNote: ' (with uncommitted changes in apps/ or libs/)',
      shortVersion: true,
    });
    log(
      `${machine.cpu}, ${machine.cores} cores; ${machine.postgres}; Node ${machine.node}; load ${loadAtStart.join(' / ')}`,
    );
    if (SCALE !== 1) log(`BENCH_SCALE=${SCALE}: a smoke run, not comparable with a full one`);
    await admin.query(`CREATE DATABASE ${apiDb}`);
    await admin.query(`CREATE DATABASE ${bareDb}`);

    const secret = randomBytes(36).toString('base64url');
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const key of Object.keys(env)) {
      if (
        /^(DATABASE_|AUTH_|KAFKA_|READ_MODEL_|PROJECTION_|LOG_LEVEL$|HTTP_|NODE_ENV$|STANDALONE_|BENCH_)/.test(
          key,
        )
      ) {
        delete env[key];
      }
    }
    const profileFile = join(work, 'api.cpuprofile');
    const [api, bare] = await Promise.all([
      startServer({
        name: 'api',
        cwd: REPO_ROOT,
        args: [
          '-r',
          '@swc-node/register',
          '-r',
          join(BENCH_DIR, 'support', 'cpu-profiler.preload.ts'),
          join('apps', 'api', 'src', 'main.ts'),
        ],
        env: {
          ...env,
          NODE_ENV: 'development',
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: '0',
          LOG_LEVEL: 'info',
          // The limiter stays on (its cost is part of every request) with limits no run reaches.
          RATE_LIMIT_ENABLED: 'true',
          ...Object.fromEntries(RATE_LIMITS.map((name) => [name, '1000000'])),
          DATABASE_URL: withDatabase(url, apiDb),
          AUTH_MODE: 'jwt',
          AUTH_JWT_ALGORITHM: 'HS256',
          AUTH_JWT_SECRET: secret,
          BENCH_CPU_PROFILE: profileFile,
        },
        logFile: join(work, 'api.log'),
      }),
      startServer({
        name: 'bare',
        cwd: REPO_ROOT,
        args: ['-r', '@swc-node/register', join(BENCH_DIR, 'support', 'bare-server.ts')],
        env: { ...env, DATABASE_URL: withDatabase(url, bareDb) },
        logFile: join(work, 'bare.log'),
      }),
    ]);
    servers.push(api, bare);
    log(`api listening at ${api.baseUrl} (booted in ${fmt(api.bootSeconds, 1)} s), bare at ${bare.baseUrl}`);

    const signer = createTokenSigner({ secret, issuer: 'tongban', audience: 'tongban-api' });
    const bearer = async (p: Principal): Promise<string> => `Bearer ${await signer.sign(p, 3_600)}`;
    const tokens = {
      hotline: await bearer(HOTLINE),
      dispatcher: await bearer(DISPATCHER),
      cadre: await bearer(CADRE),
    };
    const apiClient = new HttpClient(api.baseUrl, CONFIG.clients);
    const bareClient = new HttpClient(bare.baseUrl, CONFIG.clients);
    clients.push(apiClient, bareClient);
    const clientOf = (side: Side): HttpClient => (side === 'api' ? apiClient : bareClient);
    const serverOf = (side: Side): ServerProcess => (side === 'api' ? api : bare);
    const databaseOf = (side: Side): string => (side === 'api' ? apiDb : bareDb);

    // ---- Intake --------------------------------------------------------------------------------
    const bodies = intakeBodies();
    let pick = 0;
    const intakeRequest = (side: Side): HttpRequestSpec => {
      const body = bodies[pick++ % bodies.length]!;
      return side === 'api'
        ? {
            method: 'POST',
            path: '/api/v1/cases',
            headers: { authorization: tokens.hotline, 'idempotency-key': randomUUID() },
            body,
          }
        : { method: 'POST', path: '/bare/cases', headers: { 'idempotency-key': randomUUID() }, body };
    };
    const caseIds: string[] = [];
    const collect = (_: HttpRequestSpec, answer: HttpAnswer): void => {
      caseIds.push((JSON.parse(answer.body) as { caseId: string }).caseId);
    };
    for (const side of ['api', 'bare'] as const) {
      const probe = await clientOf(side).send(intakeRequest(side));
      if (probe.status !== 201)
        throw new Error(`${side} intake answered ${probe.status}: ${probe.body.slice(0, 500)}`);
    }
    const intakeLoad = (side: Side, seconds: number): Promise<LoadRun> =>
      closedLoop({
        client: clientOf(side),
        clients: CONFIG.clients,
        seconds,
        next: () => intakeRequest(side),
        ...(side === 'api' ? { onAnswer: collect } : {}),
      });
    log('intake: warm-up');
    for (const side of ['api', 'bare'] as const) await intakeLoad(side, CONFIG.intake.warmupSeconds);
    const intakeSlices: Slice[] = [];
    const intakeActivity = {
      api: new ActivitySampler(admin, apiDb),
      bare: new ActivitySampler(admin, bareDb),
    };
    for (let round_ = 0; round_ < CONFIG.intake.rounds; round_++) {
      const order: Side[] = round_ % 2 === 0 ? ['api', 'bare'] : ['bare', 'api'];
      for (const side of order) {
        await admin.query('CHECKPOINT');
        intakeActivity[side].start();
        const slice = await timedSlice(side, serverOf(side), databaseOf(side), () =>
          intakeLoad(side, CONFIG.intake.sliceSeconds),
        );
        intakeActivity[side].stop();
        intakeSlices.push(slice);
        log(`intake ${side}: ${fmt(slice.run.latenciesMs.length / (slice.run.wallMs / 1000))} requests/s`);
      }
    }
    const intakeApi = sideResult(
      intakeSlices.filter((s) => s.side === 'api'),
      intakeActivity.api.averages(),
    );
    const intakeBare = sideResult(
      intakeSlices.filter((s) => s.side === 'bare'),
      intakeActivity.bare.averages(),
    );
    log('intake: profiling the api (untimed window)');
    await api.signalAndWait('SIGWINCH', /cpu profile started/, 10_000);
    const profiledIntake = await intakeLoad('api', CONFIG.intake.profileSeconds);
    await api.signalAndWait('SIGWINCH', /cpu profile written/, 30_000);
    const intakeProfile = {
      ...summariseProfile(profileFile),
      requests: profiledIntake.latenciesMs.length,
      requestsPerSecond: round(profiledIntake.latenciesMs.length / (profiledIntake.wallMs / 1000), 1),
    };

    // ---- Dispatch, then accept -------------------------------------------------------------------
    const cases = caseIds.slice(0, CONFIG.accept.maxCases);
    log(`dispatch: ${fmt(cases.length)} cases`);
    let d = 0;
    const dispatchBody = JSON.stringify({ ownerId: CADRE.id, ownerOrgUnit: CADRE.orgUnit });
    const dispatched: string[] = [];
    const dispatchRun = await closedLoop({
      client: apiClient,
      clients: CONFIG.clients,
      next: () => {
        const id = cases[d++];
        return id === undefined
          ? undefined
          : {
              method: 'POST',
              path: `/api/v1/cases/${id}/dispatch`,
              headers: { authorization: tokens.dispatcher, 'if-match': '"1"' },
              body: dispatchBody,
              id,
            };
      },
      onAnswer: (request) => dispatched.push(request.id),
    });
    const dispatchSorted = [...dispatchRun.latenciesMs].sort((a, b) => a - b);
    const dispatch = {
      cases: dispatched.length,
      requestsPerSecond: round(dispatchRun.latenciesMs.length / (dispatchRun.wallMs / 1000), 1),
      p50: round(dispatchSorted[Math.ceil(0.5 * dispatchSorted.length) - 1] ?? Number.NaN, 2),
      p99: round(dispatchSorted[Math.ceil(0.99 * dispatchSorted.length) - 1] ?? Number.NaN, 2),
      errors: dispatchRun.latenciesMs.length - dispatched.length,
    };
    log(
      `dispatch: ${fmt(dispatch.requestsPerSecond)} requests/s, ${dispatch.errors} errors ${dispatchRun.failures.join(' | ')}`,
    );
    if (dispatched.length < CONFIG.accept.warmupCases + CONFIG.accept.profileCases + 150) {
      throw new Error(`only ${dispatched.length} dispatched cases: too few to measure accept`);
    }
    const warmCases = dispatched.slice(0, CONFIG.accept.warmupCases);
    const profileCases = dispatched.slice(
      CONFIG.accept.warmupCases,
      CONFIG.accept.warmupCases + CONFIG.accept.profileCases,
    );
    const timedCases = dispatched.slice(CONFIG.accept.warmupCases + CONFIG.accept.profileCases);
    const acceptLoad = (side: Side, list: readonly string[], seconds?: number): Promise<LoadRun> => {
      let i = 0;
      return closedLoop({
        client: clientOf(side),
        clients: CONFIG.clients,
        ...(seconds !== undefined ? { seconds } : {}),
        next: (): HttpRequestSpec | undefined => {
          if (side === 'bare')
            return { method: 'POST', path: `/bare/cases/${randomUUID()}/accept`, headers: {} };
          const id = list[i++];
          return id === undefined
            ? undefined
            : {
                method: 'POST',
                path: `/api/v1/cases/${id}/accept`,
                headers: { authorization: tokens.cadre, 'if-match': '"2"' },
              };
        },
      });
    };
    log('accept: warm-up');
    await acceptLoad('api', warmCases);
    await acceptLoad('bare', [], 2);
    const acceptSlices: Slice[] = [];
    const acceptActivity = {
      api: new ActivitySampler(admin, apiDb),
      bare: new ActivitySampler(admin, bareDb),
    };
    const third = Math.ceil(timedCases.length / CONFIG.accept.rounds);
    for (let round_ = 0; round_ < CONFIG.accept.rounds; round_++) {
      const order: Side[] = round_ % 2 === 0 ? ['api', 'bare'] : ['bare', 'api'];
      for (const side of order) {
        await admin.query('CHECKPOINT');
        acceptActivity[side].start();
        const slice = await timedSlice(side, serverOf(side), databaseOf(side), () =>
          side === 'api'
            ? acceptLoad('api', timedCases.slice(round_ * third, (round_ + 1) * third))
            : acceptLoad('bare', [], CONFIG.accept.bareSliceSeconds),
        );
        acceptActivity[side].stop();
        acceptSlices.push(slice);
        log(`accept ${side}: ${fmt(slice.run.latenciesMs.length / (slice.run.wallMs / 1000))} requests/s`);
      }
    }
    const acceptApi = sideResult(
      acceptSlices.filter((s) => s.side === 'api'),
      acceptActivity.api.averages(),
    );
    const acceptBare = sideResult(
      acceptSlices.filter((s) => s.side === 'bare'),
      acceptActivity.bare.averages(),
    );
    log('accept: profiling the api (untimed window)');
    await api.signalAndWait('SIGWINCH', /cpu profile started/, 10_000);
    const profiledAccept = await acceptLoad('api', profileCases);
    await api.signalAndWait('SIGWINCH', /cpu profile written/, 30_000);
    const acceptProfile = {
      ...summariseProfile(profileFile),
      requests: profiledAccept.latenciesMs.length,
      requestsPerSecond: round(profiledAccept.latenciesMs.length / (profiledAccept.wallMs / 1000), 1),
    };

    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop()));
    servers.length = 0;

    // ---- Checks and the database part alone ----------------------------------------------------
    const apiPool = poolFor(withDatabase(url, apiDb), CONFIG.sql.poolMax);
    let checks: Result['checks'];
    let sql: SqlRunResult[];
    try {
      const { rows: c } = await apiPool.query<{
        cases: string;
        numbers: string;
        submitted: string;
        highest: string;
      }>(
        `SELECT (SELECT count(*) FROM case_intake_requests) AS cases,
                (SELECT count(DISTINCT case_number) FROM case_intake_requests) AS numbers,
                (SELECT count(*) FROM tongban_es.events WHERE type = 'case.submitted') AS submitted,
                (SELECT coalesce(sum(last_value), 0) FROM case_number_counters) AS highest`,
      );
      checks = {
        cases: Number(c[0]!.cases),
        distinctNumbers: Number(c[0]!.numbers),
        submittedEvents: Number(c[0]!.submitted),
        highestNumber: Number(c[0]!.highest),
      };
      log(`checks: ${JSON.stringify(checks)}`);
      const { rows: e } = await apiPool.query<{ data: JsonObject; metadata: JsonObject }>(
        "SELECT data, metadata FROM tongban_es.events WHERE type = 'case.submitted' LIMIT 1",
      );
      log('the database part of one intake alone, by variant');
      sql = await runIntakeSql({
        pool: apiPool,
        clients: CONFIG.clients,
        seconds: CONFIG.sql.seconds,
        data: e[0]!.data,
        metadata: e[0]!.metadata,
        requestJson: bodies[0]!,
        log,
      });
    } finally {
      await apiPool.end();
    }
    log('two per-request costs alone');
    const micro = await runIntakeMicro();
    for (const m of micro) log(`  ${m.name}: ${m.todayMicros} µs today, ${m.proposedMicros} µs proposed`);

    const result: Result = {
      machine,
      load: { atStart: loadAtStart, atEnd: loadavg().map((v) => round(v, 2)) },
      runSeconds: round((Date.now() - started) / 1000, 1),
      bootSeconds: { api: round(api.bootSeconds, 1), bare: round(bare.bootSeconds, 1) },
      intake: {
        id: 'intake',
        api: intakeApi,
        bare: intakeBare,
        ratio: round(intakeApi.requestsPerSecond / intakeBare.requestsPerSecond, 3),
        profile: intakeProfile,
      },
      dispatch,
      accept: {
        id: 'accept',
        api: acceptApi,
        bare: acceptBare,
        ratio: round(acceptApi.requestsPerSecond / acceptBare.requestsPerSecond, 3),
        profile: acceptProfile,
      },
      sql,
      micro,
      postgresCpuScope: 'bench databases',
      scale: SCALE,
      checks,
    };
    const resultsDir = join(BENCH_DIR, 'results');
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'http.json'), JSON.stringify(result, null, 2) + '\n');
    writeFileSync(join(resultsDir, 'http.md'), markdown(result, beforeRun(resultsDir)));
    console.log(`\n${figuresTable(result)}\n\n${sqlTable(result.sql)}\n`);
    log(`wrote bench/results/http.md and http.json (whole run ${fmt(result.runSeconds, 1)} s)`);
  } finally {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop().catch(() => undefined)));
    if (!KEEP) {
      for (const db of [apiDb, bareDb])
        await admin.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`).catch(() => undefined);
    } else {
      log(`kept databases ${apiDb} and ${bareDb}`);
    }
    await admin.end();
    if (KEEP) log(`kept the servers' logs and the api's CPU profile in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

function poolFor(url: string, max: number): Pool {
  const pool = new PgPool({ connectionString: url, max });
  pool.on('error', () => undefined);
  return pool;
}

// ---------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------

const ms = (v: number): string => fmt(v, v < 10 ? 2 : 1);
const x = (v: number): string => `${v.toFixed(2)}×`;

function figuresTable(r: Result): string {
  const lines = [
    '| Workload | Server | requests/s | ratio | p50 ms | p90 ms | p99 ms | max ms | requests | errors | server CPU ms/req | PostgreSQL CPU ms/req | load generator CPU ms/req | machine CPU |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const w of [r.intake, r.accept]) {
    for (const side of ['api', 'bare'] as const) {
      const s = w[side];
      const name =
        side === 'api'
          ? w.id === 'intake'
            ? 'api: POST /api/v1/cases'
            : 'api: POST /api/v1/cases/:id/accept'
          : 'bare Fastify + pg';
      lines.push(
        `| ${w.id} | ${name} | ${fmt(s.requestsPerSecond)} | ${side === 'api' ? `**${x(w.ratio)}**` : '1.00×'} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.max)} | ` +
          `${fmt(s.requests)} | ${fmt(s.errors)} | ${ms(s.serverCpuMsPerRequest)} | ${r.postgresCpuScope ? ms(s.postgresCpuMsPerRequest) : 'n/a'} | ${ms(s.clientCpuMsPerRequest)} | ${fmt(s.machineBusyPercent)}% |`,
      );
    }
  }
  return lines.join('\n');
}

function sqlTable(results: readonly SqlRunResult[]): string {
  const floor = results.find((r) => r.variant.key === 'floor')?.measurement.opsPerSecond ?? Number.NaN;
  const lines = [
    '| Variant | What it sends | intakes/s | ÷ bare INSERT | p50 ms | p99 ms | machine CPU |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const { variant, measurement: m } of results) {
    lines.push(
      `| ${variant.title} | ${variant.shape} | ${fmt(m.opsPerSecond)} | ${x(m.opsPerSecond / floor)} | ${ms(m.latencyMs.p50)} | ${ms(m.latencyMs.p99)} | ${fmt(m.machineCpuBusyPercent)}% |`,
    );
  }
  return lines.join('\n');
}

function microTable(results: readonly MicroResult[]): string {
  return [
    '| Cost | Before | µs CPU | Now | µs CPU |',
    '| --- | --- | ---: | --- | ---: |',
    ...results.map(
      (m) => `| ${m.name} | ${m.today} | ${fmt(m.todayMicros)} | ${m.proposed} | ${fmt(m.proposedMicros)} |`,
    ),
  ].join('\n');
}

function activityTable(r: Result): string {
  const keys = new Set<string>();
  const columns = [
    ['intake, api', r.intake.api.activity],
    ['intake, bare', r.intake.bare.activity],
    ['accept, api', r.accept.api.activity],
    ['accept, bare', r.accept.bare.activity],
  ] as const;
  for (const [, a] of columns) for (const k of Object.keys(a)) keys.add(k);
  const lines = [
    `| Connections of the database doing… (average count) | ${columns.map(([n]) => n).join(' | ')} |`,
    `| --- | ${columns.map(() => '---:').join(' | ')} |`,
  ];
  for (const k of keys) lines.push(`| ${k} | ${columns.map(([, a]) => fmt(a[k] ?? 0, 2)).join(' | ')} |`);
  return lines.join('\n');
}

function profileTable(p: ProfileSummary & { requests: number }): string {
  const per = (v: number): string => fmt(v / Math.max(1, p.requests), 3);
  const lines = [
    '| Component | CPU ms | share of busy | CPU ms per request |',
    '| --- | ---: | ---: | ---: |',
    ...p.components
      .slice(0, 14)
      .map((c) => `| ${c.component} | ${fmt(c.ms)} | ${fmt(c.percent, 1)}% | ${per(c.ms)} |`),
    `| **all (busy)** | ${fmt(p.busyMs)} | 100% | ${per(p.busyMs)} |`,
  ];
  return lines.join('\n');
}

function functionsTable(p: ProfileSummary): string {
  return [
    '| Function (self time) | ms | share |',
    '| --- | ---: | ---: |',
    ...p.topFunctions
      .slice(0, 12)
      .map((f) => `| \`${f.fn.replace(/\|/g, '\\|')}\` | ${fmt(f.ms)} | ${fmt(f.percent, 1)}% |`),
  ].join('\n');
}

function markdown(r: Result, before?: Result): string {
  const m = r.machine;
  const busy = (r.load.atStart[0] ?? 0) > m.cores * 0.5;
  const settings = Object.entries(m.postgresSettings)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const ip = r.intake.profile!;
  const ap = r.accept.profile!;
  const sqlOf = (key: string): Measurement | undefined =>
    r.sql.find((s) => s.variant.key === key)?.measurement;
  const met = r.intake.ratio >= CONFIG.target;
  return `# HTTP write-path benchmark

Written by \`npm run bench:http\` (\`bench/http.bench.ts\`); see \`bench/README.md\`. One run on one machine: intake
and a cadre action (accept) through the api process, each side by side with a bare Fastify + pg handler on the
same PostgreSQL, then the database part of one intake alone.${(r.scale ?? 1) !== 1 ? `\n\n**BENCH_SCALE=${r.scale}: a smoke run with shortened slices; not comparable with a full run.**` : ''}

## Machine

| | |
| --- | --- |
| Date | ${m.date} |
| CPU | ${m.cpu}, ${m.cores} cores (load generator, both servers and PostgreSQL share them) |
| Memory | ${fmt(m.memoryGiB, 1)} GiB |
| PostgreSQL | ${m.postgres} (${settings}) |
| Node | ${m.node} |
| Tongban | commit ${m.commit} |
| Run time | ${fmt(r.runSeconds, 1)} s for the whole run (api boot ${fmt(r.bootSeconds.api, 1)} s) |
| Load average (1/5/15 min) | ${r.load.atStart.join(' / ')} at the start; ${r.load.atEnd.join(' / ')} at the end, this run's own load included |
${busy ? `\n**The machine was busy with other work when the run started (1-minute load ${r.load.atStart[0]} on ${m.cores} cores): every figure is lower and noisier than on a quiet machine; compare the ratios, which both sides share.**\n` : ''}
## Method

- **api**: \`apps/api/src/main.ts\` in a child process of its own (\`node -r @swc-node/register\`, the source \`nest build api\`
  compiles), on a fresh database on the local PostgreSQL (its migrations run at boot), with its defaults: a pool of
  10 connections, \`LOG_LEVEL=info\` (one request log line per request, to a file), metrics on, the rate limiter on with
  every limit at 1,000,000 a minute (so it counts but never refuses). Authentication is real:
  \`AUTH_MODE=jwt\` with \`AUTH_JWT_ALGORITHM=HS256\` and a random 48-character secret (allowed outside production); the
  benchmark signs one token per principal with \`createTokenSigner\` (as the e2e tests do) and the api verifies the
  signature, issuer, audience and lifetime on every request.
- **bare**: \`bench/support/bare-server.ts\` in another child process: Fastify 5 and node-postgres, a pool of 10, no
  authentication, validation or logging; each POST inserts the JSON it was sent (the intake body; for accept, the case
  id) into one table (bigserial key, jsonb, time stamp) in one autocommit statement and answers with the row id.
- **Load**: this process, ${CONFIG.clients} concurrent clients in closed loops (each sends its next request when the previous one
  answered) over ${CONFIG.clients} keep-alive HTTP/1.1 connections (node:http). Bodies are serialised in advance; every intake has a
  new \`Idempotency-Key\`.
- **Intake**: the 12345 hotline channel (\`demo-channel-hotline\`) files one of 200 invented requests (about ${fmt(intakeBodies()[0]!.length)} characters of JSON).
  After a ${CONFIG.intake.warmupSeconds} s warm-up of each server, ${CONFIG.intake.rounds} rounds of one ${fmt(CONFIG.intake.sliceSeconds, 1)} s slice per server, the
  order alternating, each slice after a \`CHECKPOINT\`.
- **Accept**: every case filed by the api during the intake part (up to ${fmt(CONFIG.accept.maxCases)}) is first dispatched
  (\`demo-dispatcher\`, If-Match \`"1"\`) to \`demo-cadre-taiyangcheng\`, who then accepts each case exactly once (If-Match \`"2"\`),
  ${CONFIG.clients} at a time: ${CONFIG.accept.warmupCases} cases to warm up, then ${CONFIG.accept.rounds} rounds of a third of the rest, alternating with
  ${fmt(CONFIG.accept.bareSliceSeconds, 1)} s slices of the bare handler (\`POST /bare/cases/:id/accept\`, which inserts the id).
- **CPU per request**: the server process and the PostgreSQL backends of its database (from /proc), and this load generator, over the
  timed slices. **Database activity**: pg_stat_activity of each database every ${CONFIG.activityEveryMs} ms during its slices.
- **Profile**: after the timed slices, an extra untimed window of each workload on the same api process with V8's sampling
  profiler on (SIGWINCH to a preload, \`bench/support/cpu-profiler.preload.ts\`; 0.5 ms interval); samples go to the innermost
  frame that belongs to a package or to our code (Node's own frames count for their caller).
- **The database part alone**: after both servers stop, the statements of one intake as \`SubmitCaseHandler\` sent them
  before ADR 0013, under ADR 0013 and as it sends them now (ADR 0016; in \`bench/support/intake-sql.ts\`), and the step in between, from this process on a pool of ${CONFIG.sql.poolMax} to the api's database, ${CONFIG.clients} concurrent loops,
  ${fmt(CONFIG.sql.seconds, 1)} s each after a short warm-up and a \`CHECKPOINT\`.

## Requests/s and latency

Target (issue 10): intake through the api at least ${x(CONFIG.target)} the bare handler's requests/s —
**${met ? 'met' : 'not met'}** in this run (${x(r.intake.ratio)}). Accept: ${x(r.accept.ratio)}.

${figuresTable(r)}

${
  r.postgresCpuScope
    ? ''
    : 'PostgreSQL CPU per request: n/a in this run — it summed every postgres process on the machine, other engineers’ test databases included; later runs count only the backends of the two benchmark databases.\n\n'
}Per slice (requests/s, in the order run): intake api ${r.intake.api.sliceRequestsPerSecond.map((v) => fmt(v)).join(' / ')}, bare
${r.intake.bare.sliceRequestsPerSecond.map((v) => fmt(v)).join(' / ')}; accept api ${r.accept.api.sliceRequestsPerSecond.map((v) => fmt(v)).join(' / ')}, bare
${r.accept.bare.sliceRequestsPerSecond.map((v) => fmt(v)).join(' / ')}.
Dispatch of the ${fmt(r.dispatch.cases)} cases (untimed set-up, for reference): ${fmt(r.dispatch.requestsPerSecond)} requests/s, p50 ${ms(r.dispatch.p50)} ms,
p99 ${ms(r.dispatch.p99)} ms, ${r.dispatch.errors} errors.${[r.intake.api, r.accept.api].some((s) => s.errors > 0) ? `\n\nNon-2xx answers from the api: ${JSON.stringify([...r.intake.api.failures, ...r.accept.api.failures])}` : ''}

Checks after the run: ${fmt(r.checks.cases)} intake claims, ${fmt(r.checks.distinctNumbers)} distinct case numbers, ${fmt(r.checks.submittedEvents)} \`case.submitted\`
events, the day counter at ${fmt(r.checks.highestNumber)}${checksVerdict(r.checks)}.

## Where the time goes

### Database connections

${activityTable(r)}

### The database part of one intake alone

${sqlTable(r.sql)}

### Per-request costs alone

CPU per call in this process, ${fmt(3_000)} calls each after a warm-up:

${microTable(r.micro)}

### CPU of the api process, intake

Profiled window: ${fmt(ip.requests)} intakes at ${fmt(ip.requestsPerSecond)} requests/s (with the profiler on); sampled busy time ${fmt(ip.busyMs)} ms of ${fmt(ip.totalMs)} ms.

${profileTable(ip)}

${functionsTable(ip)}

### CPU of the api process, accept

Profiled window: ${fmt(ap.requests)} accepts at ${fmt(ap.requestsPerSecond)} requests/s (with the profiler on); sampled busy time ${fmt(ap.busyMs)} ms of ${fmt(ap.totalMs)} ms.

${profileTable(ap)}

${functionsTable(ap)}

${observations(r, sqlOf)}

${changes(r, sqlOf, before)}

Raw figures: \`bench/results/http.json\`.
`;
}

/** Filled in from this run's figures; the interpretation the numbers support, nothing more. */
function observations(r: Result, sqlOf: (key: string) => Measurement | undefined): string {
  const today = sqlOf('today');
  const claim = sqlOf('claimOnly');
  const append = sqlOf('appendOnly');
  const blocks = sqlOf('blocks');
  const merged = sqlOf('merged');
  const oneStatement = sqlOf('oneStatement');
  const floor = sqlOf('floor');
  const lines: string[] = ['### Reading the figures', ''];
  const api = r.intake.api;
  const lock = api.activity['waiting for a row lock'] ?? 0;
  const idleTx = api.activity['in a transaction, waiting for the app’s next statement'] ?? 0;
  const apiCores = (api.requestsPerSecond * api.serverCpuMsPerRequest) / 1000;
  lines.push(
    `- Intake costs the api process ${ms(api.serverCpuMsPerRequest)} ms of CPU per request against ${ms(r.intake.bare.serverCpuMsPerRequest)} ms for the bare server ` +
      `(accept: ${ms(r.accept.api.serverCpuMsPerRequest)} ms against ${ms(r.accept.bare.serverCpuMsPerRequest)} ms)` +
      (r.postgresCpuScope
        ? `, and its database backends ${ms(api.postgresCpuMsPerRequest)} ms against ${ms(r.intake.bare.postgresCpuMsPerRequest)} ms. `
        : '. ') +
      `At ${fmt(api.requestsPerSecond)} intakes/s the api used ${fmt(apiCores, 2)} of a core` +
      ((api.activity['waiting for a row lock'] ?? 0) >= 0.5
        ? `: it was not CPU-bound — intakes waited on the database (next point), while the bare server, with nothing to wait for, ` +
          `took what CPU the machine had (${fmt(r.intake.bare.machineBusyPercent)}% busy during its slices).`
        : `, with the machine ${fmt(api.machineBusyPercent)}% busy during its slices (the bare server's: ${fmt(r.intake.bare.machineBusyPercent)}%): ` +
          `intakes no longer queue on a row lock (next point); the api, PostgreSQL and the load generator share the CPU.`),
  );
  lines.push(
    `- During the api's intake slices, on average ${fmt(lock, 2)} of its connections waited for a row lock and ` +
      `${fmt(idleTx, 2)} sat in an open transaction waiting for the api to send the next statement ` +
      `(before ADR 0013 every intake locked the day's counter row from its upsert until COMMIT; now the row is locked ` +
      `once per block of 100, for one statement).`,
  );
  if (today && claim && append && floor) {
    lines.push(
      `- Without HTTP and Nest, the intake's statements as they were before ADR 0013 run at ${fmt(today.opsPerSecond)} intakes/s (p99 ${ms(today.latencyMs.p99)} ms): ` +
        `their claim transaction alone ${fmt(claim.opsPerSecond)}/s, the append alone ${fmt(append.opsPerSecond)}/s, a bare INSERT ${fmt(floor.opsPerSecond)}/s: ` +
        `${x(today.opsPerSecond / floor.opsPerSecond)} the bare INSERT.`,
    );
  }
  if (blocks && merged && today && floor) {
    lines.push(
      `- Numbers from a block reserved on the counter row alone take that to ${fmt(blocks.opsPerSecond)}/s (${x(blocks.opsPerSecond / today.opsPerSecond)}); ` +
        `with claim and append in ONE transaction as well (ADR 0013) ${fmt(merged.opsPerSecond)}/s ` +
        `(${x(merged.opsPerSecond / today.opsPerSecond)} the statements before, ${x(merged.opsPerSecond / floor.opsPerSecond)} the bare INSERT), p99 ${ms(merged.latencyMs.p99)} ms.`,
    );
  }
  if (oneStatement && merged && floor) {
    lines.push(
      `- As ONE autocommit statement — what \`SubmitCaseHandler\` sends now (ADR 0016) — ${fmt(oneStatement.opsPerSecond)}/s ` +
        `(${x(oneStatement.opsPerSecond / merged.opsPerSecond)} the transaction of four round trips, ${x(oneStatement.opsPerSecond / floor.opsPerSecond)} the bare INSERT), ` +
        `p99 ${ms(oneStatement.latencyMs.p99)} ms.`,
    );
  }
  const share = (p: ProfileSummary, prefix: string): number =>
    p.components.filter((c) => c.component.startsWith(prefix)).reduce((a, c) => a + c.percent, 0);
  const ip = r.intake.profile!;
  const ap = r.accept.profile!;
  lines.push(
    `- In the api's CPU profile, JWT verification takes ${fmt(share(ip, 'JWT'), 1)}% of the intake's and ${fmt(share(ap, 'JWT'), 1)}% of accept's CPU, ` +
      `the PostgreSQL driver ${fmt(share(ip, 'PostgreSQL'), 1)}% and ${fmt(share(ap, 'PostgreSQL'), 1)}% (it grows with the round trips), logging ${fmt(share(ip, 'logging'), 1)}% and ` +
      `${fmt(share(ap, 'logging'), 1)}%, request validation ${fmt(share(ip, 'request validation'), 1)}% of the intake's.`,
  );
  return lines.join('\n');
}

/** The reading of what still limits intake, from this run's figures only. */
function remains(r: Result): string {
  const api = r.intake.api;
  const bare = r.intake.bare;
  const cores = (api.requestsPerSecond * api.serverCpuMsPerRequest) / 1000;
  const machine = (w: Workload['api']): number =>
    w.serverCpuMsPerRequest + w.postgresCpuMsPerRequest + w.clientCpuMsPerRequest;
  // The bare intake's backends are not told apart in every run: accept's bare insert is the same statement.
  const barePostgres = [bare.postgresCpuMsPerRequest, r.accept.bare.postgresCpuMsPerRequest].find((v) =>
    Number.isFinite(v),
  );
  const bareMachine = bare.serverCpuMsPerRequest + (barePostgres ?? 0) + bare.clientCpuMsPerRequest;
  const top = (r.intake.profile?.components ?? [])
    .slice(0, 6)
    .map((c) => `${c.component} ${fmt(c.percent, 1)}%`)
    .join(', ');
  const writev = r.intake.profile?.topFunctions.find((f) => f.fn.startsWith('writev'));
  return (
    `the machine's ${r.machine.cores} cores were ${fmt(api.machineBusyPercent)}% busy during the api's intake slices, the api process ` +
    `using ${fmt(cores, 2)} of a core at ${ms(api.serverCpuMsPerRequest)} ms of CPU per intake (the bare server: ${ms(bare.serverCpuMsPerRequest)} ms). ` +
    `Counting every process, an intake through the api costs the machine about ${ms(machine(api))} ms of CPU ` +
    `(api, its PostgreSQL backends ${ms(api.postgresCpuMsPerRequest)} ms, load generator) against about ${ms(bareMachine)} ms ` +
    `for a bare insert (its PostgreSQL figure from the accept part), so while the machine is CPU-bound the ratio stays near ` +
    `${x(bareMachine / machine(api))} ` +
    `until that per-request cost falls. The api's sampled time by the profile above: ${top}.` +
    (writev
      ? ` \`writev\` alone — the socket writes of the driver's queries and of the responses — is ${fmt(writev.percent, 1)}% of the sampled time: ` +
        `on 2 shared cores a write to a local socket wakes its reader, which often takes the core from the api in the middle of the ` +
        `call, so this is time spent waiting for the CPU as much as CPU.`
      : '') +
    ` What is left is spread over the framework (Fastify, Nest, class-validator) and our own per-request code ` +
    `(mapping and hashing the request, the day of the intake): no single piece is as large as the ones removed here.`
  );
}

/** Unique numbers are the guarantee; gaps are allowed since ADR 0013 (blocks of 100 per process). */
function checksVerdict(c: Result['checks']): string {
  if (c.cases !== c.distinctNumbers || c.submittedEvents !== c.cases)
    return ' — NOT one number and one event per claim';
  if (c.highestNumber === c.cases) return ' — every number unique, none skipped';
  return ` — every number unique, one \`case.submitted\` per claim; the counter is ahead by the unused rest of the reserved blocks`;
}

/** What ADR 0016 changed, this run against the run before it, and what is left. */
function changes(
  r: Result,
  sqlOf: (key: string) => Measurement | undefined,
  before: Result | undefined,
): string {
  const merged = sqlOf('merged');
  const oneStatement = sqlOf('oneStatement');
  const beforeMerged = before?.sql.find((s) => s.variant.key === 'merged')?.measurement;
  const cell = (w: Workload): string =>
    `${fmt(w.api.requestsPerSecond)} / ${fmt(w.bare.requestsPerSecond)} = **${x(w.ratio)}**, p50 ${ms(w.api.p50)} ms, ` +
    `p99 ${ms(w.api.p99)} ms, ${ms(w.api.serverCpuMsPerRequest)} ms api CPU/req, ${ms(w.api.postgresCpuMsPerRequest)} ms PostgreSQL CPU/req`;
  const row = (name: string, b: Workload | undefined, a: Workload): string =>
    `| ${name} | ${b ? cell(b) : 'n/a'} | ${cell(a)} |`;
  const component = (w: Workload | undefined, prefix: string): string => {
    const c = w?.profile?.components.find((k) => k.component.startsWith(prefix));
    if (!w?.profile) return 'n/a';
    return c ? `${fmt((c.ms / w.profile.requests) * 1000, 0)} µs` : 'none sampled';
  };
  const table = before
    ? `Before: the run of ${before.machine.date} (commit ${before.machine.commit}, 1-minute load ${before.load.atStart[0]} at its start),
the code as ADR 0013 left it, kept in \`bench/results/http.before.json\`. After: this run (1-minute load ${r.load.atStart[0]} at its
start). Each cell: api requests/s / bare requests/s = ratio, then the api's latency and CPU per request.

| Workload | before | after |
| --- | --- | --- |
${row('intake', before.intake, r.intake)}
${row('accept', before.accept, r.accept)}
| intake, profile: logging per request | ${component(before.intake, 'logging')} | ${component(r.intake, 'logging')} |
| intake, profile: JWT verification per request | ${component(before.intake, 'JWT')} | ${component(r.intake, 'JWT')} |
| intake, profile: PostgreSQL driver per request | ${component(before.intake, 'PostgreSQL')} | ${component(r.intake, 'PostgreSQL')} |
| intake: connections in an open transaction, waiting for the api (average) | ${fmt(before.intake.api.activity['in a transaction, waiting for the app’s next statement'] ?? 0, 2)} | ${fmt(r.intake.api.activity['in a transaction, waiting for the app’s next statement'] ?? 0, 2)} |

(Profile figures are sampled time in the profiled window divided by its requests: comparable between runs, not CPU time.)

`
    : '';
  return `## What changed (ADR 0016), before and after

Applied in \`libs/case-handling/src/submit-case/submit-case.command.ts\`, \`libs/platform/event-store/src/postgres/\`,
\`libs/platform/logging/src/\` and \`libs/platform/security/src/\`. Case numbers stay unique (UNIQUE stays as the backstop),
one Idempotency-Key still makes one case, a reused key with another body is still 422, a claim never exists without its
event, and what a log line masks has not changed.

1. **Intake in ONE autocommit statement**: a CTE claims the key (\`INSERT … ON CONFLICT DO NOTHING RETURNING\`) and the same
   statement calls \`append_events_or_raise\` (a new event-store migration) for the claimed row; an append that cannot happen
   fails the statement, claim included. \`decide\` runs before it. A lost claim writes nothing and reads the winner's row.
   Database part alone, ADR 0013's transaction → one statement: ${merged && oneStatement ? `${fmt(merged.opsPerSecond)} → ${fmt(oneStatement.opsPerSecond)} intakes/s, p99 ${ms(merged.latencyMs.p99)} → ${ms(oneStatement.latencyMs.p99)} ms` : 'see the table above'}${beforeMerged ? ` (the run before measured the transaction at ${fmt(beforeMerged.opsPerSecond)}/s)` : ''}.
2. **Log lines**: pino runs the masking walk (\`formatters.log\`) before the serializers, so every request line walked
   pino-http's raw \`ServerResponse\` (socket, request, headers) eight levels deep; pino-http now hands it the status only.
   The masker skips the two regex replacements on strings without four ASCII digits in a row (neither pattern can match
   without them) and remembers normalised field names; lines go out in one write per turn of the event loop, flushed on
   exit and on shutdown; one \`child\` logger less per request.
3. **Verified bearer tokens cached** per process (\`VerifiedTokenCache\`, keyed by the exact token; until \`exp\` or 60 s,
   10,000 at most; \`AUTH_TOKEN_CACHE_SIZE\`, \`AUTH_TOKEN_CACHE_SECONDS\`). The benchmark's clients each reuse one token, as
   real clients do, so nearly every request is a hit.

${table}What remains: ${remains(r)}
`;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
