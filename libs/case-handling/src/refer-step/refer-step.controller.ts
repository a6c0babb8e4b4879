import { randomUUID } from 'node:crypto';
import { Body, Param } from '@nestjs/common';
import {
  Acting,
  CASE_ID,
  CaseActionController,
  CaseActionRoute,
  CaseActionRunner,
  type ActionContext,
} from '../http/case-action.route';
import { CASE_TARGET_PROBLEMS } from '../http/case-problems';
import { ValidationFailedError } from '@tongban/errors';
import { NoCatalogueUnitError, ReferStepCommand, ReferToCatalogueUnitCommand } from './refer-step.command';
import { REFER_STEP_ACCESS } from './refer-step.policy';
import { ReferStepRequest, ReferStepResponse } from './refer-step.request.dto';

@CaseActionController()
export class ReferStepController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('referrals', REFER_STEP_ACCESS, {
    summary: 'Refer a step to a street office or stationed agency (流转)',
    description:
      'Answers the new `referralId`: the office completes the step with ' +
      '`POST /cases/{id}/referrals/{referralId}/complete`. `toOrgUnit` must be a unit of your street: one ' +
      'of its offices or service units for `office`, a stationed agency for `agency` (422 otherwise). ' +
      'Leave out both `target` and `toOrgUnit` to refer the step to the unit the responsibility catalogue ' +
      '(权责清单) names for the case’s matter, in your street (422 `case.no_catalogue_unit` when it names ' +
      'none). You stay the resident’s one contact.',
    problems: [CASE_TARGET_PROBLEMS, NoCatalogueUnitError],
    ok: { type: ReferStepResponse, description: 'Referred; the new version is also the `ETag`.' },
  })
  async refer(
    @Param('id', CASE_ID) id: string,
    @Body() body: ReferStepRequest,
    @Acting() acting: ActionContext,
  ): Promise<ReferStepResponse> {
    const referralId = randomUUID();
    const target = body.target ?? undefined;
    const toOrgUnit = body.toOrgUnit ?? undefined;
    if ((target === undefined) !== (toOrgUnit === undefined)) {
      const missing = target === undefined ? 'target' : 'toOrgUnit';
      throw new ValidationFailedError(
        'Give target and toOrgUnit together, or neither (the catalogue’s unit).',
        [
          {
            field: missing,
            reason: 'bothOrNeither',
            message: 'give target and toOrgUnit together, or neither',
          },
        ],
      );
    }
    const named = target !== undefined && toOrgUnit !== undefined;
    const result = await this.actions.run(
      acting,
      id,
      named ? ReferStepCommand : ReferToCatalogueUnitCommand,
      (base) => ({
        ...base,
        type: 'ReferStep',
        referralId,
        // Left to the catalogue: filled in when the case is loaded (ReferToCatalogueUnitCommand).
        target: target ?? 'office',
        toOrgUnit: toOrgUnit ?? '',
        request: body.request,
      }),
    );
    return { ...result, referralId };
  }
}
