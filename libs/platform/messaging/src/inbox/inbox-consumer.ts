import type { Pool, PoolClient } from 'pg';
import type {
  BatchControl,
  BusMessage,
  MessageBatch,
  MessageBus,
  ReceivedMessage,
  Subscription,
} from '../message-bus';
import { isTransientFailure } from './transient';

/** What a consumer needs to know of a message to take it in: its identity and place in its stream. */
export interface InboxEntry {
  /** The event id: the same on every redelivery. */
  readonly id: string;
  readonly streamId: string;
  /** 1 for a stream's first event; consecutive within a stream. */
  readonly version: number;
  /** The global position, when the message has one (kept for read-your-writes). */
  readonly position?: { readonly tx: bigint; readonly seq: bigint };
}

export type Decoded<T> =
  | { readonly ok: true; readonly entry: InboxEntry; readonly value: T }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/** A message taken in: decoded, new to this consumer, next in its stream. */
export interface Inboxed<T> {
  readonly entry: InboxEntry;
  readonly value: T;
  readonly message: ReceivedMessage;
}

/** Why a message went to the dead-letter topic. */
export interface DeadLetterFailure {
  readonly consumer: string;
  readonly message: ReceivedMessage;
  /** Stable code: the decoder's, `consumer.handler_failed` or `consumer.stream_blocked`. */
  readonly code: string;
  readonly error: string;
  readonly attempts: number;
  readonly failedAt: Date;
}

export interface InboxConsumerOptions<T> {
  /** The consumer's name: its rows in the inbox, and its consumer group unless `group` is given. */
  readonly name: string;
  readonly group?: string;
  readonly topic: string;
  readonly deadLetterTopic: string;
  /** Settings both topics are created with if they do not exist yet (as the relay creates them). */
  readonly topicConfigs?: Readonly<Record<string, string>>;
  readonly pool: Pool;
  readonly bus: MessageBus;
  /** Never throws: a message it cannot read is answered `{ ok: false }` and dead-lettered. */
  readonly decode: (message: ReceivedMessage) => Decoded<T>;
  /**
   * The work, inside the transaction that also writes the inbox: the new messages of one
   * partition, in order (each stream's in version order). Throwing rolls all of it back.
   */
  readonly handle: (client: PoolClient, items: readonly Inboxed<T>[]) => Promise<void>;
  /** After a commit (e.g. wake readers waiting for these positions). */
  readonly afterCommit?: (items: readonly Inboxed<T>[]) => void;
  /** The headers a dead letter carries besides the message's own (the public format: contracts). */
  readonly deadLetterHeaders: (failure: DeadLetterFailure) => Record<string, string>;
  /** Attempts at a failing message before it is dead-lettered (default 5). */
  readonly maxAttempts?: number;
  /** First back-off after a failure (default 200 ms), doubling up to `maxRetryDelayMs` (default 5 s). */
  readonly retryDelayMs?: number;
  readonly maxRetryDelayMs?: number;
  /** Most messages per transaction (default 500). */
  readonly chunkSize?: number;
  readonly log?: (level: 'error' | 'warn', message: string) => void;
}

/** A partition stopped because its messages are out of order for a stream: needs a person. */
export class StreamOrderError extends Error {
  constructor(
    readonly consumer: string,
    readonly streamId: string,
    readonly expected: number,
    readonly seen: number,
    readonly offset: string,
  ) {
    super(
      seen > expected
        ? `${consumer}: ${streamId} jumps from version ${expected - 1} to ${seen} at offset ${offset} (a gap: an event never arrived)`
        : `${consumer}: ${streamId} steps back to version ${seen} at offset ${offset}, after ${expected - 1}, with an event id not taken in before`,
    );
    this.name = 'StreamOrderError';
  }
}

export interface PartitionState {
  readonly partition: number;
  /** Messages after the last one resolved, as of the last batch. */
  readonly lag: number;
  /** Why the partition is not moving, while it is not. */
  readonly stopped?: { readonly reason: string; readonly since: Date; readonly order: boolean };
}

interface StoppedState {
  reason: string;
  since: Date;
  order: boolean;
  /** Times it was found not moving since it stopped (the back-off grows with it). */
  attempts: number;
}

const HANDLER_FAILED = 'consumer.handler_failed';
const STREAM_BLOCKED = 'consumer.stream_blocked';

/**
 * A consumer that applies each message exactly once (ADR 0030). Per partition batch:
 *
 * - every message is decoded; one that cannot be is dead-lettered at once with the decoder's code;
 * - in ONE transaction per run of messages: the inbox rows of their event ids are looked up
 *   (a redelivered one is skipped), each stream's last version is locked and checked (a gap or a
 *   step back stops the partition, loudly, until a person acts — nothing is applied over a hole),
 *   the handler does its work, and the inbox rows and stream versions are written; the offsets
 *   are resolved only after the commit;
 * - a run whose handler fails is retried message by message; a message that fails `maxAttempts`
 *   times with back-off — while the database answers (an outage is waited out, never
 *   dead-lettered) — goes to the dead-letter topic with its error and is recorded as such; the
 *   later events of its stream follow it there (`consumer.stream_blocked`), so no read model is
 *   built over the hole, and the partition moves on.
 *
 * A rebalance mid-batch stops before the next transaction: what committed is resolved, what did
 * not comes again to the new owner, whose inbox check absorbs any overlap.
 */
export class InboxConsumer<T> {
  private subscription: Subscription | undefined;
  private readonly group: string;
  private readonly partitions = new Map<number, { lag: number; stopped?: StoppedState }>();
  private stopping = false;
  /** Messages applied and dead-lettered since start (metrics). */
  applied = 0;
  deadLettered = 0;
  duplicates = 0;

  constructor(private readonly options: InboxConsumerOptions<T>) {
    this.group = options.group ?? options.name;
  }

  get name(): string {
    return this.options.name;
  }

  async start(): Promise<void> {
    this.stopping = false;
    const configs = this.options.topicConfigs ?? {};
    await this.options.bus.ensureTopics([
      { topic: this.options.topic, configs },
      { topic: this.options.deadLetterTopic, configs },
    ]);
    this.subscription = await this.options.bus.subscribeBatches(
      { topic: this.options.topic, group: this.group, fromBeginning: true },
      (batch, control) => this.onBatch(batch, control),
    );
  }

  /** Finishes the transaction in flight; offsets of finished work only are committed. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /** Every partition this instance has seen a batch of, with its lag and whether it is stopped. */
  state(): PartitionState[] {
    return [...this.partitions]
      .sort(([a], [b]) => a - b)
      .map(([partition, s]) => ({
        partition,
        lag: s.lag,
        ...(s.stopped
          ? { stopped: { reason: s.stopped.reason, since: s.stopped.since, order: s.stopped.order } }
          : {}),
      }));
  }

  /** Readiness: throws while a partition is stopped by an order violation or failing for 30 s. */
  check(): void {
    const now = Date.now();
    for (const { partition, stopped } of this.state()) {
      if (stopped && (stopped.order || now - stopped.since.getTime() > 30_000)) {
        throw new Error(`${this.options.name}: partition ${partition} stopped: ${stopped.reason}`);
      }
    }
  }

  // ---- one batch --------------------------------------------------------------------------------

  private async onBatch(batch: MessageBatch, control: BatchControl): Promise<void> {
    const state = this.partitionState(batch.partition);
    const chunkSize = this.options.chunkSize ?? 500;
    const messages = batch.messages;
    let i = 0;
    const resolved = (offset: string): void => {
      control.resolve(offset);
      state.lag = Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(offset) - 1n));
    };
    while (i < messages.length && this.active(control)) {
      const decoded: { message: ReceivedMessage; decoded: Decoded<T> }[] = [];
      for (const message of messages.slice(i, i + chunkSize)) {
        const d = this.options.decode(message);
        decoded.push({ message, decoded: d });
        if (!d.ok) break;
      }
      const last = decoded[decoded.length - 1]!;
      const valid = decoded.filter((d) => d.decoded.ok);
      if (valid.length > 0) {
        const done = await this.takeIn(
          valid.map(({ message, decoded: d }) => ({
            message,
            decoded: d as Extract<Decoded<T>, { ok: true }>,
          })),
          control,
          state,
        );
        if (done < valid.length) {
          // Stopped (order), stopping, or the partition moved: what is done is resolved.
          if (done > 0) resolved(valid[done - 1]!.message.offset);
          return;
        }
        resolved(valid[valid.length - 1]!.message.offset);
      }
      if (!last.decoded.ok) {
        const failure = last.decoded;
        const sent = await this.deadLetter(
          last.message,
          failure.code,
          failure.reason,
          1,
          control,
          state,
          async () => undefined,
        );
        if (!sent) return;
        resolved(last.message.offset);
      }
      i += decoded.length;
    }
  }

  /**
   * Takes in a run of decoded messages; returns how many of them are done (applied, skipped as
   * duplicates or dead-lettered). Fewer than all: the partition stopped or is no longer ours.
   */
  private async takeIn(
    run: readonly { message: ReceivedMessage; decoded: Extract<Decoded<T>, { ok: true }> }[],
    control: BatchControl,
    state: { stopped?: StoppedState },
  ): Promise<number> {
    let done = 0;
    let failures = 0;
    // After a failure the rest of the run goes one message at a time (the failing one is not known).
    let isolate = false;
    while (done < run.length) {
      if (!this.active(control)) return done;
      const part = isolate ? run.slice(done, done + 1) : run.slice(done);
      let outcome: Outcome;
      try {
        outcome = await this.transaction(part);
      } catch (error) {
        failures += 1;
        const reason = errorText(error);
        if (isTransientFailure(error) || !(await this.databaseAnswers())) {
          // An outage, not a bad message: waited out, however long it takes.
          this.stopPartition(state, reason, false);
          await this.backOff(failures, control);
          continue;
        }
        if (!isolate) {
          isolate = true;
          failures = 0;
          continue;
        }
        if (failures < (this.options.maxAttempts ?? 5)) {
          this.log('warn', `${this.options.name}: attempt ${failures} failed: ${reason}`);
          await this.backOff(failures, control);
          continue;
        }
        const item = part[0]!;
        const sent = await this.deadLetter(
          item.message,
          HANDLER_FAILED,
          reason,
          failures,
          control,
          state,
          (client) => this.recordDeadLetter(client, item.message, item.decoded.entry, true),
        );
        if (!sent) return done;
        done += 1;
        failures = 0;
        continue;
      }
      failures = 0;
      done += outcome.done;
      if (outcome.violation) {
        // Everything before it is applied; nothing at or after it is, until a person acts.
        this.stopPartition(state, outcome.violation.message, true);
        await this.backOff(state.stopped!.attempts, control);
        return done;
      }
      delete state.stopped;
      if (outcome.blocked) {
        const item = run[done]!;
        const sent = await this.deadLetter(
          item.message,
          STREAM_BLOCKED,
          `an earlier event of ${item.decoded.entry.streamId} (version ${outcome.blocked.at}) was dead-lettered`,
          1,
          control,
          state,
          (client) => this.recordDeadLetter(client, item.message, item.decoded.entry, false),
        );
        if (!sent) return done;
        done += 1;
      }
    }
    return done;
  }

  /**
   * One transaction over `part`: skips what the inbox has, checks and moves stream versions, runs
   * the handler on the rest and writes their inbox rows. Stops at the first message of a blocked
   * stream (`blocked`: the caller dead-letters it) or at an order violation (`violation`: the
   * partition stops there); what comes before either is applied.
   */
  private async transaction(
    part: readonly { message: ReceivedMessage; decoded: Extract<Decoded<T>, { ok: true }> }[],
  ): Promise<Outcome> {
    const name = this.options.name;
    const outcome = await this.inTransaction(async (client) => {
      const ids = [...new Set(part.map((p) => p.decoded.entry.id))];
      const streams = [...new Set(part.map((p) => p.decoded.entry.streamId))];
      const seen = await client.query<{ event_id: string }>(
        `SELECT event_id FROM message_inbox WHERE consumer = $1 AND event_id = ANY ($2::text[])`,
        [name, ids],
      );
      const known = new Set(seen.rows.map((r) => r.event_id));
      const versions = await client.query<{ stream_id: string; version: number; blocked_at: number | null }>(
        `SELECT stream_id, version, blocked_at FROM message_inbox_streams
          WHERE consumer = $1 AND stream_id = ANY ($2::text[])
          ORDER BY stream_id FOR UPDATE`,
        [name, streams],
      );
      const last = new Map(versions.rows.map((r) => [r.stream_id, r.version]));
      const blocked = new Map(
        versions.rows.filter((r) => r.blocked_at !== null).map((r) => [r.stream_id, r.blocked_at!]),
      );
      const fresh: Inboxed<T>[] = [];
      let done = 0;
      let stop: Outcome['blocked'];
      let violation: StreamOrderError | undefined;
      for (const { message, decoded } of part) {
        const { entry } = decoded;
        if (known.has(entry.id)) {
          this.duplicates += 1;
          done += 1;
          continue;
        }
        const at = blocked.get(entry.streamId);
        if (at !== undefined) {
          stop = { at };
          break;
        }
        const expected = (last.get(entry.streamId) ?? 0) + 1;
        if (entry.version !== expected) {
          violation = new StreamOrderError(name, entry.streamId, expected, entry.version, message.offset);
          break;
        }
        last.set(entry.streamId, entry.version);
        known.add(entry.id);
        fresh.push({ entry, value: decoded.value, message });
        done += 1;
      }
      if (fresh.length > 0) {
        await this.options.handle(client, fresh);
        await writeInbox(client, name, fresh, 'applied');
      }
      return { done, fresh, ...(stop ? { blocked: stop } : {}), ...(violation ? { violation } : {}) };
    });
    const { fresh, ...settled } = outcome;
    this.applied += fresh.length;
    if (fresh.length > 0) this.options.afterCommit?.(fresh);
    return settled;
  }

  /** A dead-lettered event counts as taken in: its stream moves past it, blocked from then on. */
  private async recordDeadLetter(
    client: PoolClient,
    message: ReceivedMessage,
    entry: InboxEntry,
    blocks: boolean,
  ): Promise<void> {
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM message_inbox_streams WHERE consumer = $1 AND stream_id = $2 FOR UPDATE`,
      [this.options.name, entry.streamId],
    );
    const version = rows[0]?.version ?? 0;
    if (entry.version <= version) return;
    await writeInbox(client, this.options.name, [{ entry, message }], 'dead_lettered');
    if (blocks) {
      await client.query(
        `UPDATE message_inbox_streams SET blocked_at = coalesce(blocked_at, $3), updated_at = now()
          WHERE consumer = $1 AND stream_id = $2`,
        [this.options.name, entry.streamId, entry.version],
      );
    }
  }

  /**
   * Publishes the dead letter (acks from all in-sync replicas), then records it; false when the
   * partition stopped being ours first. A publish that fails is retried: nothing is resolved
   * before the dead letter is safely in its topic.
   */
  private async deadLetter(
    message: ReceivedMessage,
    code: string,
    error: string,
    attempts: number,
    control: BatchControl,
    state: { stopped?: StoppedState },
    record: (client: PoolClient) => Promise<void>,
  ): Promise<boolean> {
    const failure: DeadLetterFailure = {
      consumer: this.options.name,
      message,
      code,
      error,
      attempts,
      failedAt: new Date(),
    };
    const letter: BusMessage = {
      key: message.key,
      value: message.value,
      headers: { ...message.headers, ...this.options.deadLetterHeaders(failure) },
    };
    let failures = 0;
    for (;;) {
      if (!this.active(control)) return false;
      try {
        await this.options.bus.publish(this.options.deadLetterTopic, [letter]);
        await this.inTransaction(record);
        this.deadLettered += 1;
        this.log(
          'error',
          `${this.options.name}: dead-lettered ${message.topic}/${message.partition}@${message.offset} (${code}): ${error}`,
        );
        delete state.stopped;
        return true;
      } catch (publishError) {
        failures += 1;
        this.stopPartition(state, `dead letter not sent: ${errorText(publishError)}`, false);
        await this.backOff(failures, control);
      }
    }
  }

  private async inTransaction<R>(work: (client: PoolClient) => Promise<R>): Promise<R> {
    const client = await this.options.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.options.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private stopPartition(state: { stopped?: StoppedState }, reason: string, order: boolean): void {
    if (!state.stopped || state.stopped.reason !== reason) {
      this.log('error', `${this.options.name}: partition not moving: ${reason}`);
    }
    state.stopped = {
      reason,
      since: state.stopped?.since ?? new Date(),
      order,
      attempts: (state.stopped?.attempts ?? 0) + 1,
    };
  }

  /** Sleeps with back-off, keeping the membership alive; returns early once no longer active. */
  private async backOff(failures: number, control: BatchControl): Promise<void> {
    const first = this.options.retryDelayMs ?? 200;
    const cap = this.options.maxRetryDelayMs ?? 5_000;
    const until = Date.now() + Math.min(cap, first * 2 ** Math.min(failures - 1, 10));
    while (this.active(control) && Date.now() < until) {
      await sleep(Math.min(250, until - Date.now()));
      await control.heartbeat().catch(() => undefined);
    }
  }

  private active(control: BatchControl): boolean {
    return !this.stopping && control.active();
  }

  private partitionState(partition: number): { lag: number; stopped?: StoppedState } {
    let state = this.partitions.get(partition);
    if (!state) {
      state = { lag: 0 };
      this.partitions.set(partition, state);
    }
    return state;
  }

  private log(level: 'error' | 'warn', message: string): void {
    this.options.log?.(level, message);
  }
}

interface Outcome {
  /** Messages of the part settled (applied or skipped as duplicates), from its start. */
  readonly done: number;
  /** The next message's stream is blocked by an earlier dead letter: dead-letter it. */
  readonly blocked?: { readonly at: number };
  /** The next message is out of order for its stream: the partition stops there. */
  readonly violation?: StreamOrderError;
}

/** Inbox rows and stream versions of messages taken in, two statements for the whole run. */
async function writeInbox(
  client: PoolClient,
  consumer: string,
  items: readonly { entry: InboxEntry; message: ReceivedMessage }[],
  outcome: 'applied' | 'dead_lettered',
): Promise<void> {
  const rows = items.map(({ entry, message }) => ({
    id: entry.id,
    stream: entry.streamId,
    version: entry.version,
    tx: entry.position?.tx.toString() ?? null,
    seq: entry.position?.seq.toString() ?? null,
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
  }));
  await client.query(
    `INSERT INTO message_inbox
            (consumer, event_id, stream_id, stream_version, position_tx, position_seq,
             topic, kafka_partition, kafka_offset, outcome)
     SELECT $1, x.id, x.stream, x.version, x.tx, x.seq, x.topic, x.partition, x.offset, $3
       FROM jsonb_to_recordset($2::jsonb)
            AS x(id text, stream text, version int, tx numeric, seq numeric, topic text, partition int, "offset" bigint)`,
    [consumer, JSON.stringify(rows), outcome],
  );
  const last = new Map<string, number>();
  for (const row of rows) last.set(row.stream, Math.max(row.version, last.get(row.stream) ?? 0));
  await client.query(
    `INSERT INTO message_inbox_streams (consumer, stream_id, version)
     SELECT $1, x.stream, x.version FROM jsonb_to_recordset($2::jsonb) AS x(stream text, version int)
     ON CONFLICT (consumer, stream_id)
       DO UPDATE SET version = greatest(message_inbox_streams.version, excluded.version), updated_at = now()`,
    [consumer, JSON.stringify([...last].map(([stream, version]) => ({ stream, version })))],
  );
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
