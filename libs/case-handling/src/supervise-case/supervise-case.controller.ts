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
import { SuperviseCaseCommand } from './supervise-case.command';
import { SUPERVISE_CASE_ACCESS } from './supervise-case.policy';
import { SuperviseCaseRequest } from './supervise-case.request.dto';

@CaseActionController()
export class SuperviseCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('supervise', SUPERVISE_CASE_ACCESS, {
    summary: 'Issue a supervision instruction (督办)',
  })
  supervise(
    @Param('id', CASE_ID) id: string,
    @Body() body: SuperviseCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, SuperviseCaseCommand, (base) => ({
      ...base,
      type: 'SuperviseCase',
      instruction: body.instruction,
    }));
  }
}
