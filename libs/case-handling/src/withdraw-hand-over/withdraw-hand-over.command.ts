import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class WithdrawHandOverCommand extends CaseCommandMessage<'WithdrawHandOver'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(WithdrawHandOverCommand)
export class WithdrawHandOverHandler implements ICommandHandler<WithdrawHandOverCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: WithdrawHandOverCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
