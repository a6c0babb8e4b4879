import { Body, Param } from '@nestjs/common';
import {
  Acting,
  CASE_ID,
  CaseActionController,
  CaseActionRoute,
  CaseActionRunner,
  type ActionContext,
} from '../http/case-action.route';
import type { CaseCommandResponse } from '../http/case-command.response.dto';
import { WithdrawCaseCommand } from './withdraw-case.command';
import { WITHDRAW_CASE_ACCESS } from './withdraw-case.policy';
import { WithdrawCaseRequest } from './withdraw-case.request.dto';

@CaseActionController()
export class WithdrawCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('withdraw', WITHDRAW_CASE_ACCESS, {
    summary: 'Withdraw a request before it is resolved',
  })
  withdraw(
    @Param('id', CASE_ID) id: string,
    @Body() body: WithdrawCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, WithdrawCaseCommand, (base) => ({
      ...base,
      type: 'WithdrawCase',
      reason: body.reason,
    }));
  }
}
