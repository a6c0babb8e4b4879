import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class ResumeCaseCommand extends CaseCommandMessage<'ResumeCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(ResumeCaseCommand)
export class ResumeCaseHandler implements ICommandHandler<ResumeCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: ResumeCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
