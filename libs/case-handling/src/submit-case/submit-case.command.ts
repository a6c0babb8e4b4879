import { createHash, randomUUID } from 'node:crypto';
import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource, type EntityManager } from 'typeorm';
import { caseStreamId, decide, initialState, type SubmitCase } from '@tongban/cases';
import { TongbanError } from '@tongban/errors';
import { EVENT_STORE, formatPosition, type EventStore } from '@tongban/event-store';
import { toStoredEvent, type CommandContext } from '../case-event-mapping';
import { deterministicUuid } from '../deterministic-id';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';

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
 * Intake. The Idempotency-Key is claimed in the same transaction that draws the case number, so
 * fifty concurrent retries make ONE case with ONE number; every retry then appends the very same
 * CaseSubmitted (its id derives from the case id), which the event store recognises.
 */
@CommandHandler(SubmitCaseCommand)
export class SubmitCaseHandler implements ICommandHandler<SubmitCaseCommand, SubmitCaseResult> {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  async execute({ input, idempotencyKey, context }: SubmitCaseCommand): Promise<SubmitCaseResult> {
    const requestHash = hashRequest(input);
    const claim = await this.claim(input.actor.id, idempotencyKey, requestHash, input.at);
    const command: SubmitCase = {
      ...input,
      type: 'SubmitCase',
      caseId: claim.caseId,
      caseNumber: claim.caseNumber,
    };
    // A retry (same key, same request: the hash was checked) decides the same event with the
    // same id; the store recognises it and answers with the original append.
    const events = decide(command, initialState);
    const stored = events.map((e, i) =>
      toStoredEvent(e, context, deterministicUuid(`${claim.caseId}:submitted:${i}`)),
    );
    const result = await this.store.append(caseStreamId(claim.caseId), stored, 'no_stream');
    return {
      caseId: claim.caseId,
      caseNumber: claim.caseNumber,
      version: result.nextExpectedVersion,
      position: formatPosition(result.position),
      created: claim.created,
    };
  }

  private async claim(
    scope: string,
    key: string,
    requestHash: string,
    at: string,
  ): Promise<{ caseId: string; caseNumber: string; created: boolean }> {
    return this.dataSource
      .transaction(async (manager) => {
        const day = localDay(at, this.options.timeZone);
        const existing = await findClaim(manager, scope, key);
        if (existing) return this.retried(existing, requestHash);
        const [counter] = await manager.query<Array<{ last_value: number }>>(
          `INSERT INTO case_number_counters (day, last_value) VALUES ($1, 1)
         ON CONFLICT (day) DO UPDATE SET last_value = case_number_counters.last_value + 1
         RETURNING last_value`,
          [day],
        );
        const caseId = randomUUID();
        const caseNumber = `${this.options.caseNumberPrefix}-${day.replace(/-/g, '')}-${String(counter!.last_value).padStart(6, '0')}`;
        const inserted = await manager.query<Array<{ case_id: string }>>(
          `INSERT INTO case_intake_requests (scope, idempotency_key, request_hash, case_id, case_number)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (scope, idempotency_key) DO NOTHING
         RETURNING case_id`,
          [scope, key, requestHash, caseId, caseNumber],
        );
        if (inserted.length === 1) return { caseId, caseNumber, created: true };
        // A concurrent request with the same key committed first (we waited for it): use its case,
        // and roll back our counter so no number is burnt.
        const winner = await findClaim(manager, scope, key);
        throw new LostClaim(this.retried(winner!, requestHash));
      })
      .catch((error: unknown) => {
        if (error instanceof LostClaim) return error.claim;
        throw error;
      });
  }

  private retried(
    row: ClaimRow,
    requestHash: string,
  ): { caseId: string; caseNumber: string; created: boolean } {
    if (row.request_hash !== requestHash) {
      throw new IdempotencyKeyReusedError('This Idempotency-Key was already used for a different request.');
    }
    return { caseId: row.case_id, caseNumber: row.case_number, created: false };
  }
}

interface ClaimRow {
  case_id: string;
  case_number: string;
  request_hash: string;
}

async function findClaim(manager: EntityManager, scope: string, key: string): Promise<ClaimRow | undefined> {
  const rows = await manager.query<ClaimRow[]>(
    `SELECT case_id, case_number, request_hash FROM case_intake_requests WHERE scope = $1 AND idempotency_key = $2`,
    [scope, key],
  );
  return rows[0];
}

/** Thrown out of the transaction to roll it back while still answering with the winner's case. */
class LostClaim extends Error {
  constructor(readonly claim: { caseId: string; caseNumber: string; created: boolean }) {
    super('lost the idempotency claim');
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

/** The calendar day of an instant in the district's time zone, as YYYY-MM-DD. */
export function localDay(at: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(at));
}
