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
import { ReferStepCommand } from './refer-step.command';
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
      'of its offices or service units for `office`, a stationed agency for `agency` (422 otherwise).',
    problems: [CASE_TARGET_PROBLEMS],
    ok: { type: ReferStepResponse, description: 'Referred; the new version is also the `ETag`.' },
  })
  async refer(
    @Param('id', CASE_ID) id: string,
    @Body() body: ReferStepRequest,
    @Acting() acting: ActionContext,
  ): Promise<ReferStepResponse> {
    const referralId = randomUUID();
    const result = await this.actions.run(acting, id, ReferStepCommand, (base) => ({
      ...base,
      type: 'ReferStep',
      referralId,
      target: body.target,
      toOrgUnit: body.toOrgUnit,
      request: body.request,
    }));
    return { ...result, referralId };
  }
}
