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
import { ResumeCaseCommand } from './resume-case.command';
import { RESUME_CASE_ACCESS } from './resume-case.policy';
import { ResumeCaseRequest } from './resume-case.request.dto';

@CaseActionController()
export class ResumeCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('resume', RESUME_CASE_ACCESS, {
    summary: 'Resume a suspended case',
  })
  resume(
    @Param('id', CASE_ID) id: string,
    @Body() body: ResumeCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, ResumeCaseCommand, (base) => ({
      ...base,
      type: 'ResumeCase',
      reason: body.reason,
    }));
  }
}
