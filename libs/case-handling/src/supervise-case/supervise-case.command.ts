import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class SuperviseCaseCommand extends CaseCommandMessage<'SuperviseCase'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(SuperviseCaseCommand)
export class SuperviseCaseHandler implements ICommandHandler<SuperviseCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: SuperviseCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
