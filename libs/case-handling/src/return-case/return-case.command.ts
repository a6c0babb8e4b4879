import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class ReturnCaseCommand extends CaseCommandMessage<'ReturnCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(ReturnCaseCommand)
export class ReturnCaseHandler implements ICommandHandler<ReturnCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: ReturnCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
