import type { Pool } from 'pg';
import {
  START,
  type EventStore,
  type GlobalFilter,
  type GlobalPosition,
  type RecordedEvent,
  type StoreSubscription,
} from '@tongban/event-store';
import type { AnyProjection } from '../projection';
import { applyInTransaction, type ApplyTarget } from './apply';
import { ensureCheckpoint, lowestCheckpoint, readCheckpoints } from './projection-sql';

export interface RunnerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface ProjectionRunnerOptions {
  readonly pool: Pool;
  readonly store: EventStore;
  readonly projections: readonly AnyProjection[];
  /** Most events per transaction. Default 500. */
  readonly batchSize?: number;
  /** Back-off after a failed batch, doubling up to `maxRetryDelayMs`. Default 500 ms → 30 s. */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  readonly logger?: RunnerLogger;
  /**
   * Told after every commit: in-process consistency waits wake on it, and a CommitNotifier
   * passes it on to other processes.
   */
  readonly commits?: { notify(): void };
}

export interface RunnerStatus {
  readonly running: boolean;
  readonly caughtUp: boolean;
  readonly position: GlobalPosition;
  readonly eventsApplied: number;
  readonly batches: number;
  readonly failures: number;
  /** Failed batches since the last one that committed: the runner is stuck while this grows. */
  readonly consecutiveFailures: number;
  /** When the current run of failures began (null while batches commit). */
  readonly failingSince: Date | null;
  readonly lastError: string | null;
}

const silent: RunnerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Keeps the live read models up to date from the event store: ONE catch-up subscription from
 * the lowest checkpoint, events gathered into batches, each batch applied to every projection in
 * one transaction with their checkpoints. A failed batch rolls back, the subscription stops, and
 * after a back-off the runner resumes from the checkpoints in the database — nothing is applied
 * twice and nothing is skipped.
 *
 * Events arrive one by one from the subscription; a batch closes when it is full or when the
 * subscription has handed over everything it read (a `setImmediate` runs only once the loop
 * waits on I/O), so a lone command becomes visible after one short transaction.
 */
export class ProjectionRunner {
  private readonly batchSize: number;
  private readonly logger: RunnerLogger;
  private readonly columnCache = new Map<string, string[]>();
  private subscription: StoreSubscription | undefined;
  private buffer: RecordedEvent[] = [];
  private chain: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private running = false;
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelay: number;
  private state = {
    position: START,
    eventsApplied: 0,
    batches: 0,
    failures: 0,
    consecutiveFailures: 0,
    failingSince: null as Date | null,
    lastError: null as string | null,
  };

  constructor(private readonly options: ProjectionRunnerOptions) {
    this.batchSize = options.batchSize ?? 500;
    this.logger = options.logger ?? silent;
    this.retryDelay = options.retryDelayMs ?? 500;
  }

  get projections(): readonly AnyProjection[] {
    return this.options.projections;
  }

  get status(): RunnerStatus {
    return {
      running: this.running,
      caughtUp: (this.subscription?.caughtUp ?? false) && this.buffer.length === 0,
      ...this.state,
    };
  }

  /**
   * How far the read models trail the store: visible events past the runner's position (that its
   * filter takes), and the age of the oldest of them. Counting is a scan, so this is for metrics
   * scrapes, not for a hot path.
   */
  async lag(now = new Date()): Promise<{ events: number; seconds: number }> {
    const after = this.state.position;
    const filter = this.filter();
    const [next, events] = await Promise.all([
      this.options.store.readAll({ after, maxCount: 1, ...(filter ? { filter } : {}) }),
      this.options.store.countAll({ after, ...(filter ? { filter } : {}) }),
    ]);
    const oldest = next.events[0];
    const seconds = oldest ? Math.max(0, (now.getTime() - oldest.recordedAt.getTime()) / 1000) : 0;
    return { events, seconds };
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const client = await this.options.pool.connect();
    try {
      for (const p of this.options.projections) await ensureCheckpoint(client, p.name);
    } finally {
      client.release();
    }
    await this.subscribe();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.retryTimer);
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.chain.catch(() => undefined);
  }

  private async subscribe(): Promise<void> {
    const names = this.options.projections.map((p) => p.name);
    const from = lowestCheckpoint(await readCheckpoints(this.options.pool, names), names);
    this.state.position = from;
    const generation = ++this.generation;
    this.buffer = [];
    const subscription = this.options.store.subscribe(
      { after: from, filter: this.filter(), batchSize: this.batchSize },
      async (event) => {
        if (generation !== this.generation) return;
        this.buffer.push(event);
        if (this.buffer.length >= this.batchSize) await this.flush(generation);
        else this.scheduleFlush(generation);
      },
    );
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => this.failed(generation, error));
  }

  /** Every projection's filter, merged: a shared prefix when they agree, else everything. */
  private filter(): GlobalFilter | undefined {
    const prefixes = new Set(this.options.projections.map((p) => p.filter.streamPrefix));
    const [only] = prefixes;
    return prefixes.size === 1 && only !== undefined ? { streamPrefix: only } : undefined;
  }

  private scheduleFlush(generation: number): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush(generation).catch(() => undefined);
    });
  }

  /** Batches go one after another, in order, however they were triggered. */
  private flush(generation: number): Promise<void> {
    const next = this.chain.then(async () => {
      if (generation !== this.generation || this.buffer.length === 0) return;
      const batch = this.buffer;
      this.buffer = [];
      try {
        const targets: ApplyTarget[] = this.options.projections.map((projection) => ({
          projection,
          checkpoint: projection.name,
          suffix: '',
        }));
        const result = await applyInTransaction(this.options.pool, targets, batch, {
          columnCache: this.columnCache,
        });
        this.state.position = batch[batch.length - 1]!.position;
        this.state.eventsApplied += result.applied;
        this.state.batches += 1;
        this.state.consecutiveFailures = 0;
        this.state.failingSince = null;
        this.retryDelay = this.options.retryDelayMs ?? 500;
        this.options.commits?.notify();
      } catch (error) {
        this.failed(generation, error);
        throw error;
      }
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private failed(generation: number, error: unknown): void {
    if (generation !== this.generation || !this.running) return;
    this.generation += 1;
    this.state.failures += 1;
    this.state.consecutiveFailures += 1;
    this.state.failingSince ??= new Date();
    this.state.lastError = error instanceof Error ? error.message : String(error);
    const delay = this.retryDelay;
    this.retryDelay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 30_000);
    this.logger.error(
      `Projection batch failed (${this.state.lastError}); resuming from the checkpoints in ${delay} ms`,
    );
    const subscription = this.subscription;
    this.subscription = undefined;
    void subscription?.stop();
    this.retryTimer = setTimeout(() => {
      if (!this.running) return;
      this.subscribe().catch((e: unknown) => this.failed(this.generation, e));
    }, delay);
  }
}
