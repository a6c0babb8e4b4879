import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';
import { CaseRouter } from '../route-case/case-router';

export class ReturnCaseCommand extends CaseCommandMessage<'ReturnCase'> {}

/**
 * The one write path, under this use case's row of the access policy. A return (退单) is routed
 * again in the same append (issue 13): never to the cadre who returned it, and a second return
 * goes to the street's dispatcher. A refused hand-over leaves the case with its owner: nothing to
 * route.
 */
@CommandHandler(ReturnCaseCommand)
export class ReturnCaseHandler implements ICommandHandler<ReturnCaseCommand, CaseCommandResult> {
  constructor(
    private readonly writer: CaseWriter,
    private readonly router: CaseRouter,
  ) {}

  execute(command: ReturnCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, {
      then: (state, history) => this.router.commandFor(state, history, command.decision.at),
    });
  }
}
