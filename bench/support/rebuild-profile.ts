import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { summariseProfile, type ComponentShare } from './cpu-profile';
import type { Pool } from './systems';

/** One kind of statement: its calls, rows and time (server-side, or client-side when not available). */
export interface StatementFigure {
  readonly statement: string;
  readonly calls: number;
  readonly rows: number | null;
  readonly ms: number;
}

/** Where one rebuild's time went: this Node process (sampled) and PostgreSQL (per statement). */
export interface RebuildProfile {
  readonly label: string;
  readonly wallSeconds: number;
  /** CPU of this process over the run (user + system), seconds. */
  readonly nodeCpuSeconds: number;
  /** `pg_stat_statements` (execution time on the server) or `client` (call to answer, as seen here). */
  readonly statementSource: 'pg_stat_statements' | 'client';
  readonly statementMs: number;
  readonly statements: readonly StatementFigure[];
  readonly components: readonly ComponentShare[];
  readonly topFunctions: readonly { readonly fn: string; readonly ms: number; readonly percent: number }[];
}

/** A statement's kind, for grouping: its verb and table, without the rows. */
export function statementKind(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (/^WITH horizon/.test(t)) return 'readAll (the store page)';
  if (/^WITH w0 AS \(UPDATE projection_checkpoints/.test(t)) {
    const tables = [...t.matchAll(/(?:INSERT INTO|DELETE FROM) "([a-z_]+)"/g)].map((m) => m[1]!);
    return `one batch's write: checkpoints + ${tables.length} table parts`;
  }
  if (/^WITH w0 AS/.test(t)) return `write (${/"([a-z_]+)"/.exec(t)?.[1] ?? '?'} …)`;
  const m =
    /^(INSERT INTO \S+|UPDATE \S+|DELETE FROM \S+|SELECT to_jsonb\(t\) AS r FROM \S+|SELECT .{0,40}|[A-Z]+ ?[A-Z]*)/.exec(
      t,
    );
  return (m?.[1] ?? t.slice(0, 50)).replace(/\$\d+/g, '$n');
}

const clientTimes = new WeakMap<Pool, Map<string, { n: number; ms: number }>>();

/**
 * Times every statement of the pool's connections from the call to the answer (the fallback when
 * pg_stat_statements is not loaded). Attach before the pool connects.
 */
export function timeStatements(pool: Pool): void {
  const times = new Map<string, { n: number; ms: number }>();
  clientTimes.set(pool, times);
  (pool as unknown as { on(e: 'connect', f: (c: { query: (...a: unknown[]) => unknown }) => void): void }).on(
    'connect',
    (client) => {
      const query = client.query.bind(client);
      client.query = (...args: unknown[]): unknown => {
        const first = args[0];
        const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '?');
        const started = performance.now();
        const result = query(...args);
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          const kind = statementKind(text);
          void (result as Promise<unknown>).then(
            () => {
              const s = times.get(kind) ?? { n: 0, ms: 0 };
              s.n += 1;
              s.ms += performance.now() - started;
              times.set(kind, s);
            },
            () => undefined,
          );
        }
        return result;
      };
    },
  );
}

/** Runs `work` with V8's sampling profiler on and PostgreSQL's statements counted. */
export async function profileRebuild(
  label: string,
  pool: Pool,
  work: () => Promise<unknown>,
  file: string,
): Promise<RebuildProfile> {
  const database = `(SELECT oid FROM pg_database WHERE datname = current_database())`;
  const server = await pool
    .query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    .then(() => pool.query('SELECT pg_stat_statements_reset()'))
    .then(
      () => true,
      () => false,
    );
  clientTimes.get(pool)?.clear();
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 1000 });
  await post('Profiler.start');
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  try {
    await work();
  } finally {
    const result = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(result.profile));
    session.disconnect();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpu0);
  let statements: StatementFigure[];
  if (server) {
    const { rows } = await pool.query<{ query: string; calls: string; ms: number; rows: string }>(
      `SELECT query, calls, total_exec_time AS ms, rows FROM pg_stat_statements WHERE dbid = ${database}`,
    );
    const byKind = new Map<string, StatementFigure>();
    for (const r of rows) {
      const kind = statementKind(r.query);
      const s = byKind.get(kind);
      byKind.set(kind, {
        statement: kind,
        calls: (s?.calls ?? 0) + Number(r.calls),
        rows: (s?.rows ?? 0) + Number(r.rows),
        ms: (s?.ms ?? 0) + r.ms,
      });
    }
    statements = [...byKind.values()];
  } else {
    statements = [...(clientTimes.get(pool) ?? new Map<string, { n: number; ms: number }>())].map(
      ([kind, s]) => ({
        statement: kind,
        calls: s.n,
        rows: null,
        ms: s.ms,
      }),
    );
  }
  statements.sort((a, b) => b.ms - a.ms);
  const summary = summariseProfile(file, 12);
  return {
    label,
    wallSeconds,
    nodeCpuSeconds: (cpu.user + cpu.system) / 1e6,
    statementSource: server ? 'pg_stat_statements' : 'client',
    statementMs: statements.reduce((a, s) => a + s.ms, 0),
    statements: statements.slice(0, 10).map((s) => ({ ...s, ms: Math.round(s.ms) })),
    components: summary.components.slice(0, 8),
    topFunctions: summary.topFunctions,
  };
}
