import { createHash, randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { caseStreamId, decide, evolve, initialState, type SubmitCase } from '@tongban/cases';
import { TongbanError } from '@tongban/errors';
import {
  canonicalJson,
  EVENT_STORE,
  formatPosition,
  IdempotencyConflictError,
  PostgresEventStore,
  poolOf,
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type EventToAppend,
} from '@tongban/event-store';
import { toStoredEvent, type CommandContext } from '../case-event-mapping';
import { deterministicUuid } from '../deterministic-id';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { CaseRouter } from '../route-case/case-router';
import { CaseNumberBlocks, formatCaseNumber, localDay } from './case-number-blocks';

export class IdempotencyKeyReusedError extends TongbanError {
  readonly code = 'idempotency.key_reused';
  readonly kind = 'unprocessable';
}

export type SubmitCaseInput = Omit<SubmitCase, 'type' | 'caseId' | 'caseNumber'>;

export class SubmitCaseCommand {
  constructor(
    readonly input: SubmitCaseInput,
    /** The caller's Idempotency-Key, unique per caller. */
    readonly idempotencyKey: string,
    readonly context: CommandContext,
  ) {}
}

export interface SubmitCaseResult {
  readonly caseId: string;
  readonly caseNumber: string;
  readonly version: number;
  readonly position: string;
  /** False when this was a retry of an earlier request with the same Idempotency-Key. */
  readonly created: boolean;
}

/**
 * Intake, in ONE autocommit statement (ADR 0016): the Idempotency-Key is claimed with
 * `INSERT … ON CONFLICT DO NOTHING` and the case's first event appended by the same statement,
 * only if the claim was made, so a claim never exists without its event (ADR 0013). Fifty
 * concurrent retries make ONE case: the others' inserts wait for the winner's commit, claim
 * nothing, append nothing, and answer its case. The case number comes from a block this process
 * reserved beforehand, in a statement of its own.
 *
 * On another event store (EventStoreDB, ADR 0020) no statement spans both: the key is claimed
 * first (autocommit) and the events appended after, with ids derived from the case id and
 * `no_stream`. One case per key still holds — the claim decides the case id — and a crash
 * between the two leaves a claim without its event, which the next retry with the key completes.
 */
@CommandHandler(SubmitCaseCommand)
export class SubmitCaseHandler implements ICommandHandler<SubmitCaseCommand, SubmitCaseResult> {
  private readonly pool: Pool;
  private readonly store: EventStore;
  /** PostgreSQL: the claim and the event in ONE statement (ADR 0016). */
  private readonly oneStatement: PostgresEventStore | undefined;
  private readonly numbers: CaseNumberBlocks;

  constructor(
    dataSource: DataSource,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
    private readonly router: CaseRouter,
  ) {
    this.store = store;
    this.oneStatement = store instanceof PostgresEventStore ? store : undefined;
    // The pool behind TypeORM, which the store shares: on standalone's PGlite it is ONE connection.
    this.pool = poolOf(dataSource);
    this.numbers = new CaseNumberBlocks((day, size) => reserveCaseNumbers(this.pool, day, size));
  }

  async execute({ input, idempotencyKey, context }: SubmitCaseCommand): Promise<SubmitCaseResult> {
    const requestHash = hashRequest(input);
    const day = localDay(input.at, this.options.timeZone);
    const number = await this.numbers.take(day);
    const caseId = randomUUID();
    const caseNumber = formatCaseNumber(this.options.caseNumberPrefix, day, number);
    let events: EventToAppend[];
    try {
      events = submittedEvents(input, { caseId, caseNumber }, context, this.router);
    } catch (error) {
      // decide refused: nothing was sent, the number is certainly unused.
      this.numbers.giveBack(day, number);
      // As when the claim came first: a key already used for another request answers 422
      // idempotency.key_reused, whatever else is wrong with this one.
      const earlier = await findClaim(this.pool, input.actor.id, idempotencyKey);
      if (earlier) this.retried(earlier, requestHash);
      throw error;
    }
    // After a database failure the number is skipped, not given back: the statement may have
    // committed, and a number the UNIQUE backstop refused must never be retried.
    const claimKey = {
      name: 'tongban.claim_intake',
      text: `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (scope, idempotency_key) DO NOTHING
               RETURNING case_id`,
      values: [input.actor.id, idempotencyKey, requestHash, caseId, caseNumber],
    };
    const appended = this.oneStatement
      ? await this.oneStatement.startStreamWith(claimKey, caseStreamId(caseId), events)
      : await this.claimThenAppend(claimKey, caseStreamId(caseId), events);
    if (appended) {
      return {
        caseId,
        caseNumber,
        version: appended.nextExpectedVersion,
        position: formatPosition(appended.position),
        created: true,
      };
    }
    // Lost the claim: a concurrent or earlier request with this key committed first (our insert
    // waited for it) with its event. Nothing of ours was written; its row is visible to the next
    // statement, and its case answers, after the same hash check as ever.
    this.numbers.giveBack(day, number);
    const claim = await findClaim(this.pool, input.actor.id, idempotencyKey);
    if (!claim) throw new Error('An Idempotency-Key claim conflicted but could not be read.');
    const winner = this.retried(claim, requestHash);
    // The winner's events went in with its claim: answer with them, as the original answered.
    // They are not appended again: this request's events carry this request's time, and the
    // store refuses other content under the same event ids (issue 11).
    const theirs = submittedEvents(input, winner, context, this.router);
    const stream = caseStreamId(winner.caseId);
    const recorded = await this.store.readStream(stream, { maxCount: theirs.length });
    const last = recorded[recorded.length - 1];
    if (recorded.length === theirs.length && last) {
      return { ...winner, version: last.version, position: formatPosition(last.position), created: false };
    }
    // A claim without its event: left by an older version of this handler (two transactions,
    // before ADR 0013), or on an event store other than PostgreSQL by a request that failed
    // between its claim and its append. The case starts now.
    let result: AppendResult;
    try {
      result = await this.store.append(stream, theirs, 'no_stream');
    } catch (error) {
      // A concurrent retry completed it first (with its own request time): answer with that.
      if (!(error instanceof WrongExpectedVersionError || error instanceof IdempotencyConflictError))
        throw error;
      const now = await this.store.readStream(stream, { maxCount: theirs.length });
      const first = now[now.length - 1];
      if (now.length !== theirs.length || !first) throw error;
      return { ...winner, version: first.version, position: formatPosition(first.position), created: false };
    }
    return {
      ...winner,
      version: result.nextExpectedVersion,
      position: formatPosition(result.position),
      created: false,
    };
  }

  /**
   * Intake where no statement spans the claim and the append (EventStoreDB): the claim commits
   * first; only the request that made it appends. Answers undefined when the key was claimed
   * already. A failed append leaves the claim: the retry's lost-claim path completes the case.
   */
  private async claimThenAppend(
    claim: { readonly name: string; readonly text: string; readonly values: readonly unknown[] },
    streamId: string,
    events: readonly EventToAppend[],
  ): Promise<AppendResult | undefined> {
    const { rows } = await this.pool.query<{ case_id: string }>({
      name: claim.name,
      text: claim.text,
      values: [...claim.values],
    });
    if (rows.length === 0) return undefined;
    try {
      return await this.store.append(streamId, events, 'no_stream');
    } catch (error) {
      // A concurrent retry with the key saw the claim before its event and completed the case
      // first (with its own request time): the case exists once; answer with it.
      if (!(error instanceof WrongExpectedVersionError || error instanceof IdempotencyConflictError))
        throw error;
      const now = await this.store.readStream(streamId, { maxCount: events.length });
      const last = now[now.length - 1];
      if (now.length !== events.length || !last) throw error;
      return { nextExpectedVersion: last.version, position: last.position };
    }
  }

  private retried(row: ClaimRow, requestHash: string): { caseId: string; caseNumber: string } {
    if (row.request_hash !== requestHash) {
      throw new IdempotencyKeyReusedError('This Idempotency-Key was already used for a different request.');
    }
    return { caseId: row.case_id, caseNumber: row.case_number };
  }
}

interface ClaimRow {
  case_id: string;
  case_number: string;
  request_hash: string;
}

/**
 * The case's first events, decided from the request: its submission and, when routing is on,
 * routing's decision (a dispatch or a queue) in the same append. Their ids derive from the case
 * id, so a retry (same key, same request: the hash was checked) decides events with the same ids.
 */
function submittedEvents(
  input: SubmitCaseInput,
  claim: { caseId: string; caseNumber: string },
  context: CommandContext,
  router: CaseRouter,
): EventToAppend[] {
  const command: SubmitCase = { ...input, type: 'SubmitCase', ...claim };
  const events = decide(command, initialState);
  const submitted = events.reduce(evolve, initialState);
  const route = router.commandFor(submitted, events, input.at);
  if (route) events.push(...decide(route, submitted));
  return events.map((e, i) => toStoredEvent(e, context, deterministicUuid(`${claim.caseId}:submitted:${i}`)));
}

/** One short autocommit statement: the day's counter row is locked for this statement only. */
async function reserveCaseNumbers(pool: Pool, day: string, size: number): Promise<number> {
  const { rows } = await pool.query<{ last_value: number }>({
    name: 'tongban.reserve_case_numbers',
    text: `INSERT INTO case_number_counters (day, last_value) VALUES ($1, $2)
           ON CONFLICT (day) DO UPDATE SET last_value = case_number_counters.last_value + $2
           RETURNING last_value`,
    values: [day, size],
  });
  const last = rows[0]?.last_value;
  if (last === undefined) throw new Error('Reserving case numbers returned no row.');
  return last;
}

/** The committed claim of a key (with its event), if there is one. */
async function findClaim(pool: Pool, scope: string, key: string): Promise<ClaimRow | undefined> {
  const { rows } = await pool.query<ClaimRow>({
    name: 'tongban.find_intake_claim',
    text: `SELECT case_id, case_number, request_hash FROM case_intake_requests
            WHERE scope = $1 AND idempotency_key = $2`,
    values: [scope, key],
  });
  return rows[0];
}

/** What makes two requests "the same": everything the caller sent, not the time it arrived. */
function hashRequest(input: SubmitCaseInput): string {
  const { at: _at, ...rest } = input;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}
