import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  START as ESDB_START,
  STREAM_EXISTS,
  excludeSystemEvents,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult as EsdbAppendResult,
  type ReadRevision,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { LocalChangeSignal, SubscriptionSet } from '../catch-up-subscription';
import {
  START,
  type AppendResult,
  type CountAllOptions,
  type EventHandler,
  type EventStore,
  type EventToAppend,
  type ExpectedVersion,
  type GlobalFilter,
  type GlobalPosition,
  type ReadAllOptions,
  type ReadAllResult,
  type ReadStreamOptions,
  type RecordedEvent,
  type StoreSubscription,
  type StreamState,
  type SubscribeOptions,
} from '../event-store';
import { IdempotencyConflictError, WrongExpectedVersionError } from '../errors';
import { comparePositions } from '../position';
import {
  describeExpected,
  validateAppend,
  validateStreamId,
  writeProbeEvent,
  type ValidatedEvent,
} from '../validation';
import { EventStoreUnavailableError } from './eventstoredb-errors';
import {
  fromEsdbPosition,
  fromEsdbRecorded,
  isSystemEvent,
  judgeRetry,
  mapClientError,
  planFilter,
  readPositionAfter,
  toEventData,
  toExpectedRevision,
  type EsdbRecorded,
  type MappedEvent,
} from './eventstoredb-mapping';

export interface EventStoreDbEventStoreOptions {
  /** An `esdb://` or `esdb+discover://` connection string (EVENTSTORE_URL). */
  readonly connectionString?: string;
  /** A client the caller made and keeps (not disposed on close). */
  readonly client?: EventStoreDBClient;
  /** Longest sleep of a subscriber between reads when no live wake-up arrives. */
  readonly pollIntervalMs?: number;
  /**
   * How long a filtered read of `$all` may go without a message from the server (an event, a
   * checkpoint, the caught-up signal) before it fails as unavailable.
   */
  readonly idleReadTimeoutMs?: number;
  /** Called when the live wake-up subscription fails; subscribers keep polling meanwhile. */
  readonly onLiveError?: (error: Error) => void;
}

/** Prefix of the streams the readiness probe names; a random suffix makes each one new. */
export const WRITE_PROBE_STREAM_PREFIX = 'tongban-write-probe-';

/** Page size of the scans behind headPosition and countAll. */
const SCAN_PAGE = 1_000;

/**
 * The EventStore port on EventStoreDB (ADR 0020), through @eventstore/db-client.
 *
 * - Appends map the expected version onto EventStoreDB's revisions (version n = revision n - 1)
 *   and carry the schema version and an append marker in the event's metadata.
 * - Idempotency: EventStoreDB only deduplicates recent writes by id, and answers "success" for a
 *   retry whose ids match, whatever its content. So the adapter checks: every acknowledged append
 *   reads its events back by revision (one read, which also gives the positions readers see) and
 *   compares them with what it sent; a wrong expected version reads the stream and compares. A
 *   retry of the same content answers the original result; other content under used ids is
 *   IdempotencyConflictError. Ids used in ANOTHER stream are not detected (no index by id).
 * - Positions: `$all`'s (commit, prepare) as (tx, seq).
 * - Caller transactions (`appendInTransaction`, `startStreamWith`) are PostgreSQL-only.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly ownsClient: boolean;
  private readonly changes = new LocalChangeSignal();
  private readonly subscriptions = new SubscriptionSet();
  private readonly pollIntervalMs: number;
  private readonly idleReadTimeoutMs: number;
  private live: AllStreamSubscription | undefined;
  private liveRetry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: EventStoreDbEventStoreOptions) {
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else if (options.connectionString) {
      this.client = EventStoreDBClient.connectionString(options.connectionString);
      this.ownsClient = true;
    } else {
      throw new Error('The EventStoreDB event store needs a connection string or a client.');
    }
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.idleReadTimeoutMs = options.idleReadTimeoutMs ?? 30_000;
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const valid = validateAppend(streamId, events, expected);
    const data = toEventData(valid);
    let response: EsdbAppendResult;
    try {
      response = await this.client.appendToStream(streamId, data, {
        expectedRevision: toExpectedRevision(expected),
      });
    } catch (error) {
      const mapped = mapClientError(error, { streamId, expected });
      if (mapped instanceof WrongExpectedVersionError)
        return this.afterWrongVersion(streamId, valid, expected);
      throw mapped;
    }
    if (!response.success) return this.afterWrongVersion(streamId, valid, expected);
    const result = await this.confirm(streamId, valid, response.nextExpectedRevision);
    this.changes.notify();
    return result;
  }

  /**
   * An acknowledged append, checked: its events read back by revision and compared with what was
   * sent. A fresh write matches; so does a true retry the server deduplicated. A deduplicated
   * "retry" with other content is refused, as the other adapters refuse it.
   */
  private async confirm(
    streamId: string,
    valid: readonly ValidatedEvent[],
    lastRevision: bigint,
  ): Promise<AppendResult> {
    const tail = await this.readMapped(streamId, {
      fromRevision: lastRevision,
      direction: BACKWARDS,
      maxCount: valid.length,
    });
    let verdict = judgeRetry(valid, tail);
    if (verdict.kind !== 'retried') verdict = judgeRetry(valid, await this.readMapped(streamId, {}));
    if (verdict.kind === 'retried') return verdict.result;
    if (verdict.kind === 'conflict') throw idempotencyConflict(verdict.reason);
    throw new Error(`EventStoreDB acknowledged an append to ${streamId} whose events it does not return.`);
  }

  /** A wrong expectation — unless the append is a retry of one already in the stream. */
  private async afterWrongVersion(
    streamId: string,
    valid: readonly ValidatedEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const stream = await this.readMapped(streamId, {});
    const verdict = judgeRetry(valid, stream);
    if (verdict.kind === 'retried') return verdict.result;
    if (verdict.kind === 'conflict') throw idempotencyConflict(verdict.reason);
    const version = stream.length > 0 ? stream[stream.length - 1]!.event.version : 0;
    throw new WrongExpectedVersionError(streamId, describeExpected(expected), version);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateStreamId(streamId);
    const backwards = options.direction === 'backwards';
    if (
      options.maxCount === 0 ||
      (options.fromVersion !== undefined && options.fromVersion < 1 && backwards)
    ) {
      return [];
    }
    const from =
      options.fromVersion === undefined || options.fromVersion < 1
        ? backwards
          ? END
          : ESDB_START
        : BigInt(options.fromVersion - 1);
    const events = await this.readMapped(streamId, {
      fromRevision: from,
      direction: backwards ? BACKWARDS : FORWARDS,
      ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
    });
    return events.map((e) => e.event);
  }

  /** A stream's events with their append markers; a stream that does not exist reads empty. */
  private async readMapped(
    streamId: string,
    options: {
      fromRevision?: ReadRevision;
      direction?: typeof FORWARDS | typeof BACKWARDS;
      maxCount?: number;
    },
  ): Promise<MappedEvent[]> {
    const out: MappedEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, options)) {
        const recorded = recordedOf(resolved);
        if (recorded) out.push(fromEsdbRecorded(recorded));
      }
    } catch (error) {
      if (isClientError(error, ErrorType.STREAM_NOT_FOUND)) return [];
      throw mapClientError(error, { streamId });
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? START;
    const max = options.maxCount ?? 500;
    return options.filter ? this.readAllFiltered(after, max, options.filter) : this.readAllPlain(after, max);
  }

  /**
   * No filter: a plain read of `$all`. EventStoreDB's own events (stats, metadata, links) are
   * left out, but `next` moves past them too. The read starts AT `after` (inclusive on the
   * server): that event, and anything not after it, is dropped here.
   */
  private async readAllPlain(after: GlobalPosition, max: number): Promise<ReadAllResult> {
    const events: RecordedEvent[] = [];
    let next = after;
    let raw = 0;
    const requested = max + 1;
    try {
      for await (const resolved of this.client.readAll({
        fromPosition: readPositionAfter(after),
        direction: FORWARDS,
        maxCount: requested,
      })) {
        raw += 1;
        const recorded = allRecordedOf(resolved);
        if (!recorded) continue;
        const position = fromEsdbPosition(recorded.position);
        if (comparePositions(position, after) <= 0) continue;
        if (isSystemEvent(recorded)) {
          next = position;
          continue;
        }
        events.push(fromEsdbRecorded(recorded).event);
        next = position;
        if (events.length === max) return { events, next, caughtUp: false };
      }
    } catch (error) {
      throw mapClientError(error);
    }
    return { events, next, caughtUp: raw < requested };
  }

  /**
   * With a filter: a filtered subscription to `$all` from `after`, so the server does the
   * filtering (EventStoreDB's reads of `$all` take no filter), stopped at `max` events or when it
   * reports it has caught up. Checkpoints the server sends past filtered-out events move `next`;
   * at the caught-up signal `next` moves to the head read before starting, since every event up
   * to it has then been seen by the filter. Needs EventStoreDB 23.10 or later (the caught-up
   * signal); a read that hears nothing for `idleReadTimeoutMs` fails as unavailable.
   */
  private async readAllFiltered(
    after: GlobalPosition,
    max: number,
    filter: GlobalFilter,
  ): Promise<ReadAllResult> {
    const head = await this.headPosition();
    if (comparePositions(head, after) <= 0) return { events: [], next: after, caughtUp: true };
    const plan = planFilter(filter);
    const events: RecordedEvent[] = [];
    let next = after;
    const advance = (position: GlobalPosition): void => {
      if (comparePositions(position, next) > 0) next = position;
    };
    let subscription: AllStreamSubscription | undefined;
    const outcome = await new Promise<ReadAllResult>((resolve, reject) => {
      let settled = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (result: ReadAllResult | Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const touch = (): void => {
        clearTimeout(idle);
        idle = setTimeout(
          () =>
            finish(
              new EventStoreUnavailableError(
                `EventStoreDB sent nothing for ${this.idleReadTimeoutMs} ms during a filtered read of $all ` +
                  '(it needs 23.10 or later, which reports when a subscription has caught up).',
              ),
            ),
          this.idleReadTimeoutMs,
        );
      };
      subscription = this.client.subscribeToAll({
        fromPosition: readPositionAfter(after),
        filter: {
          ...plan.server,
          checkpointReached: (_subscription, position) => {
            touch();
            // A checkpoint past the head would skip events appended after the head was read
            // and not delivered to this read: only what the filter has certainly passed counts.
            const at = fromEsdbPosition(position);
            if (!settled && comparePositions(at, head) <= 0) advance(at);
          },
        },
      });
      touch();
      subscription.on('data', (resolved: AllStreamResolvedEvent) => {
        touch();
        if (settled) return;
        const recorded = allRecordedOf(resolved);
        if (!recorded) return;
        const position = fromEsdbPosition(recorded.position);
        if (comparePositions(position, after) <= 0) return;
        if (plan.accepts(recorded)) events.push(fromEsdbRecorded(recorded).event);
        advance(position);
        if (events.length === max) finish({ events, next, caughtUp: false });
      });
      subscription.on('caughtUp', () => {
        // Events the server sent before this signal may still sit in the stream's buffer.
        const drained = (): void => {
          if (subscription && subscription.readableLength > 0 && !settled) {
            setImmediate(drained);
            return;
          }
          advance(head);
          finish({ events, next, caughtUp: true });
        };
        setImmediate(drained);
      });
      subscription.on('error', (error: Error) => finish(toError(mapClientError(error))));
      subscription.on('end', () =>
        finish(new EventStoreUnavailableError('EventStoreDB ended a read of $all early.')),
      );
    });
    await subscription?.unsubscribe().catch(() => undefined);
    return outcome;
  }

  async countAll(options: CountAllOptions = {}): Promise<number> {
    let count = 0;
    let after = options.after ?? START;
    for (;;) {
      const page = await this.readAll({
        after,
        maxCount: SCAN_PAGE,
        ...(options.filter ? { filter: options.filter } : {}),
      });
      count += page.events.length;
      if (page.caughtUp) return count;
      after = page.next;
    }
  }

  subscribe(options: SubscribeOptions, handler: EventHandler): StoreSubscription {
    this.ensureLive();
    return this.subscriptions.start(
      (o) => this.readAll(o),
      this.changes,
      { ...options, pollIntervalMs: this.pollIntervalMs },
      handler,
    );
  }

  async streamState(streamId: string): Promise<StreamState> {
    validateStreamId(streamId);
    const last = await this.readMapped(streamId, { fromRevision: END, direction: BACKWARDS, maxCount: 1 });
    const version = last[0]?.event.version ?? 0;
    return { exists: version > 0, version };
  }

  /** The newest event of the application's (EventStoreDB's own events are not counted). */
  async headPosition(): Promise<GlobalPosition> {
    let from: ReturnType<typeof readPositionAfter> = END;
    try {
      for (;;) {
        let raw = 0;
        let last: GlobalPosition | undefined;
        for await (const resolved of this.client.readAll({
          fromPosition: from,
          direction: BACKWARDS,
          maxCount: SCAN_PAGE,
        })) {
          raw += 1;
          const recorded = allRecordedOf(resolved);
          if (!recorded) continue;
          if (!isSystemEvent(recorded)) return fromEsdbPosition(recorded.position);
          last = fromEsdbPosition(recorded.position);
        }
        if (raw < SCAN_PAGE || last === undefined) return START;
        // Backwards reads start AT the position; the next page starts at the last one seen,
        // which is a system event and is skipped again.
        from = { commit: last.tx, prepare: last.seq };
      }
    } catch (error) {
      throw mapClientError(error);
    }
  }

  /**
   * Readiness: a real append through the client to the leader, of a real event, expecting a
   * stream that exists — to a stream named anew each time, which never does. The leader checks
   * the expectation in its writer and answers "wrong expected version" having written nothing:
   * that answer is the success. Unavailable, no leader or refused credentials reject with the
   * reason.
   */
  async checkWritePath(): Promise<void> {
    const stream = `${WRITE_PROBE_STREAM_PREFIX}${randomUUID()}`;
    const valid = validateAppend(stream, [writeProbeEvent()], 'stream_exists');
    let written: EsdbAppendResult;
    try {
      written = await this.client.appendToStream(stream, toEventData(valid), {
        expectedRevision: STREAM_EXISTS,
        requiresLeader: true,
      });
    } catch (error) {
      const mapped = mapClientError(error, { streamId: stream, expected: 'stream_exists' });
      if (mapped instanceof WrongExpectedVersionError) return;
      throw mapped;
    }
    if (!written.success) return;
    throw new Error(`The write probe's stream ${stream} existed, and the probe was written to it.`);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.liveRetry);
    await this.subscriptions.stopAll();
    const live = this.live;
    this.live = undefined;
    await live?.unsubscribe().catch(() => undefined);
    if (this.ownsClient) await this.client.dispose();
  }

  /**
   * Live wake-ups: one subscription to the end of `$all` (system events filtered out by the
   * server) wakes this process's subscribers on every new event, from any writer. They then read
   * from their own checkpoints; a lost wake-up only costs a poll interval.
   */
  private ensureLive(): void {
    if (this.live || this.closed) return;
    const live = this.client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() });
    this.live = live;
    live.on('data', () => this.changes.notify());
    live.on('error', (error: Error) => {
      if (this.live !== live) return;
      this.live = undefined;
      this.options.onLiveError?.(toError(mapClientError(error)));
      if (!this.closed && this.subscriptions.size > 0) {
        this.liveRetry = setTimeout(() => this.ensureLive(), 1_000);
      }
    });
  }
}

function recordedOf(resolved: ResolvedEvent): EsdbRecorded | undefined {
  return resolved.event;
}

function allRecordedOf(
  resolved: AllStreamResolvedEvent,
): (EsdbRecorded & { readonly position: NonNullable<EsdbRecorded['position']> }) | undefined {
  return resolved.event;
}

function isClientError(error: unknown, type: ErrorType): boolean {
  return error instanceof Error && (error as { type?: unknown }).type === type;
}

function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}

function idempotencyConflict(reason: string): IdempotencyConflictError {
  return new IdempotencyConflictError(
    `Event ids of this append are already in the stream, written by a different append (${reason}): a retry ` +
      'must carry the same events (ids, types, schema versions, data) in the same order, to the same stream.',
  );
}
