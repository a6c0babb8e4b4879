/**
 * `npm run projections:rebuild -- [--all | name…]` — rebuild read models from the event store into
 * fresh tables and swap them in when caught up, while the API (and the projector) keep serving.
 * `--all` (or no name): every case read model. All of them in ONE pass over the store: each page
 * of events is read once and fed to every read model's fresh tables, which are swapped in
 * together (ADR 0022). Compiled: `node dist/apps/projector/apps/projector/src/rebuild.js [--all |
 * name…]`.
 *
 * Needs DATABASE_URL (the database the API and projector use, already migrated). Progress goes to
 * stderr every second: events done / total, rate, time left. A read model already being rebuilt
 * (by another CLI or a projector's admin endpoint) is refused with the running one's progress and
 * exit code 3: one rebuild per read model at a time, across processes (ADR 0017).
 */
import { Pool } from 'pg';
import { CASE_PROJECTIONS } from '@tongban/case-read-models';
import { PostgresEventStore, checkClusterContinuity, eventStorePoolConfig } from '@tongban/event-store';
import {
  RebuildRunningError,
  rebuildProjections,
  type AnyProjection,
  type RebuildProgress,
} from '@tongban/projections';

const USAGE = `usage: projections:rebuild [--all | ${CASE_PROJECTIONS.map((p) => p.name).join('|')}…]`;

function pick(args: readonly string[]): AnyProjection[] {
  const all = args.includes('--all');
  const names = args.filter((a) => a !== '--all');
  const unknown = names.find((a) => a.startsWith('-'));
  if (unknown) throw new UsageError(`Unknown option ${unknown}.\n${USAGE}`);
  if (all && names.length > 0) throw new UsageError(`--all or names, not both.\n${USAGE}`);
  if (names.length === 0) return [...CASE_PROJECTIONS];
  return [...new Set(names)].map((name) => {
    const found = CASE_PROJECTIONS.find((p) => p.name === name);
    if (!found) throw new UsageError(`No read model called ${JSON.stringify(name)}.\n${USAGE}`);
    return found;
  });
}

class UsageError extends Error {}

function line(p: RebuildProgress): string {
  const percent = p.total > 0 ? Math.floor((p.done / p.total) * 100) : 100;
  const left = p.secondsLeft === null ? '?' : `${Math.ceil(p.secondsLeft)} s`;
  return `${p.projection}: ${p.phase} ${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')} events (${percent}%), ${p.eventsPerSecond.toLocaleString('en')} events/s, ~${left} left`;
}

async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const projections = pick(argv);
  const url = process.env['DATABASE_URL'];
  if (!url || !/^postgres(ql)?:\/\//.test(url)) {
    throw new UsageError('DATABASE_URL must name the PostgreSQL database the API and projector use.');
  }
  if (process.env['EVENT_STORE'] === 'eventstoredb') {
    // This CLI reads the PostgreSQL store: on EventStoreDB it would rebuild from an empty log
    // and swap that in. The projector's admin endpoint reads the store it is configured with.
    throw new UsageError(
      'EVENT_STORE=eventstoredb: rebuild through the projector, POST /api/v1/admin/read-models/<name>/rebuild.',
    );
  }
  // One connection holds the rebuild's lock throughout; the others read and apply.
  const pool = new Pool(eventStorePoolConfig(url, { max: 4 }));
  pool.on('error', (error) => process.stderr.write(`an idle connection ended: ${error.message}\n`));
  const store = new PostgresEventStore({ pool });
  try {
    // A store restored into another cluster hides events from readers: rebuilding then would
    // leave them out of the read models. Refused, naming the runbook step (docs/operations.md).
    await checkClusterContinuity(pool);
    // One pass over the store for every read model asked for, swapped in together.
    let lastPrint = 0;
    const report = await rebuildProjections(pool, store, projections, {
      onProgress: (p) => {
        const now = Date.now();
        if (now - lastPrint >= 1_000 || p.phase !== 'replaying') {
          lastPrint = now;
          process.stderr.write(`${line(p)}\n`);
        }
      },
    });
    process.stdout.write(
      `${report.projection}: rebuilt from ${report.events.toLocaleString('en')} events in ${report.seconds.toFixed(1)} s ` +
        `(${report.eventsPerSecond.toLocaleString('en')} events/s), live from ${report.position}` +
        `${report.swapRetries > 0 ? `, after ${report.swapRetries} catch-up round(s)` : ''}\n`,
    );
  } finally {
    await store.close();
    await pool.end();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  // Never echo the URL: it may carry a password. pg errors do not include it.
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = error instanceof UsageError ? 2 : error instanceof RebuildRunningError ? 3 : 1;
});
