import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class RevealContactCommand extends CaseCommandMessage<'RevealContact'> {}

/** A recorded read: what happened in between does not change why the number was asked for. */
@CommandHandler(RevealContactCommand)
export class RevealContactHandler implements ICommandHandler<RevealContactCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: RevealContactCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, { retrySafe: true });
  }
}
