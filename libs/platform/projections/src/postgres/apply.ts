import type { Pool, PoolClient } from 'pg';
import {
  comparePositions,
  formatPosition,
  type GlobalPosition,
  type RecordedEvent,
} from '@tongban/event-store';
import { DecodedEvents, planBatch, runBatch, type BatchOutcome, type BatchPlan } from '../batch';
import type { AnyProjection } from '../projection';
import type { ReplayLoader, ReplayMemory } from '../replay-memory';
import { ChangesStatement, ProjectionSql, checkpointOrStart, ident, readCheckpoints } from './projection-sql';

export interface ApplyTarget {
  readonly projection: AnyProjection;
  /** The checkpoint row: the projection's name, or `<name>@rebuild` for a rebuild. */
  readonly checkpoint: string;
  /** Physical table suffix: '' for the live tables. */
  readonly suffix: string;
}

/** A target's checkpoint row does not exist (never created, or a superseded rebuild's). */
export class MissingCheckpointError extends Error {
  constructor(readonly checkpoint: string) {
    super(`No checkpoint row ${checkpoint}: ensureCheckpoint() first`);
    this.name = 'MissingCheckpointError';
  }
}

export interface AppliedBatch {
  /** Checkpoint of every target after the batch (unchanged when the batch had nothing new). */
  readonly positions: ReadonlyMap<string, GlobalPosition>;
  readonly applied: number;
  readonly duplicates: number;
}

/**
 * Apply a batch of events (in global order) to several projections in ONE transaction on ONE
 * connection: lock the checkpoints, skip what each has already applied, write the rows, the
 * stream versions and the new checkpoints, commit. Never awaits a second connection while the
 * transaction is open (a single-connection database — standalone's PGlite — would deadlock).
 *
 * `upTo` moves the checkpoints to at least that position even when the batch ends earlier (a
 * reader that filtered events out still made progress).
 */
export async function applyInTransaction(
  pool: Pool,
  targets: readonly ApplyTarget[],
  events: readonly RecordedEvent[],
  options: { upTo?: GlobalPosition; columnCache?: Map<string, string[]> } = {},
): Promise<AppliedBatch> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await applyWithClient(client, targets, events, options);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

export async function applyWithClient(
  client: PoolClient,
  targets: readonly ApplyTarget[],
  events: readonly RecordedEvent[],
  options: { upTo?: GlobalPosition; columnCache?: Map<string, string[]> } = {},
): Promise<AppliedBatch> {
  const checkpoints = await readCheckpoints(
    client,
    targets.map((t) => t.checkpoint),
    true,
  );
  const end = endOf(events, options.upTo);
  const plans = new Map<ApplyTarget, BatchPlan>();
  const positions = new Map<string, GlobalPosition>();
  for (const target of targets) {
    if (!checkpoints.has(target.checkpoint)) throw new MissingCheckpointError(target.checkpoint);
    const from = checkpointOrStart(checkpoints, target.checkpoint);
    positions.set(target.checkpoint, from);
    plans.set(
      target,
      planBatch(
        target.projection,
        events.filter((e) => comparePositions(e.position, from) > 0),
      ),
    );
  }
  const versions = await loadStreamVersions(client, plans);
  const columnCache = options.columnCache ?? new Map<string, string[]>();
  const moved: MovedCheckpoint[] = [];
  const decoded = new DecodedEvents();
  let applied = 0;
  let duplicates = 0;
  for (const [target, plan] of plans) {
    const from = positions.get(target.checkpoint)!;
    const past = plan.events.length + plan.unwatched;
    duplicates += events.length - past;
    if (past > 0) {
      const sql = new ProjectionSql(client, target.projection, target.suffix, columnCache);
      const outcome = await runBatch(plan, versions.get(target)!, sql, decoded);
      await sql.write(outcome.changes);
      applied += outcome.applied;
      duplicates += outcome.duplicates;
      moved.push({ checkpoint: target.checkpoint, to: end!, applied: outcome.applied });
      positions.set(target.checkpoint, end!);
    } else if (end && comparePositions(end, from) > 0) {
      moved.push({ checkpoint: target.checkpoint, to: end, applied: 0 });
      positions.set(target.checkpoint, end);
    }
  }
  await moveCheckpoints(client, moved);
  return { positions, applied, duplicates };
}

/**
 * Apply events as a message broker delivers them (ADR 0030): in order per stream, NOT in global
 * order across streams (each partition is its own sequence). So no checkpoint filter: the stream
 * versions alone decide — an event at or below its stream's recorded version is a duplicate, one
 * past the next is a gap (ProjectionGapError). The checkpoints are locked SHARED (partitions apply
 * side by side; a rebuild's swap, which locks them exclusively, waits for the batch) and do not
 * move here: events of another partition before these may not be applied yet, and the consumer
 * moves them once everything before a position is (`KafkaProjector`). What moves is this
 * source's row in `projection_delivered` — the highest position it applied — so a rebuild swaps
 * in only beyond it. Runs inside the caller's transaction (the consumer writes its inbox there).
 */
export async function applyDelivered(
  client: PoolClient,
  targets: readonly ApplyTarget[],
  events: readonly RecordedEvent[],
  source: string,
  columnCache: Map<string, string[]> = new Map(),
): Promise<{ applied: number; duplicates: number }> {
  if (events.length === 0) return { applied: 0, duplicates: 0 };
  const checkpoints = await readCheckpoints(
    client,
    targets.map((t) => t.checkpoint),
    'share',
  );
  const plans = new Map<ApplyTarget, BatchPlan>();
  for (const target of targets) {
    if (!checkpoints.has(target.checkpoint)) throw new MissingCheckpointError(target.checkpoint);
    plans.set(target, planBatch(target.projection, events));
  }
  const versions = await loadStreamVersions(client, plans);
  const decoded = new DecodedEvents();
  let highest = events[0]!.position;
  for (const event of events) if (comparePositions(event.position, highest) > 0) highest = event.position;
  let applied = 0;
  let duplicates = 0;
  for (const [target, plan] of plans) {
    const sql = new ProjectionSql(client, target.projection, target.suffix, columnCache);
    const outcome = await runBatch(plan, versions.get(target)!, sql, decoded);
    await sql.write(outcome.changes);
    applied += outcome.applied;
    duplicates += outcome.duplicates;
  }
  await client.query(
    `INSERT INTO projection_delivered AS d (projection, source, position_tx, position_seq)
     SELECT p, $2, $3, $4 FROM unnest($1::text[]) AS p
     ON CONFLICT (projection, source) DO UPDATE
        SET position_tx = EXCLUDED.position_tx, position_seq = EXCLUDED.position_seq, updated_at = now()
      WHERE (EXCLUDED.position_tx, EXCLUDED.position_seq) > (d.position_tx, d.position_seq)`,
    [targets.map((t) => t.checkpoint), source, highest.tx.toString(), highest.seq.toString()],
  );
  return { applied, duplicates };
}

/** Where a batch leaves its projections: its last event, or `upTo` when that is further. */
function endOf(
  events: readonly RecordedEvent[],
  upTo: GlobalPosition | undefined,
): GlobalPosition | undefined {
  const last = events.length > 0 ? events[events.length - 1]!.position : undefined;
  return upTo && (!last || comparePositions(upTo, last) > 0) ? upTo : last;
}

interface MovedCheckpoint {
  readonly checkpoint: string;
  readonly to: GlobalPosition;
  readonly applied: number;
}

/** Every moved checkpoint in one statement: round trips are what a small batch costs. */
async function moveCheckpoints(client: PoolClient, moved: readonly MovedCheckpoint[]): Promise<void> {
  if (moved.length === 0) return;
  await client.query(
    `UPDATE projection_checkpoints c
        SET position_tx = x.tx, position_seq = x.seq, events_applied = c.events_applied + x.applied,
            updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS x(projection text, tx bigint, seq bigint, applied bigint)
      WHERE c.projection = x.projection`,
    [
      JSON.stringify(
        moved.map((m) => ({
          projection: m.checkpoint,
          tx: m.to.tx.toString(),
          seq: m.to.seq.toString(),
          applied: m.applied,
        })),
      ),
    ],
  );
}

/**
 * The one place stream versions are loaded: the recorded versions of every plan's streams, for
 * every target, in one statement (one event on standalone's single connection costs round trips,
 * not rows).
 */
async function loadStreamVersions<T extends ApplyTarget>(
  client: Pick<PoolClient, 'query'>,
  plans: ReadonlyMap<T, BatchPlan>,
): Promise<Map<T, Map<string, number>>> {
  const parts: string[] = [];
  const values: (readonly string[])[] = [];
  const wanted: T[] = [];
  const out = new Map<T, Map<string, number>>();
  for (const [target, plan] of plans) {
    out.set(target, new Map());
    if (plan.streamIds.length === 0) continue;
    values.push(plan.streamIds);
    parts.push(
      `SELECT ${wanted.length} AS i, stream_id, version FROM ${ident(target.projection.streamsTable + target.suffix)}
        WHERE stream_id = ANY ($${values.length}::text[])`,
    );
    wanted.push(target);
  }
  if (parts.length === 0) return out;
  const { rows } = await client.query<{ i: number; stream_id: string; version: number }>(
    parts.join(' UNION ALL '),
    values,
  );
  for (const row of rows) out.get(wanted[row.i]!)!.set(row.stream_id, row.version);
  return out;
}

/**
 * A rebuild's replay into its shadow tables, which nobody else writes (ADR 0017's lock and
 * generation). Each batch is computed from what the rebuild remembers (`ReplayMemory`), so it
 * needs no statement before its handlers run, and is written while the next batch is computed:
 * Node works on batch N + 1 while PostgreSQL writes batch N. A load (a key memory dropped, a
 * counter row) first waits for the write in flight, so it reads what every earlier batch wrote;
 * on a single-connection pool (standalone's PGlite) nothing waits on a second connection while a
 * transaction is open. Every write is its own transaction, like `applyInTransaction`: the shadow
 * checkpoints locked (a missing one is a superseded rebuild: `MissingCheckpointError`), rows,
 * stream versions and checkpoints written together.
 */
export class ReplayApplier {
  private inFlight: Promise<void> = Promise.resolve();
  private readonly loader: ReplayLoader;
  private from: GlobalPosition;

  constructor(
    private readonly pool: Pool,
    private readonly targets: readonly ApplyTarget[],
    private readonly memory: ReplayMemory,
    private readonly columnCache: Map<string, string[]>,
    from: GlobalPosition,
  ) {
    this.from = from;
    const suffixOf = (projection: AnyProjection): string =>
      this.targets.find((t) => t.projection === projection)!.suffix;
    this.loader = {
      loadRows: async (projection, spec, keys) => {
        await this.settled();
        return new ProjectionSql(this.pool, projection, suffixOf(projection), this.columnCache).loadRows(
          spec,
          keys,
        );
      },
      loadStreamVersions: async (projection, streamIds) => {
        await this.settled();
        const target = this.targets.find((t) => t.projection === projection)!;
        const loaded = await loadStreamVersions(
          this.pool,
          new Map([[target, { projection, events: [], streamIds, unwatched: 0 }]]),
        );
        return loaded.get(target)!;
      },
    };
  }

  /**
   * Compute the batch (events past the last one applied, in global order) and queue its write
   * behind the one in flight; resolves once the write is queued. `upTo` as in `applyInTransaction`.
   */
  async apply(events: readonly RecordedEvent[], upTo?: GlobalPosition): Promise<void> {
    const end = endOf(events, upTo);
    if (!end || comparePositions(end, this.from) <= 0) return;
    this.memory.trim();
    const outcomes = new Map<ApplyTarget, BatchOutcome>();
    const decoded = new DecodedEvents();
    for (const target of this.targets) {
      const plan = planBatch(target.projection, events);
      const versions = await this.memory.streamVersions(target.projection, plan.streamIds, this.loader);
      const outcome = await runBatch(
        plan,
        versions,
        this.memory.source(target.projection, this.loader),
        decoded,
      );
      this.memory.remember(target.projection, outcome.changes);
      outcomes.set(target, outcome);
      // Let the write in flight move (its statement's bytes, its answer) between projections.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const from = this.from;
    this.from = end;
    await this.inFlight;
    this.inFlight = this.write(outcomes, from, end);
    // Thrown at the next apply or settle; never an unhandled rejection meanwhile.
    this.inFlight.catch(() => undefined);
  }

  /** Waits for the write in flight (throws its failure). */
  async settled(): Promise<void> {
    await this.inFlight;
  }

  /**
   * The whole batch — every projection's rows and stream versions, and the shadow checkpoints —
   * in ONE statement on its own (atomic without a transaction block: one round trip, during
   * which PostgreSQL needs nothing from this process while it computes the next batch). The
   * checkpoints move only from where this replay left them; when one is missing or elsewhere
   * (another rebuild took the tables over), the statement fails and writes nothing.
   */
  private async write(
    outcomes: ReadonlyMap<ApplyTarget, BatchOutcome>,
    from: GlobalPosition,
    end: GlobalPosition,
  ): Promise<void> {
    const statement = new ChangesStatement();
    const moves = [...outcomes].map(([target, outcome]) => ({
      projection: target.checkpoint,
      from_tx: from.tx.toString(),
      from_seq: from.seq.toString(),
      tx: end.tx.toString(),
      seq: end.seq.toString(),
      applied: outcome.applied,
    }));
    const moved = statement.add(
      `UPDATE projection_checkpoints c
          SET position_tx = x.tx, position_seq = x.seq, events_applied = c.events_applied + x.applied,
              updated_at = now()
         FROM jsonb_to_recordset(${statement.value(JSON.stringify(moves))}::jsonb)
              AS x(projection text, from_tx bigint, from_seq bigint, tx bigint, seq bigint, applied bigint)
        WHERE c.projection = x.projection AND c.position_tx = x.from_tx AND c.position_seq = x.from_seq
        RETURNING c.projection`,
    );
    for (const [target, outcome] of outcomes) {
      await new ProjectionSql(this.pool, target.projection, target.suffix, this.columnCache).addTo(
        statement,
        outcome.changes,
      );
    }
    try {
      // Not a constant (PostgreSQL would fold a constant cast when planning): it fails only when
      // a checkpoint did not move, and the failure undoes every part.
      await this.pool.query(
        statement.text(
          `SELECT CASE WHEN (SELECT count(*) FROM ${moved}) = ${moves.length} THEN 0
                  ELSE (SELECT '${CHECKPOINT_NOT_MOVED}: ' || count(*) FROM ${moved})::integer END AS failed`,
        ),
        statement.values,
      );
    } catch (error) {
      if (!String((error as Error).message).includes(CHECKPOINT_NOT_MOVED)) throw error;
      const checkpoints = await readCheckpoints(
        this.pool,
        moves.map((m) => m.projection),
      );
      const missing = moves.find((m) => !checkpoints.has(m.projection));
      if (missing) throw new MissingCheckpointError(missing.projection);
      throw new Error(
        `${moves.map((m) => m.projection).join(', ')}: a checkpoint is no longer at ${formatPosition(from)}; another writer moved it`,
        { cause: error },
      );
    }
  }
}

const CHECKPOINT_NOT_MOVED = 'tongban replay: a checkpoint did not move';
