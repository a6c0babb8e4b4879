import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class WithdrawCaseCommand extends CaseCommandMessage<'WithdrawCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(WithdrawCaseCommand)
export class WithdrawCaseHandler implements ICommandHandler<WithdrawCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: WithdrawCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
