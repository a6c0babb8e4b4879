import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { DirectoryLookup } from '@tongban/directory';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { DIRECTORY_LOOKUP } from '../routing-targets/directory-lookup.provider';
import { checkRoutingTargets } from '../routing-targets/routing-targets.check';

export class DispatchCaseCommand extends CaseCommandMessage<'DispatchCase'> {}

/** The cadre and community dispatched to must exist, and lie within the dispatcher's unit (ADR 0012). */
@CommandHandler(DispatchCaseCommand)
export class DispatchCaseHandler implements ICommandHandler<DispatchCaseCommand, CaseCommandResult> {
  constructor(
    private readonly writer: CaseWriter,
    @Inject(DIRECTORY_LOOKUP) private readonly directory: DirectoryLookup,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  execute(command: DispatchCaseCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, {
      check: (state) => checkRoutingTargets(command.decision, state, this.directory, this.options.timeZone),
    });
  }
}
