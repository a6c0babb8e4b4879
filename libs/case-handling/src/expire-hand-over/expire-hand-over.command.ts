import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

/**
 * Issued by the system (the SLA watcher, at a hand-over's `expiresAt`), never over HTTP: no route
 * and no row of the access policy. A timer's meaning does not depend on what happened in between,
 * so after a lost race it is decided again on the fresh state (where the hand-over may have been
 * answered, withdrawn or recorded as lapsed by the owner's own command: nothing to do then).
 */
export class ExpireHandOverCommand extends CaseCommandMessage<'ExpireHandOver'> {}

@CommandHandler(ExpireHandOverCommand)
export class ExpireHandOverHandler implements ICommandHandler<ExpireHandOverCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: ExpireHandOverCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, { retrySafe: true });
  }
}
