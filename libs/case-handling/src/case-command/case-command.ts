import { Command } from '@nestjs/cqrs';
import type { CaseCommandOf, CaseCommandType, CaseEvent } from '@tongban/cases';
import { TongbanError } from '@tongban/errors';
import type { CommandContext } from '../case-event-mapping';

export interface CaseCommandResult {
  readonly caseId: string;
  /** Stream version after the command: the next If-Match. */
  readonly version: number;
  /** Consistency token: read models that reached it show this command's effects. */
  readonly position: string | null;
  readonly events: readonly CaseEvent[];
}

/**
 * A command on an existing case as the command bus carries it (ADR 0015): the decider's command
 * (which holds the one `CommandBase`: case, actor, time), how the request asked for it, and the
 * version the caller saw. Each use case has its own subclass, so the bus routes it to that use
 * case's handler and `execute` is typed by it.
 */
export abstract class CaseCommandMessage<T extends CaseCommandType> extends Command<CaseCommandResult> {
  constructor(
    readonly decision: CaseCommandOf<T>,
    readonly context: CommandContext,
    /** The version the caller saw (If-Match). Absent for system commands and for `If-Match: *`. */
    readonly expectedVersion?: number,
  ) {
    super();
  }
}

/** A use case's message class, as a route names it. */
export type CaseCommandClass<T extends CaseCommandType> = new (
  decision: CaseCommandOf<T>,
  context: CommandContext,
  expectedVersion?: number,
) => CaseCommandMessage<T>;

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
