import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { CaseCommand, CaseEvent, CaseState } from '@tongban/cases';
import type { DirectoryLookup } from '@tongban/directory';
import { TongbanError } from '@tongban/errors';
import { CaseCommandMessage, type CaseCommandResult } from '../case-command/case-command';
import { CaseWriter } from '../case-command/case-writer';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { CASE_DIRECTORY, type CaseDirectory } from '../directory/case-directory';
import { DIRECTORY_LOOKUP } from '../routing-targets/directory-lookup.provider';
import { checkRoutingTargets } from '../routing-targets/routing-targets.check';

export class ReferStepCommand extends CaseCommandMessage<'ReferStep'> {}

/**
 * A referral that leaves the unit to the catalogue (issue 13): the step goes to the office or
 * agency the responsibility catalogue (权责清单) names for the case's matter, in the owner's
 * street. Its `target` and `toOrgUnit` are filled in when the case is loaded, after the access
 * policy; until then they are placeholders nothing reads.
 */
export class ReferToCatalogueUnitCommand extends CaseCommandMessage<'ReferStep'> {}

/** The case's matter names no unit to refer to: the owner names one. */
export class NoCatalogueUnitError extends TongbanError {
  readonly code = 'case.no_catalogue_unit';
  readonly kind = 'unprocessable';
}

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
      check: (state, decided) => checkRoutingTargets(decided, state, this.directory, this.options.timeZone),
    });
  }
}

/**
 * The catalogue's unit for the case's matter, in the street of the case's owner; then the same
 * checks as any referral. The owner stays the resident's one contact: only the step moves.
 */
@CommandHandler(ReferToCatalogueUnitCommand)
export class ReferToCatalogueUnitHandler implements ICommandHandler<
  ReferToCatalogueUnitCommand,
  CaseCommandResult
> {
  constructor(
    private readonly writer: CaseWriter,
    @Inject(CASE_DIRECTORY) private readonly directories: CaseDirectory,
    @Inject(DIRECTORY_LOOKUP) private readonly directory: DirectoryLookup,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  execute(command: ReferToCatalogueUnitCommand): Promise<CaseCommandResult> {
    return this.writer.write(command, {
      prepare: (decided, state, history) => this.catalogueUnit(decided, state, history),
      check: (state, decided) => checkRoutingTargets(decided, state, this.directory, this.options.timeZone),
    });
  }

  private catalogueUnit(command: CaseCommand, state: CaseState, history: readonly CaseEvent[]): CaseCommand {
    if (command.type !== 'ReferStep') return command;
    const submitted = history.find((e) => e.type === 'case.submitted');
    const matterCode = submitted?.type === 'case.submitted' ? submitted.matterCode : undefined;
    // Without an owner the decider refuses the referral anyway (not owner, or not in handling).
    if (!('ownerOrgUnit' in state)) return command;
    if (!matterCode) {
      throw new NoCatalogueUnitError('The case names no matter of the catalogue: name the unit (toOrgUnit).');
    }
    const directory = this.directories.current();
    const street = directory?.community(state.ownerOrgUnit)?.street;
    const unit = street === undefined ? undefined : directory?.responsibleUnit(matterCode, street);
    if (!unit) {
      throw new NoCatalogueUnitError(
        `The catalogue names no unit of the case's street for matter ${matterCode}: name the unit (toOrgUnit).`,
      );
    }
    return {
      ...command,
      target: unit.kind === 'stationedAgency' ? 'agency' : 'office',
      toOrgUnit: unit.code,
    };
  }
}
