import { LocalChangeSignal, SubscriptionSet } from './catch-up-subscription';
import {
  START,
  type AppendResult,
  type CountAllOptions,
  type EventHandler,
  type EventStore,
  type EventToAppend,
  type ExpectedVersion,
  type GlobalPosition,
  type JsonObject,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoreSubscription,
  type StreamState,
  type SubscribeOptions,
  type EventMetadata,
} from './event-store';
import { canonicalJson } from './canonical-json';
import { IdempotencyConflictError, WrongExpectedVersionError } from './errors';
import { comparePositions } from './position';
import {
  describeExpected,
  validateAppend,
  validateStreamId,
  WRITE_PROBE_STREAM,
  writeProbeEvent,
  type ValidatedEvent,
} from './validation';

interface Stored {
  readonly streamId: string;
  readonly version: number;
  readonly position: GlobalPosition;
}

export interface InMemoryEventStoreOptions {
  readonly pollIntervalMs?: number;
  /** The store's clock for `recordedAt`; tests inject a fixed one. */
  readonly now?: () => Date;
}

/**
 * An open write transaction, for tests that need to hold one open or roll it back (the
 * PostgreSQL adapter's harness does the same with a real transaction).
 */
export interface InMemoryTransaction {
  append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult>;
  commit(): void;
  rollback(): void;
}

/**
 * The event store in memory, for unit tests and as the reference model of the port. It models
 * what the PostgreSQL adapter guarantees, transactions included: a transaction gets its id at
 * its first write, after taking the stream's lock; readers of the global log see a committed
 * transaction only once no older transaction is still open, so a checkpoint is never passed
 * by an event that commits later.
 */
export class InMemoryEventStore implements EventStore {
  /** Committed events in global order. */
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, Stored>();
  private readonly open = new Set<bigint>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly changes = new LocalChangeSignal();
  private readonly subscriptions = new SubscriptionSet();
  private nextTx = 1n;
  private nextSeq = 1n;
  private readonly pollIntervalMs: number;
  private readonly now: () => Date;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.now = options.now ?? (() => new Date());
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const tx = this.begin();
    try {
      const result = await tx.append(streamId, events, expected);
      tx.commit();
      return result;
    } catch (error) {
      tx.rollback();
      throw error;
    }
  }

  begin(): InMemoryTransaction {
    let txId: bigint | undefined;
    const staged: RecordedEvent[] = [];
    const held = new Map<string, () => void>();
    let finished = false;
    const finish = (commit: boolean) => {
      if (finished) return;
      finished = true;
      if (commit) {
        for (const event of staged) {
          const stream = this.streams.get(event.streamId) ?? [];
          stream.push(event);
          this.streams.set(event.streamId, stream);
          this.byId.set(event.id, {
            streamId: event.streamId,
            version: event.version,
            position: event.position,
          });
          insertSorted(this.log, event);
        }
      }
      if (txId !== undefined) this.open.delete(txId);
      for (const release of held.values()) release();
      this.changes.notify();
    };
    return {
      append: async (streamId, events, expected) => {
        const valid = validateAppend(streamId, events, expected);
        if (!held.has(streamId)) held.set(streamId, await this.lock(streamId));
        if (valid.some((v) => this.byId.has(v.id))) return this.retried(streamId, valid);
        for (const v of valid) {
          if (staged.some((e) => e.id === v.id)) {
            throw new IdempotencyConflictError(`Event id ${v.id} is already used in this transaction.`);
          }
        }
        const current = this.currentVersion(streamId, staged);
        if (!matches(expected, current)) {
          throw new WrongExpectedVersionError(streamId, describeExpected(expected), current);
        }
        if (txId === undefined) {
          txId = this.nextTx++;
          this.open.add(txId);
        }
        const recordedAt = this.now();
        const appended = valid.map((v, i): RecordedEvent => ({
          id: v.id,
          type: v.type,
          streamId,
          version: current + i + 1,
          position: { tx: txId!, seq: this.nextSeq++ },
          data: JSON.parse(v.data) as JsonObject,
          metadata: JSON.parse(v.metadata) as EventMetadata,
          schemaVersion: v.schemaVersion,
          recordedAt,
        }));
        staged.push(...appended);
        const last = appended[appended.length - 1]!;
        return { nextExpectedVersion: last.version, position: last.position };
      },
      commit: () => finish(true),
      rollback: () => finish(false),
    };
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateStreamId(streamId);
    const events = this.streams.get(streamId) ?? [];
    const max = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (options.direction === 'backwards') {
      const from = options.fromVersion ?? Number.MAX_SAFE_INTEGER;
      return events
        .filter((e) => e.version <= from)
        .reverse()
        .slice(0, max);
    }
    const from = options.fromVersion ?? 1;
    return events.filter((e) => e.version >= from).slice(0, max);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? START;
    const max = options.maxCount ?? 500;
    const horizon = this.horizon();
    const visible = (e: RecordedEvent) => horizon === undefined || e.position.tx < horizon;
    const events: RecordedEvent[] = [];
    let head = after;
    for (const event of this.log) {
      if (!visible(event)) break;
      if (comparePositions(event.position, after) <= 0) continue;
      head = event.position;
      if (!passes(event, options)) continue;
      if (events.length === max)
        return { events, next: events[events.length - 1]!.position, caughtUp: false };
      events.push(event);
    }
    return { events, next: head, caughtUp: true };
  }

  async countAll(options: CountAllOptions = {}): Promise<number> {
    const after = options.after ?? START;
    const horizon = this.horizon();
    let count = 0;
    for (const event of this.log) {
      if (horizon !== undefined && event.position.tx >= horizon) break;
      if (comparePositions(event.position, after) > 0 && passes(event, options)) count += 1;
    }
    return count;
  }

  subscribe(options: SubscribeOptions, handler: EventHandler): StoreSubscription {
    return this.subscriptions.start(
      (o) => this.readAll(o),
      this.changes,
      { ...options, pollIntervalMs: this.pollIntervalMs },
      handler,
    );
  }

  async streamState(streamId: string): Promise<StreamState> {
    validateStreamId(streamId);
    const version = this.streams.get(streamId)?.length ?? 0;
    return { exists: version > 0, version };
  }

  /** Validates a probe event as an append would; memory has no other way to fail. */
  checkWritePath(): Promise<void> {
    validateAppend(WRITE_PROBE_STREAM, [writeProbeEvent()], 'no_stream');
    return Promise.resolve();
  }

  async headPosition(): Promise<GlobalPosition> {
    const horizon = this.horizon();
    for (let i = this.log.length - 1; i >= 0; i--) {
      const event = this.log[i]!;
      if (horizon === undefined || event.position.tx < horizon) return event.position;
    }
    return START;
  }

  async close(): Promise<void> {
    await this.subscriptions.stopAll();
  }

  /** Oldest open transaction: committed events at or after it are not yet visible. */
  private horizon(): bigint | undefined {
    let oldest: bigint | undefined;
    for (const tx of this.open) if (oldest === undefined || tx < oldest) oldest = tx;
    return oldest;
  }

  private currentVersion(streamId: string, staged: readonly RecordedEvent[]): number {
    const own = staged.filter((e) => e.streamId === streamId);
    return own.length > 0 ? own[own.length - 1]!.version : (this.streams.get(streamId)?.length ?? 0);
  }

  /**
   * A retry, recognised by content as the PostgreSQL adapter's `find_retried` does: the same
   * events (ids, types, schema versions, data) in the same order, to the same stream, all from one
   * earlier append (one transaction, consecutive versions). Metadata is not compared.
   */
  private retried(streamId: string, valid: readonly ValidatedEvent[]): AppendResult {
    const found = valid.map((v) => {
      const at = this.byId.get(v.id);
      return at && this.streams.get(at.streamId)?.[at.version - 1];
    });
    const same = found.every(
      (recorded, i) =>
        recorded !== undefined &&
        recorded.streamId === streamId &&
        recorded.type === valid[i]!.type &&
        recorded.schemaVersion === valid[i]!.schemaVersion &&
        canonicalJson(recorded.data) === canonicalJson(JSON.parse(valid[i]!.data)) &&
        recorded.position.tx === found[0]!.position.tx &&
        recorded.version - i === found[0]!.version,
    );
    // ...and all of that append, not a part of it.
    const whole =
      same &&
      (this.streams.get(streamId) ?? []).filter((e) => e.position.tx === found[0]!.position.tx).length ===
        valid.length;
    if (!whole) {
      throw new IdempotencyConflictError(
        `Event ids of this append are already in the store, written by a different append.`,
      );
    }
    const last = found[found.length - 1]!;
    return { nextExpectedVersion: last.version, position: last.position };
  }

  /** A per-stream lock held until the transaction ends, like the adapter's advisory lock. */
  private async lock(streamId: string): Promise<() => void> {
    const previous = this.locks.get(streamId) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const current = new Promise<void>((resolve) => (release = resolve));
    const chained = previous.then(() => current);
    this.locks.set(streamId, chained);
    await previous;
    return () => {
      release();
      if (this.locks.get(streamId) === chained) this.locks.delete(streamId);
    };
  }
}

function matches(expected: ExpectedVersion, current: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return current === 0;
  if (expected === 'stream_exists') return current > 0;
  return expected === current;
}

function passes(event: RecordedEvent, options: ReadAllOptions): boolean {
  const filter = options.filter;
  if (!filter) return true;
  if (filter.types && !filter.types.includes(event.type)) return false;
  if (filter.streamPrefix && !event.streamId.startsWith(filter.streamPrefix)) return false;
  return true;
}

function insertSorted(log: RecordedEvent[], event: RecordedEvent): void {
  let i = log.length;
  while (i > 0 && comparePositions(log[i - 1]!.position, event.position) > 0) i--;
  log.splice(i, 0, event);
}
