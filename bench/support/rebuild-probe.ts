/**
 * A quick look at where a rebuild's time goes, for working on the projection engine (not a
 * benchmark: no repeats, no floor; `npm run bench:projections` is the measurement).
 *
 *   TONGBAN_PG_URL=… node -r @swc-node/register bench/support/rebuild-probe.ts [name…|all]
 *
 * Seeds `bench_probe` once (50,000 events of the bench's workload; PROBE_EVENTS to change it),
 * then rebuilds each named read model alone (`all`: every one together, in one pass) and prints
 * its rate, the Node CPU profile by component (PROBE_FUNCTIONS=1: and function) and the time of
 * each kind of statement (pg_stat_statements when loaded, else measured in the client).
 */
import { DataSource } from 'typeorm';
import { CASE_PROJECTIONS, CASE_READ_MODEL_MIGRATIONS } from '@tongban/case-read-models';
import { PostgresEventStore, migrateEventStore } from '@tongban/event-store';
import { rebuildProjections, type AnyProjection } from '@tongban/projections';
import { caseSeed, shardByStream } from './case-workload';
import { profileRebuild, timeStatements } from './rebuild-profile';
import { connectionUrl, withDatabase } from './services';
import { adminPool, storePool } from './systems';

const EVENTS = Number(process.env.PROBE_EVENTS ?? '50000');
const DB = `bench_probe_${EVENTS}`;

async function ensureSeeded(url: string): Promise<void> {
  const admin = adminPool(url);
  const { rows } = await admin.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_database WHERE datname = $1`,
    [DB],
  );
  if (rows[0]!.n !== '0') {
    await admin.end();
    return;
  }
  await admin.query(`CREATE DATABASE ${DB}`);
  await admin.end();
  const dbUrl = withDatabase(url, DB);
  const setup = storePool(dbUrl, 2);
  await migrateEventStore(setup);
  await setup.end();
  const dataSource = new DataSource({ type: 'postgres', url: dbUrl, migrations: CASE_READ_MODEL_MIGRATIONS });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  await dataSource.destroy();
  const seed = caseSeed(20261128, EVENTS);
  const pool = storePool(dbUrl, 10);
  const store = new PostgresEventStore({ pool });
  await Promise.all(
    shardByStream(seed.appends, 8).map(async (shard) => {
      for (const a of shard) await store.append(a.streamId, a.events, a.expectedVersion);
    }),
  );
  await pool.query('VACUUM (ANALYZE)');
  await store.close();
  await pool.end();
  console.log(`seeded ${DB}: ${seed.events} events`);
}

async function main(): Promise<void> {
  const url = connectionUrl();
  await ensureSeeded(url);
  const args = process.argv.slice(2);
  const runs: AnyProjection[][] = (args.length === 0 ? CASE_PROJECTIONS.map((p) => p.name) : args).map(
    (name) => (name === 'all' ? [...CASE_PROJECTIONS] : [CASE_PROJECTIONS.find((p) => p.name === name)!]),
  );
  const pool = storePool(withDatabase(url, DB), 3);
  timeStatements(pool);
  const store = new PostgresEventStore({ pool });
  for (const projections of runs) {
    const label = projections.length === 1 ? projections[0]!.name : 'all';
    let events = 0;
    const profile = await profileRebuild(
      label,
      pool,
      async () => {
        const report = await rebuildProjections(pool, store, projections, {
          ...(process.env.PROBE_BATCH ? { batchSize: Number(process.env.PROBE_BATCH) } : {}),
        });
        events = report.events;
      },
      `/tmp/rebuild-probe-${label}.cpuprofile`,
    );
    console.log(
      `${label}: ${events} events in ${profile.wallSeconds.toFixed(2)} s = ${Math.round(events / profile.wallSeconds)} events/s; ` +
        `Node CPU ${profile.nodeCpuSeconds.toFixed(2)} s; statements (${profile.statementSource}) ${Math.round(profile.statementMs)} ms`,
    );
    for (const st of profile.statements)
      console.log(
        `   ${String(st.ms).padStart(6)} ms  ${String(st.calls).padStart(5)}×  ${st.statement.slice(0, 100)}`,
      );
    for (const c of profile.components) console.log(`     ${c.percent}%  ${c.component}`);
    if (process.env.PROBE_FUNCTIONS === '1')
      for (const f of profile.topFunctions) console.log(`     ${f.percent}%  ${f.fn}`);
    console.log(`   heap used ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MiB`);
  }
  await store.close();
  await pool.end();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
