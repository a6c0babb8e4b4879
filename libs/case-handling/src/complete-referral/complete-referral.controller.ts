import { Body, Param } from '@nestjs/common';
import { ApiUuidParam } from '@tongban/http';
import {
  Acting,
  CASE_ID,
  CaseActionController,
  CaseActionRoute,
  CaseActionRunner,
  type ActionContext,
} from '../http/case-action.route';
import type { CaseCommandResponse } from '../http/case-command.response.dto';
import { CompleteReferralCommand } from './complete-referral.command';
import { COMPLETE_REFERRAL_ACCESS } from './complete-referral.policy';
import { CompleteReferralRequest } from './complete-referral.request.dto';

@CaseActionController()
export class CompleteReferralController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('referrals/:referralId/complete', COMPLETE_REFERRAL_ACCESS, {
    summary: 'Complete a referred step (the office or agency it was referred to)',
  })
  @ApiUuidParam('referralId', 'The `referralId` the referral answered.')
  completeReferral(
    @Param('id', CASE_ID) id: string,
    @Param('referralId', CASE_ID) referralId: string,
    @Body() body: CompleteReferralRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, CompleteReferralCommand, (base) => ({
      ...base,
      type: 'CompleteReferral',
      referralId,
      outcome: body.outcome,
    }));
  }
}
