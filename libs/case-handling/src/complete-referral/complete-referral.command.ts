import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';

export class CompleteReferralCommand extends CaseCommandMessage<'CompleteReferral'> {}

/** The one write path, under this use case's row of the access policy. */
@CommandHandler(CompleteReferralCommand)
export class CompleteReferralHandler implements ICommandHandler<CompleteReferralCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: CompleteReferralCommand): Promise<CaseCommandResult> {
    return this.writer.write(command);
  }
}
