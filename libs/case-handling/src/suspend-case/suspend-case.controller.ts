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
import { SuspendCaseCommand } from './suspend-case.command';
import { SUSPEND_CASE_ACCESS } from './suspend-case.policy';
import { SuspendCaseRequest } from './suspend-case.request.dto';

@CaseActionController()
export class SuspendCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('suspend', SUSPEND_CASE_ACCESS, {
    summary: 'Suspend while waiting for the resident (挂起): the SLA clock pauses',
  })
  suspend(
    @Param('id', CASE_ID) id: string,
    @Body() body: SuspendCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, SuspendCaseCommand, (base) => ({
      ...base,
      type: 'SuspendCase',
      reason: body.reason,
    }));
  }
}
