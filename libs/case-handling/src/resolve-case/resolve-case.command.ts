import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class ResolveCaseCommand extends CaseCommandMessage<'ResolveCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(ResolveCaseCommand)
export class ResolveCaseHandler implements ICommandHandler<ResolveCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: ResolveCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
