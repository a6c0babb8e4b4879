import type { Measurement } from './stats';
import { round } from './stats';
import type { SystemKey } from './systems';

export interface WorkloadResult {
  readonly id: string;
  readonly title: string;
  /** What the operations are, plural, for the table: `appends`, `reads`, `batches`. */
  readonly op: string;
  /** Which figure the ratios compare. */
  readonly primary: 'opsPerSecond' | 'eventsPerSecond';
  readonly results: Partial<Record<SystemKey, Measurement>>;
}

export interface Target {
  readonly name: string;
  readonly workload: string;
  readonly required: string;
  readonly actual: string;
  readonly met: boolean;
}

export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly postgres: string;
  readonly postgresSettings: Record<string, string>;
  readonly node: string;
  readonly emmett: string;
  readonly commit: string;
  readonly date: string;
}

export const SYSTEMS: readonly { key: SystemKey; name: string }[] = [
  { key: 'floor', name: 'floor' },
  { key: 'emmett', name: 'Emmett' },
  { key: 'tongban', name: 'Tongban' },
];

export function ratio(w: WorkloadResult, of: SystemKey, to: SystemKey): number | undefined {
  const a = w.results[of]?.[w.primary];
  const b = w.results[to]?.[w.primary];
  if (a === undefined || b === undefined || b === 0) return undefined;
  return round(a / b, 3);
}

const num = (v: number, digits = 0): string =>
  Number.isFinite(v)
    ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
const fmtRatio = (v: number | undefined): string => (v === undefined ? '—' : `${v.toFixed(2)}×`);

export function figuresTable(workloads: readonly WorkloadResult[]): string {
  const lines = [
    '| Workload | System | ops/s | events/s | p50 ms | p99 ms | ops timed | wall s | CPU busy |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const w of workloads) {
    for (const s of SYSTEMS) {
      const m = w.results[s.key];
      if (!m) continue;
      lines.push(
        `| ${w.id} ${w.title} | ${s.name} | ${num(m.opsPerSecond)} ${w.op}/s | ${num(m.eventsPerSecond)} | ` +
          `${num(m.latencyMs.p50, 2)} | ${num(m.latencyMs.p99, 2)} | ${num(m.ops)} | ${num(m.wallSeconds, 2)} | ` +
          `${num(m.machineCpuBusyPercent)}% |`,
      );
    }
  }
  return lines.join('\n');
}

export function ratiosTable(workloads: readonly WorkloadResult[]): string {
  const lines = [
    '| Workload | Compared figure | Tongban / floor | Tongban / Emmett |',
    '| --- | --- | ---: | ---: |',
  ];
  for (const w of workloads) {
    const figure = w.primary === 'opsPerSecond' ? `${w.op}/s` : 'events/s';
    lines.push(
      `| ${w.id} ${w.title} | ${figure} | ${fmtRatio(ratio(w, 'tongban', 'floor'))} | ${fmtRatio(ratio(w, 'tongban', 'emmett'))} |`,
    );
  }
  return lines.join('\n');
}

export function targetsTable(targets: readonly Target[]): string {
  const lines = ['| Target | Workload | Required | Measured | Verdict |', '| --- | --- | --- | --- | --- |'];
  for (const t of targets) {
    lines.push(
      `| ${t.name} | ${t.workload} | ${t.required} | ${t.actual} | ${t.met ? 'met' : '**not met**'} |`,
    );
  }
  return lines.join('\n');
}

export function fmt(v: number, digits = 0): string {
  return num(v, digits);
}

/** A progress line on stdout, stamped with the time of day. */
export const log = (message: string): void =>
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
