import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

/**
 * Issued by the system (the SLA watcher, ADR 0029), never over HTTP: no route and no row of the
 * access policy. The due times the watcher computed are recorded only when they differ from
 * those last set, so after a lost race it is decided again on the fresh state.
 */
export class SetDueTimesCommand extends CaseCommandMessage<'SetDueTimes'> {}

@CommandHandler(SetDueTimesCommand)
export class SetDueTimesHandler implements ICommandHandler<SetDueTimesCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: SetDueTimesCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, { retrySafe: true });
  }
}
