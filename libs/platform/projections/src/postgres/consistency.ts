import type { Pool } from 'pg';
import { TongbanError } from '@tongban/errors';
import { comparePositions, type EventStore, type GlobalPosition } from '@tongban/event-store';
import type { CommitSignal } from './commit-notifications';
import { lowestCheckpoint, readCheckpoints } from './projection-sql';

/** A consistency token no transaction of the store can have written: waiting for it is pointless. */
export class PositionAheadError extends TongbanError {
  readonly code = 'query.position_ahead';
  readonly kind = 'validation';
}

export interface ConsistencyResult {
  /** True when every read model asked for had reached the position before the deadline. */
  readonly reached: boolean;
  /** The lowest checkpoint among them when the answer was given. */
  readonly position: GlobalPosition;
}

export interface ReadModelConsistencyOptions {
  readonly pool: Pool;
  /** The store whose positions the tokens name (on the same PostgreSQL database). */
  readonly store: Pick<EventStore, 'headPosition'>;
  /**
   * Wakes a waiting query when projections commit: in-process where the runner runs here
   * (standalone), a LISTEN connection where it runs elsewhere (api). Without it, waits poll.
   * When it also knows the committed checkpoints (`known`), a wait they already answer reads
   * nothing: on standalone's single connection every statement queues behind the others.
   */
  readonly commits?: CommitSignal;
  /**
   * Longest sleep between two looks at the checkpoints. With `commits` this is only the fallback
   * for a lost wake-up (default 500 ms); without, the polling itself (default 20 ms).
   */
  readonly pollIntervalMs?: number;
}

/**
 * "Read your writes" for queries: a command returns the global position of its events; a query
 * that passes it waits, up to a bound, until the read models it reads have applied it. The wait
 * wakes on the commit signal and polls slowly only as a fallback. A position that no transaction
 * of the store can have written is refused at once (`query.position_ahead`) rather than waited
 * for.
 */
export class ReadModelConsistency {
  private readonly pool: Pool;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: ReadModelConsistencyOptions) {
    this.pool = options.pool;
    this.pollIntervalMs = options.pollIntervalMs ?? (options.commits ? 500 : 20);
  }

  async position(projections: readonly string[]): Promise<GlobalPosition> {
    return lowestCheckpoint(await readCheckpoints(this.pool, projections), projections);
  }

  /** Throws PositionAheadError when `target` cannot be the position of anything committed. */
  async waitFor(
    projections: readonly string[],
    target: GlobalPosition,
    timeoutMs: number,
  ): Promise<ConsistencyResult> {
    const deadline = performance.now() + timeoutMs;
    const commits = this.options.commits;
    let vetted = false;
    for (;;) {
      const seen = commits?.version;
      const known = commits?.known?.(projections);
      if (known && comparePositions(known, target) >= 0) return { reached: true, position: known };
      const position = await this.position(projections);
      if (comparePositions(position, target) >= 0) return { reached: true, position };
      // Only a position the read models have not reached can be bogus; checked once per wait.
      if (!vetted) {
        await this.refuseImpossible(target);
        vetted = true;
      }
      const left = deadline - performance.now();
      if (left <= 0) return { reached: false, position };
      const wait = Math.min(left, this.pollIntervalMs);
      await (commits ? commits.wait(wait, seen) : sleep(wait));
    }
  }

  /**
   * Positions are (transaction id, sequence), and the store's head is read below the visibility
   * horizon — the oldest transaction still running anywhere in the cluster (`xmin`). So a token a
   * command returned a moment ago can be AHEAD of the head while an older transaction is open
   * elsewhere: comparing with the head alone would refuse real tokens. What is certain:
   *
   * - a transaction id at or beyond `xmax` (the next id PostgreSQL will hand out) has not even
   *   started, so no command can have returned it: impossible;
   * - a transaction id below `xmin` has ended, so whatever it committed is below the horizon and
   *   at or before the head; beyond the head, it is impossible (an invented sequence number);
   * - between the two, the transaction may have committed and not be visible in the global log
   *   yet: that is the fresh token the wait exists for, so it waits (bounded as ever).
   *
   * The snapshot is read first and the head after it: the head's horizon is then at least `xmin`,
   * so everything below `xmin` is in it. Transaction ids are 64-bit (xid8): no wraparound.
   */
  private async refuseImpossible(target: GlobalPosition): Promise<void> {
    const { rows } = await this.pool.query<{ xmin: string; xmax: string }>(
      `SELECT pg_snapshot_xmin(s)::text AS xmin, pg_snapshot_xmax(s)::text AS xmax
         FROM pg_current_snapshot() AS s`,
    );
    const horizon = rows[0];
    if (!horizon) return;
    const xmin = BigInt(horizon.xmin);
    const xmax = BigInt(horizon.xmax);
    if (target.tx < xmax) {
      if (target.tx >= xmin) return;
      const head = await this.options.store.headPosition();
      if (comparePositions(target, head) <= 0) return;
    }
    throw new PositionAheadError(
      // Not echoed: a token is opaque, and a legacy one may not even fit a position.
      'The position passed as `after` is beyond anything the event store holds; ' +
        'pass the position a command returned (or a consistency.position a query answered).',
      [{ field: 'after', reason: 'ahead', message: 'no command has returned this position' }],
    );
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
