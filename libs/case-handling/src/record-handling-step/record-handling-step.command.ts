import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class RecordHandlingStepCommand extends CaseCommandMessage<'RecordHandlingStep'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(RecordHandlingStepCommand)
export class RecordHandlingStepHandler implements ICommandHandler<
  RecordHandlingStepCommand,
  CaseCommandResult
> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: RecordHandlingStepCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
