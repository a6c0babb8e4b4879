import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { TongbanError } from '@tongban/errors';
import {
  START,
  comparePositions,
  formatPosition,
  type EventStore,
  type GlobalPosition,
  type ReadAllResult,
} from '@tongban/event-store';
import { sharedFilter, type AnyProjection } from '../projection';
import { ReplayMemory } from '../replay-memory';
import { MissingCheckpointError, ReplayApplier } from './apply';
import { ensureCheckpoint, ident, readCheckpoints } from './projection-sql';

export const REBUILD_SUFFIX = '__rebuild';
const RETIRED_SUFFIX = '__retired';

export interface RebuildProgress {
  readonly projection: string;
  readonly phase: 'preparing' | 'replaying' | 'swapping' | 'done';
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
  /** Events per page read from the store and per batch applied (default 20,000). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: RebuildProgress) => void;
  /** How long the swap may wait for readers' locks before trying again. Default 2 s. */
  readonly lockTimeoutMs?: number;
  /**
   * How rebuilds of the same read model keep out of each other's way (ADR 0017):
   * - `database` (default): a session-level advisory lock per read model, taken on a connection
   *   of its own and held for the whole rebuild, so two processes (the CLI and a projector's
   *   admin endpoint, two projector replicas) never rebuild one read model at once;
   * - `process`: only rebuilds on the same pool exclude each other. For a single-connection
   *   database (standalone's PGlite): no connection can be held aside there, and every client
   *   shares ONE session, in which advisory locks are re-entrant and `DISCARD ALL` on reconnect
   *   drops them. Only this process opens that database; a client sharing its socket is caught
   *   by the generation check instead.
   * In both, the shadow tables and checkpoint carry the rebuild's generation, checked at every
   * batch and at the swap: a rebuild whose tables were taken over fails and swaps nothing in.
   */
  readonly exclusion?: 'database' | 'process';
  /**
   * How many rows and stream versions the replay keeps in memory to read its own writes back
   * without a statement (default 200,000; past it, the least recently written are dropped and
   * loaded again when needed). Memory grows with it, by about the size of a row each.
   */
  readonly memoryEntries?: number;
}

const DEFAULT_MEMORY_ENTRIES = 200_000;

/**
 * Events per page and batch. Large: every batch writes each row it changed once, so fewer
 * batches write fewer rows (a case's row, written by every event of the case, goes out once per
 * batch the case appears in); the replay's memory makes a large batch cost no loads.
 */
const DEFAULT_BATCH_SIZE = 20_000;

/** A rebuild that is running, as the refusal of a second one and the admin view show it. */
export interface RunningRebuild {
  readonly projection: string;
  readonly generation: string;
  readonly startedAt: Date;
  /** Its last reported progress (null until it reported any). */
  readonly progress: RebuildProgress | null;
  readonly updatedAt: Date;
}

/** A second rebuild of a read model while one runs, in this process or another (409). */
export class RebuildRunningError extends TongbanError {
  readonly code = 'read_model.rebuild_running';
  readonly kind = 'conflict';

  constructor(
    readonly projection: string,
    readonly running: RunningRebuild | null,
  ) {
    super(
      `A rebuild of ${projection} is already running (${describeRunning(running)}); try again when it is done.`,
    );
  }
}

/**
 * The rebuild's shadow tables or checkpoint now carry another rebuild's generation (a second
 * rebuild took them over: one that ignored or lost the lock). It stops without swapping; the
 * live tables are untouched and the other rebuild carries on.
 */
export class RebuildSupersededError extends Error {
  constructor(
    readonly projection: string,
    readonly generation: string,
    detail: string,
  ) {
    super(`The rebuild ${generation} of ${projection} was superseded by another rebuild: ${detail}`);
    this.name = 'RebuildSupersededError';
  }
}

function describeRunning(running: RunningRebuild | null): string {
  if (!running) return 'it has not reported progress yet';
  const since = `started ${running.startedAt.toISOString()}`;
  const p = running.progress;
  if (!p) return since;
  const left = p.secondsLeft === null ? '' : `, ~${Math.ceil(p.secondsLeft)} s left`;
  return `${p.phase} ${p.done} / ${p.total} events${left}, ${since}`;
}

/** Rebuilds running on each pool (the `process` exclusion, and what this process reports). */
const runningHere = new WeakMap<Pool, Map<string, RunningRebuild>>();

/** The rebuilds this process runs on `pool`, by read model. */
export function rebuildsRunningHere(pool: Pool): readonly RunningRebuild[] {
  return [...(runningHere.get(pool)?.values() ?? [])];
}

/** The rebuilds any process announced (`projection_rebuilds`), by read model. */
export async function readRunningRebuilds(
  client: Pick<PoolClient, 'query'>,
  names: readonly string[],
): Promise<Map<string, RunningRebuild>> {
  const { rows } = await client.query<{
    projection: string;
    generation: string;
    started_at: Date;
    progress: RebuildProgress | null;
    updated_at: Date;
  }>(
    `SELECT projection, generation, started_at, progress, updated_at FROM projection_rebuilds
      WHERE projection = ANY ($1::text[])`,
    [[...names]],
  );
  return new Map(
    rows.map((r) => [
      r.projection,
      {
        projection: r.projection,
        generation: r.generation,
        startedAt: r.started_at,
        progress: r.progress,
        updatedAt: r.updated_at,
      },
    ]),
  );
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
  const names = projections.map((p) => p.name).sort();
  const generation = randomUUID();
  const here = runningHere.get(pool) ?? new Map<string, RunningRebuild>();
  runningHere.set(pool, here);
  for (const name of names) {
    const running = here.get(name);
    if (running) throw new RebuildRunningError(name, running);
  }
  const startedAt = new Date();
  for (const name of names) {
    here.set(name, { projection: name, generation, startedAt, progress: null, updatedAt: startedAt });
  }
  try {
    const lock = options.exclusion === 'process' ? undefined : await lockAcrossProcesses(pool, names);
    try {
      return await rebuildExclusively(pool, store, projections, options, {
        generation,
        assertLocked: () => lock?.assertHeld(),
        progressed: (progress) => {
          const now = new Date();
          for (const name of names) {
            here.set(name, { projection: name, generation, startedAt, progress, updatedAt: now });
          }
        },
      });
    } finally {
      await withClient(pool, (client) =>
        client.query(
          `DELETE FROM projection_rebuilds WHERE projection = ANY ($1::text[]) AND generation = $2`,
          [names, generation],
        ),
      ).catch(() => undefined);
      await lock?.release();
    }
  } finally {
    for (const name of names) if (here.get(name)?.generation === generation) here.delete(name);
  }
}

interface RebuildLock {
  /** Throws when the lock's connection failed: the lock went with its session. */
  assertHeld(): void;
  release(): Promise<void>;
}

/**
 * One session-level advisory lock per read model, on a connection held aside for the whole
 * rebuild (a transaction-level lock would end with the first batch). The session ending — a
 * crash, a killed CLI — releases it, so nothing stale is ever left to clean up.
 */
async function lockAcrossProcesses(pool: Pool, names: readonly string[]): Promise<RebuildLock> {
  const client = await pool.connect();
  let lost: Error | undefined;
  const onError = (error: Error): void => {
    lost = error;
  };
  client.on('error', onError);
  const release = async (): Promise<void> => {
    client.off('error', onError);
    if (lost) {
      client.release(lost);
      return;
    }
    try {
      await client.query(`SELECT pg_advisory_unlock_all()`);
      client.release();
    } catch (error) {
      client.release(error as Error);
    }
  };
  try {
    for (const name of names) {
      const { rows } = await client.query<{ locked: boolean }>(
        `SELECT pg_try_advisory_lock(hashtext('tongban.projection_rebuild'), hashtext($1)) AS locked`,
        [name],
      );
      if (!rows[0]!.locked) {
        const running = (await readRunningRebuilds(client, [name])).get(name) ?? null;
        throw new RebuildRunningError(name, running);
      }
    }
  } catch (error) {
    await release();
    throw error;
  }
  return {
    assertHeld: () => {
      if (lost)
        throw new Error(`The rebuild lock's connection failed (${lost.message}); stopping the rebuild`);
    },
    release,
  };
}

interface Exclusive {
  readonly generation: string;
  readonly assertLocked: () => void;
  readonly progressed: (progress: RebuildProgress) => void;
}

async function rebuildExclusively(
  pool: Pool,
  store: EventStore,
  projections: readonly AnyProjection[],
  options: RebuildOptions,
  exclusive: Exclusive,
): Promise<RebuildReport> {
  const { generation } = exclusive;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const name = projections.map((p) => p.name).join(',');
  const names = projections.map((p) => p.name);
  const tables = projections.flatMap(tablesOf);
  const filter = sharedFilter(projections);
  const started = performance.now();
  const shadow = (projection: AnyProjection): string => shadowOf(projection, generation);

  let published = 0;
  const publish = async (progress: RebuildProgress, force: boolean): Promise<void> => {
    exclusive.progressed(progress);
    // Other processes see it in projection_rebuilds; once a second is plenty for that.
    if (!force && performance.now() - published < 1_000) return;
    published = performance.now();
    await pool.query(
      `UPDATE projection_rebuilds SET progress = $3::jsonb, updated_at = now()
        WHERE projection = ANY ($1::text[]) AND generation = $2`,
      [names, generation, JSON.stringify(progress)],
    );
  };

  await withClient(pool, async (client) => {
    for (const projection of projections) await ensureCheckpoint(client, projection.name);
    // Announced first, in its own commit: a refused second rebuild can say what runs.
    await client.query(
      `INSERT INTO projection_rebuilds (projection, generation) SELECT unnest($1::text[]), $2
       ON CONFLICT (projection) DO UPDATE
         SET generation = EXCLUDED.generation, started_at = now(), progress = NULL, updated_at = now()`,
      [names, generation],
    );
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
          // The tables say whose they are: checked again at the swap.
          await client.query(
            `COMMENT ON TABLE ${ident(table + REBUILD_SUFFIX)} IS ${literal(generationTag(generation))}`,
          );
        }
        // Any earlier rebuild's checkpoint row goes (a crashed one's, or one this supersedes):
        // its next batch then finds no row and stops.
        await client.query(`DELETE FROM projection_checkpoints WHERE starts_with(projection, $1)`, [
          `${projection.name}@rebuild`,
        ]);
        await ensureCheckpoint(client, shadow(projection));
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
    checkpoint: shadow(projection),
    suffix: REBUILD_SUFFIX,
  }));
  const report = async (phase: RebuildProgress['phase']): Promise<void> => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? done / seconds : 0;
    const progress: RebuildProgress = {
      projection: name,
      phase,
      done,
      total: Math.max(total, done),
      eventsPerSecond: Math.round(rate),
      secondsLeft: rate > 0 ? Math.max(0, (total - done) / rate) : null,
    };
    options.onProgress?.(progress);
    await publish(progress, phase !== 'replaying');
  };
  // The replay writes batch N while it computes batch N + 1, from what it remembers of the
  // shadow tables (bounded: `memoryEntries`).
  const applier = new ReplayApplier(
    pool,
    targets,
    new ReplayMemory(options.memoryEntries ?? DEFAULT_MEMORY_ENTRIES),
    columnCache,
    START,
  );
  /** Refused once the shadow tables belong to another rebuild. */
  const superseded = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof MissingCheckpointError) {
        throw new RebuildSupersededError(name, generation, `its checkpoint row ${error.checkpoint} is gone`);
      }
      throw error;
    }
  };
  /** One batch into the shadow tables (its write overlaps the next batch). */
  const applyShadow = async (page: ReadAllResult): Promise<void> => {
    exclusive.assertLocked();
    await superseded(() => applier.apply(page.events, page.next));
  };
  /** Every batch so far written and committed. */
  const settled = (): Promise<void> => superseded(() => applier.settled());
  await report('preparing');

  const read = (from: GlobalPosition): Promise<ReadAllResult> => {
    const page = store.readAll({ after: from, maxCount: batchSize, ...(filter ? { filter } : {}) });
    // A prefetch may fail while the current page is applied; it is awaited (and thrown) next round.
    page.catch(() => undefined);
    return page;
  };
  let pending = read(after);
  try {
    for (;;) {
      const page = await pending;
      // Read the next page while this one is applied: the two round trips overlap.
      if (!page.caughtUp) pending = read(page.next);
      if (page.events.length > 0 || comparePositions(page.next, after) > 0) await applyShadow(page);
      done += page.events.length;
      after = page.next;
      if (!page.caughtUp) {
        await report('replaying');
        continue;
      }
      await settled();
      if (!indexed) {
        // Caught up once: build the secondary indexes, then catch up with what arrived meanwhile.
        await withClient(pool, (client) => buildSecondaryIndexes(client, tables));
        indexed = true;
        pending = read(after);
        continue;
      }
      await report('swapping');
      exclusive.assertLocked();
      const swapped = await trySwap(pool, projections, generation, after, options.lockTimeoutMs ?? 2_000);
      if (swapped) break;
      swapRetries += 1;
      // A live projection is ahead (events arrived meanwhile): count them in and catch up first.
      total = done + (await store.countAll({ after, ...(filter ? { filter } : {}) }));
      pending = read(after);
    }
  } catch (error) {
    // Nothing of this rebuild may still be writing once it gives up its lock.
    await applier.settled().catch(() => undefined);
    throw error;
  }

  const seconds = (performance.now() - started) / 1000;
  await report('done');
  return {
    projection: name,
    events: done,
    seconds,
    eventsPerSecond: Math.round(done / Math.max(seconds, 1e-6)),
    position: formatPosition(after),
    swapRetries,
  };
}

/** The rebuild's checkpoint row, tagged with its generation. */
const shadowOf = (projection: AnyProjection, generation: string): string =>
  `${projection.name}@rebuild:${generation}`;

const generationTag = (generation: string): string => `tongban rebuild ${generation}`;

/** A string literal for DDL that takes no parameters (COMMENT ON); generations are UUIDs. */
function literal(text: string): string {
  if (!/^[a-z0-9 -]+$/.test(text)) throw new Error(`Not a plain tag: ${text}`);
  return `'${text}'`;
}

/** Every table a projection owns, its stream versions included: what a rebuild recreates. */
const tablesOf = (projection: AnyProjection): string[] => [
  ...projection.tables.map((t) => t.table),
  projection.streamsTable,
];

async function trySwap(
  pool: Pool,
  projections: readonly AnyProjection[],
  generation: string,
  reached: GlobalPosition,
  lockTimeoutMs: number,
): Promise<boolean> {
  const shadow = (projection: AnyProjection): string => shadowOf(projection, generation);
  return withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query(`SELECT set_config('lock_timeout', $1, true)`, [`${lockTimeoutMs}ms`]);
      const names = projections.flatMap((p) => [p.name, shadow(p)]);
      const checkpoints = await readCheckpoints(client, names, true);
      await assertStillOurs(client, projections, generation);
      for (const projection of projections) {
        // Through a broker, the live tables may hold events beyond their checkpoint (ADR 0030).
        const live = checkpoints.get(projection.name)?.position ?? START;
        const delivered = await deliveredBeyond(client, projection.name);
        const liveAt = delivered && comparePositions(delivered, live) > 0 ? delivered : live;
        const shadowRow = checkpoints.get(shadow(projection));
        if (!shadowRow) {
          throw new RebuildSupersededError(
            projection.name,
            generation,
            `its checkpoint row ${shadow(projection)} is gone`,
          );
        }
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
        const shadowRow = checkpoints.get(shadow(projection))!;
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
        await client.query(`DELETE FROM projection_checkpoints WHERE projection = $1`, [shadow(projection)]);
        // At or beyond what every partition applied: nothing beyond the checkpoint is applied now.
        await client.query(`DELETE FROM projection_delivered WHERE projection = $1`, [projection.name]);
        await client.query(`DELETE FROM projection_rebuilds WHERE projection = $1 AND generation = $2`, [
          projection.name,
          generation,
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

/**
 * At the swap, inside its transaction: every shadow table still carries this rebuild's tag. The
 * shadow checkpoint row (locked above) is checked by the caller; a table recreated by another
 * rebuild after this one's last batch is caught here.
 */
async function assertStillOurs(
  client: PoolClient,
  projections: readonly AnyProjection[],
  generation: string,
): Promise<void> {
  const shadows = projections.flatMap(tablesOf).map((table) => table + REBUILD_SUFFIX);
  const { rows } = await client.query<{ name: string; tag: string | null }>(
    `SELECT t.name, obj_description(to_regclass(t.name), 'pg_class') AS tag
       FROM unnest($1::text[]) AS t(name)`,
    [shadows],
  );
  for (const row of rows) {
    if (row.tag !== generationTag(generation)) {
      throw new RebuildSupersededError(
        projections.map((p) => p.name).join(','),
        generation,
        `${row.name} is tagged ${JSON.stringify(row.tag)}`,
      );
    }
  }
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

/** The highest position a broker's partitions applied to the live tables, if any (ADR 0030). */
async function deliveredBeyond(client: PoolClient, projection: string): Promise<GlobalPosition | null> {
  const { rows } = await client.query<{ tx: string; seq: string }>(
    `SELECT position_tx::text AS tx, position_seq::text AS seq FROM projection_delivered
      WHERE projection = $1 ORDER BY position_tx DESC, position_seq DESC LIMIT 1`,
    [projection],
  );
  const row = rows[0];
  return row ? { tx: BigInt(row.tx), seq: BigInt(row.seq) } : null;
}
