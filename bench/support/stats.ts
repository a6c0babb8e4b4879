import { readFileSync } from 'node:fs';

/** What the timed runs of one workload on one system gave, all slices together. */
export interface Measurement {
  /** Operations timed: appends, stream reads, or batches of a catch-up read. */
  readonly ops: number;
  /** Events written or read by those operations. */
  readonly events: number;
  /** Sum of the timed slices' wall times. */
  readonly wallSeconds: number;
  readonly opsPerSecond: number;
  readonly eventsPerSecond: number;
  /** Per operation, in milliseconds. */
  readonly latencyMs: {
    readonly p50: number;
    readonly p99: number;
    readonly mean: number;
    readonly max: number;
  };
  /** CPU time of this Node process (the client side of every system) per operation, in ms. */
  readonly clientCpuMsPerOp: number;
  /** Busy share of all cores during the timed slices (client, PostgreSQL and anything else), from /proc/stat. */
  readonly machineCpuBusyPercent: number;
  /** Each slice's throughput (ops/s), in the order they ran: shows drift and noise. */
  readonly sliceOpsPerSecond: readonly number[];
}

/** What one timed slice returns. */
export interface RawRun {
  readonly latenciesMs: readonly number[];
  readonly events: number;
  readonly wallMs: number;
}

/** One timed slice with the CPU it cost. */
export interface Sample {
  readonly raw: RawRun;
  readonly clientCpuMs: number;
  readonly busyTicks: number;
  readonly totalTicks: number;
}

function readProcStat(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const f = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    const total = f.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: Number.NaN, total: Number.NaN };
  }
}

/** Runs one slice, noting this process's CPU time and the machine's CPU load meanwhile. */
export async function sample(run: () => Promise<RawRun>): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const stat0 = readProcStat();
  const raw = await run();
  const cpu = process.cpuUsage(cpu0);
  const stat1 = readProcStat();
  return {
    raw,
    clientCpuMs: (cpu.user + cpu.system) / 1000,
    busyTicks: stat1.busy - stat0.busy,
    totalTicks: stat1.total - stat0.total,
  };
}

export function nowNs(): bigint {
  return process.hrtime.bigint();
}

export function elapsedMs(startNs: bigint): number {
  return Number(process.hrtime.bigint() - startNs) / 1e6;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

export function summarise(samples: readonly Sample[]): Measurement {
  const sorted = samples.flatMap((s) => s.raw.latenciesMs).sort((a, b) => a - b);
  const events = samples.reduce((a, s) => a + s.raw.events, 0);
  const wallSeconds = samples.reduce((a, s) => a + s.raw.wallMs, 0) / 1000;
  const clientCpuMs = samples.reduce((a, s) => a + s.clientCpuMs, 0);
  const busy = samples.reduce((a, s) => a + s.busyTicks, 0);
  const total = samples.reduce((a, s) => a + s.totalTicks, 0);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    ops: sorted.length,
    events,
    wallSeconds: round(wallSeconds, 3),
    opsPerSecond: round(sorted.length / wallSeconds, 1),
    eventsPerSecond: round(events / wallSeconds, 1),
    latencyMs: {
      p50: round(percentile(sorted, 50), 3),
      p99: round(percentile(sorted, 99), 3),
      mean: round(sum / Math.max(1, sorted.length), 3),
      max: round(sorted[sorted.length - 1] ?? Number.NaN, 3),
    },
    clientCpuMsPerOp: round(clientCpuMs / Math.max(1, sorted.length), 4),
    machineCpuBusyPercent: round((100 * busy) / total, 1),
    sliceOpsPerSecond: samples.map((s) => round(s.raw.latenciesMs.length / (s.raw.wallMs / 1000), 1)),
  };
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** `items` cut into `n` consecutive slices of (nearly) equal length. */
export function slices<T>(items: readonly T[], n: number): T[][] {
  return Array.from({ length: n }, (_, i) =>
    items.slice(Math.round((i * items.length) / n), Math.round(((i + 1) * items.length) / n)),
  );
}

/**
 * Runs `items` through `op` with `writers` concurrent loops, each taking the next item as soon
 * as its previous one finished; returns every item's latency and the wall time of the whole run.
 */
export async function runConcurrent<T>(
  items: readonly T[],
  writers: number,
  op: (item: T) => Promise<number>,
): Promise<RawRun> {
  const latenciesMs: number[] = new Array<number>(items.length);
  let next = 0;
  let events = 0;
  const start = nowNs();
  const loop = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      const t0 = nowNs();
      const written = await op(items[i]!);
      latenciesMs[i] = elapsedMs(t0);
      // Not `events += await …`: that would read `events` before the await and lose updates.
      events += written;
    }
  };
  await Promise.all(Array.from({ length: writers }, loop));
  return { latenciesMs, events, wallMs: elapsedMs(start) };
}

/** % of one core each process used between two readings of CPU seconds `seconds` apart. */
export function cpuPercent(
  before: Record<string, number>,
  after: Record<string, number>,
  seconds: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.keys(before).map((k) => [k, round((100 * (after[k]! - before[k]!)) / Math.max(1e-6, seconds), 1)]),
  );
}
