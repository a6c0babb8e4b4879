import type { Pool, PoolClient } from 'pg';
import { comparePositions, type GlobalPosition, type RecordedEvent } from '@tongban/event-store';
import { runBatch, watches } from '../batch';
import type { AnyProjection } from '../projection';
import { ProjectionSql, checkpointOrStart, ident, readCheckpoints } from './projection-sql';

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
  const positions = new Map<string, GlobalPosition>();
  let applied = 0;
  let duplicates = 0;
  const last = events.length > 0 ? events[events.length - 1]!.position : undefined;
  const end = options.upTo && (!last || comparePositions(options.upTo, last) > 0) ? options.upTo : last;
  const fresh = new Map<ApplyTarget, RecordedEvent[]>();
  for (const target of targets) {
    if (!checkpoints.has(target.checkpoint)) {
      throw new MissingCheckpointError(target.checkpoint);
    }
    const from = checkpointOrStart(checkpoints, target.checkpoint);
    positions.set(target.checkpoint, from);
    fresh.set(
      target,
      events.filter((e) => comparePositions(e.position, from) > 0),
    );
  }
  // Round trips are what a small batch costs (one event on standalone's single connection), so
  // every projection's stream versions come in one query and every checkpoint goes in one.
  const versions = await loadAllStreamVersions(client, targets, fresh);
  const moved: Array<{ projection: string; tx: string; seq: string; applied: number }> = [];
  for (const target of targets) {
    const mine = fresh.get(target)!;
    const from = positions.get(target.checkpoint)!;
    if (mine.length > 0) {
      const sql = new ProjectionSql(
        client,
        target.projection,
        target.suffix,
        options.columnCache ?? new Map<string, string[]>(),
        versions.get(target)!,
      );
      const outcome = await runBatch(target.projection, mine, sql);
      await sql.write(outcome.changes);
      applied += outcome.applied;
      duplicates += outcome.duplicates;
      moved.push({
        projection: target.checkpoint,
        tx: end!.tx.toString(),
        seq: end!.seq.toString(),
        applied: outcome.applied,
      });
      positions.set(target.checkpoint, end!);
    } else if (end && comparePositions(end, from) > 0) {
      moved.push({
        projection: target.checkpoint,
        tx: end.tx.toString(),
        seq: end.seq.toString(),
        applied: 0,
      });
      positions.set(target.checkpoint, end);
    }
    duplicates += events.length - mine.length;
  }
  if (moved.length > 0) {
    await client.query(
      `UPDATE projection_checkpoints c
          SET position_tx = x.tx, position_seq = x.seq, events_applied = c.events_applied + x.applied,
              updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS x(projection text, tx bigint, seq bigint, applied bigint)
        WHERE c.projection = x.projection`,
      [JSON.stringify(moved)],
    );
  }
  return { positions, applied, duplicates };
}

/** The recorded versions of the batch's streams, for every target, in one statement. */
async function loadAllStreamVersions(
  client: PoolClient,
  targets: readonly ApplyTarget[],
  fresh: ReadonlyMap<ApplyTarget, readonly RecordedEvent[]>,
): Promise<Map<ApplyTarget, Map<string, number>>> {
  const parts: string[] = [];
  const values: string[][] = [];
  const wanted: ApplyTarget[] = [];
  for (const target of targets) {
    const streams = [
      ...new Set(
        fresh
          .get(target)!
          .filter((e) => watches(target.projection, e))
          .map((e) => e.streamId),
      ),
    ];
    if (streams.length === 0) continue;
    values.push(streams);
    parts.push(
      `SELECT ${wanted.length} AS i, stream_id, version FROM ${ident(target.projection.streamsTable + target.suffix)}
        WHERE stream_id = ANY ($${values.length}::text[])`,
    );
    wanted.push(target);
  }
  const out = new Map<ApplyTarget, Map<string, number>>(targets.map((t) => [t, new Map()]));
  if (parts.length === 0) return out;
  const { rows } = await client.query<{ i: number; stream_id: string; version: number }>(
    parts.join(' UNION ALL '),
    values,
  );
  for (const row of rows) out.get(wanted[row.i]!)!.set(row.stream_id, row.version);
  return out;
}
