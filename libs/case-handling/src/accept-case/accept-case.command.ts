import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class AcceptCaseCommand extends CaseCommandMessage<'AcceptCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(AcceptCaseCommand)
export class AcceptCaseHandler implements ICommandHandler<AcceptCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: AcceptCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
