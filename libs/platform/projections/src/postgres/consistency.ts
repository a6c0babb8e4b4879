import type { Pool } from 'pg';
import { comparePositions, type ChangeSignal, type GlobalPosition } from '@tongban/event-store';
import { lowestCheckpoint, readCheckpoints } from './projection-sql';

export interface ConsistencyResult {
  /** True when every read model asked for had reached the position before the deadline. */
  readonly reached: boolean;
  /** The lowest checkpoint among them when the answer was given. */
  readonly position: GlobalPosition;
}

/**
 * "Read your writes" for queries: a command returns the global position of its events; a query
 * that passes it waits, up to a bound, until the read models it reads have applied it. Waking is
 * in-process when the projections run in the same process (standalone) and by polling the
 * checkpoints otherwise.
 */
export class ReadModelConsistency {
  constructor(
    private readonly pool: Pool,
    private readonly commits?: ChangeSignal,
    private readonly pollIntervalMs = 20,
  ) {}

  async position(projections: readonly string[]): Promise<GlobalPosition> {
    return lowestCheckpoint(await readCheckpoints(this.pool, projections), projections);
  }

  async waitFor(
    projections: readonly string[],
    target: GlobalPosition,
    timeoutMs: number,
  ): Promise<ConsistencyResult> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const seen = this.commits?.version;
      const position = await this.position(projections);
      if (comparePositions(position, target) >= 0) return { reached: true, position };
      const left = deadline - performance.now();
      if (left <= 0) return { reached: false, position };
      const wait = Math.min(left, this.pollIntervalMs);
      await (this.commits ? this.commits.wait(wait, seen) : sleep(wait));
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());
