import type { Pool } from 'pg';
import {
  START,
  comparePositions,
  type EventStore,
  type GlobalFilter,
  type GlobalPosition,
  type RecordedEvent,
  type StoreSubscription,
} from '@tongban/event-store';
import { sharedFilter, type AnyProjection } from '../projection';
import { ProjectionEventError, ProjectionGapError } from '../projection-event-error';
import { applyInTransaction, type ApplyTarget } from './apply';
import { checkpointOrStart, ensureCheckpoint, lowestCheckpoint, readCheckpoints } from './projection-sql';

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
   * Told after every commit, with the checkpoints it committed: in-process consistency waits wake
   * on it (and answer from the positions), and a CommitNotifier passes it on to other processes.
   */
  readonly commits?: { notify(positions?: ReadonlyMap<string, GlobalPosition>): void };
  /**
   * Read the store again right after each commit (default: when the pool has more than one
   * connection). Events committed while a batch's transaction was open stay invisible until it
   * ends — the global log shows an event only below the oldest running transaction, and a batch
   * holds one — so the subscription's look at their wake-up found nothing and backs off (10 ms,
   * doubling). This look takes them at once. Pointless on a single-connection database, where no
   * transaction is open while another client reads.
   */
  readonly lookAfterCommit?: boolean;
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
  /**
   * Projections stopped alone at an event they cannot apply while the others go on: each waits
   * at its checkpoint and is retried with back-off.
   */
  readonly stopped: readonly StoppedProjection[];
  /** Stream gaps detected (ProjectionGapError), by projection, since start. */
  readonly gaps: Readonly<Record<string, number>>;
  /** Why the driver cannot go on, when it knows better than a count of failed batches (Kafka). */
  readonly stuck?: string;
}

/** What runs the projections in a deployable: the store's runner or the Kafka projector. */
export interface ProjectionDriver {
  readonly projections: readonly AnyProjection[];
  readonly status: RunnerStatus;
  lag(): Promise<{ events: number; seconds: number }>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A projection the runner stopped alone (ADR 0017). */
export interface StoppedProjection {
  readonly projection: string;
  /** Its checkpoint: it resumes right after it, nothing skipped. */
  readonly position: GlobalPosition;
  readonly since: Date;
  /** Failed attempts: the batch that stopped it, then every retry. */
  readonly attempts: number;
  readonly nextRetryAt: Date;
  readonly error: string;
  /** The event it could not apply, when the failure names one. */
  readonly event: {
    readonly streamId: string;
    readonly version: number;
    readonly type: string;
    readonly position: string;
  } | null;
}

interface StoppedState {
  position: GlobalPosition;
  since: Date;
  attempts: number;
  nextRetryAt: Date;
  error: string;
  event: StoppedProjection['event'];
  delay: number;
  timer: NodeJS.Timeout | undefined;
}

/** Pages a stopped projection's retry applies before letting the live batches go on. */
const CATCH_UP_PAGES_PER_TURN = 10;

const silent: RunnerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Keeps the live read models up to date from the event store: ONE catch-up subscription from
 * the lowest checkpoint, events gathered into batches, each batch applied to every projection in
 * one transaction with their checkpoints. Nothing is applied twice and nothing is skipped.
 *
 * A failed batch is retried once per projection, each in its own transaction (ADR 0017): those
 * that succeed commit and go on; one that fails again is stopped alone at its checkpoint (its
 * event, error and position in `status.stopped`) and retried with back-off, catching up from its
 * checkpoint to where the others are before it rejoins their batches. When every projection fails
 * (the database, not a projection), the whole batch rolls back, the subscription stops, and after
 * a back-off the runner resumes from the checkpoints in the database.
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
  /** The last event taken into a batch: nothing at or before it is taken again. */
  private taken: GlobalPosition = START;
  /** The look after a commit in flight, if any (see lookAgain). */
  private looking: Promise<void> | undefined;
  private readonly lookAfterCommit: boolean;
  private chain: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private running = false;
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  /** A retry's resubscription in flight (its checkpoint read), settled or not; never rejects. */
  private resubscribing: Promise<void> = Promise.resolve();
  private retryDelay: number;
  private readonly stopped = new Map<string, StoppedState>();
  private readonly gaps: Record<string, number> = {};
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
    this.lookAfterCommit = options.lookAfterCommit ?? (options.pool.options?.max ?? 10) > 1;
  }

  get projections(): readonly AnyProjection[] {
    return this.options.projections;
  }

  get status(): RunnerStatus {
    return {
      running: this.running,
      caughtUp: (this.subscription?.caughtUp ?? false) && this.buffer.length === 0 && this.stopped.size === 0,
      ...this.state,
      stopped: [...this.stopped].map(([projection, s]) => ({
        projection,
        position: s.position,
        since: s.since,
        attempts: s.attempts,
        nextRetryAt: s.nextRetryAt,
        error: s.error,
        event: s.event,
      })),
      gaps: { ...this.gaps },
    };
  }

  /**
   * How far the read models trail the store: visible events past the runner's position (that its
   * filter takes), and the age of the oldest of them. Counting is a scan, so this is for metrics
   * scrapes, not for a hot path.
   */
  async lag(now = new Date()): Promise<{ events: number; seconds: number }> {
    // A stopped projection trails the others: the lag is the furthest behind.
    let after = this.state.position;
    for (const s of this.stopped.values()) if (comparePositions(s.position, after) < 0) after = s.position;
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
    for (const s of this.stopped.values()) clearTimeout(s.timer);
    // A retry reading the checkpoints opens no subscription once stopped; wait for it to see that.
    await this.resubscribing;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.stop();
    await this.looking;
    await this.chain.catch(() => undefined);
  }

  private async subscribe(): Promise<void> {
    const names = this.options.projections.map((p) => p.name);
    const from = lowestCheckpoint(await readCheckpoints(this.options.pool, names), names);
    // Stopped while reading them: a subscription opened now would outlive stop().
    if (!this.running) return;
    this.state.position = from;
    const generation = ++this.generation;
    this.buffer = [];
    this.taken = from;
    const subscription = this.options.store.subscribe(
      { after: from, filter: this.filter(), batchSize: this.batchSize },
      async (event) => {
        if (generation !== this.generation || !this.take(event)) return;
        if (this.buffer.length >= this.batchSize) await this.flush(generation);
        else this.scheduleFlush(generation);
      },
    );
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => this.failed(generation, error));
  }

  /**
   * Into the next batch, unless already taken: the subscription and the look after a commit
   * (lookAgain) both read the log in order, so an event either delivers twice is dropped here.
   */
  private take(event: RecordedEvent): boolean {
    if (comparePositions(event.position, this.taken) <= 0) return false;
    this.buffer.push(event);
    this.taken = event.position;
    return true;
  }

  /**
   * After a commit, read on from the last event taken (lookAfterCommit): what other transactions
   * committed while the batch was open is visible now. Everything below the visibility horizon
   * is final, so this look and the subscription never see different histories; the subscription
   * goes on as before, and an empty look costs one short read.
   */
  private lookAgain(generation: number): void {
    if (!this.lookAfterCommit || this.looking || !this.running || this.buffer.length > 0) return;
    const filter = this.filter();
    this.looking = this.options.store
      .readAll({ after: this.taken, maxCount: this.batchSize, ...(filter ? { filter } : {}) })
      .then((page) => {
        if (generation !== this.generation || !this.running) return;
        for (const event of page.events) this.take(event);
        if (this.buffer.length > 0) this.scheduleFlush(generation);
      })
      // Only a wake-up is lost: the subscription reads on (and reports its own failures).
      .catch(() => undefined)
      .finally(() => {
        this.looking = undefined;
      });
  }

  /** Every projection's filter, merged: a shared prefix when they agree, else everything. */
  private filter(): GlobalFilter | undefined {
    return sharedFilter(this.options.projections);
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
      const targets: ApplyTarget[] = this.options.projections
        .filter((projection) => !this.stopped.has(projection.name))
        .map((projection) => ({ projection, checkpoint: projection.name, suffix: '' }));
      try {
        // The happy path: every projection in ONE transaction.
        const result = await applyInTransaction(this.options.pool, targets, batch, {
          columnCache: this.columnCache,
        });
        this.committed(batch, result.applied, result.positions);
      } catch (error) {
        if (targets.length <= 1) this.countGap(error);
        const isolated = targets.length > 1 ? await this.isolate(targets, batch) : undefined;
        if (isolated === undefined) {
          this.failed(generation, error);
          throw error;
        }
        this.committed(batch, isolated.applied, isolated.positions);
      }
      this.lookAgain(generation);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private committed(
    batch: readonly RecordedEvent[],
    applied: number,
    positions: ReadonlyMap<string, GlobalPosition>,
  ): void {
    this.state.position = batch[batch.length - 1]!.position;
    this.state.eventsApplied += applied;
    this.state.batches += 1;
    this.state.consecutiveFailures = 0;
    this.state.failingSince = null;
    this.retryDelay = this.options.retryDelayMs ?? 500;
    this.options.commits?.notify(positions);
  }

  /**
   * After a failed batch: the same batch once per projection, each in its own transaction. Those
   * that commit go on; those that fail again are stopped alone. Undefined when none committed:
   * then the fault is not one projection's, and the runner backs off as a whole.
   */
  private async isolate(
    targets: readonly ApplyTarget[],
    batch: readonly RecordedEvent[],
  ): Promise<{ applied: number; positions: ReadonlyMap<string, GlobalPosition> } | undefined> {
    const failures: Array<{ target: ApplyTarget; error: unknown }> = [];
    const positions = new Map<string, GlobalPosition>();
    let applied = 0;
    let committed = 0;
    for (const target of targets) {
      try {
        const result = await applyInTransaction(this.options.pool, [target], batch, {
          columnCache: this.columnCache,
        });
        applied += result.applied;
        committed += 1;
        for (const [name, position] of result.positions) positions.set(name, position);
      } catch (error) {
        this.countGap(error);
        failures.push({ target, error });
      }
    }
    if (committed === 0) return undefined;
    for (const { target, error } of failures) await this.stopAlone(target.projection, error);
    return { applied, positions };
  }

  private async stopAlone(projection: AnyProjection, error: unknown): Promise<void> {
    const name = projection.name;
    const position = checkpointOrStart(await readCheckpoints(this.options.pool, [name]), name);
    const delay = this.options.retryDelayMs ?? 500;
    this.stopped.set(name, {
      position,
      since: new Date(),
      attempts: 0,
      nextRetryAt: new Date(),
      error: '',
      event: null,
      delay,
      timer: undefined,
    });
    this.attemptFailed(name, error);
  }

  /** Records a failed attempt of a stopped projection and schedules its next retry. */
  private attemptFailed(name: string, error: unknown): void {
    const stopped = this.stopped.get(name);
    if (!stopped) return;
    this.state.failures += 1;
    stopped.attempts += 1;
    stopped.error = error instanceof Error ? error.message : String(error);
    stopped.event =
      error instanceof ProjectionEventError
        ? {
            streamId: error.streamId,
            version: error.version,
            type: error.eventType,
            position: error.position,
          }
        : null;
    const delay = stopped.delay;
    stopped.delay = Math.min(delay * 2, this.options.maxRetryDelayMs ?? 30_000);
    stopped.nextRetryAt = new Date(Date.now() + delay);
    this.logger.error(
      `Projection ${name} stopped alone (${stopped.error}); the others go on; retrying it from its checkpoint in ${delay} ms`,
    );
    this.scheduleRetry(name, delay);
  }

  private scheduleRetry(name: string, delay: number): void {
    const stopped = this.stopped.get(name);
    if (!stopped || !this.running) return;
    clearTimeout(stopped.timer);
    stopped.timer = setTimeout(() => {
      const next = this.chain.then(() => this.catchUp(name));
      this.chain = next.catch(() => undefined);
    }, delay);
  }

  /**
   * A stopped projection's retry, between the live batches: apply the store from its checkpoint
   * up to where the others are (a few pages per turn, so they are not held up), then rejoin.
   */
  private async catchUp(name: string): Promise<void> {
    const stopped = this.stopped.get(name);
    const projection = this.options.projections.find((p) => p.name === name);
    if (!stopped || !projection || !this.running) return;
    const until = this.state.position;
    const target: ApplyTarget = { projection, checkpoint: name, suffix: '' };
    const prefix = projection.filter.streamPrefix;
    try {
      let from = checkpointOrStart(await readCheckpoints(this.options.pool, [name]), name);
      for (let page = 0; page < CATCH_UP_PAGES_PER_TURN; page++) {
        stopped.position = from;
        if (comparePositions(from, until) >= 0) {
          this.resumed(name, stopped);
          return;
        }
        const read = await this.options.store.readAll({
          after: from,
          maxCount: this.batchSize,
          ...(prefix !== undefined ? { filter: { streamPrefix: prefix } } : {}),
        });
        const events = read.events.filter((e) => comparePositions(e.position, until) <= 0);
        const reached =
          read.caughtUp || events.length < read.events.length || comparePositions(read.next, until) >= 0;
        const upTo = reached ? until : read.next;
        const result = await applyInTransaction(this.options.pool, [target], events, {
          upTo,
          columnCache: this.columnCache,
        });
        this.state.eventsApplied += result.applied;
        from = upTo;
        this.options.commits?.notify(result.positions);
      }
      stopped.position = from;
      // Progress without a failure: keep going at once, after the live batch waiting, if any.
      setImmediate(() => this.scheduleRetry(name, 0));
    } catch (error) {
      this.countGap(error);
      this.attemptFailed(name, error);
    }
  }

  private resumed(name: string, stopped: StoppedState): void {
    clearTimeout(stopped.timer);
    this.stopped.delete(name);
    this.logger.log(
      `Projection ${name} caught up after ${stopped.attempts} failed attempt(s); running again`,
    );
  }

  private countGap(error: unknown): void {
    if (error instanceof ProjectionGapError)
      this.gaps[error.projection] = (this.gaps[error.projection] ?? 0) + 1;
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
      this.resubscribing = this.subscribe().catch((e: unknown) => this.failed(this.generation, e));
    }, delay);
  }
}
