import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class RuleUnreasonableCommand extends CaseCommandMessage<'RuleUnreasonable'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(RuleUnreasonableCommand)
export class RuleUnreasonableHandler implements ICommandHandler<RuleUnreasonableCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: RuleUnreasonableCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
