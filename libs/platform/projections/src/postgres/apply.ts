import type { Pool, PoolClient } from 'pg';
import { comparePositions, type GlobalPosition, type RecordedEvent } from '@tongban/event-store';
import { runBatch } from '../batch';
import type { AnyProjection } from '../projection';
import { ProjectionSql, checkpointOrStart, readCheckpoints, writeCheckpoint } from './projection-sql';

export interface ApplyTarget {
  readonly projection: AnyProjection;
  /** The checkpoint row: the projection's name, or `<name>@rebuild` for a rebuild. */
  readonly checkpoint: string;
  /** Physical table suffix: '' for the live tables. */
  readonly suffix: string;
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
  const positions = new Map<string, GlobalPosition>();
  let applied = 0;
  let duplicates = 0;
  const last = events.length > 0 ? events[events.length - 1]!.position : undefined;
  const end = options.upTo && (!last || comparePositions(options.upTo, last) > 0) ? options.upTo : last;
  for (const target of targets) {
    if (!checkpoints.has(target.checkpoint)) {
      throw new Error(`No checkpoint row ${target.checkpoint}: ensureCheckpoint() first`);
    }
    const from = checkpointOrStart(checkpoints, target.checkpoint);
    positions.set(target.checkpoint, from);
    const fresh = events.filter((e) => comparePositions(e.position, from) > 0);
    if (fresh.length > 0) {
      const sql = new ProjectionSql(client, target.projection, target.suffix, options.columnCache);
      const outcome = await runBatch(target.projection, fresh, sql);
      await sql.write(outcome.changes);
      applied += outcome.applied;
      duplicates += outcome.duplicates;
      await writeCheckpoint(client, target.checkpoint, end!, outcome.applied);
      positions.set(target.checkpoint, end!);
    } else if (end && comparePositions(end, from) > 0) {
      await writeCheckpoint(client, target.checkpoint, end, 0);
      positions.set(target.checkpoint, end);
    }
    duplicates += events.length - fresh.length;
  }
  return { positions, applied, duplicates };
}
