import { Client, type ClientConfig, type Pool, type PoolClient, type PoolConfig } from 'pg';
import { LocalChangeSignal, SubscriptionSet } from '../catch-up-subscription';
import { CoalescedNotifier } from './coalesced-notifier';
import { IDEMPOTENCY_CONFLICT_SQLSTATE, WRONG_VERSION_SQLSTATE } from './migrations';
import {
  START,
  type AppendResult,
  type CountAllOptions,
  type EventHandler,
  type EventMetadata,
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
} from '../event-store';
import { IdempotencyConflictError, StreamOrderConflictError, WrongExpectedVersionError } from '../errors';
import {
  describeExpected,
  validateAppend,
  validateStreamId,
  WRITE_PROBE_STREAM,
  writeProbeEvent,
  type ValidatedEvent,
} from '../validation';

export interface PostgresEventStoreOptions {
  readonly pool: Pool;
  readonly schema?: string;
  /**
   * A connection for LISTEN, so subscribers in other processes wake up as soon as an append
   * commits. Omit it where no second connection is possible (standalone's PGlite): subscribers
   * then wake on this process's own appends and poll otherwise.
   */
  readonly listen?: ClientConfig;
  readonly pollIntervalMs?: number;
  /**
   * Send a NOTIFY after appends so subscribers in other processes wake at once (default true).
   * Off where nobody else can listen (standalone's single connection).
   */
  readonly notify?: boolean;
  /** Called when the LISTEN connection (or a NOTIFY) fails; subscribers keep polling meanwhile. */
  readonly onListenError?: (error: Error) => void;
}

interface EventRow {
  seq: string;
  tx: string;
  stream_id: string;
  stream_version: string;
  event_id: string;
  type: string;
  schema_version: number;
  data: JsonObject;
  metadata: EventMetadata;
  recorded_at: Date;
}

interface AppendRow {
  outcome: 'ok' | 'retried' | 'wrong_version' | 'conflict' | 'none';
  stream_version: string;
  tx: string | null;
  seq: string | null;
}

// Careful: the output column is named `tx` but is text. ORDER BY must name the table's xid8
// column (`e.tx`), or PostgreSQL sorts by the text alias and '10000' comes before '9999'.
/** Attempts of an `any` append that keeps losing its version to other writers. */
const MAX_APPEND_ATTEMPTS = 50;

const COLUMNS =
  'e.seq, e.tx::text AS tx, e.stream_id, e.stream_version, e.event_id, e.type, e.schema_version, e.data, e.metadata, e.recorded_at';

/**
 * Statement and idle-in-transaction timeouts for the application's sessions: a stuck
 * transaction would hold back every reader of the global log, so it is cut off.
 */
export function eventStorePoolConfig(
  connectionString: string,
  options: { max?: number; statementTimeoutMs?: number; idleInTransactionTimeoutMs?: number } = {},
): PoolConfig {
  return {
    connectionString,
    max: options.max ?? 10,
    options: `-c statement_timeout=${options.statementTimeoutMs ?? 30_000} -c idle_in_transaction_session_timeout=${options.idleInTransactionTimeoutMs ?? 60_000}`,
  };
}

/**
 * The default event store, on PostgreSQL. An append is ONE round trip: a call to the
 * `append_events` function, which checks the expected version, recognises a retried append by
 * its event ids and inserts, all in one implicit transaction. The global log is ordered by
 * (transaction id, sequence) and read only below the oldest running transaction
 * (`pg_snapshot_xmin(pg_current_snapshot())`): no gaps, no skips.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: Pool;
  private readonly schema: string;
  private readonly changes = new LocalChangeSignal();
  private readonly subscriptions = new SubscriptionSet();
  private readonly pollIntervalMs: number;
  private listener: Client | undefined;
  private listenerRetry: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly notifier: CoalescedNotifier | undefined;

  constructor(private readonly options: PostgresEventStoreOptions) {
    this.pool = options.pool;
    this.schema = options.schema ?? 'tongban_es';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(this.schema)) throw new Error(`Invalid schema name ${this.schema}`);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    if (options.notify !== false) {
      this.notifier = new CoalescedNotifier(this.pool, `${this.schema}_appended`, (error) =>
        options.onListenError?.(error),
      );
    }
  }

  async append(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const valid = validateAppend(streamId, events, expected);
    const result = await this.appendAutocommit(streamId, valid, expected);
    this.signalAppended();
    return result;
  }

  /**
   * Wakes subscribers: this process's at once, other processes' through a coalesced NOTIFY
   * (CoalescedNotifier), so busy writers do not pay for wake-ups. A caller that appended inside
   * its own transaction calls this after COMMIT. A lost wake-up only costs a poll interval.
   */
  signalAppended(): void {
    this.changes.notify();
    this.notifier?.notify();
  }

  /**
   * Appends as part of the caller's open transaction on `client` (BEGIN already sent): the
   * events commit or roll back with everything else the caller does in it. The stream stays
   * locked for other writers until then. Per-stream order holds in every case: when the
   * transaction wrote before this append and a transaction that began after it appended to the
   * stream meanwhile, the append is refused (StreamOrderConflictError: roll back, retry).
   */
  async appendInTransaction(
    client: PoolClient,
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    return this.appendWithFunction(client, streamId, validateAppend(streamId, events, expected), expected);
  }

  /**
   * Starts a stream in ONE autocommit statement together with a write of the caller's: `guard`
   * is a data-modifying statement with RETURNING (an `INSERT … ON CONFLICT DO NOTHING
   * RETURNING …` that claims something), its parameters `$1…$n`, run as the statement's first
   * CTE. The events are appended (`append_events_or_raise`, once, expecting no stream) only
   * when the guard returned a row, and the guard's write commits only together with them: an
   * append that cannot happen — the stream exists, the ids were used elsewhere — fails the
   * statement and nothing is written. Answers undefined when the guard returned no row, having
   * written nothing. One round trip, no transaction for the caller to hold (on PGlite, its only
   * connection, for one statement).
   *
   * New streams only: the guard's write gives the transaction its id before the stream lock is
   * taken, and the global order keeps a stream's order only because a later append to this
   * stream must wait for this one to commit (it has to see version 1), so it gets a larger id.
   */
  async startStreamWith(
    guard: { readonly name: string; readonly text: string; readonly values: readonly unknown[] },
    streamId: string,
    events: readonly EventToAppend[],
  ): Promise<AppendResult | undefined> {
    const expected: ExpectedVersion = 'no_stream';
    const valid = validateAppend(streamId, events, expected);
    const n = guard.values.length;
    const p = (i: number): string => `$${n + i}`;
    let rows: AppendRow[];
    try {
      ({ rows } = await this.pool.query<AppendRow>({
        // Named: prepared once per connection, like the other appends.
        name: `${this.schema}.start_with.${guard.name}`,
        // The stream id comes out of the guard's row (LIMIT 1 keeps the planner from folding it
        // into a constant), so the function is called once per guard row, and not at all
        // without one.
        text: `WITH guard AS (${guard.text})
         SELECT a.outcome, a.stream_version, a.tx, a.seq
           FROM (SELECT ${p(1)}::text AS stream_id FROM guard LIMIT 1) g,
                LATERAL ${this.schema}.append_events_or_raise(g.stream_id, 'no_stream', NULL,
                  ${p(2)}::uuid[], ${p(3)}::text[], ${p(4)}::smallint[], ${p(5)}::jsonb[], ${p(6)}::jsonb[]) a`,
        values: [...guard.values, streamId, ...eventColumns(valid)],
      }));
    } catch (error) {
      throw await this.appendError(error, streamId, expected);
    }
    const row = rows[0];
    if (!row) return undefined;
    this.signalAppended();
    return {
      nextExpectedVersion: Number(row.stream_version),
      position: { tx: BigInt(row.tx!), seq: BigInt(row.seq!) },
    };
  }

  /**
   * The fast path, for appends in their own transaction: ONE plain INSERT … SELECT that reads the
   * stream's version and inserts after it, checking the expectation in its WHERE clause. No lock
   * is needed for correctness: the unique (stream, version) index makes a concurrent writer of
   * the same version wait for the first and then fail, and a writer that saw the previous version
   * committed gets a later transaction id, so the global order keeps each stream's order. The
   * uncommon outcomes — a retry, a lost race, a wrong expectation — are sorted out after.
   */
  private async appendAutocommit(
    streamId: string,
    valid: readonly ValidatedEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.tryInsert(this.pool, streamId, valid, expected);
      if (outcome !== 'version_taken') return outcome;
      // Another writer took the version first. Without an expectation that is no conflict:
      // try again after it (every loss means someone else made progress).
      if ((expected !== 'any' && expected !== 'stream_exists') || attempt >= MAX_APPEND_ATTEMPTS) {
        throw new WrongExpectedVersionError(
          streamId,
          describeExpected(expected),
          await this.currentVersion(streamId),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 10)));
    }
  }

  private async tryInsert(
    db: Pool | PoolClient,
    streamId: string,
    valid: readonly ValidatedEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult | 'version_taken'> {
    const kind = typeof expected === 'number' ? 'exact' : expected;
    let rows: Array<{ seq: string; tx: string; stream_version: string }>;
    try {
      ({ rows } = await db.query<{ seq: string; tx: string; stream_version: string }>({
        // Named: prepared once per connection and its plan reused, not re-planned every call.
        name: `${this.schema}.append`,
        text: `WITH cur AS (SELECT coalesce(max(stream_version), 0) AS v FROM ${this.schema}.events WHERE stream_id = $1)
         INSERT INTO ${this.schema}.events (stream_id, stream_version, event_id, type, schema_version, data, metadata)
         SELECT $1, cur.v + u.i, u.id, u.type, u.sv, u.data, u.md
           FROM cur,
                unnest($2::uuid[], $3::text[], $4::smallint[], $5::jsonb[], $6::jsonb[])
                  WITH ORDINALITY AS u(id, type, sv, data, md, i)
          WHERE CASE $7::text
                  WHEN 'any' THEN true
                  WHEN 'stream_exists' THEN cur.v > 0
                  WHEN 'no_stream' THEN cur.v = 0
                  ELSE cur.v = $8::bigint
                END
          ORDER BY u.i
         RETURNING seq, tx::text AS tx, stream_version`,
        values: [streamId, ...eventColumns(valid), kind, typeof expected === 'number' ? expected : null],
      }));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const retried = await this.findRetried(streamId, valid);
      if (retried) return retried;
      if (isUniqueViolation(error, 'events_event_id_unique')) throw idempotencyConflict();
      return 'version_taken';
    }
    const last = rows.reduce<(typeof rows)[number] | undefined>(
      (a, b) => (a === undefined || Number(b.stream_version) > Number(a.stream_version) ? b : a),
      undefined,
    );
    if (last) {
      return {
        nextExpectedVersion: Number(last.stream_version),
        position: { tx: BigInt(last.tx), seq: BigInt(last.seq) },
      };
    }
    // Nothing inserted: the expectation did not hold — unless this is a retry of an append that
    // already went in.
    const retried = await this.findRetried(streamId, valid);
    if (retried) return retried;
    throw new WrongExpectedVersionError(
      streamId,
      describeExpected(expected),
      await this.currentVersion(streamId),
    );
  }

  /**
   * Readiness: the fast path's own named statement, with a real event, inside a transaction
   * that is rolled back — so a broken connection, statement, table or trigger shows here, and
   * nothing is written. The transaction lasts milliseconds (it holds the global log's horizon
   * for that long). A client whose probe failed is dropped, not returned to the pool.
   */
  async checkWritePath(): Promise<void> {
    const valid = validateAppend(WRITE_PROBE_STREAM, [writeProbeEvent()], 'no_stream');
    const client = await this.pool.connect();
    let failure: Error | undefined;
    try {
      await client.query('BEGIN');
      const outcome = await this.tryInsert(client, WRITE_PROBE_STREAM, valid, 'no_stream');
      if (outcome === 'version_taken') throw new Error('the probe stream is not empty');
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      throw failure;
    } finally {
      await client.query('ROLLBACK').catch((error: Error) => (failure ??= error));
      client.release(failure);
    }
  }

  /**
   * The original result when this append is a retry of one already in the store (the same
   * events, by content: `find_retried`, migration 3); undefined when none of its ids is there;
   * IdempotencyConflictError when they are, for other events.
   */
  private async findRetried(
    streamId: string,
    valid: readonly ValidatedEvent[],
  ): Promise<AppendResult | undefined> {
    const { rows } = await this.pool.query<AppendRow>({
      name: `${this.schema}.find_retried`,
      text: `SELECT * FROM ${this.schema}.find_retried($1, $2::uuid[], $3::text[], $4::smallint[], $5::jsonb[])`,
      values: [
        streamId,
        // What identifies a retry: everything but the metadata.
        ...eventColumns(valid).slice(0, 4),
      ],
    });
    const row = rows[0];
    if (!row || row.outcome === 'none') return undefined;
    if (row.outcome !== 'retried') throw idempotencyConflict();
    return {
      nextExpectedVersion: Number(row.stream_version),
      position: { tx: BigInt(row.tx!), seq: BigInt(row.seq!) },
    };
  }

  private async currentVersion(streamId: string): Promise<number> {
    return (await this.streamState(streamId)).version;
  }

  /**
   * The append_events function, for appends inside a caller's transaction: it serialises
   * writers that go through it on the stream's lock and reports a wrong expectation as a result
   * row, not as an error that would abort the caller's transaction.
   */
  private async appendWithFunction(
    db: Pool | PoolClient,
    streamId: string,
    valid: readonly ValidatedEvent[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const kind = typeof expected === 'number' ? 'exact' : expected;
    let row: AppendRow | undefined;
    try {
      const result = await db.query<AppendRow>(
        `SELECT * FROM ${this.schema}.append_events($1, $2, $3, $4::uuid[], $5::text[], $6::smallint[], $7::jsonb[], $8::jsonb[])`,
        [streamId, kind, typeof expected === 'number' ? expected : null, ...eventColumns(valid)],
      );
      row = result.rows[0];
    } catch (error) {
      throw await this.appendError(error, streamId, expected);
    }
    if (!row || row.outcome === 'conflict') throw idempotencyConflict();
    if (row.outcome === 'wrong_version') {
      throw new WrongExpectedVersionError(streamId, describeExpected(expected), Number(row.stream_version));
    }
    return {
      nextExpectedVersion: Number(row.stream_version),
      position: { tx: BigInt(row.tx!), seq: BigInt(row.seq!) },
    };
  }

  /** A failed append_events call as the port's errors; anything else as it came. */
  private async appendError(error: unknown, streamId: string, expected: ExpectedVersion): Promise<unknown> {
    if (
      isUniqueViolation(error, 'events_event_id_unique') ||
      (error as { code?: string } | null)?.code === IDEMPOTENCY_CONFLICT_SQLSTATE
    ) {
      return idempotencyConflict();
    }
    if ((error as { code?: string } | null)?.code === '40001') {
      return new StreamOrderConflictError(
        `Stream ${streamId} was appended to by a transaction that began after this one: roll back and retry.`,
      );
    }
    // A writer outside the stream lock (the fast path) took the version in between. Inside a
    // caller's transaction the error has aborted it: the caller retries the whole unit.
    if (
      isUniqueViolation(error, 'events_stream_version_unique') ||
      (error as { code?: string } | null)?.code === WRONG_VERSION_SQLSTATE
    ) {
      return new WrongExpectedVersionError(
        streamId,
        describeExpected(expected),
        await this.currentVersion(streamId),
      );
    }
    return error;
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateStreamId(streamId);
    const backwards = options.direction === 'backwards';
    const from = options.fromVersion ?? (backwards ? Number.MAX_SAFE_INTEGER : 1);
    const { rows } = await this.pool.query<EventRow>({
      name: `${this.schema}.read_stream_${backwards ? 'backwards' : 'forwards'}`,
      text: `SELECT ${COLUMNS} FROM ${this.schema}.events e
       WHERE e.stream_id = $1 AND e.stream_version ${backwards ? '<=' : '>='} $2
       ORDER BY e.stream_version ${backwards ? 'DESC' : 'ASC'}
       LIMIT $3`,
      values: [streamId, from, options.maxCount ?? null],
    });
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<ReadAllResult> {
    const after = options.after ?? START;
    const max = options.maxCount ?? 500;
    const types = options.filter?.types ? [...options.filter.types] : null;
    const prefix = options.filter?.streamPrefix ?? null;
    // One statement, one snapshot: the page, and the last visible position (so a filtered
    // reader can move its checkpoint past events it does not want).
    const { rows } = await this.pool.query<EventRow & { head: boolean }>({
      // Named, like the append: planned once per connection, not once per batch.
      name: `${this.schema}.read_all`,
      text: `WITH horizon AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin)
       (SELECT false AS head, ${COLUMNS}
          FROM ${this.schema}.events e, horizon h
         WHERE (e.tx, e.seq) > ($1::xid8, $2::bigint) AND e.tx < h.xmin
           AND ($3::text[] IS NULL OR e.type = ANY ($3::text[]))
           AND ($4::text IS NULL OR starts_with(e.stream_id, $4::text))
         ORDER BY e.tx, e.seq
         LIMIT $5)
       UNION ALL
       (SELECT true AS head, e.seq, e.tx::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
          FROM ${this.schema}.events e, horizon h
         WHERE e.tx < h.xmin
         ORDER BY e.tx DESC, e.seq DESC
         LIMIT 1)`,
      values: [after.tx.toString(), after.seq.toString(), types, prefix, max],
    });
    const events = rows.filter((r) => !r.head).map(toRecorded);
    const headRow = rows.find((r) => r.head);
    const caughtUp = events.length < max;
    let next = events.length > 0 ? events[events.length - 1]!.position : after;
    if (caughtUp && headRow) {
      const head = { tx: BigInt(headRow.tx), seq: BigInt(headRow.seq) };
      if (head.tx > next.tx || (head.tx === next.tx && head.seq > next.seq)) next = head;
    }
    return { events, next, caughtUp };
  }

  async countAll(options: CountAllOptions = {}): Promise<number> {
    const after = options.after ?? START;
    const { rows } = await this.pool.query<{ count: string }>(
      `SELECT count(*) AS count FROM ${this.schema}.events e
        WHERE (e.tx, e.seq) > ($1::xid8, $2::bigint)
          AND e.tx < pg_snapshot_xmin(pg_current_snapshot())
          AND ($3::text[] IS NULL OR e.type = ANY ($3::text[]))
          AND ($4::text IS NULL OR starts_with(e.stream_id, $4::text))`,
      [
        after.tx.toString(),
        after.seq.toString(),
        options.filter?.types ? [...options.filter.types] : null,
        options.filter?.streamPrefix ?? null,
      ],
    );
    return Number(rows[0]?.count ?? 0);
  }

  subscribe(options: SubscribeOptions, handler: EventHandler): StoreSubscription {
    this.ensureListening();
    return this.subscriptions.start(
      (o) => this.readAll(o),
      this.changes,
      { ...options, pollIntervalMs: this.pollIntervalMs },
      handler,
    );
  }

  async streamState(streamId: string): Promise<StreamState> {
    validateStreamId(streamId);
    const { rows } = await this.pool.query<{ version: string | null }>(
      `SELECT max(stream_version) AS version FROM ${this.schema}.events WHERE stream_id = $1`,
      [streamId],
    );
    const version = Number(rows[0]?.version ?? 0);
    return { exists: version > 0, version };
  }

  async headPosition(): Promise<GlobalPosition> {
    const { rows } = await this.pool.query<{ tx: string; seq: string }>(
      `SELECT e.tx::text AS tx, e.seq FROM ${this.schema}.events e
       WHERE e.tx < pg_snapshot_xmin(pg_current_snapshot())
       ORDER BY e.tx DESC, e.seq DESC LIMIT 1`,
    );
    const row = rows[0];
    return row ? { tx: BigInt(row.tx), seq: BigInt(row.seq) } : START;
  }

  /** Stops subscriptions and the LISTEN connection. The pool belongs to the caller. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.listenerRetry);
    this.notifier?.close();
    await this.subscriptions.stopAll();
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
  }

  private ensureListening(): void {
    if (!this.options.listen || this.listener || this.closed) return;
    const client = new Client(this.options.listen);
    this.listener = client;
    const fail = (error: Error) => {
      if (this.listener !== client) return;
      this.listener = undefined;
      this.options.onListenError?.(error);
      void client.end().catch(() => undefined);
      if (!this.closed && this.subscriptions.size > 0) {
        this.listenerRetry = setTimeout(() => this.ensureListening(), 1_000);
      }
    };
    client.on('error', fail);
    client.on('notification', () => this.changes.notify());
    client
      .connect()
      .then(() => client.query(`LISTEN ${this.schema}_appended`))
      .catch((error: Error) => fail(error));
  }
}

function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamId: row.stream_id,
    version: Number(row.stream_version),
    position: { tx: BigInt(row.tx), seq: BigInt(row.seq) },
    data: row.data,
    metadata: row.metadata,
    schemaVersion: row.schema_version,
    recordedAt: row.recorded_at,
  };
}

function isUniqueViolation(error: unknown, constraint?: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: string }).code === '23505' &&
    (constraint === undefined || (error as { constraint?: string }).constraint === constraint)
  );
}

function idempotencyConflict(): IdempotencyConflictError {
  return new IdempotencyConflictError(
    'Event ids of this append are already in the store, written by a different append: a retry must carry ' +
      'the same events (ids, types, schema versions, data) in the same order, to the same stream.',
  );
}

/**
 * The events as the append statements and functions take them: one array per column, in the
 * order `$ids::uuid[], $types::text[], $schema_versions::smallint[], $data::jsonb[],
 * $metadata::jsonb[]` every one of them declares.
 */
function eventColumns(
  valid: readonly ValidatedEvent[],
): [ids: string[], types: string[], schemaVersions: number[], data: string[], metadata: string[]] {
  return [
    valid.map((v) => v.id),
    valid.map((v) => v.type),
    valid.map((v) => v.schemaVersion),
    valid.map((v) => v.data),
    valid.map((v) => v.metadata),
  ];
}
