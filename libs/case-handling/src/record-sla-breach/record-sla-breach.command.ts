import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

/**
 * Issued by the system (the SLA watcher), never over HTTP: no route and no row of the access
 * policy. A timer's meaning does not depend on what happened in between, so after a lost race
 * it is decided again on the fresh state (where the decider may find it no longer applies).
 */
export class RecordSlaBreachCommand extends CaseCommandMessage<'RecordSlaBreach'> {}

@CommandHandler(RecordSlaBreachCommand)
export class RecordSlaBreachHandler implements ICommandHandler<RecordSlaBreachCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: RecordSlaBreachCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, { retrySafe: true });
  }
}
