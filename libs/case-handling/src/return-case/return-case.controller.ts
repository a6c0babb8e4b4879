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
import { ReturnCaseCommand } from './return-case.command';
import { RETURN_CASE_ACCESS } from './return-case.policy';
import { ReturnCaseRequest } from './return-case.request.dto';

@CaseActionController()
export class ReturnCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('return', RETURN_CASE_ACCESS, {
    summary: 'Return a wrongly dispatched case, or refuse a hand-over (退单), with a reason',
  })
  returnCase(
    @Param('id', CASE_ID) id: string,
    @Body() body: ReturnCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, ReturnCaseCommand, (base) => ({
      ...base,
      type: 'ReturnCase',
      reason: body.reason,
    }));
  }
}
