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
import { ResolveCaseCommand } from './resolve-case.command';
import { RESOLVE_CASE_ACCESS } from './resolve-case.policy';
import { ResolveCaseRequest } from './resolve-case.request.dto';

@CaseActionController()
export class ResolveCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('resolve', RESOLVE_CASE_ACCESS, {
    summary: 'Resolve (办结): open referrals must be completed first',
  })
  resolve(
    @Param('id', CASE_ID) id: string,
    @Body() body: ResolveCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, ResolveCaseCommand, (base) => ({
      ...base,
      type: 'ResolveCase',
      summary: body.summary,
    }));
  }
}
