import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class CloseCaseCommand extends CaseCommandMessage<'CloseCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(CloseCaseCommand)
export class CloseCaseHandler implements ICommandHandler<CloseCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: CloseCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
