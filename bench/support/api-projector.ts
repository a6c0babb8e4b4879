import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type ServerProcess } from './http-load';
import { REPO_ROOT, type Pool } from './systems';

/**
 * Command → visible with the deployables as production runs them: `apps/api`, `apps/relay` and
 * `apps/projector`, processes of their own on one PostgreSQL database and Kafka. The api answers
 * the command and serves the read; the relay publishes the events; the projector applies them off
 * Kafka and NOTIFYs its commits; the
 * api's consistency wait wakes on that notification (LISTEN), so `?after=` measures the whole
 * cross-process path.
 */

/** The Kafka of `npm run services:up` (the projector requires KAFKA_BROKERS to boot). */
export function kafkaBrokers(): string {
  if (process.env.TONGBAN_KAFKA_BROKERS) return process.env.TONGBAN_KAFKA_BROKERS;
  const envFile = join(REPO_ROOT, '.data', 'services.env');
  if (existsSync(envFile)) {
    const line = readFileSync(envFile, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('TONGBAN_KAFKA_BROKERS='));
    if (line) return line.slice('TONGBAN_KAFKA_BROKERS='.length).trim();
  }
  throw new Error('No Kafka: run `npm run services:up` first (or set TONGBAN_KAFKA_BROKERS).');
}

/** The rate limiter on, every limit at 1,000,000 a minute: it costs what it costs, never refuses. */
export const UNREACHED_RATE_LIMITS: Readonly<Record<string, string>> = {
  RATE_LIMIT_ENABLED: 'true',
  ...Object.fromEntries(
    [
      'RATE_LIMIT_INTAKE_PER_MINUTE',
      'RATE_LIMIT_COMMANDS_PER_MINUTE',
      'RATE_LIMIT_CHANNEL_PER_MINUTE',
      'RATE_LIMIT_IP_INTAKE_PER_MINUTE',
      'RATE_LIMIT_IP_COMMANDS_PER_MINUTE',
    ].map((name) => [name, '1000000']),
  ),
};

export interface ApiAndProjector {
  readonly api: ServerProcess;
  readonly projector: ServerProcess;
  /** Starts both CPU profiles (SIGWINCH, see cpu-profiler.preload.ts). */
  startProfiles(): Promise<void>;
  /** Stops both and writes `api.cpuprofile` and `projector.cpuprofile` into the work folder. */
  stopProfiles(): Promise<{ api: string; projector: string }>;
  stop(): Promise<void>;
}

/**
 * Starts the api, then (once it has migrated the database and listens) the projector, each with
 * `node -r @swc-node/register` on its source, on `databaseUrl`: AUTH_MODE=dev (dev-login tokens on
 * loopback), default pool, batch and wait settings, the rate limiter on with limits no run
 * reaches (a cadre here sends far more commands a minute than a person can). Logs go to files in
 * `workDir`. Both carry the CPU-profiler preload, idle until asked.
 */
export async function startApiAndProjector(
  databaseUrl: string,
  workDir: string,
  extraEnv: Readonly<Record<string, string>> = {},
): Promise<ApiAndProjector> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (
      /^(DATABASE_|AUTH_|KAFKA_|READ_MODEL_|PROJECTION_|RATE_LIMIT_|LOG_LEVEL$|HTTP_|NODE_ENV$|STANDALONE_|BENCH_)/.test(
        key,
      )
    ) {
      delete env[key];
    }
  }
  const common = {
    ...env,
    NODE_ENV: 'development',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: '0',
    DATABASE_URL: databaseUrl,
    AUTH_MODE: 'dev',
    ...UNREACHED_RATE_LIMITS,
    ...extraEnv,
  };
  const args = (app: string): string[] => [
    '-r',
    '@swc-node/register',
    '-r',
    join(REPO_ROOT, 'bench', 'support', 'cpu-profiler.preload.ts'),
    join('apps', app, 'src', 'main.ts'),
  ];
  const profiles = { api: join(workDir, 'api.cpuprofile'), projector: join(workDir, 'projector.cpuprofile') };
  // The api first: it runs every migration (event store, case handling, read models).
  const api = await startServer({
    name: 'api',
    cwd: REPO_ROOT,
    args: args('api'),
    env: { ...common, BENCH_CPU_PROFILE: profiles.api },
    logFile: join(workDir, 'api.log'),
  });
  // The projector reads Kafka (ADR 0030): the relay publishes the store to topics of this run's own.
  const kafka = {
    KAFKA_BROKERS: kafkaBrokers(),
    KAFKA_TOPIC_PREFIX: `bench.${new URL(databaseUrl).pathname.slice(1)}.`,
  };
  let relay: ServerProcess | undefined;
  let projector: ServerProcess;
  try {
    relay = await startServer({
      name: 'relay',
      cwd: REPO_ROOT,
      args: ['-r', '@swc-node/register', join('apps', 'relay', 'src', 'main.ts')],
      env: { ...common, ...kafka },
      logFile: join(workDir, 'relay.log'),
    });
    projector = await startServer({
      name: 'projector',
      cwd: REPO_ROOT,
      args: args('projector'),
      env: { ...common, ...kafka, BENCH_CPU_PROFILE: profiles.projector },
      logFile: join(workDir, 'projector.log'),
    });
  } catch (error) {
    await relay?.stop();
    await api.stop();
    throw error;
  }
  const both = [api, projector];
  const relayProcess = relay;
  return {
    api,
    projector,
    startProfiles: async () => {
      await Promise.all(both.map((s) => s.signalAndWait('SIGWINCH', /cpu profile started/, 10_000)));
    },
    stopProfiles: async () => {
      await Promise.all(both.map((s) => s.signalAndWait('SIGWINCH', /cpu profile written/, 30_000)));
      return profiles;
    },
    stop: async () => {
      await Promise.all([...both, relayProcess].map((s) => s.stop()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Per-statement times (pg_stat_statements, when the server loads it)
// ---------------------------------------------------------------------------------------------

export interface StatementFigures {
  readonly query: string;
  readonly calls: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly rowsPerCall: number;
}

/**
 * True when the server preloads pg_stat_statements (shared_preload_libraries); the extension is
 * then created in `pool`'s database. Without it the report says per-statement times are missing.
 */
export async function enableStatementStats(pool: Pool): Promise<boolean> {
  const { rows } = await pool.query<{ libs: string }>(
    `SELECT current_setting('shared_preload_libraries') AS libs`,
  );
  if (!/\bpg_stat_statements\b/.test(rows[0]?.libs ?? '')) return false;
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
  return true;
}

/** Forgets this database's statements so far (the window starts now). */
export async function resetStatementStats(pool: Pool): Promise<void> {
  await pool.query(
    `SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)`,
  );
}

/** This database's statements by total execution time, highest first. */
export async function readStatementStats(pool: Pool, top = 15): Promise<StatementFigures[]> {
  const { rows } = await pool.query<{
    query: string;
    calls: string;
    total: number;
    rows: string;
  }>(
    `SELECT query, calls, total_exec_time AS total, rows
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query NOT LIKE '%pg_stat_statements%'
      ORDER BY total_exec_time DESC
      LIMIT $1`,
    [top],
  );
  return rows.map((r) => ({
    query: r.query.replace(/\s+/g, ' ').trim().slice(0, 160),
    calls: Number(r.calls),
    totalMs: Math.round(r.total * 10) / 10,
    meanMs: Math.round((r.total / Math.max(1, Number(r.calls))) * 1000) / 1000,
    rowsPerCall: Math.round((Number(r.rows) / Math.max(1, Number(r.calls))) * 10) / 10,
  }));
}
