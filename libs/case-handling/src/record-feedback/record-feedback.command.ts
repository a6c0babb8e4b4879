import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class RecordFeedbackCommand extends CaseCommandMessage<'RecordFeedback'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(RecordFeedbackCommand)
export class RecordFeedbackHandler implements ICommandHandler<RecordFeedbackCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: RecordFeedbackCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
