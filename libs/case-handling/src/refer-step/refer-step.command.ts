import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { DirectoryLookup } from '@tongban/directory';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { DIRECTORY_LOOKUP } from '../routing-targets/directory-lookup.provider';
import { checkRoutingTargets } from '../routing-targets/routing-targets.check';

export class ReferStepCommand extends CaseCommandMessage<'ReferStep'> {}

/** The unit a step is referred to must exist, be of the kind named, and lie in the owner's street (ADR 0012). */
@CommandHandler(ReferStepCommand)
export class ReferStepHandler implements ICommandHandler<ReferStepCommand, CaseCommandResult> {
  constructor(
    private readonly writer: CaseWriter,
    @Inject(DIRECTORY_LOOKUP) private readonly directory: DirectoryLookup,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  execute(command: ReferStepCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, {
      check: (state) => checkRoutingTargets(command.decision, state, this.directory, this.options.timeZone),
    });
  }
}
