import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class GrantExtensionCommand extends CaseCommandMessage<'GrantExtension'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(GrantExtensionCommand)
export class GrantExtensionHandler implements ICommandHandler<GrantExtensionCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: GrantExtensionCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
