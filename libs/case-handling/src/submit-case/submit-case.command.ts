import { createHash, randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { caseStreamId, decide, initialState, type SubmitCase } from '@tongban/cases';
import { TongbanError } from '@tongban/errors';
import {
  EVENT_STORE,
  formatPosition,
  PostgresEventStore,
  poolOf,
  type EventStore,
  type EventToAppend,
} from '@tongban/event-store';
import { toStoredEvent, type CommandContext } from '../case-event-mapping';
import { deterministicUuid } from '../deterministic-id';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
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
 * Intake, in ONE transaction (ADR 0013): the Idempotency-Key is claimed with
 * `INSERT … ON CONFLICT DO NOTHING` and the case's first event appended on the same connection,
 * so a claim never exists without its event. Fifty concurrent retries make ONE case: the others'
 * inserts wait for the winner's COMMIT, find its row and answer its case. The case number comes
 * from a block this process reserved beforehand, outside the transaction.
 */
@CommandHandler(SubmitCaseCommand)
export class SubmitCaseHandler implements ICommandHandler<SubmitCaseCommand, SubmitCaseResult> {
  private readonly pool: Pool;
  private readonly store: PostgresEventStore;
  private readonly numbers: CaseNumberBlocks;

  constructor(
    dataSource: DataSource,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {
    if (!(store instanceof PostgresEventStore)) {
      throw new Error(
        'Intake needs the PostgreSQL event store: the claim and the event commit in one transaction (ADR 0013).',
      );
    }
    this.store = store;
    // The pool behind TypeORM, which the store shares: on standalone's PGlite it is ONE connection.
    this.pool = poolOf(dataSource);
    this.numbers = new CaseNumberBlocks((day, size) => reserveCaseNumbers(this.pool, day, size));
  }

  async execute({ input, idempotencyKey, context }: SubmitCaseCommand): Promise<SubmitCaseResult> {
    const requestHash = hashRequest(input);
    const day = localDay(input.at, this.options.timeZone);
    // Taken before the transaction: reserving a block may need the pool's (only) connection.
    const number = await this.numbers.take(day);
    const caseId = randomUUID();
    const caseNumber = formatCaseNumber(this.options.caseNumberPrefix, day, number);
    let outcome: Awaited<ReturnType<SubmitCaseHandler['claimAndAppend']>>;
    try {
      outcome = await this.claimAndAppend(input, context, idempotencyKey, requestHash, caseId, caseNumber);
    } catch (error) {
      if (error instanceof RolledBack) {
        // A refusal (decide, validation) certainly left the number unused; after a database
        // failure it is skipped instead, so a number the UNIQUE backstop refused is never retried.
        if (error.cause instanceof TongbanError) this.numbers.giveBack(day, number);
        throw error.cause;
      }
      throw error;
    }
    if ('result' in outcome) {
      this.store.signalAppended();
      return outcome.result;
    }
    // Lost the claim: the winner committed its claim and its event together. Our number was not
    // used; the winner's case answers, after the same hash check as ever.
    this.numbers.giveBack(day, number);
    const winner = this.retried(outcome.winner, requestHash);
    // The same event with the same id: the store recognises the retry and answers with the
    // original append's version and position (or appends it, for a claim an older version of
    // this handler left without its event).
    const result = await this.store.append(
      caseStreamId(winner.caseId),
      submittedEvents(input, winner, context),
      'no_stream',
    );
    return {
      ...winner,
      version: result.nextExpectedVersion,
      position: formatPosition(result.position),
      created: false,
    };
  }

  /**
   * BEGIN · INSERT claim · append_events · COMMIT on one connection, nothing else awaited while
   * the transaction is open (it holds the global log's visibility horizon, and on PGlite the
   * only connection). Anything that fails after BEGIN and before COMMIT is sent comes out as
   * `RolledBack`.
   */
  private async claimAndAppend(
    input: SubmitCaseInput,
    context: CommandContext,
    key: string,
    requestHash: string,
    caseId: string,
    caseNumber: string,
  ): Promise<{ result: SubmitCaseResult } | { winner: ClaimRow }> {
    const client = await this.pool.connect();
    let committing = false;
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const claimed = await client.query({
        name: 'tongban.claim_intake',
        text: `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (scope, idempotency_key) DO NOTHING
               RETURNING case_id`,
        values: [input.actor.id, key, requestHash, caseId, caseNumber],
      });
      if (claimed.rows.length === 0) {
        // A concurrent or earlier request with this key committed first (our insert waited for
        // it): its row is visible to this next statement.
        const winner = await client.query<ClaimRow>({
          name: 'tongban.find_intake_claim',
          text: `SELECT case_id, case_number, request_hash FROM case_intake_requests
                  WHERE scope = $1 AND idempotency_key = $2`,
          values: [input.actor.id, key],
        });
        await client.query('ROLLBACK');
        const row = winner.rows[0];
        if (!row) throw new Error('An Idempotency-Key claim conflicted but could not be read.');
        return { winner: row };
      }
      const stored = submittedEvents(input, { caseId, caseNumber }, context);
      const appended = await this.store.appendInTransaction(
        client,
        caseStreamId(caseId),
        stored,
        'no_stream',
      );
      committing = true;
      await client.query('COMMIT');
      return {
        result: {
          caseId,
          caseNumber,
          version: appended.nextExpectedVersion,
          position: formatPosition(appended.position),
          created: true,
        },
      };
    } catch (error) {
      if (committing) {
        // The COMMIT may or may not have gone through: the number is not given back.
        broken = error instanceof Error ? error : new Error(String(error));
        throw error;
      }
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // A connection that cannot roll back is not reused; the server aborts its transaction.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw new RolledBack(error);
    } finally {
      client.release(broken);
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
 * The case's first events, decided from the request. Their ids derive from the case id, so a
 * retry (same key, same request: the hash was checked) decides events with the same ids.
 */
function submittedEvents(
  input: SubmitCaseInput,
  claim: { caseId: string; caseNumber: string },
  context: CommandContext,
): EventToAppend[] {
  const command: SubmitCase = { ...input, type: 'SubmitCase', ...claim };
  return decide(command, initialState).map((e, i) =>
    toStoredEvent(e, context, deterministicUuid(`${claim.caseId}:submitted:${i}`)),
  );
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

/** Carries an error out of a transaction that was rolled back before COMMIT was sent. */
class RolledBack extends Error {
  constructor(override readonly cause: unknown) {
    super('the intake transaction was rolled back');
  }
}

/** What makes two requests "the same": everything the caller sent, not the time it arrived. */
function hashRequest(input: SubmitCaseInput): string {
  const { at: _at, ...rest } = input;
  return createHash('sha256').update(canonicalJson(rest)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
