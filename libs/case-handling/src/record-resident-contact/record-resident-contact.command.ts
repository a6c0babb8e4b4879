import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class RecordResidentContactCommand extends CaseCommandMessage<'RecordResidentContact'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(RecordResidentContactCommand)
export class RecordResidentContactHandler implements ICommandHandler<
  RecordResidentContactCommand,
  CaseCommandResult
> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: RecordResidentContactCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
