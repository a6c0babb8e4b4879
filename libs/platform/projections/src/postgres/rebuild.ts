import type { Pool, PoolClient } from 'pg';
import {
  START,
  comparePositions,
  formatPosition,
  type EventStore,
  type GlobalFilter,
  type GlobalPosition,
  type ReadAllResult,
} from '@tongban/event-store';
import type { AnyProjection } from '../projection';
import { applyInTransaction } from './apply';
import { ensureCheckpoint, ident, readCheckpoints } from './projection-sql';

export const REBUILD_SUFFIX = '__rebuild';
const RETIRED_SUFFIX = '__retired';

export interface RebuildProgress {
  readonly projection: string;
  readonly phase: 'replaying' | 'swapping' | 'done';
  /** Events read from the store so far (the projection's filter applied). */
  readonly done: number;
  /** Events to replay, counted at the start plus those appended since. */
  readonly total: number;
  readonly eventsPerSecond: number;
  /** Estimated seconds left; null until the rate is known. */
  readonly secondsLeft: number | null;
}

export interface RebuildReport {
  readonly projection: string;
  readonly events: number;
  readonly seconds: number;
  readonly eventsPerSecond: number;
  /** The checkpoint the live projection continues from after the swap. */
  readonly position: string;
  /** Swap attempts that found the live projection ahead and caught up again first. */
  readonly swapRetries: number;
}

export interface RebuildOptions {
  readonly batchSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** How long the swap may wait for readers' locks before trying again. Default 2 s. */
  readonly lockTimeoutMs?: number;
}

/**
 * Blue/green rebuild of ONE projection while everything keeps running:
 *
 * 1. create fresh tables (`<table>__rebuild`, `LIKE` the live ones, primary key only) and a
 *    checkpoint row `<name>@rebuild` at the beginning;
 * 2. replay the whole store into them with the projection's own handlers, batch by batch, each
 *    batch committed with that checkpoint; once caught up, build the secondary indexes (one
 *    bulk build each) and catch up again;
 * 3. once caught up, swap in one short transaction: lock the live checkpoint row (the live
 *    runner waits on it, so it cannot move), check the rebuild is at or past it — otherwise
 *    catch up again first —, rename live → retired and fresh → live, give the indexes their
 *    canonical names back, move the checkpoint, drop the retired tables, commit.
 *
 * Queries keep reading the live tables throughout; the rename holds them for milliseconds. The
 * live runner then continues from the rebuilt checkpoint and skips what the rebuild applied.
 */
export async function rebuildProjection(
  pool: Pool,
  store: EventStore,
  projection: AnyProjection,
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  return rebuildProjections(pool, store, [projection], options);
}

/**
 * The same for several projections in ONE pass over the store: each page is read once and
 * applied to every fresh set of tables in one transaction, and all of them are swapped in
 * together. Rebuilding everything this way costs one replay, not one per read model.
 */
export async function rebuildProjections(
  pool: Pool,
  store: EventStore,
  projections: readonly AnyProjection[],
  options: RebuildOptions = {},
): Promise<RebuildReport> {
  if (projections.length === 0) throw new Error('Nothing to rebuild');
  const batchSize = options.batchSize ?? 5_000;
  const name = projections.map((p) => p.name).join(',');
  const tables = projections.flatMap(tablesOf);
  const filter = sharedFilter(projections);
  const started = performance.now();

  await withClient(pool, async (client) => {
    for (const projection of projections) await ensureCheckpoint(client, projection.name);
    await client.query('BEGIN');
    try {
      for (const projection of projections) {
        for (const table of tablesOf(projection)) {
          await client.query(`DROP TABLE IF EXISTS ${ident(table + REBUILD_SUFFIX)}`);
          // Without secondary indexes while replaying (building them once at the end is far
          // cheaper than maintaining them row by row); the primary key stays, upserts need it.
          await client.query(
            `CREATE TABLE ${ident(table + REBUILD_SUFFIX)} (LIKE ${ident(table)} INCLUDING ALL EXCLUDING INDEXES)`,
          );
          await client.query(
            `ALTER TABLE ${ident(table + REBUILD_SUFFIX)} ADD PRIMARY KEY (${keyOfTable(projection, table).map(ident).join(', ')})`,
          );
        }
        await client.query(`DELETE FROM projection_checkpoints WHERE projection = $1`, [
          shadowOf(projection),
        ]);
        await ensureCheckpoint(client, shadowOf(projection));
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  });

  let total = await store.countAll(filter ? { filter } : {});
  let done = 0;
  let after: GlobalPosition = START;
  let swapRetries = 0;
  let indexed = false;
  const columnCache = new Map<string, string[]>();
  const targets = projections.map((projection) => ({
    projection,
    checkpoint: shadowOf(projection),
    suffix: REBUILD_SUFFIX,
  }));
  const report = (phase: RebuildProgress['phase']): void => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    options.onProgress?.({
      projection: name,
      phase,
      done,
      total: Math.max(total, done),
      eventsPerSecond: Math.round(rate),
      secondsLeft: rate > 0 ? Math.max(0, (total - done) / rate) : null,
    });
  };

  const read = (from: GlobalPosition): Promise<ReadAllResult> => {
    const page = store.readAll({ after: from, maxCount: batchSize, ...(filter ? { filter } : {}) });
    // A prefetch may fail while the current page is applied; it is awaited (and thrown) next round.
    page.catch(() => undefined);
    return page;
  };
  let pending = read(after);
  for (;;) {
    const page = await pending;
    // Read the next page while this one is applied: the two round trips overlap.
    if (!page.caughtUp) pending = read(page.next);
    if (page.events.length > 0 || comparePositions(page.next, after) > 0) {
      await applyInTransaction(pool, targets, page.events, { upTo: page.next, columnCache });
    }
    done += page.events.length;
    after = page.next;
    if (!page.caughtUp) {
      report('replaying');
      continue;
    }
    if (!indexed) {
      // Caught up once: build the secondary indexes, then catch up with what arrived meanwhile.
      await withClient(pool, (client) => buildSecondaryIndexes(client, tables));
      indexed = true;
      pending = read(after);
      continue;
    }
    report('swapping');
    const swapped = await trySwap(pool, projections, after, options.lockTimeoutMs ?? 2_000);
    if (swapped) break;
    swapRetries += 1;
    // A live projection is ahead (events arrived meanwhile): count them in and catch up first.
    total = done + (await store.countAll({ after, ...(filter ? { filter } : {}) }));
    pending = read(after);
  }

  const seconds = (performance.now() - started) / 1000;
  report('done');
  return {
    projection: name,
    events: done,
    seconds,
    eventsPerSecond: Math.round(done / Math.max(seconds, 1e-6)),
    position: formatPosition(after),
    swapRetries,
  };
}

const shadowOf = (projection: AnyProjection): string => `${projection.name}@rebuild`;

/** Every table a projection owns, its stream versions included: what a rebuild recreates. */
const tablesOf = (projection: AnyProjection): string[] => [
  ...projection.tables.map((t) => t.table),
  projection.streamsTable,
];

/** The store filter all the projections agree on (each still applies its own to every event). */
function sharedFilter(projections: readonly AnyProjection[]): GlobalFilter | undefined {
  const [first, ...rest] = projections.map((p) => JSON.stringify(p.filter));
  return first !== undefined && rest.every((f) => f === first) ? projections[0]!.filter : undefined;
}

async function trySwap(
  pool: Pool,
  projections: readonly AnyProjection[],
  reached: GlobalPosition,
  lockTimeoutMs: number,
): Promise<boolean> {
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
      const names = projections.flatMap((p) => [p.name, shadowOf(p)]);
      const checkpoints = await readCheckpoints(client, names, true);
      for (const projection of projections) {
        const liveAt = checkpoints.get(projection.name)?.position ?? START;
        const shadowRow = checkpoints.get(shadowOf(projection));
        if (!shadowRow) throw new Error(`The rebuild checkpoint ${shadowOf(projection)} disappeared`);
        if (
          comparePositions(shadowRow.position, liveAt) < 0 ||
          comparePositions(reached, shadowRow.position) < 0
        ) {
          await client.query('ROLLBACK');
          return false;
        }
      }
      for (const projection of projections) {
        for (const table of tablesOf(projection)) {
          const indexes = await indexNames(client, table);
          await client.query(`ALTER TABLE ${ident(table)} RENAME TO ${ident(table + RETIRED_SUFFIX)}`);
          await client.query(`ALTER TABLE ${ident(table + REBUILD_SUFFIX)} RENAME TO ${ident(table)}`);
          await client.query(`DROP TABLE ${ident(table + RETIRED_SUFFIX)}`);
          await restoreIndexNames(client, table, indexes);
        }
        const shadowRow = checkpoints.get(shadowOf(projection))!;
        await client.query(
          `UPDATE projection_checkpoints
              SET position_tx = $2, position_seq = $3, events_applied = $4, updated_at = now()
            WHERE projection = $1`,
          [
            projection.name,
            shadowRow.position.tx.toString(),
            shadowRow.position.seq.toString(),
            shadowRow.eventsApplied,
          ],
        );
        await client.query(`DELETE FROM projection_checkpoints WHERE projection = $1`, [
          shadowOf(projection),
        ]);
      }
      await client.query('COMMIT');
      return true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // A reader held the tables past the lock timeout: try again after catching up.
      if ((error as { code?: string }).code === '55P03') return false;
      throw error;
    }
  });
}

function keyOfTable(projection: AnyProjection, table: string): readonly string[] {
  if (table === projection.streamsTable) return ['stream_id'];
  const spec = projection.tables.find((t) => t.table === table);
  if (!spec) throw new Error(`${projection.name}: no table ${table}`);
  return spec.key;
}

/** Every index of the live table but its primary key, recreated (unnamed) on the fresh one. */
async function buildSecondaryIndexes(client: PoolClient, tables: readonly string[]): Promise<void> {
  for (const table of tables) {
    const { rows } = await client.query<{ def: string }>(
      `SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x
        WHERE x.indrelid = $1::regclass AND NOT x.indisprimary`,
      [table],
    );
    for (const { def } of rows) {
      const fresh = def.replace(
        /^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ USING /,
        (_m, unique: string | undefined) =>
          `CREATE ${unique ?? ''}INDEX ON ${ident(table + REBUILD_SUFFIX)} USING `,
      );
      if (fresh === def) throw new Error(`${table}: cannot read the index definition ${def}`);
      await client.query(fresh);
    }
  }
}

interface IndexName {
  readonly name: string;
  /** The index definition with its own and its table's name taken out, to match twins by. */
  readonly shape: string;
}

async function indexNames(client: PoolClient, table: string): Promise<IndexName[]> {
  const { rows } = await client.query<{ name: string; def: string }>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
      WHERE x.indrelid = $1::regclass`,
    [table],
  );
  return rows.map((r) => ({ name: r.name, shape: shapeOf(r.def, r.name) }));
}

/**
 * `LIKE … INCLUDING ALL` gives the fresh tables' indexes generated names; the live names are
 * what migrations refer to, so after the swap every index gets the name its twin had.
 */
async function restoreIndexNames(
  client: PoolClient,
  table: string,
  before: readonly IndexName[],
): Promise<void> {
  const now = await indexNames(client, table);
  const taken = new Set<string>();
  for (const original of before) {
    const twin = now.find((n) => n.shape === original.shape && !taken.has(n.name));
    if (!twin) throw new Error(`${table}: no index like ${original.name} in the rebuilt table`);
    taken.add(twin.name);
    if (twin.name !== original.name) {
      await client.query(`ALTER INDEX ${ident(twin.name)} RENAME TO ${ident(original.name)}`);
    }
  }
}

function shapeOf(definition: string, indexName: string): string {
  return definition
    .replace(/ INDEX \S+ ON /, ' INDEX ? ON ')
    .replace(/ ON (\S+\.)?("?)[a-z0-9_]+\2 USING /, ' ON ? USING ')
    .replace(indexName, '?');
}

async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}
