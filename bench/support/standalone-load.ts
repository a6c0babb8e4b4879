import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './stats';

/**
 * Command → visible latency in standalone mode: the standalone app (`npm start`: API, projector
 * and embedded PostgreSQL in one process) runs in a child process of its own, so the load
 * generator's work never delays the server's event loop; an open-loop load of case commands is
 * sent over HTTP, and after each command a read of the case waits (server side) for the read
 * models to reach the command's position.
 */

// ---------------------------------------------------------------------------------------------
// The standalone process
// ---------------------------------------------------------------------------------------------

export interface StandaloneProcess {
  readonly baseUrl: string;
  readonly pid: number;
  readonly bootSeconds: number;
  /** CPU seconds (user + system) the process has used so far, from /proc. */
  cpuSeconds(): number;
  /** The last lines it wrote to stderr (never tokens: it does not log them). */
  stderrTail(): string;
  /** Sends a signal and waits until the process writes a line matching `line` on stdout. */
  signalAndWait(signal: NodeJS.Signals, line: RegExp, timeoutMs: number): Promise<void>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * `apps/standalone/src/main.ts` under @swc-node/register (what `npm start` runs, compiled on the
 * fly instead of by `nest build`), its data in `dataDir`, AUTH_MODE=dev, default log level.
 */
export async function startStandalone(
  repoRoot: string,
  dataDir: string,
  options: {
    /** Extra Node flags for the child, e.g. `--cpu-prof`. */
    readonly execArgv?: readonly string[];
    /** Extra settings, e.g. LOG_LEVEL. */
    readonly env?: Readonly<Record<string, string>>;
  } = {},
): Promise<StandaloneProcess> {
  const started = performance.now();
  const env: NodeJS.ProcessEnv = { ...process.env };
  // Everything but what standalone is told here comes from its own defaults.
  for (const key of Object.keys(env)) {
    if (/^(DATABASE_|AUTH_|KAFKA_|READ_MODEL_|PROJECTION_|RATE_LIMIT_|LOG_LEVEL$|HTTP_PORT$)/.test(key))
      delete env[key];
  }
  Object.assign(env, {
    STANDALONE_DATA_DIR: dataDir,
    HTTP_PORT: '0',
    AUTH_MODE: 'dev',
    NODE_ENV: 'development',
    ...options.env,
  });
  const child: ChildProcess = spawn(
    process.execPath,
    // After the register hook, so a preloaded `.ts` file compiles.
    ['-r', '@swc-node/register', ...(options.execArgv ?? []), join('apps', 'standalone', 'src', 'main.ts')],
    { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  /** What stdout said since signalAndWait began watching (its tail), or undefined. */
  let watched: string | undefined;
  child.stdout!.on('data', (chunk: Buffer) => {
    // Only the start line (and a line signalAndWait waits for) matters; the request logs are
    // drained and dropped.
    if (stdout.length < 64_000) stdout += chunk.toString();
    if (watched !== undefined) watched = (watched + chunk.toString()).slice(-8_000);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const deadline = Date.now() + 120_000;
  let baseUrl: string | undefined;
  while (!baseUrl) {
    baseUrl = /listening on (http:\/\/[^\s]+)/.exec(stdout)?.[1];
    if (baseUrl) break;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`standalone exited before listening: ${stderr.slice(-1_000)}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('standalone did not start listening within 120 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const pid = child.pid!;
  const ticks = 100; // USER_HZ on Linux
  return {
    baseUrl,
    pid,
    bootSeconds: round((performance.now() - started) / 1000, 1),
    cpuSeconds: () => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return (Number(fields[11]) + Number(fields[12])) / ticks;
      } catch {
        return Number.NaN;
      }
    },
    stderrTail: () => stderr,
    signalAndWait: async (signal, line, timeoutMs) => {
      watched = '';
      child.kill(signal);
      const deadline = Date.now() + timeoutMs;
      try {
        while (!line.test(watched)) {
          if (Date.now() > deadline) throw new Error(`standalone: no ${String(line)} within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        watched = undefined;
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The people and their requests (demo users of AUTH_MODE=dev; personal data invented)
// ---------------------------------------------------------------------------------------------

const USERS = {
  resident1: 'demo-resident-1',
  resident2: 'demo-resident-2',
  hotline: 'demo-channel-hotline',
  dispatcher: 'demo-dispatcher',
  cadreTyc: 'demo-cadre-taiyangcheng',
  cadreYql: 'demo-cadre-yunquanli',
} as const;
type User = keyof typeof USERS;

const COMMUNITIES = [
  { code: 'pc.gucheng.taiyangcheng', name: '古城街道太阳城社区', cadre: 'cadreTyc' },
  { code: 'pc.zhenhua.yunquanli', name: '振华街道云泉里社区', cadre: 'cadreYql' },
] as const;

const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '赵', '黄', '周', '吴', '郭', '马'];
const GIVEN = ['秀兰', '建国', '桂英', '志强', '淑珍', '海燕', '德明', '玉梅', '卫东', '丽娟'];
const ISSUES = [
  {
    title: '楼道灯不亮',
    description: '单元楼道灯坏了一周，老人夜间上下楼不方便。',
    category: '公共设施维修',
  },
  { title: '小区垃圾清运不及时', description: '垃圾桶已满两天无人清运，气味很大。', category: '环境卫生' },
  { title: '下水道堵塞', description: '楼下下水井返水，路面积水影响通行。', category: '市政管网' },
  { title: '噪音扰民', description: '夜间施工噪音持续到十一点以后，影响休息。', category: '噪音污染' },
  { title: '路面坑洼', description: '小区门口路面塌陷一个大坑，电动车容易摔倒。', category: '道路维修' },
  { title: '供暖不热', description: '家中暖气片温度很低，室温不到十六度。', category: '供暖' },
];

/** The steps every case goes through after intake, each by its role. */
const STEPS = ['dispatch', 'accept', 'contact', 'steps', 'resolve', 'feedback', 'close'] as const;
type Step = (typeof STEPS)[number];
export type CommandKind = 'intake' | Step;
export const COMMAND_KINDS: readonly CommandKind[] = ['intake', ...STEPS];

/** mulberry32: the same seed, the same load (names, issues, channels). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An invented GB 11643 number for 平城区 (140213) with a valid check character. */
function fakeIdNumber(rand: () => number): string {
  const year = 1940 + Math.floor(rand() * 60);
  const month = 1 + Math.floor(rand() * 12);
  const day = 1 + Math.floor(rand() * 28);
  const serial = 900 + Math.floor(rand() * 100);
  const body = `140213${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}${serial}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = weights.reduce((acc, w, i) => acc + w * Number(body[i]), 0);
  return body + '10X98765432'[sum % 11]!;
}

interface LiveCase {
  id: string;
  version: number;
  next: number;
  filer: User;
  cadre: User;
  community: string;
}

interface Command {
  readonly kind: CommandKind;
  readonly user: User;
  readonly path: string;
  readonly body: unknown;
  readonly headers: Record<string, string>;
  readonly live?: LiveCase;
}

function intake(rand: () => number, n: number): { command: Command; filer: User; community: number } {
  const filer: User = n % 3 === 2 ? 'hotline' : n % 2 === 0 ? 'resident1' : 'resident2';
  const community = n % COMMUNITIES.length;
  const c = COMMUNITIES[community]!;
  const issue = ISSUES[Math.floor(rand() * ISSUES.length)]!;
  const name = SURNAMES[Math.floor(rand() * SURNAMES.length)]! + GIVEN[Math.floor(rand() * GIVEN.length)]!;
  const phone = `1390000${String(Math.floor(rand() * 10_000)).padStart(4, '0')}`;
  const building = 1 + Math.floor(rand() * 30);
  return {
    filer,
    community,
    command: {
      kind: 'intake',
      user: filer,
      path: '/cases',
      body: {
        channel: filer === 'hotline' ? 'hotline' : rand() < 0.5 ? 'app' : 'mini_program',
        resident: { name, phone, ...(rand() < 0.3 ? { idNumber: fakeIdNumber(rand) } : {}) },
        location: {
          address: `平城区${c.name}${building}号楼${1 + (building % 4)}单元`,
          communityCode: c.code,
        },
        category: issue.category,
        title: issue.title,
        description: `${issue.description}联系电话${phone}。`,
      },
      headers: { 'idempotency-key': randomUUID() },
    },
  };
}

function followUp(c: LiveCase): Command {
  const step = STEPS[c.next]!;
  const headers = { 'if-match': `"${c.version}"` };
  const base = { kind: step, path: `/cases/${c.id}/${step}`, headers, live: c };
  switch (step) {
    case 'dispatch':
      return { ...base, user: 'dispatcher', body: { ownerId: USERS[c.cadre], ownerOrgUnit: c.community } };
    case 'accept':
      return { ...base, user: c.cadre, body: {} };
    case 'contact':
      return {
        ...base,
        user: c.cadre,
        body: { method: 'phone', note: '已电话联系居民，约定明天上午上门查看。' },
      };
    case 'steps':
      return { ...base, user: c.cadre, body: { note: '已会同物业现场查看并安排维修，维修后复核正常。' } };
    case 'resolve':
      return { ...base, user: c.cadre, body: { summary: '问题已处理完毕，居民确认恢复正常。' } };
    case 'feedback':
      return {
        ...base,
        user: c.filer,
        body: { satisfaction: 'satisfied', solved: true, comment: '处理及时，谢谢。' },
      };
    case 'close':
      return { ...base, user: c.cadre, body: {} };
  }
}

// ---------------------------------------------------------------------------------------------
// The load
// ---------------------------------------------------------------------------------------------

export type Outcome = 'visible' | 'behind' | 'stale' | 'command_error' | 'read_error';

/** One command and the read that waited for it. Times in ms from the start of the run. */
export interface CommandRecord {
  readonly kind: CommandKind;
  readonly warmup: boolean;
  /** When the open-loop schedule wanted it sent. */
  readonly scheduled: number;
  /** Request sent. */
  readonly t0: number;
  /** Command answered (with its position). */
  readonly t1: number | null;
  /** The read answered with the change visible (or the bounded wait ran out). */
  readonly t2: number | null;
  readonly outcome: Outcome;
  readonly detail?: string;
}

export interface LoadOptions {
  readonly baseUrl: string;
  /** Commands per second, open loop. */
  readonly rate: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly seed: number;
}

export interface LoadResult {
  readonly records: readonly CommandRecord[];
  /** From the first measured send to the last measured answer. */
  readonly measuredWallSeconds: number;
  readonly casesStarted: number;
  readonly casesClosed: number;
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** `<status> <problem code>`: what a refused request is counted by. */
const refusal = (a: Answer): string =>
  `${a.status} ${typeof a.body['code'] === 'string' ? a.body['code'] : ''}`.trim();

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const api = `${options.baseUrl}/api/v1`;
  const tokens = new Map<User, string>();
  for (const user of Object.keys(USERS) as User[]) {
    const res = await fetch(`${api}/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: USERS[user] }),
    });
    if (res.status !== 200) throw new Error(`dev login for ${USERS[user]} answered ${res.status}`);
    tokens.set(user, ((await res.json()) as { accessToken: string }).accessToken);
  }
  const call = async (user: User, method: 'GET' | 'POST', path: string, body?: unknown, extra = {}) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${tokens.get(user)!}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...extra,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };

  const rand = prng(options.seed);
  const interval = 1000 / options.rate;
  const warmupCount = Math.round(options.warmupSeconds * options.rate);
  const total = warmupCount + Math.round(options.seconds * options.rate);
  const ready: LiveCase[] = [];
  const records: CommandRecord[] = [];
  const inflight: Promise<void>[] = [];
  let intakes = 0;
  let closed = 0;
  const origin = performance.now();
  const now = (): number => performance.now() - origin;

  const run = async (
    command: Command,
    scheduled: number,
    warmup: boolean,
    filer?: User,
    community?: number,
  ) => {
    const t0 = now();
    let t1: number | null = null;
    const done = (outcome: Outcome, t2: number | null, detail?: string): void => {
      records.push({
        kind: command.kind,
        warmup,
        scheduled,
        t0,
        t1,
        t2,
        outcome,
        ...(detail ? { detail } : {}),
      });
    };
    let answer: Answer;
    try {
      answer = await call(command.user, 'POST', command.path, command.body, command.headers);
    } catch (error) {
      done('command_error', null, `network: ${(error as Error).message}`);
      return;
    }
    t1 = now();
    const expected = command.kind === 'intake' ? 201 : 200;
    if (answer.status !== expected) {
      done('command_error', null, refusal(answer));
      return;
    }
    const position = answer.body['position'];
    const version = Number(answer.body['version']);
    const caseId = command.kind === 'intake' ? String(answer.body['caseId']) : command.live!.id;
    if (typeof position !== 'string') {
      done('command_error', null, 'no position in the command answer');
      return;
    }
    let read: Answer;
    try {
      read = await call(command.user, 'GET', `/cases/${caseId}?after=${position}`);
    } catch (error) {
      done('read_error', null, `network: ${(error as Error).message}`);
      return;
    }
    const t2 = now();
    if (read.status !== 200) {
      done('read_error', t2, refusal(read));
      return;
    }
    const consistency = read.body['consistency'] as { status?: string } | undefined;
    if (consistency?.status !== 'current') {
      done('behind', t2);
    } else if (Number(read.body['version']) < version) {
      // "current" yet without the change: would be a consistency bug.
      done('stale', t2, `read version ${String(read.body['version'])} < ${version}`);
    } else {
      done('visible', t2);
    }
    // The case goes on with its next step (a command's failure above drops it).
    if (command.kind === 'intake') {
      const c = COMMUNITIES[community!]!;
      ready.push({ id: caseId, version, next: 0, filer: filer!, cadre: c.cadre, community: c.code });
    } else {
      const live = command.live!;
      live.version = version;
      live.next += 1;
      if (live.next < STEPS.length) ready.push(live);
      else closed += 1;
    }
  };

  for (let i = 0; i < total; i++) {
    const scheduled = i * interval;
    // Timers may fire a little early: wait until the schedule is really due.
    while (now() < scheduled) await new Promise((r) => setTimeout(r, Math.max(1, scheduled - now())));
    const warmup = i < warmupCount;
    // About one intake per case lifecycle; otherwise the case that has waited longest.
    const intakeDue = intakes < Math.ceil((i + 1) / (STEPS.length + 1));
    if (!intakeDue && ready.length > 0) {
      inflight.push(run(followUp(ready.shift()!), scheduled, warmup));
    } else {
      const { command, filer, community } = intake(rand, intakes);
      intakes += 1;
      inflight.push(run(command, scheduled, warmup, filer, community));
    }
  }
  await Promise.all(inflight);
  const measured = records.filter((r) => !r.warmup);
  const firstSend = Math.min(...measured.map((r) => r.t0));
  const lastAnswer = Math.max(...measured.map((r) => r.t2 ?? r.t1 ?? r.t0));
  return {
    records,
    measuredWallSeconds: round((lastAnswer - firstSend) / 1000, 3),
    casesStarted: intakes,
    casesClosed: closed,
  };
}

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles (as bench/support/stats.ts), in ms. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => {
    if (sorted.length === 0) return Number.NaN;
    const rank = Math.ceil((p / 100) * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
  };
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    p50: round(at(50), 2),
    p90: round(at(90), 2),
    p99: round(at(99), 2),
    max: round(sorted[sorted.length - 1] ?? Number.NaN, 2),
    mean: round(sum / Math.max(1, sorted.length), 2),
  };
}
