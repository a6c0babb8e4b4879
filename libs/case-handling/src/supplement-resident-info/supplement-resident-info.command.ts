import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class SupplementResidentInfoCommand extends CaseCommandMessage<'SupplementResidentInfo'> {}

/** A note whose meaning does not depend on what happened in between: decided again after a lost race. */
@CommandHandler(SupplementResidentInfoCommand)
export class SupplementResidentInfoHandler implements ICommandHandler<
  SupplementResidentInfoCommand,
  CaseCommandResult
> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: SupplementResidentInfoCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, { retrySafe: true });
  }
}
