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
import { WithdrawHandOverCommand } from './withdraw-hand-over.command';
import { WITHDRAW_HAND_OVER_ACCESS } from './withdraw-hand-over.policy';
import { WithdrawHandOverRequest } from './withdraw-hand-over.request.dto';

@CaseActionController()
export class WithdrawHandOverController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('hand-over/withdrawal', WITHDRAW_HAND_OVER_ACCESS, {
    summary: 'Take back a hand-over nobody has answered (撤回移交)',
    description:
      'You stay the owner and may resolve or offer the case again. With no hand-over waiting for an answer — ' +
      'accepted, refused, withdrawn, or lapsed (HAND_OVER_EXPIRES_AFTER_HOURS after it was offered) — 409 ' +
      '`case.no_hand_over_pending`.',
  })
  withdraw(
    @Param('id', CASE_ID) id: string,
    @Body() body: WithdrawHandOverRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, WithdrawHandOverCommand, (base) => ({
      ...base,
      type: 'WithdrawHandOver',
      reason: body.reason,
    }));
  }
}
