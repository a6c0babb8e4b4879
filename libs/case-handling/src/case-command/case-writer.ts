import { Inject, Injectable } from '@nestjs/common';
import {
  caseStreamId,
  decide,
  evolve,
  replay,
  TIMEKEEPING_EVENT_TYPES,
  type CaseCommand,
  type CaseCommandType,
  type CaseEvent,
  type CaseState,
} from '@tongban/cases';
import {
  EVENT_STORE,
  WrongExpectedVersionError,
  formatPosition,
  type EventStore,
} from '@tongban/event-store';
import { actionOf, requireAllowed, requireVisible } from '../access/case-access.policy';
import { fromStoredEvent, toStoredEvent } from '../case-event-mapping';
import { CaseVersionConflictError, type CaseCommandMessage, type CaseCommandResult } from './case-command';

/** What a use case adds to the one write path. */
export interface WriteOptions {
  /**
   * The command may simply be decided again on a fresh state when another writer got in first:
   * system timers and notes whose meaning does not depend on what happened in between. Whatever
   * a person decides on what they saw (accept, resolve, rulings…) is never retried behind them.
   * Only without an expected version: a caller who sent If-Match asked for exactly that one.
   */
  readonly retrySafe?: boolean;
  /**
   * Completes the command from the case as it is, after the access policy and before the check:
   * what the caller left to the system (a referral to the unit the catalogue names for the case's
   * matter). The command decided, checked and recorded is the one it answers.
   */
  readonly prepare?: (command: CaseCommand, state: CaseState, history: readonly CaseEvent[]) => CaseCommand;
  /**
   * What the use case checks beyond the one case (where it is sent, the case it joins), after
   * the access policy and before the decider: a refusal appends nothing. `command` is the one
   * being decided (as `prepare` completed it).
   */
  readonly check?: (state: CaseState, command: CaseCommand) => Promise<void> | void;
  /**
   * What the system does right after the command, in the same append (routing after a return):
   * a command decided on the state after the command's events, from the whole history; nothing
   * when it answers undefined. The caller's access was checked for the command, not for this.
   */
  readonly then?: (state: CaseState, history: readonly CaseEvent[]) => CaseCommand | undefined;
}

const MAX_ATTEMPTS = 3;

const TIMEKEEPING: ReadonlySet<CaseEvent['type']> = new Set(TIMEKEEPING_EVENT_TYPES);

/** `If-Match` still holds: the version read, or an older one followed only by timekeeping. */
function stillCurrent(history: readonly CaseEvent[], expectedVersion: number): boolean {
  if (expectedVersion === history.length) return true;
  if (expectedVersion > history.length || expectedVersion < 1) return false;
  return history.slice(expectedVersion).every((e) => TIMEKEEPING.has(e.type));
}

/**
 * The one write path for commands on existing cases: load the stream, the access policy, the use
 * case's own check, decide, append with the version that was read. Every use case's handler
 * calls it; none loads, decides or appends on its own.
 */
@Injectable()
export class CaseWriter {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async write<T extends CaseCommandType>(
    { decision, context, expectedVersion }: CaseCommandMessage<T>,
    options: WriteOptions = {},
  ): Promise<CaseCommandResult> {
    const streamId = caseStreamId(decision.caseId);
    const retry = expectedVersion === undefined && options.retrySafe === true;
    /** The version a lost race was decided on: another attempt only past timekeeping, unless retry-safe. */
    let lostOn: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const recorded = await this.store.readStream(streamId);
      const version = recorded.length;
      const history = recorded.map(fromStoredEvent);
      const state = replay(history);
      // The access policy first: a case the caller cannot see answers as one that does not
      // exist, whatever its version or state. Then a stale version (the caller must re-read
      // before anything else is worth saying), then the caller's relation to the case as it is.
      const person = decision.actor.role !== 'system';
      const visible = person ? requireVisible(decision.actor, decision.caseId, state) : undefined;
      if (expectedVersion !== undefined && !stillCurrent(history, expectedVersion)) {
        throw new CaseVersionConflictError(decision.caseId, expectedVersion, version);
      }
      if (lostOn !== undefined && !retry && !stillCurrent(history, lostOn)) {
        throw new CaseVersionConflictError(decision.caseId, lostOn, version);
      }
      if (visible) requireAllowed(actionOf(decision), decision.actor, decision.caseId, visible);
      // A case that does not exist is the decider's 404, whatever the use case would check.
      const command =
        state.status !== 'none' && options.prepare ? options.prepare(decision, state, history) : decision;
      if (state.status !== 'none') await options.check?.(state, command);
      const events = decide(command, state);
      if (events.length === 0) return { caseId: decision.caseId, version, position: null, events };
      if (options.then) {
        const after = events.reduce(evolve, state);
        const next = options.then(after, [...history, ...events]);
        if (next) events.push(...decide(next, after));
      }
      try {
        const result = await this.store.append(
          streamId,
          events.map((e) => toStoredEvent(e, context)),
          version,
        );
        return {
          caseId: decision.caseId,
          version: result.nextExpectedVersion,
          position: formatPosition(result.position),
          events,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // Lost a race: decided again on a fresh read — by a retry-safe command whatever came in
        // between, by any other only past the system's timekeeping (the checks above).
        if (attempt >= MAX_ATTEMPTS) {
          throw new CaseVersionConflictError(decision.caseId, version, error.actual);
        }
        lostOn = version;
      }
    }
  }

  /** Another case, as replayed: what a merge joins. */
  async load(caseId: string): Promise<CaseState> {
    return replay((await this.store.readStream(caseStreamId(caseId))).map(fromStoredEvent));
  }
}
