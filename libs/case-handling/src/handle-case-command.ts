import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import {
  caseStreamId,
  decide,
  replay,
  type CaseCommand,
  type CaseCommandType,
  type CaseEvent,
  type CaseState,
} from '@tongban/cases';
import type { DirectoryLookup } from '@tongban/directory';
import { TongbanError } from '@tongban/errors';
import {
  EVENT_STORE,
  WrongExpectedVersionError,
  formatPosition,
  type EventStore,
} from '@tongban/event-store';
import { actionOf, requireAllowed, requireVisible } from './access/case-access.policy';
import { checkMergeTarget } from './access/merge-target';
import { fromStoredEvent, toStoredEvent, type CommandContext } from './case-event-mapping';
import { DIRECTORY_LOOKUP } from './routing-targets/directory-lookup.provider';
import { checkRoutingTargets } from './routing-targets/routing-targets.check';

/** The case changed since the caller read it (stale If-Match, or a lost race to append). */
export class CaseVersionConflictError extends TongbanError {
  readonly code = 'case.version_conflict';
  readonly kind = 'conflict';

  constructor(
    readonly caseId: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`Case ${caseId} is at version ${actual}, not ${expected}: read it again and retry.`);
  }
}

/**
 * Commands that may simply be decided again on a fresh state when another writer got in first:
 * system timers and notes whose meaning does not depend on what happened in between. Everything a
 * person decides on what they saw (accept, resolve, rulings…) is never retried behind their back.
 */
const RETRY_SAFE: ReadonlySet<CaseCommandType> = new Set<CaseCommandType>([
  'RaiseSlaWarning',
  'RecordSlaBreach',
  'ExpireFeedbackWindow',
  'SupplementResidentInfo',
  // A recorded read: what happened in between does not change why the number was asked for.
  'RevealContact',
]);

const MAX_ATTEMPTS = 3;

export interface CaseCommandResult {
  readonly caseId: string;
  /** Stream version after the command: the next If-Match. */
  readonly version: number;
  /** Consistency token: read models that reached it show this command's effects. */
  readonly position: string | null;
  readonly events: readonly CaseEvent[];
}

export class HandleCaseCommand {
  constructor(
    readonly command: CaseCommand,
    readonly context: CommandContext,
    /** The version the caller saw (If-Match). Absent for internal commands and for `If-Match: *`. */
    readonly expectedVersion?: number,
  ) {}
}

/** Load the stream, decide, append with the expected version: the one write path for cases. */
@CommandHandler(HandleCaseCommand)
export class HandleCaseCommandHandler implements ICommandHandler<HandleCaseCommand, CaseCommandResult> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DIRECTORY_LOOKUP) private readonly directory: DirectoryLookup,
  ) {}

  async execute({ command, context, expectedVersion }: HandleCaseCommand): Promise<CaseCommandResult> {
    const streamId = caseStreamId(command.caseId);
    const retry = expectedVersion === undefined && RETRY_SAFE.has(command.type);
    for (let attempt = 1; ; attempt++) {
      const recorded = await this.store.readStream(streamId);
      const version = recorded.length;
      const state = replay(recorded.map(fromStoredEvent));
      // The access policy first: a case the caller cannot see answers as one that does not
      // exist, whatever its version or state. Then a stale version (the caller must re-read
      // before anything else is worth saying), then the caller's relation to the case as it is.
      const person = command.actor.role !== 'system';
      const visible = person ? requireVisible(command.actor, command.caseId, state) : undefined;
      if (expectedVersion !== undefined && expectedVersion !== version) {
        throw new CaseVersionConflictError(command.caseId, expectedVersion, version);
      }
      if (visible) {
        requireAllowed(actionOf(command), command.actor, command.caseId, visible);
        if (command.type === 'MergeCase' && command.intoCaseId !== command.caseId) {
          checkMergeTarget(command.actor, command.intoCaseId, await this.load(command.intoCaseId));
        }
      }
      // Where the case is sent must exist (ADR 0012): after the policy, before the state rules.
      await checkRoutingTargets(command, state, this.directory);
      const events = decide(command, state);
      if (events.length === 0) return { caseId: command.caseId, version, position: null, events };
      try {
        const result = await this.store.append(
          streamId,
          events.map((e) => toStoredEvent(e, context)),
          version,
        );
        return {
          caseId: command.caseId,
          version: result.nextExpectedVersion,
          position: formatPosition(result.position),
          events,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        if (!retry || attempt >= MAX_ATTEMPTS) {
          throw new CaseVersionConflictError(command.caseId, version, error.actual);
        }
      }
    }
  }

  private async load(caseId: string): Promise<CaseState> {
    return replay((await this.store.readStream(caseStreamId(caseId))).map(fromStoredEvent));
  }
}
