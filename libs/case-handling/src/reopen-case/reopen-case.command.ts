import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class ReopenCaseCommand extends CaseCommandMessage<'ReopenCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(ReopenCaseCommand)
export class ReopenCaseHandler implements ICommandHandler<ReopenCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: ReopenCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
