import { Client, type ClientConfig, type Pool } from 'pg';
import {
  LocalChangeSignal,
  comparePositions,
  formatPosition,
  parsePosition,
  type ChangeSignal,
  type GlobalPosition,
} from '@tongban/event-store';

/** The PostgreSQL channel a projector announces its commits on. */
export const READ_MODELS_COMMITTED = 'tongban_read_models_committed';

/**
 * A commit signal that may also say how far the read models' checkpoints have committed, so a
 * consistency wait can answer without reading them (ReadModelConsistency).
 */
export interface CommitSignal extends ChangeSignal {
  /** The lowest committed checkpoint known among `projections`; undefined when one is unknown. */
  known?(projections: readonly string[]): GlobalPosition | undefined;
}

/**
 * Checkpoints the runner has committed, by read model: each only moves forward, as the rows do
 * (a rebuild swaps in only at or beyond the live checkpoint). So every value here is at most what
 * the database holds: a wait answered from it is never answered too early.
 */
export class CommittedPositions {
  private readonly byName = new Map<string, GlobalPosition>();

  record(positions: Iterable<readonly [string, GlobalPosition]>): void {
    for (const [name, position] of positions) {
      const current = this.byName.get(name);
      if (!current || comparePositions(position, current) > 0) this.byName.set(name, position);
    }
  }

  lowest(projections: readonly string[]): GlobalPosition | undefined {
    let lowest: GlobalPosition | undefined;
    for (const name of projections) {
      const at = this.byName.get(name);
      if (!at) return undefined;
      if (!lowest || comparePositions(at, lowest) < 0) lowest = at;
    }
    return lowest;
  }

  /** A NOTIFY payload: `{ "<read model>": "<position token>" }` (well under the 8,000-byte limit). */
  toPayload(): string {
    return positionsPayload(this.byName);
  }

  /** Reads a payload; anything it does not understand is ignored (the waits then read the rows). */
  recordPayload(payload: string): void {
    try {
      const parsed: unknown = JSON.parse(payload);
      if (typeof parsed !== 'object' || parsed === null) return;
      const positions: Array<[string, GlobalPosition]> = [];
      for (const [name, token] of Object.entries(parsed)) {
        if (typeof token === 'string') positions.push([name, parsePosition(token)]);
      }
      this.record(positions);
    } catch {
      // Not ours, or from another version: a wake-up without positions.
    }
  }
}

function positionsPayload(positions: ReadonlyMap<string, GlobalPosition>): string {
  return JSON.stringify(Object.fromEntries([...positions].map(([name, p]) => [name, formatPosition(p)])));
}

/** In-process (standalone, the projector's own queries): the runner's commits, with positions. */
export class LocalCommitSignal extends LocalChangeSignal implements CommitSignal {
  private readonly positions = new CommittedPositions();

  committed(positions?: ReadonlyMap<string, GlobalPosition>): void {
    if (positions) this.positions.record(positions);
    this.notify();
  }

  known(projections: readonly string[]): GlobalPosition | undefined {
    return this.positions.lowest(projections);
  }
}

/**
 * The projector's side: a NOTIFY after its batches commit, so queries waiting in other processes
 * (the api) wake at once. At most one is in flight; commits made meanwhile get ONE more, sent as
 * soon as it returns. Unlike the event store's appends (many writers, CoalescedNotifier's
 * 10 ms spacing), there is one writer here whose batches already come one after another, and
 * every millisecond a notification waits is added to a waiting query's answer.
 */
export class CommitNotifier {
  private notifying = false;
  private again = false;
  private closed = false;
  /**
   * The runner's last commit's checkpoints, sent along (the latest at send time) so the
   * listeners' waits need not read the rows. Overwritten, not kept at the highest: after a
   * failover the runner resumes from what the new primary holds, and says so.
   */
  private readonly positions = new Map<string, GlobalPosition>();

  constructor(
    private readonly pool: Pool,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  notify(positions?: ReadonlyMap<string, GlobalPosition>): void {
    if (this.closed) return;
    if (positions) for (const [name, position] of positions) this.positions.set(name, position);
    if (this.notifying) {
      this.again = true;
      return;
    }
    this.notifying = true;
    void this.pool
      .query('SELECT pg_notify($1, $2)', [READ_MODELS_COMMITTED, positionsPayload(this.positions)])
      .catch((error: Error) => this.onError(error))
      .finally(() => {
        this.notifying = false;
        if (!this.again) return;
        this.again = false;
        this.notify();
      });
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * The query side's: LISTEN on a dedicated connection (never one of the pool's, which queries
 * need, and never where the database has only one: standalone wakes in-process instead), turned
 * into a ChangeSignal the consistency waits sleep on. A broken connection is reopened after
 * `retryMs`; meanwhile the waits fall back to their poll. Each (re)connection counts as a change,
 * so a commit announced while nobody listened is looked for at once.
 */
export class CommitListener implements CommitSignal {
  private readonly changes = new LocalChangeSignal();
  /** Forgotten with the connection: after a failover the new primary may hold less. */
  private positions = new CommittedPositions();
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private connected = false;
  private closed = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly options: { readonly onError?: (error: Error) => void; readonly retryMs?: number } = {},
  ) {}

  get version(): number {
    return this.changes.version;
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.connected;
  }

  wait(timeoutMs: number, seen?: number): Promise<void> {
    return this.changes.wait(timeoutMs, seen);
  }

  known(projections: readonly string[]): GlobalPosition | undefined {
    return this.positions.lowest(projections);
  }

  /** Connects and listens; resolves when listening or when the first attempt failed (it retries). */
  async start(): Promise<void> {
    if (this.closed || this.client) return;
    const client = new Client(this.config);
    this.client = client;
    this.connected = false;
    client.on('error', (error: Error) => this.fail(client, error));
    client.on('notification', (message) => {
      if (message.payload) this.positions.recordPayload(message.payload);
      this.changes.notify();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_MODELS_COMMITTED}`);
      if (this.client !== client) return;
      this.connected = true;
      this.changes.notify();
    } catch (error) {
      this.fail(client, error instanceof Error ? error : new Error(String(error)));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private fail(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.connected = false;
    this.positions = new CommittedPositions();
    this.options.onError?.(error);
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.retry = setTimeout(() => void this.start(), this.options.retryMs ?? 1_000);
    this.retry.unref();
  }
}
