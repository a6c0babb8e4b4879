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
import { ReopenCaseCommand } from './reopen-case.command';
import { REOPEN_CASE_ACCESS } from './reopen-case.policy';
import { ReopenCaseRequest } from './reopen-case.request.dto';

@CaseActionController()
export class ReopenCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('reopen', REOPEN_CASE_ACCESS, {
    summary: 'Reopen a resolved or closed case: back to its owner for handling',
  })
  reopen(
    @Param('id', CASE_ID) id: string,
    @Body() body: ReopenCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, ReopenCaseCommand, (base) => ({
      ...base,
      type: 'ReopenCase',
      reason: body.reason,
    }));
  }
}
