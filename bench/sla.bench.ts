/**
 * SLA watcher benchmark (issue 14, ADR 0028): 100,000 cases with open clocks in the real
 * PostgreSQL event store, and what the watcher costs on them — arming (the feed following the log
 * from zero into one schedule row per case), scanning (claiming due rows and issuing the timers)
 * and the delay between a due instant and its breach event in real time. Every cost beside a
 * baseline measured in the same run. See bench/README.md.
 *
 *   npm run services:up && npm run bench:sla            # 12–20 minutes on 2 cores, most of it the feed
 *   npm run bench:sla -- --cases=10000                  # a smaller run (its report says so)
 *
 * Options: --cases=N (default 100000), --variant=0 (skip the second delay run, at a 250 ms
 * interval), --render (write sla.md again from sla.json, nothing run). BENCH_KEEP=1 keeps the
 * database (bench_sla_<ts>) afterwards.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Environment } from '@tongban/config';
import { caseStreamId, decide, replay, type CaseEvent } from '@tongban/cases';
import { ev } from '@tongban/cases/testing';
import {
  SLA_WATCH_MIGRATIONS,
  SlaSchedule,
  SlaWatcher,
  fromStoredEvent,
  scheduleEntry,
  timerCommands,
  toStoredEvent,
  type SlaCommandSender,
} from '@tongban/case-handling';
import {
  PostgresEventStore,
  START,
  comparePositions,
  migrateEventStore,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type GlobalPosition,
  type RecordedEvent,
} from '@tongban/event-store';
import { BusinessCalendar, STATE_COUNCIL_YEARS, findSlaPolicy, type SlaPolicy } from '@tongban/sla';
import { migratedDataSource } from '@tongban/testing';
// The system's use cases as the command bus runs them (the int spec builds its sender the same
// way): the handlers and CaseWriter are not on the lib's barrel, the app reaches them through Nest.
import { CaseWriter } from '../libs/case-handling/src/case-command/case-writer';
import {
  EscalateCaseCommand,
  EscalateCaseHandler,
} from '../libs/case-handling/src/escalate-case/escalate-case.command';
import {
  ExpireFeedbackWindowCommand,
  ExpireFeedbackWindowHandler,
} from '../libs/case-handling/src/expire-feedback-window/expire-feedback-window.command';
import {
  RaiseSlaWarningCommand,
  RaiseSlaWarningHandler,
} from '../libs/case-handling/src/raise-sla-warning/raise-sla-warning.command';
import {
  RecordSlaBreachCommand,
  RecordSlaBreachHandler,
} from '../libs/case-handling/src/record-sla-breach/record-sla-breach.command';
import {
  SetDueTimesCommand,
  SetDueTimesHandler,
} from '../libs/case-handling/src/set-due-times/set-due-times.command';
import { postgresCpuSeconds } from './support/http-load';
import { machineFacts, type Machine } from './support/machine';
import { fmt, log } from './support/report';
import { connectionUrl, withDatabase } from './support/services';
import { round, runConcurrent } from './support/stats';
import { KEEP } from './support/options';
import { adminPool, BENCH_DIR, storePool, type Pool } from './support/systems';

// ---------------------------------------------------------------------------------------------
// Options and settings
// ---------------------------------------------------------------------------------------------

function option(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv
    .slice(2)
    .find((a) => a.startsWith(prefix))
    ?.slice(prefix.length);
}

const FULL_CASES = 100_000;
const CASES = Number(option('cases') ?? FULL_CASES);
/** SlaWatcher's defaults (sla-watcher.ts): claimed cases worked at once, streams the feed reads at once. */
const DEFAULT_CONCURRENCY = 8;
const FEED_READS = 4;
/** The report before issue 14's latency work (bench/results/sla.before.json), measured at this commit. */
const BEFORE_COMMIT = '736343f';
if (!Number.isInteger(CASES) || CASES < 1_000 || CASES > 1_000_000)
  throw new Error(`--cases must be an integer in [1000, 1000000], got ${option('cases')}`);
const FULL = CASES === FULL_CASES;
const VARIANT = option('variant') !== '0';
/** The product's defaults (libs/platform/config/src/environment.ts), as the watcher runs with them. */
const ENV = new Environment();

interface DelayRunConfig {
  readonly label: string;
  readonly intervalMs: number;
  /** Breaches due one after another, evenly over the window. */
  readonly spread: number;
  readonly windowSeconds: number;
  /** Breaches due at one instant, `burstAfterSeconds` after the window ends. */
  readonly burst: number;
  readonly burstAfterSeconds: number;
  /** From the sample's append to the first due instant: time for the feed to arm the rows. */
  readonly leadSeconds: number;
}

const small = (full: number, min: number): number => Math.max(min, Math.round((full * CASES) / FULL_CASES));

const CONFIG = {
  cases: CASES,
  /** Concurrent appenders writing the cases (one append per case). */
  writers: 8,
  /** One pool for the store and the schedule, as the int spec; the product's size. */
  poolMax: 10,
  /** The watcher's feed reads the log in pages of this many events (sla-watcher.ts). */
  feedBatchSize: 200,
  watcher: {
    intervalMs: ENV.SLA_WATCH_INTERVAL_MS,
    leaseMs: ENV.SLA_WATCH_LEASE_MS,
    batchSize: ENV.SLA_WATCH_BATCH_SIZE,
    escalationGraceMs: ENV.SLA_ESCALATION_GRACE_HOURS * 3_600_000,
  },
  scan: {
    /** Rows made due (by moving the scanner's clock) for the scan-cost part. */
    due: small(5_000, 500),
    /** Times the indexed SELECT of one batch of due rows is repeated. */
    selectRepeats: 300,
  },
  delay: [
    {
      label: `interval ${ENV.SLA_WATCH_INTERVAL_MS} ms (default)`,
      intervalMs: ENV.SLA_WATCH_INTERVAL_MS,
      spread: small(3_000, 200),
      windowSeconds: FULL ? 90 : 30,
      burst: small(500, 50),
      burstAfterSeconds: 10,
      leadSeconds: FULL ? 30 : 15,
    },
    ...(VARIANT
      ? [
          {
            label: 'interval 250 ms',
            intervalMs: 250,
            spread: small(1_500, 100),
            windowSeconds: FULL ? 45 : 20,
            burst: small(500, 50),
            burstAfterSeconds: 10,
            leadSeconds: FULL ? 30 : 15,
          },
        ]
      : []),
  ] satisfies DelayRunConfig[],
  targets: { breachDelayP99Ms: 1_000 },
};

/** Wall-clock time in epoch ms with sub-millisecond resolution (due instants are epoch ms). */
const wall = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const iso = (ms: number): string => new Date(ms).toISOString();
const MINUTE = 60_000;
const HOUR = 3_600_000;

/** A seeded generator, so every run files the same cases. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/** The catalogue as the watcher asks it: the bench's matter codes → policy ids. */
const MATTERS: Readonly<Record<string, string>> = {
  'BENCH-STANDARD-5D': 'standard-5d',
  'BENCH-QUICK-3D': 'quick-3d',
  'BENCH-LONG-15D': 'long-15d',
  'BENCH-URGENT-24H': 'urgent-24h',
  'BENCH-EMERGENCY-2H': 'emergency-2h',
};
/** The background's mix: no matter (the default policy, standard-7d) for 40 %. */
const BACKGROUND_MIX: readonly [number, string | undefined][] = [
  [0.4, undefined],
  [0.2, 'BENCH-STANDARD-5D'],
  [0.15, 'BENCH-QUICK-3D'],
  [0.15, 'BENCH-LONG-15D'],
  [0.1, 'BENCH-URGENT-24H'],
];

const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });
const policies = (code: string): string | undefined => MATTERS[code];

const caseIdOf = (group: number, i: number): string =>
  `00000000-0000-4000-8${String(group).padStart(3, '0')}-${String(i).padStart(12, '0')}`;

interface CaseAppend {
  readonly caseId: string;
  readonly streamId: string;
  readonly history: readonly CaseEvent[];
  readonly events: readonly EventToAppend[];
}

function toAppend(caseId: string, history: readonly CaseEvent[]): CaseAppend {
  const full = withDueTimes(caseId, history);
  return {
    caseId,
    streamId: caseStreamId(caseId),
    history: full,
    events: full.map((e) => toStoredEvent(e, { correlationId: `bench-sla-${caseId}` })),
  };
}

/**
 * The background: cases submitted and dispatched to a cadre in the 20 minutes before the run, so
 * the response and resolution clocks run (2 open clocks each) and nothing comes due during it —
 * the earliest warning is 50 % of a 2-hour response limit (urgent-24h), at least 40 minutes on.
 */
function backgroundCases(n: number, startedAt: number): CaseAppend[] {
  const next = rng(20261130);
  return Array.from({ length: n }, (_, i) => {
    const caseId = caseIdOf(0, i);
    const dispatchedAt = startedAt - MINUTE - next() * 19 * MINUTE;
    const submittedAt = dispatchedAt - MINUTE - next() * 29 * MINUTE;
    let r = next();
    const matter = BACKGROUND_MIX.find(([share]) => (r -= share) < 0)?.[1];
    return toAppend(caseId, [
      ev.submitted({
        caseId,
        at: iso(submittedAt),
        caseNumber: `PC-20261130-${String(i).padStart(6, '0')}`,
        ...(matter ? { matterCode: matter } : {}),
      }),
      ev.dispatched({ caseId, at: iso(dispatchedAt) }),
    ]);
  });
}

/**
 * A case of the delay part: an emergency (emergency-2h: resolution in 2 calendar hours) dispatched
 * 2 hours before `dueAt`, accepted, contacted (the response clock met), its 50 % and 80 %
 * resolution warnings already recorded: the resolution breach at `dueAt` is all that is pending.
 */
function sampleCase(group: number, i: number, dueAt: number): CaseAppend {
  const caseId = caseIdOf(group, i);
  const dispatchedAt = dueAt - 2 * HOUR;
  const due = iso(dueAt);
  return toAppend(caseId, [
    ev.submitted({
      caseId,
      at: iso(dispatchedAt - 10 * MINUTE),
      caseNumber: `PC-20261130-${String(group * 100_000 + i).padStart(6, '0')}`,
      matterCode: 'BENCH-EMERGENCY-2H',
    }),
    ev.dispatched({ caseId, at: iso(dispatchedAt) }),
    ev.accepted({ caseId, at: iso(dispatchedAt + 5 * MINUTE) }),
    ev.residentContacted({ caseId, at: iso(dispatchedAt + 20 * MINUTE) }),
    ev.slaWarningRaised({
      caseId,
      at: iso(dispatchedAt + 60 * MINUTE),
      clock: 'resolution',
      dueAt: due,
      threshold: 0.5,
    }),
    ev.slaWarningRaised({
      caseId,
      at: iso(dispatchedAt + 96 * MINUTE),
      clock: 'resolution',
      dueAt: due,
      threshold: 0.8,
    }),
  ]);
}

type SlaRules = Parameters<typeof scheduleEntry>[2];

/** What the watcher times a case by (sla-watcher.ts rulesOf): the built-in calendar, no catalogue version. */
function rulesFor(history: readonly CaseEvent[]): SlaRules {
  return {
    policy: policyFor(history),
    calendar,
    calendarVersion: null,
    escalationGraceMs: ENV.SLA_ESCALATION_GRACE_HOURS * HOUR,
  };
}

/**
 * The history with the \`case.due_times_set\` the watcher records for it (ADR 0029), decided by the
 * case decider at the instant of its last event: what an open case in a running system carries.
 * Without it the watcher takes the case as due at once, to record its due times.
 */
function withDueTimes(caseId: string, history: readonly CaseEvent[]): CaseEvent[] {
  const asOf = Date.parse(history[history.length - 1]!.at);
  const set = timerCommands(caseId, history, rulesFor(history), asOf).filter((c) => c.type === 'SetDueTimes');
  let state = replay(history);
  const out = [...history];
  for (const command of set) {
    const events = decide(command, state);
    out.push(...events);
    state = replay(out);
  }
  return out;
}

function policyFor(history: readonly CaseEvent[]): SlaPolicy {
  const first = history[0];
  const code = first?.type === 'case.submitted' ? first.matterCode : undefined;
  return findSlaPolicy((code && MATTERS[code]) || 'standard-7d')!;
}

// ---------------------------------------------------------------------------------------------
// Instruments: the watcher's statements and store calls, timed by kind (sequential in the feed
// and in a scan, so their sum is where the wall time went)
// ---------------------------------------------------------------------------------------------

interface CallFigures {
  count: number;
  totalMs: number;
  maxMs: number;
}

class Calls {
  private byKind = new Map<string, CallFigures>();

  add(kind: string, ms: number): void {
    const f = this.byKind.get(kind) ?? { count: 0, totalMs: 0, maxMs: 0 };
    f.count += 1;
    f.totalMs += ms;
    if (ms > f.maxMs) f.maxMs = ms;
    this.byKind.set(kind, f);
  }

  count(kind: string): number {
    return this.byKind.get(kind)?.count ?? 0;
  }

  reset(): void {
    this.byKind = new Map();
  }

  snapshot(): Record<string, { count: number; totalMs: number; meanUs: number; maxMs: number }> {
    return Object.fromEntries(
      [...this.byKind.entries()]
        .sort((a, b) => b[1].totalMs - a[1].totalMs)
        .map(([kind, f]) => [
          kind,
          {
            count: f.count,
            totalMs: round(f.totalMs, 1),
            meanUs: round((1000 * f.totalMs) / f.count, 1),
            maxMs: round(f.maxMs, 2),
          },
        ]),
    );
  }
}

type Queryable = ConstructorParameters<typeof SlaWatcher>[0]['db'];

function statementKind(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim();
  if (s.startsWith('WITH due AS')) return 'schedule: claim';
  if (s.startsWith('UPDATE sla_watch_schedule SET leased_until = $2')) return 'schedule: claim';
  if (s.startsWith('SELECT least(')) return 'schedule: next due';
  if (s.includes('UPDATE sla_watch_schedule s SET next_due_at')) return 'schedule: release (batch)';
  if (s.startsWith('UPDATE sla_watch_schedule SET next_due_at')) return 'schedule: release';
  if (s.startsWith('DELETE FROM sla_watch_schedule')) return 'schedule: release (delete)';
  if (s.startsWith('WITH input')) return 'schedule: record (page: upserts + checkpoint)';
  if (s.startsWith('WITH entry')) return 'schedule: record (upsert + checkpoint)';
  if (s.startsWith('WITH gone')) return 'schedule: record (delete + checkpoint)';
  if (s.startsWith('UPDATE sla_watch_checkpoint')) return 'schedule: advance checkpoint';
  if (s.startsWith('SELECT tx::text')) return 'schedule: read checkpoint';
  if (s.startsWith('WITH applied')) return 'schedule: retime check';
  return `schedule: ${s.slice(0, 40)}`;
}

/** The watcher's database, each statement timed; `onClaim` sees every claim's rows as they come back. */
function timedDb(
  pool: Pool,
  calls: Calls,
  onClaim?: (caseIds: readonly string[], at: number) => void,
): Queryable {
  return {
    async query<R extends object = Record<string, unknown>>(sql: string, params?: readonly unknown[]) {
      const kind = statementKind(sql);
      const t0 = performance.now();
      const result = await pool.query<R>(sql, params as unknown[]);
      calls.add(kind, performance.now() - t0);
      if (onClaim && kind === 'schedule: claim')
        onClaim(
          result.rows.map((r) => (r as { case_id: string }).case_id),
          wall(),
        );
      return { rows: result.rows, rowCount: result.rowCount };
    },
  };
}

/** The store with its calls timed; remembers the last case event it appended. */
class TimedStore implements EventStore {
  lastCasePosition: GlobalPosition = START;

  constructor(
    private readonly inner: EventStore,
    private readonly calls: Calls,
  ) {}

  private async timed<T>(kind: string, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await run();
    } finally {
      this.calls.add(kind, performance.now() - t0);
    }
  }

  noteAppended(streamId: string, result: AppendResult): void {
    if (streamId.startsWith('case-') && comparePositions(result.position, this.lastCasePosition) > 0)
      this.lastCasePosition = result.position;
  }

  async append(...args: Parameters<EventStore['append']>): Promise<AppendResult> {
    const result = await this.timed('store: append', () => this.inner.append(...args));
    this.noteAppended(args[0], result);
    return result;
  }
  readStream(...args: Parameters<EventStore['readStream']>) {
    return this.timed('store: readStream', () => this.inner.readStream(...args));
  }
  readAll(...args: Parameters<EventStore['readAll']>) {
    return this.timed('store: readAll', () => this.inner.readAll(...args));
  }
  subscribe(...args: Parameters<EventStore['subscribe']>) {
    return this.inner.subscribe(...args);
  }
  streamState(...args: Parameters<EventStore['streamState']>) {
    return this.timed('store: streamState', () => this.inner.streamState(...args));
  }
  headPosition() {
    return this.inner.headPosition();
  }
  countAll(...args: Parameters<EventStore['countAll']>) {
    return this.inner.countAll(...args);
  }
  checkWritePath() {
    return this.inner.checkWritePath();
  }
  close() {
    return this.inner.close();
  }
}

/** The system's use cases, as the command bus runs them (the int spec's sender). */
function productSender(store: EventStore): SlaCommandSender {
  const writer = new CaseWriter(store);
  const breach = new RecordSlaBreachHandler(writer);
  const warning = new RaiseSlaWarningHandler(writer);
  const expiry = new ExpireFeedbackWindowHandler(writer);
  const dueTimes = new SetDueTimesHandler(writer);
  const escalation = new EscalateCaseHandler(writer);
  return (command, correlationId) => {
    const context = { correlationId };
    switch (command.type) {
      case 'SetDueTimes':
        return dueTimes.execute(new SetDueTimesCommand(command, context));
      case 'EscalateCase':
        return escalation.execute(new EscalateCaseCommand(command, context));
      case 'RaiseSlaWarning':
        return warning.execute(new RaiseSlaWarningCommand(command, context));
      case 'RecordSlaBreach':
        return breach.execute(new RecordSlaBreachCommand(command, context));
      case 'ExpireFeedbackWindow':
        return expiry.execute(new ExpireFeedbackWindowCommand(command, context));
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  };
}

// ---------------------------------------------------------------------------------------------
// CPU
// ---------------------------------------------------------------------------------------------

function procStat(): { busy: number; total: number } {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

interface Cpu {
  readonly wallSeconds: number;
  /** This process (the watcher, the load and the instruments), % of one core. */
  readonly nodePercentOfOneCore: number;
  /** The benchmark database's PostgreSQL backends, % of one core. */
  readonly postgresPercentOfOneCore: number;
  /** Both cores, everything on the machine. */
  readonly machineBusyPercent: number;
}

function cpuMeter(database: string): () => Cpu {
  const t0 = performance.now();
  const node0 = process.cpuUsage();
  const pg0 = postgresCpuSeconds(database);
  const stat0 = procStat();
  return () => {
    const seconds = (performance.now() - t0) / 1000;
    const node = process.cpuUsage(node0);
    const stat1 = procStat();
    return {
      wallSeconds: round(seconds, 3),
      nodePercentOfOneCore: round((100 * (node.user + node.system)) / 1e6 / seconds, 1),
      postgresPercentOfOneCore: round((100 * (postgresCpuSeconds(database) - pg0)) / seconds, 1),
      machineBusyPercent: round((100 * (stat1.busy - stat0.busy)) / (stat1.total - stat0.total), 1),
    };
  };
}

// ---------------------------------------------------------------------------------------------
// Percentiles
// ---------------------------------------------------------------------------------------------

interface Spread {
  readonly n: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const at = (p: number): number =>
    s.length === 0
      ? Number.NaN
      : s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  return {
    n: s.length,
    p50: round(at(50), 1),
    p95: round(at(95), 1),
    p99: round(at(99), 1),
    max: round(s[s.length - 1] ?? Number.NaN, 1),
    mean: round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length), 1),
  };
}

// ---------------------------------------------------------------------------------------------
// The run's shared state
// ---------------------------------------------------------------------------------------------

interface Bench {
  readonly database: string;
  readonly pool: Pool;
  readonly store: TimedStore;
  readonly calls: Calls;
  readonly schedule: SlaSchedule;
}

async function appendAll(bench: Bench, appends: readonly CaseAppend[]): Promise<number> {
  const run = await runConcurrent(appends, CONFIG.writers, async (a) => {
    const result = await bench.store.append(a.streamId, a.events, 'no_stream');
    return result.nextExpectedVersion;
  });
  return run.wallMs;
}

/** Until the watchers' checkpoint passed the last case event this process appended. */
async function caughtUp(bench: Bench, timeoutMs: number, pollMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const target = bench.store.lastCasePosition;
  while (Date.now() < deadline) {
    if (comparePositions(await bench.schedule.checkpoint(), target) >= 0) return true;
    await sleep(pollMs);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Part 1: arming
// ---------------------------------------------------------------------------------------------

interface Step {
  readonly label: string;
  readonly events: number;
  readonly cases: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  readonly casesPerSecond: number;
  readonly usPerCase: number;
  readonly usPerClock: number;
  readonly cpu?: Cpu;
}

function step(
  label: string,
  events: number,
  cases: number,
  clocks: number,
  seconds: number,
  cpu?: Cpu,
): Step {
  return {
    label,
    events,
    cases,
    seconds: round(seconds, 3),
    eventsPerSecond: round(events / seconds, 0),
    casesPerSecond: round(cases / seconds, 0),
    usPerCase: round((1e6 * seconds) / cases, 1),
    usPerClock: round((1e6 * seconds) / clocks, 1),
    ...(cpu ? { cpu } : {}),
  };
}

interface Part1 {
  readonly cases: number;
  readonly events: number;
  readonly clocks: number;
  readonly write: Step;
  readonly readBaseline: Step;
  readonly computeBaseline: Step;
  readonly feed: Step;
  readonly feedVsRead: number;
  readonly feedCalls: ReturnType<Calls['snapshot']>;
  /** Events the feed handled per 10 s of its run: does it slow down as the table grows? */
  readonly feedProgress: { atSeconds: number; eventsPerSecond: number }[];
  readonly schedule: {
    readonly rows: number;
    readonly clocks: number;
    readonly nullDue: number;
    readonly firstDueMinutes: number;
    readonly medianDueHours: number;
    readonly tableMiB: number;
    readonly indexMiB: number;
  };
}

async function part1(bench: Bench, background: readonly CaseAppend[]): Promise<Part1> {
  const { pool, store, calls, database } = bench;
  const events = background.reduce((a, c) => a + c.events.length, 0);
  log(`part 1: writing ${fmt(background.length)} cases (${fmt(events)} events), ${CONFIG.writers} writers`);
  let cpu = cpuMeter(database);
  const writeMs = await appendAll(bench, background);
  const write = step(
    'write: store.append, one per case, 8 writers',
    events,
    background.length,
    1,
    writeMs / 1000,
    cpu(),
  );
  log(`  written in ${fmt(writeMs / 1000, 1)} s (${fmt(write.eventsPerSecond)} events/s)`);
  await pool.query('VACUUM (ANALYZE)');
  await pool.query('CHECKPOINT');

  // Baseline 1: the same events through the store's subscription, as the feed reads them, with a
  // handler that does nothing.
  cpu = cpuMeter(database);
  let seen = 0;
  let t0 = performance.now();
  await new Promise<void>((resolve, reject) => {
    const subscription = store.subscribe(
      { after: START, filter: { streamPrefix: 'case-' }, batchSize: CONFIG.feedBatchSize },
      async () => {
        seen += 1;
        if (seen === events) {
          resolve();
          void subscription.stop();
        }
      },
    );
    subscription.done.then(() => undefined, reject);
  });
  const readSeconds = (performance.now() - t0) / 1000;
  const readBaseline = step(
    'baseline: store.subscribe, no-op handler',
    events,
    background.length,
    background.length * 2,
    readSeconds,
    cpu(),
  );
  log(`  baseline read: ${fmt(readSeconds, 2)} s (${fmt(readBaseline.eventsPerSecond)} events/s)`);

  // Baseline 2: the schedule's computation alone, in memory (slaClocks and the next due instant).
  t0 = performance.now();
  let clocks = 0;
  for (const c of background)
    clocks += scheduleEntry(c.caseId, c.history, rulesFor(c.history))?.openClocks ?? 0;
  const computeBaseline = step(
    'baseline: scheduleEntry in memory (CPU only)',
    events,
    background.length,
    clocks,
    (performance.now() - t0) / 1000,
  );

  // The watcher's feed from zero.
  await pool.query('CHECKPOINT');
  calls.reset();
  const watcher = new SlaWatcher(
    {
      store,
      db: timedDb(pool, calls),
      clock: { now: () => new Date() },
      policies,
      calendar: () => calendar,
      send: () => Promise.reject(new Error('the scanner does not run in this part')),
    },
    { ...CONFIG.watcher, watcherId: 'bench-feed' },
  );
  log(`  watcher feed from zero (scanner off)…`);
  cpu = cpuMeter(database);
  t0 = performance.now();
  watcher.start({ feed: true, scanner: false });
  const progress: { atSeconds: number; eventsPerSecond: number }[] = [];
  let lastCount = 0;
  let lastAt = t0;
  // Events the feed has written: those up to its checkpoint (countAll is not timed).
  const sampler = setInterval(() => {
    void (async () => {
      const behind = await store.countAll({
        after: await bench.schedule.checkpoint(),
        filter: { streamPrefix: 'case-' },
      });
      const count = events - behind;
      const now = performance.now();
      progress.push({
        atSeconds: round((now - t0) / 1000, 0),
        eventsPerSecond: round((count - lastCount) / ((now - lastAt) / 1000), 0),
      });
      log(`    ${fmt(count)} / ${fmt(events)} events`);
      lastCount = count;
      lastAt = now;
    })().catch(() => undefined);
  }, 10_000);
  const done = await caughtUp(bench, 30 * MINUTE, 50);
  const feedSeconds = (performance.now() - t0) / 1000;
  const feedCpu = cpu();
  clearInterval(sampler);
  await watcher.stop();
  if (!done) throw new Error('the feed did not catch up in 30 minutes');
  const stats = await bench.schedule.stats(Date.now());
  const feed = step(
    'SLA watcher feed from zero',
    events,
    background.length,
    stats.clocks,
    feedSeconds,
    feedCpu,
  );
  log(
    `  feed: ${fmt(feedSeconds, 1)} s, ${fmt(feed.usPerCase)} µs per case, ${fmt(feed.usPerClock)} µs per clock; ` +
      `${fmt(stats.cases)} rows, ${fmt(stats.clocks)} clocks`,
  );
  for (const [kind, f] of Object.entries(calls.snapshot()))
    log(`    ${kind}: ${fmt(f.count)} × ${fmt(f.meanUs)} µs`);
  const { rows } = await pool.query<{
    null_due: number;
    first_min: number;
    median_h: number;
    table_b: string;
    index_b: string;
  }>(
    `SELECT count(*) FILTER (WHERE next_due_at IS NULL)::int AS null_due,
            extract(epoch FROM min(next_due_at) - now()) / 60 AS first_min,
            (percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM next_due_at)) - extract(epoch FROM now())) / 3600 AS median_h,
            pg_table_size('sla_watch_schedule')::text AS table_b,
            pg_indexes_size('sla_watch_schedule')::text AS index_b
       FROM sla_watch_schedule`,
  );
  const r = rows[0]!;
  return {
    cases: background.length,
    events,
    clocks: stats.clocks,
    write,
    readBaseline,
    computeBaseline,
    feed,
    feedVsRead: round(feed.eventsPerSecond / readBaseline.eventsPerSecond, 4),
    feedCalls: calls.snapshot(),
    feedProgress: progress,
    schedule: {
      rows: stats.cases,
      clocks: stats.clocks,
      nullDue: r.null_due,
      firstDueMinutes: round(Number(r.first_min), 1),
      medianDueHours: round(Number(r.median_h), 1),
      tableMiB: round(Number(r.table_b) / 2 ** 20, 1),
      indexMiB: round(Number(r.index_b) / 2 ** 20, 1),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Part 2: scanning
// ---------------------------------------------------------------------------------------------

interface ScanStep {
  readonly label: string;
  readonly cases: number;
  readonly statements: number;
  readonly seconds: number;
  readonly casesPerSecond: number;
  readonly usPerCase: number;
  readonly usPerStatement: number;
  readonly commands?: number;
  readonly cpu: Cpu;
  readonly calls?: ReturnType<Calls['snapshot']>;
}

function scanStep(
  label: string,
  cases: number,
  statements: number,
  seconds: number,
  cpu: Cpu,
  extra: { commands?: number; calls?: ReturnType<Calls['snapshot']> } = {},
): ScanStep {
  return {
    label,
    cases,
    statements,
    seconds: round(seconds, 3),
    casesPerSecond: round(cases / seconds, 0),
    usPerCase: round((1e6 * seconds) / cases, 1),
    usPerStatement: round((1e6 * seconds) / statements, 1),
    ...extra,
    cpu,
  };
}

interface Part2 {
  /** The scanner's clock in this part: the K-th earliest due instant of the schedule. */
  readonly clockAt: string;
  readonly due: number;
  readonly select: ScanStep;
  readonly claim: ScanStep;
  readonly floor: ScanStep;
  readonly watcher: ScanStep;
  readonly commandsByType: Record<string, number>;
  readonly ratios: { watcherVsClaim: number; watcherVsFloor: number; claimVsSelect: number };
}

async function part2(bench: Bench): Promise<Part2> {
  const { pool, store, calls, database, schedule } = bench;
  const batch = CONFIG.watcher.batchSize;
  const { rows: at } = await pool.query<{ due: Date }>(
    `SELECT next_due_at AS due FROM sla_watch_schedule WHERE next_due_at IS NOT NULL
      ORDER BY next_due_at OFFSET $1 LIMIT 1`,
    [CONFIG.scan.due - 1],
  );
  const clockAt = at[0]!.due.getTime();
  const { rows: counted } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM sla_watch_schedule WHERE next_due_at <= $1',
    [new Date(clockAt)],
  );
  const due = counted[0]!.n;
  log(`part 2: the scanner's clock at ${iso(clockAt)}: ${fmt(due)} rows due`);
  const unlease = async (): Promise<void> => {
    await pool.query(
      'UPDATE sla_watch_schedule SET leased_until = NULL, leased_by = NULL WHERE leased_until IS NOT NULL',
    );
    await pool.query('VACUUM (ANALYZE) sla_watch_schedule');
    await pool.query('CHECKPOINT');
  };
  await unlease();

  // Baseline: the indexed SELECT of one batch of due rows (the claim's inner SELECT, no lock).
  let cpu = cpuMeter(database);
  let t0 = performance.now();
  let rowsRead = 0;
  for (let i = 0; i < CONFIG.scan.selectRepeats; i++) {
    const { rows } = await pool.query(
      `SELECT case_id, next_due_at FROM sla_watch_schedule
        WHERE next_due_at <= $1 AND (leased_until IS NULL OR leased_until < $1)
        ORDER BY next_due_at LIMIT $2`,
      [new Date(clockAt), batch],
    );
    rowsRead += rows.length;
  }
  const select = scanStep(
    `baseline: indexed SELECT of ${batch} due rows (no lock, no update), repeated`,
    rowsRead,
    CONFIG.scan.selectRepeats,
    (performance.now() - t0) / 1000,
    cpu(),
  );
  log(`  select: ${fmt(select.usPerStatement)} µs per statement of ${batch} rows`);

  // Baseline: the claim statement alone, batch after batch until nothing is due.
  cpu = cpuMeter(database);
  t0 = performance.now();
  let claimed = 0;
  let statements = 0;
  for (;;) {
    const got = await schedule.claim(clockAt, CONFIG.watcher.leaseMs, 'bench-claim', batch);
    statements += 1;
    claimed += got.length;
    if (got.length === 0) break;
  }
  const claim = scanStep(
    `baseline: the claim statement alone (UPDATE … SKIP LOCKED, ${batch} a time)`,
    claimed,
    statements,
    (performance.now() - t0) / 1000,
    cpu(),
  );
  log(`  claim alone: ${fmt(claim.casesPerSecond)} cases/s`);
  await unlease();

  // Floor: what any watcher that reads a case and records one event must do per claimed case —
  // the claim, one stream read, one append (to a side stream, out of the case's history), one
  // UPDATE giving the lease back.
  cpu = cpuMeter(database);
  t0 = performance.now();
  let floorCases = 0;
  statements = 0;
  for (;;) {
    const got = await schedule.claim(clockAt, CONFIG.watcher.leaseMs, 'bench-floor', batch);
    statements += 1;
    if (got.length === 0) break;
    for (const { caseId } of got) {
      const history = await store.readStream(caseStreamId(caseId));
      await store.append(
        `benchfloor-${caseId}`,
        [toStoredEvent(ev.slaBreached({ caseId, at: iso(clockAt) }), { correlationId: `floor-${caseId}` })],
        'no_stream',
      );
      // Given back, but still due: leased till later than the clock, so the loop ends.
      await pool.query(
        `UPDATE sla_watch_schedule SET leased_until = $4, leased_by = NULL
          WHERE case_id = $1 AND leased_by = $2 AND stream_version <= $3`,
        [caseId, 'bench-floor', history.length, new Date(clockAt + HOUR)],
      );
      floorCases += 1;
      statements += 3;
    }
  }
  const floorSeconds = (performance.now() - t0) / 1000;
  const floor = scanStep(
    'floor: claim + per case one readStream, one append, one lease UPDATE',
    floorCases,
    statements,
    floorSeconds,
    cpu(),
  );
  log(`  floor: ${fmt(floor.casesPerSecond)} cases/s`);
  await unlease();

  // The watcher's scanOnce, as its timer runs it back to back while batches come back full.
  const commandsByType: Record<string, number> = {};
  const send = productSender(store);
  calls.reset();
  const watcher = new SlaWatcher(
    {
      store,
      db: timedDb(pool, calls),
      clock: { now: () => new Date(clockAt) },
      policies,
      calendar: () => calendar,
      send: async (command, correlationId) => {
        commandsByType[command.type] = (commandsByType[command.type] ?? 0) + 1;
        const t = performance.now();
        try {
          return await send(command, correlationId);
        } finally {
          calls.add(`send: ${command.type} (CaseWriter: readStream, decide, append)`, performance.now() - t);
        }
      },
    },
    { ...CONFIG.watcher, watcherId: 'bench-scan' },
  );
  cpu = cpuMeter(database);
  t0 = performance.now();
  let scanned = 0;
  let scans = 0;
  for (;;) {
    const n = await watcher.scanOnce();
    scans += 1;
    scanned += n;
    if (n === 0) break;
  }
  const scanCalls = calls.snapshot();
  const commands = Object.values(commandsByType).reduce((a, b) => a + b, 0);
  const scanStatements = Object.entries(scanCalls)
    .filter(([k]) => !k.startsWith('send:'))
    .reduce((a, [, f]) => a + f.count, 0);
  const watcherStep = scanStep(
    `SLA watcher: scanOnce() back to back (claims of ${batch}, ${DEFAULT_CONCURRENCY} at once, one release per scan)`,
    scanned,
    scanStatements,
    (performance.now() - t0) / 1000,
    cpu(),
    { commands, calls: scanCalls },
  );
  log(
    `  watcher: ${fmt(watcherStep.casesPerSecond)} cases/s in ${scans} scans, ${fmt(commands)} commands ` +
      `(${Object.entries(commandsByType)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(', ')})`,
  );
  return {
    clockAt: iso(clockAt),
    due,
    select,
    claim,
    floor,
    watcher: watcherStep,
    commandsByType,
    ratios: {
      watcherVsClaim: round(watcherStep.usPerCase / claim.usPerCase, 1),
      watcherVsFloor: round(watcherStep.usPerCase / floor.usPerCase, 2),
      claimVsSelect: round(claim.usPerCase / select.usPerCase, 2),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Part 3: due → breach in real time
// ---------------------------------------------------------------------------------------------

interface BreachTrace {
  readonly group: 'spread' | 'burst';
  readonly dueAt: number;
  claimedAt?: number;
  sentAt?: number;
  committedAt?: number;
  recordedAt?: number;
  breaches?: number;
}

interface DelayGroup {
  readonly group: string;
  readonly breaches: number;
  readonly missing: number;
  /** Due instant → the append of the breach acknowledged to the watcher. */
  readonly dueToCommittedMs: Spread;
  /** Due instant → recorded_at of the breach event (PostgreSQL's clock at the append). */
  readonly dueToRecordedMs: Spread;
  /** Due instant → the claim that took the case (waiting for a scan). */
  readonly dueToClaimedMs: Spread;
  /** Claim → breach committed (work on the batch before it, and its own). */
  readonly claimedToCommittedMs: Spread;
}

interface Part3Run {
  readonly label: string;
  readonly config: DelayRunConfig;
  readonly sampleCases: number;
  readonly sampleEvents: number;
  readonly appendSeconds: number;
  /** From the sample's append until the feed had armed every row; the first due came `leadSeconds` after the append began. */
  readonly armedAfterSeconds: number;
  readonly backgroundDueDuringRun: number;
  readonly scans: { count: number; meanPeriodMs: number; maxPeriodMs: number; meanClaimed: number };
  readonly groups: readonly DelayGroup[];
  readonly all: DelayGroup;
  readonly duplicates: number;
  readonly cpu: Cpu;
  readonly calls: ReturnType<Calls['snapshot']>;
}

async function delayRun(bench: Bench, config: DelayRunConfig, group: number): Promise<Part3Run> {
  const { pool, store, calls, database } = bench;
  calls.reset();
  const traces = new Map<string, BreachTrace>();
  const claims: { at: number; n: number }[] = [];
  const send = productSender(store);
  const watcher = new SlaWatcher(
    {
      store,
      db: timedDb(pool, calls, (ids, at) => {
        claims.push({ at, n: ids.length });
        for (const id of ids) {
          const t = traces.get(id);
          if (t && t.claimedAt === undefined) t.claimedAt = at;
        }
      }),
      clock: { now: () => new Date() },
      policies,
      calendar: () => calendar,
      send: async (command, correlationId) => {
        const sentAt = wall();
        const result = await send(command, correlationId);
        const t = traces.get(command.caseId);
        if (t && command.type === 'RecordSlaBreach') {
          t.sentAt ??= sentAt;
          t.committedAt ??= wall();
        }
        return result;
      },
    },
    {
      intervalMs: config.intervalMs,
      leaseMs: CONFIG.watcher.leaseMs,
      batchSize: CONFIG.watcher.batchSize,
      escalationGraceMs: CONFIG.watcher.escalationGraceMs,
      watcherId: `bench-delay-${group}`,
    },
  );
  log(`part 3 (${config.label}): watcher started (feed and scanner, real clock)`);
  watcher.start();
  // The feed first catches up with whatever came before (part 2's warnings).
  if (!(await caughtUp(bench, 10 * MINUTE)))
    throw new Error('the feed did not catch up before the delay run');

  const t0 = Date.now();
  const first = t0 + config.leadSeconds * 1000;
  const burstAt = first + (config.windowSeconds + config.burstAfterSeconds) * 1000;
  const sample: CaseAppend[] = [];
  for (let i = 0; i < config.spread; i++) {
    const dueAt = Math.round(first + ((i + 0.5) / config.spread) * config.windowSeconds * 1000);
    sample.push(sampleCase(group, i, dueAt));
    traces.set(caseIdOf(group, i), { group: 'spread', dueAt });
  }
  for (let i = config.spread; i < config.spread + config.burst; i++) {
    sample.push(sampleCase(group, i, burstAt));
    traces.set(caseIdOf(group, i), { group: 'burst', dueAt: burstAt });
  }
  // Sanity: what the watcher will compute for a sample case is its due instant.
  const probe = sample[0]!;
  const entry = scheduleEntry(probe.caseId, probe.history, rulesFor(probe.history));
  if (entry?.nextDueAt !== traces.get(probe.caseId)!.dueAt)
    throw new Error(
      `sample case computes next due ${entry?.nextDueAt}, expected ${traces.get(probe.caseId)!.dueAt}`,
    );

  const cpu = cpuMeter(database);
  const appendMs = await appendAll(bench, sample);
  const armed = await caughtUp(bench, config.leadSeconds * 1000 * 4);
  const armedAfterSeconds = (Date.now() - t0) / 1000;
  log(
    `  ${fmt(sample.length)} sample cases appended in ${fmt(appendMs / 1000, 1)} s, armed after ${fmt(armedAfterSeconds, 1)} s ` +
      `(first due at ${config.leadSeconds} s, burst of ${config.burst} at ${fmt((burstAt - t0) / 1000)} s)`,
  );
  if (!armed) log('  WARNING: the feed had not armed the sample when the lead time ran out');
  const { rows: bg } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sla_watch_schedule
      WHERE next_due_at <= $1 AND NOT (case_id LIKE $2)`,
    [new Date(burstAt + 30_000), `00000000-0000-4000-8${String(group).padStart(3, '0')}-%`],
  );
  const deadline = burstAt + 30_000;
  const breached = (): number => [...traces.values()].filter((t) => t.committedAt !== undefined).length;
  let lastLog = Date.now();
  while (Date.now() < deadline && breached() < traces.size) {
    await sleep(200);
    if (Date.now() - lastLog > 15_000) {
      log(`  ${fmt(breached())} / ${fmt(traces.size)} breaches recorded`);
      lastLog = Date.now();
    }
  }
  const runCpu = cpu();
  await watcher.stop();
  const runCalls = calls.snapshot();

  // What the store kept: exactly one breach per sample case, and when PostgreSQL recorded it.
  let duplicates = 0;
  await runConcurrent([...traces.keys()], 8, async (caseId) => {
    const recorded: RecordedEvent[] = await store.readStream(caseStreamId(caseId));
    const breaches = recorded.filter((e) => fromStoredEvent(e).type === 'case.sla_breached');
    const t = traces.get(caseId)!;
    t.breaches = breaches.length;
    if (breaches.length > 1) duplicates += breaches.length - 1;
    if (breaches[0]) t.recordedAt = breaches[0].recordedAt.getTime();
    return 1;
  });

  const summarise = (name: string, list: readonly BreachTrace[]): DelayGroup => {
    const done = list.filter((t) => t.committedAt !== undefined);
    return {
      group: name,
      breaches: done.length,
      missing: list.length - done.length,
      dueToCommittedMs: spread(done.map((t) => t.committedAt! - t.dueAt)),
      dueToRecordedMs: spread(
        done.filter((t) => t.recordedAt !== undefined).map((t) => t.recordedAt! - t.dueAt),
      ),
      dueToClaimedMs: spread(
        done.filter((t) => t.claimedAt !== undefined).map((t) => t.claimedAt! - t.dueAt),
      ),
      claimedToCommittedMs: spread(
        done.filter((t) => t.claimedAt !== undefined).map((t) => t.committedAt! - t.claimedAt!),
      ),
    };
  };
  const list = [...traces.values()];
  const groups = [
    summarise(
      `spread: ${fmt(config.spread)} due evenly over ${config.windowSeconds} s`,
      list.filter((t) => t.group === 'spread'),
    ),
    summarise(
      `burst: ${fmt(config.burst)} due at one instant`,
      list.filter((t) => t.group === 'burst'),
    ),
  ];
  const periods = claims.slice(1).map((c, i) => c.at - claims[i]!.at);
  const result: Part3Run = {
    label: config.label,
    config,
    sampleCases: sample.length,
    sampleEvents: sample.reduce((a, c) => a + c.events.length, 0),
    appendSeconds: round(appendMs / 1000, 2),
    armedAfterSeconds: round(armedAfterSeconds, 1),
    backgroundDueDuringRun: bg[0]!.n,
    scans: {
      count: claims.length,
      meanPeriodMs: round(periods.reduce((a, b) => a + b, 0) / Math.max(1, periods.length), 1),
      maxPeriodMs: round(Math.max(0, ...periods), 1),
      meanClaimed: round(claims.reduce((a, c) => a + c.n, 0) / Math.max(1, claims.length), 2),
    },
    groups,
    all: summarise('all', list),
    duplicates,
    cpu: runCpu,
    calls: runCalls,
  };
  for (const g of [...groups, result.all])
    log(
      `  ${g.group}: p50 ${fmt(g.dueToCommittedMs.p50)} ms, p99 ${fmt(g.dueToCommittedMs.p99)} ms, ` +
        `max ${fmt(g.dueToCommittedMs.max)} ms (${g.breaches} breaches, ${g.missing} missing)`,
    );
  return result;
}

// ---------------------------------------------------------------------------------------------
// The report
// ---------------------------------------------------------------------------------------------

interface Target {
  readonly name: string;
  readonly required: string;
  readonly actual: string;
  readonly met: boolean;
}

interface Results {
  readonly machine: Machine;
  readonly load: { atStart: number[]; atEnd: number[] };
  readonly runSeconds: number;
  readonly config: typeof CONFIG;
  readonly full: boolean;
  readonly part1: Part1;
  readonly part2: Part2;
  readonly part3: readonly Part3Run[];
  readonly targets: readonly Target[];
}

const ms = (v: number): string => fmt(v, v < 10 ? 1 : 0);
/**
 * PostgreSQL's share is the difference of its backends' CPU over the step: a backend that exits
 * meanwhile (the pool closes idle connections) takes its time with it, so a negative or missing
 * figure is shown as n/a.
 */
const pct = (cpu: Cpu | undefined): string =>
  cpu
    ? `${fmt(cpu.nodePercentOfOneCore)}% / ${cpu.postgresPercentOfOneCore >= 0 ? `${fmt(cpu.postgresPercentOfOneCore)}%` : 'n/a'} / ${fmt(cpu.machineBusyPercent)}%`
    : '—';

function callsTable(calls: ReturnType<Calls['snapshot']>, per: number, perLabel: string): string {
  const lines = [
    `| Call | count | per ${perLabel} | mean µs | total s | max ms |`,
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const [kind, f] of Object.entries(calls))
    lines.push(
      `| ${kind} | ${fmt(f.count)} | ${fmt(f.count / per, 2)} | ${fmt(f.meanUs)} | ${fmt(f.totalMs / 1000, 2)} | ${fmt(f.maxMs, 1)} |`,
    );
  return lines.join('\n');
}

function markdown(r: Results): string {
  const { machine, part1: p1, part2: p2, part3: p3 } = r;
  const busy = Math.max(...r.load.atStart.slice(0, 1), ...r.load.atEnd.slice(0, 1)) > 0.5 * machine.cores;
  const armRows = [p1.readBaseline, p1.computeBaseline, p1.feed].map(
    (s) =>
      `| ${s.label} | ${fmt(s.events)} | ${fmt(s.seconds, 2)} | ${fmt(s.eventsPerSecond)} | ${fmt(s.casesPerSecond)} | ` +
      `${fmt(s.usPerCase, 1)} | ${fmt(s.usPerClock, 1)} | ${fmt(p1.readBaseline.seconds / s.seconds, 3)}× | ${pct(s.cpu)} |`,
  );
  const scanRows = [p2.select, p2.claim, p2.floor, p2.watcher].map(
    (s) =>
      `| ${s.label} | ${fmt(s.cases)} | ${fmt(s.statements)} | ${fmt(s.seconds, 2)} | ${fmt(s.casesPerSecond)} | ` +
      `${fmt(s.usPerCase, 1)} | ${fmt(s.usPerCase / p2.claim.usPerCase, 2)}× | ${fmt(s.usPerCase / p2.floor.usPerCase, 2)}× | ${pct(s.cpu)} |`,
  );
  const delayRows = p3.flatMap((run) =>
    [...run.groups, run.all].map(
      (g) =>
        `| ${run.label} | ${g.group} | ${fmt(g.breaches)} | ${ms(g.dueToCommittedMs.p50)} | ${ms(g.dueToCommittedMs.p95)} | ` +
        `**${ms(g.dueToCommittedMs.p99)}** | ${ms(g.dueToCommittedMs.max)} | ${ms(g.dueToRecordedMs.p99)} | ${g.missing} | ` +
        `${g.dueToCommittedMs.p99 < CONFIG.targets.breachDelayP99Ms && g.missing === 0 ? 'yes' : '**no**'} |`,
    ),
  );
  const partsRows = p3.flatMap((run) =>
    [...run.groups, run.all].map(
      (g) =>
        `| ${run.label} | ${g.group} | ${ms(g.dueToClaimedMs.p50)} | ${ms(g.dueToClaimedMs.p99)} | ${ms(g.dueToClaimedMs.max)} | ` +
        `${ms(g.claimedToCommittedMs.p50)} | ${ms(g.claimedToCommittedMs.p99)} | ${ms(g.claimedToCommittedMs.max)} |`,
    ),
  );
  const runRows = p3.map(
    (run) =>
      `| ${run.label} | ${fmt(run.sampleCases)} (${fmt(run.sampleEvents)} events) | ${fmt(run.appendSeconds, 1)} s | ` +
      `${fmt(run.armedAfterSeconds, 1)} s (first due at ${run.config.leadSeconds} s) | ${fmt(run.backgroundDueDuringRun)} | ` +
      `${fmt(run.scans.count)} | ${fmt(run.scans.meanPeriodMs)} ms (max ${fmt(run.scans.maxPeriodMs)}) | ${fmt(run.scans.meanClaimed, 1)} | ` +
      `${run.duplicates} | ${pct(run.cpu)} |`,
  );
  const scale = FULL
    ? ''
    : `\n\n**A smaller run (--cases=${fmt(CASES)}): every count is scaled down; do not compare it with a full run.**`;
  return `# SLA watcher benchmark

Written by \`npm run bench:sla\` (\`bench/sla.bench.ts\`): ${fmt(p1.cases)} cases with open SLA clocks in the real
PostgreSQL event store, and what the SLA watcher (ADR 0028) costs on them — arming the schedule, scanning it, and the
delay between a due instant and its breach event in real time — each beside a baseline measured in the same run.${scale}

## Machine

| | |
| --- | --- |
| Date | ${machine.date} |
| CPU | ${machine.cpu}, ${machine.cores} cores |
| Memory | ${machine.memoryGiB} GiB |
| PostgreSQL | ${machine.postgres} (${Object.entries(machine.postgresSettings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ')}) |
| Node | ${machine.node} |
| Tongban | commit ${machine.commit} |
| Load average (1/5/15 min) | ${r.load.atStart.join(' / ')} at the start; ${r.load.atEnd.join(' / ')} at the end${busy ? ' — **the machine was busy with other work; absolute figures are lower than on a quiet machine**' : ''} |
| Whole run | ${fmt(r.runSeconds / 60, 1)} minutes |

Client (the watcher, the load, the instruments) and PostgreSQL share the same cores. CPU columns: this Node process
/ the benchmark database's PostgreSQL backends (each in % of one core) / the whole machine (% of all cores).

${beforeAfter(r)}

## Method

A fresh database (\`bench_sla_<ts>\`) gets the event store's schema (\`migrateEventStore\`) and the watcher's
(\`SLA_WATCH_MIGRATIONS\`). One \`PostgresEventStore\` on a pool of ${CONFIG.poolMax} serves the store and the schedule, as in
the int spec; the watcher is \`SlaWatcher\` itself, with the product's defaults (\`SLA_WATCH_INTERVAL_MS\` =
${CONFIG.watcher.intervalMs}, \`SLA_WATCH_LEASE_MS\` = ${fmt(CONFIG.watcher.leaseMs)}, \`SLA_WATCH_BATCH_SIZE\` = ${CONFIG.watcher.batchSize}, read from
\`Environment\`), the State Council calendar, and its commands going to the system's use cases
(\`RecordSlaBreachHandler\` etc. over \`CaseWriter\`) as the command bus runs them; it works ${DEFAULT_CONCURRENCY} claimed cases at
once (its default) and its feed reads ${FEED_READS} streams at once. Its statements and store calls go through thin timing
wrappers (the tables below); nothing else is changed.

- **The cases.** ${fmt(p1.cases)} cases, each \`case.submitted\` + \`case.dispatched\` to a cadre (the fixtures' events)
  + the \`case.due_times_set\` the watcher records for it (ADR 0029; decided by the case decider from the watcher's own
  \`timerCommands\`, as an open case in a running system carries it; without it every case would be due at once),
  ${fmt(p1.events)} events, filed and dispatched in the 20 minutes before the run, so response and resolution run:
  ${fmt(p1.clocks)} open clocks. Policies by matter: 40 % none (the default, standard-7d), 20 % standard-5d, 15 % quick-3d,
  15 % long-15d, 10 % urgent-24h. Written with \`store.append\` (one append per case), ${CONFIG.writers} writers,
  then \`VACUUM (ANALYZE)\`.
- **Arm.** The watcher's feed (scanner off) from an empty schedule until its checkpoint passed the last case event:
  one \`sla_watch_schedule\` row per case. Baselines of the same run: the same events read through
  \`store.subscribe\` (same filter, same page size ${CONFIG.feedBatchSize}) with a handler that does nothing — the part of the
  feed's time that is reading the log — and \`scheduleEntry\` over the same histories in memory (the clocks'
  computation alone, CPU only). "÷ read" is the baseline read's time over the step's: the share of the feed's time
  that reading the log accounts for.
- **Scan.** The scanner's clock is set to the instant by which ${fmt(CONFIG.scan.due)} rows of the schedule are due, so that
  ${fmt(p2.due)} rows are due at once (${p2.clockAt}; the background's first thresholds: 50 % of its response limits).
  In turn, each on the same rows, leases cleared and \`VACUUM\` + \`CHECKPOINT\` between them: the indexed \`SELECT\` of
  one batch of due rows (${CONFIG.scan.selectRepeats} times); the claim statement alone, batch after batch until nothing is
  due; a floor — the claim and, per case, one stream read, one one-event append (to a side stream) and one
  UPDATE giving the lease back, the least any watcher that reads a case and records an event per case does;
  then \`SlaWatcher.scanOnce()\` back to back until it claims nothing, as its timer runs it while batches come back
  full, issuing the real warnings.
- **Due → breach.** A watcher with feed and scanner on the real clock. Once its feed has caught up, a sample of
  emergency cases (emergency-2h: resolution in 2 calendar hours) is appended, each dispatched, accepted and contacted,
  with its 50 % and 80 % resolution warnings and its due times already recorded, dispatched exactly 2 hours before a chosen due instant:
  only the resolution breach is pending. "spread": due instants evenly over a window starting ${CONFIG.delay[0]!.leadSeconds} s
  after the append began; "burst": ${fmt(CONFIG.delay[0]!.burst)} due at one instant ${CONFIG.delay[0]!.burstAfterSeconds} s after
  the window — as business-day limits do, which all end at the close of a business day (17:30). The other
  ${fmt(p1.cases)} rows stay in the schedule, none due. Per breach: **due → committed** is from the due instant to the
  watcher's \`send\` returning (the append acknowledged); **due → recorded** to the event's \`recorded_at\` (PostgreSQL's
  \`now()\` at the append); due → claimed is the wait for a scan, claimed → committed the work on the batch up to and
  including this case. ${VARIANT ? 'The second run is the same with `SLA_WATCH_INTERVAL_MS=250` (a setting, not a code change), on half the spread window.' : ''}
  Every sample stream is read at the end: exactly one breach each.

## Arm: the feed from zero

| Step | events | s | events/s | cases/s | µs per case | µs per clock | ÷ read | CPU node / pg / machine |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${armRows.join('\n')}

Writing the cases (not the watcher): ${fmt(p1.write.seconds, 1)} s, ${fmt(p1.write.eventsPerSecond)} events/s
(${pct(p1.write.cpu)}). The feed's throughput over its run, per 10 s: ${p1.feedProgress.map((p) => fmt(p.eventsPerSecond)).join(', ')} events/s.
The schedule afterwards: ${fmt(p1.schedule.rows)} rows, ${fmt(p1.schedule.clocks)} open clocks, ${fmt(p1.schedule.nullDue)} with nothing due;
the first due ${fmt(p1.schedule.firstDueMinutes, 1)} minutes on, the median ${fmt(p1.schedule.medianDueHours, 1)} hours on; table
${fmt(p1.schedule.tableMiB, 1)} MiB, indexes ${fmt(p1.schedule.indexMiB, 1)} MiB.

Where the feed's time went (a page of events at a time: its streams read ${FEED_READS} at once, then one statement for the
page's rows and the checkpoint; overlapping calls, so the sum may exceed the wall time):

${callsTable(p1.feedCalls, p1.cases, 'case')}

## Scan: claiming due rows

| Step | cases | statements | s | cases/s | µs per case | ÷ claim alone | ÷ floor | CPU node / pg / machine |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${scanRows.join('\n')}

The watcher issued ${fmt(p2.watcher.commands ?? 0)} commands (${Object.entries(p2.commandsByType)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ')}). Where its time went:

${callsTable(p2.watcher.calls ?? {}, p2.watcher.cases, 'case')}

## Due → breach in real time

| Run | sample | append | armed after | background rows due | scans | scan period | claimed per scan | duplicate breaches | CPU node / pg / machine |
| --- | ---: | ---: | --- | ---: | ---: | --- | ---: | ---: | --- |
${runRows.join('\n')}

| Run | breaches due | n | p50 ms | p95 ms | p99 ms | max ms | p99 to recorded_at ms | missing | p99 < 1 s |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${delayRows.join('\n')}

Where the delay comes from:

| Run | breaches due | due → claimed p50 | p99 | max | claimed → committed p50 | p99 | max |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |
${partsRows.join('\n')}

## Targets

| Target | required | measured | verdict |
| --- | --- | --- | --- |
${r.targets.map((t) => `| ${t.name} | ${t.required} | ${t.actual} | ${t.met ? 'met' : '**not met**'} |`).join('\n')}

## Reading it

${reading(r)}
${beforeSection()}`;
}

function readBefore(): Results | undefined {
  try {
    return JSON.parse(readFileSync(join(BENCH_DIR, 'results', 'sla.before.json'), 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

/** The same figures before (commit BEFORE_COMMIT) and now, side by side. */
function beforeAfter(r: Results): string {
  const b = readBefore();
  if (!b) return '';
  const row = (name: string, before: number | undefined, after: number | undefined, unit: string): string => {
    const ratio =
      before !== undefined && after !== undefined && after > 0 ? `${fmt(before / after, 1)}×` : '—';
    const show = (v: number | undefined): string =>
      v === undefined ? '—' : `${fmt(v, v < 10 ? 1 : 0)} ${unit}`;
    return `| ${name} | ${show(before)} | ${show(after)} | ${ratio} |`;
  };
  const delay = (x: Results, run: number, group: number): number | undefined =>
    x.part3[run]?.groups[group]?.dueToCommittedMs.p99;
  const claimWait = (x: Results, run: number, group: number): number | undefined =>
    x.part3[run]?.groups[group]?.dueToClaimedMs.p99;
  const lines = [
    `## Before and after`,
    '',
    `Before: the report as it was at commit ${BEFORE_COMMIT} (kept below, "Before"); after: this run. Same scenarios, same`,
    'settings (the product defaults), the same machine, which other work shared during both runs — not equally: see',
    'the load averages (last row). The before run had the busier machine; per-case figures and the burst move with',
    'load most (a burst is worked off at the rate the cores allow), the wait for a scan least.',
    ...(b.config.cases === r.config.cases
      ? []
      : [
          '',
          `**This run has ${fmt(r.config.cases)} cases, the one before ${fmt(b.config.cases)}: not like for like.**`,
        ]),
    '',
    '| Figure | before | after | before ÷ after |',
    '| --- | ---: | ---: | ---: |',
    row(`arm: feed from zero, ${fmt(r.part1.cases)} cases`, b.part1.feed.seconds, r.part1.feed.seconds, 's'),
    row('arm: per case', b.part1.feed.usPerCase, r.part1.feed.usPerCase, 'µs'),
    row(
      'scan: scanOnce() back to back, per case',
      b.part2.watcher.usPerCase,
      r.part2.watcher.usPerCase,
      'µs',
    ),
  ];
  for (const [i, run] of r.part3.entries()) {
    const old = b.part3[i];
    if (!old) continue;
    lines.push(
      row(`due → breach p99, ${run.label}, spread`, delay(b, i, 0), delay(r, i, 0), 'ms'),
      row(
        `due → breach p99, ${run.label}, burst of ${fmt(run.config.burst)}`,
        delay(b, i, 1),
        delay(r, i, 1),
        'ms',
      ),
      row(`due → claimed p99, ${run.label}, spread`, claimWait(b, i, 0), claimWait(r, i, 0), 'ms'),
      row(`due → claimed p99, ${run.label}, burst`, claimWait(b, i, 1), claimWait(r, i, 1), 'ms'),
    );
  }
  lines.push(
    `| duplicate breaches | ${b.part3.reduce((a, x) => a + x.duplicates, 0)} | ${r.part3.reduce((a, x) => a + x.duplicates, 0)} | |`,
    `| load average at the start / end (1 min) | ${b.load.atStart[0]} / ${b.load.atEnd[0]} | ${r.load.atStart[0]} / ${r.load.atEnd[0]} | |`,
  );
  lines.push(...otherRuns(r));
  return lines.join('\n');
}

/**
 * Other runs of the same code kept beside this report (bench/results/sla.loaded.json: 100,000 cases
 * on a busy machine; sla.20000.json: --cases=20000), their due → breach p99 in one line each.
 */
function otherRuns(r: Results): string[] {
  const out: string[] = [];
  for (const [file, what] of [
    ['sla.loaded', 'a run of the same code while other work loaded the machine'],
    ['sla.20000', 'a smaller run (--cases=20000) of the same code'],
  ] as const) {
    let x: Results;
    try {
      x = JSON.parse(readFileSync(join(BENCH_DIR, 'results', `${file}.json`), 'utf8')) as Results;
    } catch {
      continue;
    }
    if (x.machine.date === r.machine.date) continue;
    const def = x.part3[0];
    if (!def) continue;
    const p99 = def.groups
      .map((g) => `${g.group.split(':')[0]} ${fmt(g.dueToCommittedMs.p99)} ms`)
      .join(', ');
    out.push(
      `- bench/results/${file}.md — ${what} (${fmt(x.config.cases)} cases, ${x.machine.date}, load average ` +
        `${x.load.atStart[0]} / ${x.load.atEnd[0]}): due → breach p99 at the default interval ${p99} ` +
        `(burst of ${fmt(def.config.burst)}).`,
    );
  }
  return out.length === 0 ? [] : ['', 'Other runs of this change, kept beside this report:', '', ...out];
}

/** The report at BEFORE_COMMIT, verbatim but for its headings (one level down). */
function beforeSection(): string {
  let old: string;
  try {
    old = readFileSync(join(BENCH_DIR, 'results', 'sla.before.md'), 'utf8');
  } catch {
    return '';
  }
  const body = old
    .split('\n')
    .filter((line) => !line.startsWith('# '))
    .map((line) => (line.startsWith('## ') ? `#${line}` : line))
    .join('\n')
    .trim();
  return `
## Before: commit ${BEFORE_COMMIT}

The report of the same benchmark before this change, as it was written then (its machine table says "5d16540 +
uncommitted changes": those changes are what commit ${BEFORE_COMMIT} recorded; the code it measured is ${BEFORE_COMMIT}'s).
Its line references are to that commit's sla-watcher.ts. Figures: bench/results/sla.before.json.

${body}
`;
}

function reading(r: Results): string {
  const { part1: p1, part2: p2, part3: p3 } = r;
  const def = p3[0]!;
  const spreadGroup = def.groups[0]!;
  const burstGroup = def.groups[1]!;
  const record = p1.feedCalls['schedule: record (page: upserts + checkpoint)'];
  const reads = p1.feedCalls['store: readStream'];
  const met = (g: DelayGroup): string =>
    g.dueToCommittedMs.p99 < CONFIG.targets.breachDelayP99Ms && g.missing === 0 ? 'met' : '**not met**';
  const lines = [
    `- **Arm.** The feed armed ${fmt(p1.cases)} cases in ${fmt(p1.feed.seconds, 1)} s: ${fmt(p1.feed.usPerCase)} µs per case, ` +
      `${fmt(p1.feed.usPerClock)} µs per open clock, ${fmt(p1.feed.eventsPerSecond)} events/s against ${fmt(p1.readBaseline.eventsPerSecond)} ` +
      `for reading the same events alone. It writes a page of events (${CONFIG.feedBatchSize}) at a time (\`SlaWatcher.follow\`/\`writeFed\`): ` +
      `each case the page touches read once (${fmt(reads?.count ?? 0)} stream reads, ${FEED_READS} at once, ${fmt(reads?.meanUs ?? Number.NaN)} µs each), ` +
      `an event a later one of its case supersedes needing nothing of its own, then ONE statement for the page's rows and the ` +
      `checkpoint (${fmt(record?.count ?? 0)} of them, ${fmt(record?.meanUs ?? Number.NaN)} µs each) — one commit per page instead of one per event. ` +
      `What is left is the stream reads and the clocks' computation (${fmt(p1.computeBaseline.usPerCase)} µs per case in memory), ` +
      `on the same cores (${pct(p1.feed.cpu)}).`,
    `- **Scan.** The claim statement alone takes ${fmt(p2.claim.usPerCase, 1)} µs per claimed case ` +
      `(${fmt(p2.claim.casesPerSecond)} cases/s); the watcher's whole scan ${fmt(p2.watcher.usPerCase)} µs ` +
      `(${fmt(p2.watcher.casesPerSecond)} cases/s, ${fmt(p2.ratios.watcherVsFloor, 2)}× the floor, which works one case after ` +
      `another). The claimed cases are worked ${DEFAULT_CONCURRENCY} at once (\`SlaWatcher.scanOnce\`), each with one stream read of its ` +
      `own and, per command, CaseWriter's read, decide and append; the history after the commands is the one read plus the ` +
      `events they appended when the versions show nothing came between (else it is read again). While claims come back ` +
      `full the next is made as soon as the claimed cases run out (no waiting for a batch's slowest case; up to 5 claims a ` +
      `scan), and the scan's cases are given back in one statement. Per case that is one commit (the append) instead of ` +
      `two, and cases overlap.`,
    `- **Due → breach, default interval.** p99 ${fmt(spreadGroup.dueToCommittedMs.p99)} ms for breaches due one after another ` +
      `(${met(spreadGroup)}) and ${fmt(burstGroup.dueToCommittedMs.p99)} ms for the burst of ${fmt(def.config.burst)} (${met(burstGroup)}). ` +
      `The scanner no longer only polls: after a scan it sleeps until the earlier of the interval and the schedule's next due ` +
      `instant (\`SlaSchedule.nextDue\`, one indexed statement; at least 10 ms), and the feed wakes it when it records a row due ` +
      `sooner. Due → claimed: p99 ${fmt(spreadGroup.dueToClaimedMs.p99)} ms (spread), ${fmt(burstGroup.dueToClaimedMs.p99)} ms (burst); ` +
      `scans: ${fmt(def.scans.count)}, mean period ${fmt(def.scans.meanPeriodMs)} ms, as due instants and wake-ups call for them. ` +
      `Claimed → committed p99: ${fmt(spreadGroup.claimedToCommittedMs.p99)} ms (spread), ${fmt(burstGroup.claimedToCommittedMs.p99)} ms (burst: ` +
      `the last of ${fmt(def.config.burst)} cases worked ${DEFAULT_CONCURRENCY} at once, ${fmt(r.config.watcher.batchSize)} a claim). The watcher's ` +
      `feed shared the pool and the cores meanwhile (armed after ${fmt(def.armedAfterSeconds, 1)} s); it leaves a case the scan in ` +
      `flight holds to that scan's release (which computes the same entry) and reads only what the release did not cover, ` +
      `so a burst's own breaches cost the feed no stream reads.`,
    `- **Re-timing** (a calendar or catalogue version, ADR 0029) no longer makes every case due: it marks them (\`retime_at\`), ` +
      `and a claim takes the cases whose own due instant has come first, filling the rest of its batch with marked ones, so ` +
      `a backlog of ${fmt(p1.cases)} cases to time again holds no breach back by more than one batch in flight ` +
      `(int spec: "a re-timing backlog never holds back a case whose own due instant has come"; not run here).`,
  ];
  if (p3[1]) {
    const v = p3[1];
    lines.push(
      `- **At ${fmt(v.config.intervalMs)} ms** (the setting) the spread's p99 is ${fmt(v.groups[0]!.dueToCommittedMs.p99)} ms, the burst's ` +
        `${fmt(v.groups[1]!.dueToCommittedMs.p99)} ms: with scans timed on due instants a shorter interval changes little; ` +
        `it is now the longest sleep between scans (what a clock that is not the wall clock, a lease running out or another ` +
        `watcher's rows wait at most), not the wait for a due instant. ${fmt(v.scans.count)} scans in ${fmt(v.cpu.wallSeconds)} s.`,
    );
  }
  lines.push(
    (Math.max(r.load.atStart[0] ?? 0, r.load.atEnd[0] ?? 0) > 0.5 * r.machine.cores
      ? `- **Noise.** Other work ran on this machine during the run (load average ${r.load.atStart[0]} at the start, ` +
        `${r.load.atEnd[0]} at the end, on ${r.machine.cores} cores): commit latencies, and so every per-case figure and the ` +
        `bursts' delays, move with it.`
      : `- **Noise.** The machine was quiet during this run (load average ${r.load.atStart[0]} at the start, ` +
        `${r.load.atEnd[0]} at the end, on ${r.machine.cores} cores); the run before was not. Per-case figures and the ` +
        `bursts' delays move with the load.`) +
      ` A burst's delay is its size × the per-case time ÷ ${DEFAULT_CONCURRENCY}, so on a busier machine it is the first ` +
      `figure to grow; the wait for a scan does not depend on it.`,
  );
  return lines.join('\n');
}

function targets(p3: readonly Part3Run[]): Target[] {
  const def = p3[0]!;
  const out: Target[] = def.groups.map((g) => ({
    name: `due → breach p99, ${def.label}, ${g.group}`,
    required: '< 1,000 ms, none missing',
    actual: `${fmt(g.dueToCommittedMs.p99)} ms (${g.missing} missing)`,
    met: g.dueToCommittedMs.p99 < CONFIG.targets.breachDelayP99Ms && g.missing === 0,
  }));
  out.push({
    name: 'each breach recorded exactly once',
    required: 'no duplicates',
    actual: `${p3.reduce((a, r) => a + r.duplicates, 0)} duplicates`,
    met: p3.every((r) => r.duplicates === 0),
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = loadavg();
  const url = connectionUrl();
  const admin = adminPool(url);
  const database = `bench_sla_${started}`;
  let pool: Pool | undefined;
  let raw: PostgresEventStore | undefined;
  try {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname ~ '^bench_sla_[0-9]+$'",
    );
    for (const { datname } of rows)
      if (Date.now() - Number(datname.split('_')[2]) > HOUR) {
        await admin.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
        log(`dropped stale database ${datname}`);
      }
    const machine = await machineFacts(admin, {
      settings: ['shared_buffers', 'synchronous_commit', 'fsync', 'max_wal_size'],
      watched: ['libs/case-handling', 'libs/sla', 'libs/cases', 'libs/platform/event-store', 'bench'],
      dirtyNote: ' + uncommitted changes in the watcher, the SLA or case libs, the store or bench',
      shortVersion: true,
    });
    log(`${machine.cpu}, ${machine.cores} cores; ${machine.postgres}; Node ${machine.node}`);
    if (!FULL) log(`--cases=${CASES}: a smaller run, not comparable with a full one`);
    await admin.query(`CREATE DATABASE ${database}`);
    const dbUrl = withDatabase(url, database);
    await (await migratedDataSource(dbUrl, SLA_WATCH_MIGRATIONS)).destroy();
    pool = storePool(dbUrl, CONFIG.poolMax);
    pool.on('error', () => undefined);
    await migrateEventStore(pool);
    raw = new PostgresEventStore({ pool });
    const calls = new Calls();
    const bench: Bench = {
      database,
      pool,
      store: new TimedStore(raw, calls),
      calls,
      schedule: new SlaSchedule(pool),
    };

    const background = backgroundCases(CASES, started);
    const firstDue = Math.min(
      ...background
        .slice(0, 1_000)
        .map((c) => scheduleEntry(c.caseId, c.history, rulesFor(c.history))?.nextDueAt ?? Infinity),
    );
    if (firstDue < Date.now() + 30 * MINUTE)
      throw new Error(`a background case is due at ${iso(firstDue)}: it would come due during the run`);
    const part1Result = await part1(bench, background);
    const part2Result = await part2(bench);
    const part3Result: Part3Run[] = [];
    for (const [i, config] of CONFIG.delay.entries()) part3Result.push(await delayRun(bench, config, i + 1));

    const results: Results = {
      machine,
      load: { atStart: loadAtStart.map((v) => round(v, 2)), atEnd: loadavg().map((v) => round(v, 2)) },
      runSeconds: round((Date.now() - started) / 1000, 1),
      config: CONFIG,
      full: FULL,
      part1: part1Result,
      part2: part2Result,
      part3: part3Result,
      targets: targets(part3Result),
    };
    const dir = join(BENCH_DIR, 'results');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'sla.json'), `${JSON.stringify(results, null, 2)}\n`);
    const md = markdown(results);
    writeFileSync(join(dir, 'sla.md'), md);
    console.log(`\n${md}`);
    log(`wrote bench/results/sla.md and sla.json (whole run ${fmt(results.runSeconds / 60, 1)} minutes)`);
  } finally {
    await raw?.close();
    await pool?.end();
    if (!KEEP) await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    else log(`kept database ${database}`);
    await admin.end();
  }
}

/** `--render`: the report again from bench/results/sla.json, nothing run. */
function render(): void {
  const dir = join(BENCH_DIR, 'results');
  const results = JSON.parse(readFileSync(join(dir, 'sla.json'), 'utf8')) as Results;
  writeFileSync(join(dir, 'sla.md'), markdown(results));
  log('wrote bench/results/sla.md from sla.json');
}

(process.argv.includes('--render') ? Promise.resolve().then(render) : main()).catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
