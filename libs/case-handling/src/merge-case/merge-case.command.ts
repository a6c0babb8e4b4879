import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';
import { checkMergeTarget } from './merge-target';

export class MergeCaseCommand extends CaseCommandMessage<'MergeCase'> {}

/**
 * The decider sees one case; the case a duplicate joins is loaded here and checked by the same
 * policy (in the caller's scope, else 404 as any case they cannot see) and must be open. Merging
 * into itself is the decider's refusal.
 */
@CommandHandler(MergeCaseCommand)
export class MergeCaseHandler implements ICommandHandler<MergeCaseCommand, CaseCommandResult> {
  constructor(private readonly writer: CaseWriter) {}

  execute(command: MergeCaseCommand): Promise<CaseCommandResult> {
    const { actor, caseId, intoCaseId } = command.decision;
    return this.writer.write(command, {
      check: async () => {
        if (intoCaseId !== caseId) checkMergeTarget(actor, intoCaseId, await this.writer.load(intoCaseId));
      },
    });
  }
}
