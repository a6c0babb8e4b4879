import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class SuspendCaseCommand extends CaseCommandMessage<'SuspendCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(SuspendCaseCommand)
export class SuspendCaseHandler implements ICommandHandler<SuspendCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: SuspendCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
