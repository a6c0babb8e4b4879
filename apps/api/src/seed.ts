/**
 * `npm run seed` — loads the Pingcheng demo district (invented people: a demo, never a real
 * deployment's directory) into the event store the API uses, as the `directory` and `catalogue`
 * streams (ADR 0024). Idempotent: a store that holds the demo district already is left as it is
 * (exit 0, "present"); a store that holds another directory is never touched (exit 3). Safe to run
 * while the API runs, and from several shells at once: one seed lands.
 *
 * Needs DATABASE_URL (PostgreSQL: the event store's tables are created if missing), or
 * EVENT_STORE=eventstoredb with EVENTSTORE_URL. `--from YYYY-MM-DD`: the duty rota's first day
 * (default: a week before today in TIME_ZONE, so the demo has someone on duty for seven weeks).
 * The standalone app seeds itself on first start (DIRECTORY_SOURCE=demo, its default).
 * Compiled: `node dist/apps/api/apps/api/src/seed.js`.
 */
import { Pool } from 'pg';
import { DEMO_DATASET, demoRotaStart, seedDirectory } from '@tongban/case-handling';
import { pingchengDemoDistrict } from '@tongban/directory';
import {
  EventStoreDbEventStore,
  PostgresEventStore,
  eventStorePoolConfig,
  migrateEventStore,
  type EventStore,
} from '@tongban/event-store';

const USAGE = 'usage: seed [--from YYYY-MM-DD]';

class UsageError extends Error {}

function rotaStart(argv: readonly string[]): string {
  const at = argv.indexOf('--from');
  const unknown = argv.find((a, i) => a !== '--from' && !(at !== -1 && i === at + 1));
  if (unknown) throw new UsageError(`Unknown option ${unknown}.\n${USAGE}`);
  if (at === -1) {
    return demoRotaStart(new Date(), process.env['TIME_ZONE'] ?? 'Asia/Shanghai');
  }
  const day = argv[at + 1];
  if (!day || !/^\d{4}-\d{2}-\d{2}$/.test(day))
    throw new UsageError(`--from takes a day, YYYY-MM-DD.\n${USAGE}`);
  return day;
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const from = rotaStart(argv);
  let snapshot;
  try {
    snapshot = pingchengDemoDistrict({ from });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  let store: EventStore;
  let pool: Pool | undefined;
  if (process.env['EVENT_STORE'] === 'eventstoredb') {
    const url = process.env['EVENTSTORE_URL'];
    if (!url) throw new UsageError('EVENT_STORE=eventstoredb needs EVENTSTORE_URL.');
    store = new EventStoreDbEventStore({ connectionString: url });
  } else {
    const url = process.env['DATABASE_URL'];
    if (!url || !/^postgres(ql)?:\/\//.test(url)) {
      throw new UsageError('DATABASE_URL must name the PostgreSQL database the API uses.');
    }
    pool = new Pool(eventStorePoolConfig(url, { max: 2 }));
    pool.on('error', (error) => process.stderr.write(`an idle connection ended: ${error.message}\n`));
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool });
  }
  try {
    const report = await seedDirectory(store, snapshot, DEMO_DATASET, {
      by: { id: 'seed', role: 'system' },
      at: new Date().toISOString(),
      reason: `npm run seed: the Pingcheng demo district (invented people), duty rota from ${from}.`,
    });
    process.stdout.write(
      `directory: ${report.directory} (version ${report.directoryVersion}), ` +
        `catalogue: ${report.catalogue} (version ${report.catalogueVersion})\n`,
    );
    if (report.directory === 'other' || report.catalogue === 'other') {
      process.stderr.write('The store holds another directory: the demo district was not loaded into it.\n');
      process.exitCode = 3;
    }
  } finally {
    await store.close();
    await pool?.end();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Never echo the URL: it may carry a password. pg errors do not include it.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
