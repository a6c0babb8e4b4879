import { Param } from '@nestjs/common';
import {
  Acting,
  CASE_ID,
  CaseActionController,
  CaseActionRoute,
  CaseActionRunner,
  type ActionContext,
} from '../http/case-action.route';
import type { CaseCommandResponse } from '../http/case-command.response.dto';
import { AcceptCaseCommand } from './accept-case.command';
import { ACCEPT_CASE_ACCESS } from './accept-case.policy';

@CaseActionController()
export class AcceptCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('accept', ACCEPT_CASE_ACCESS, {
    summary: 'Accept a dispatched or handed-over case (接单): you become its one owner',
    description:
      'A hand-over is accepted only before it lapses (HAND_OVER_EXPIRES_AFTER_HOURS after it was offered): ' +
      'after that 409 `case.hand_over_expired`, and the owner keeps the case.',
  })
  accept(@Param('id', CASE_ID) id: string, @Acting() acting: ActionContext): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, AcceptCaseCommand, (base) => ({ ...base, type: 'AcceptCase' }));
  }
}
