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
import { MergeCaseCommand } from './merge-case.command';
import { MERGE_CASE_ACCESS } from './merge-case.policy';
import { MergeCaseRequest } from './merge-case.request.dto';
import { MergeTargetNotFoundError, MergeTargetNotOpenError } from './merge-target';

@CaseActionController()
export class MergeCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('merge', MERGE_CASE_ACCESS, {
    summary: 'Close as a duplicate of another case (合并)',
    problems: [MergeTargetNotFoundError, MergeTargetNotOpenError],
  })
  merge(
    @Param('id', CASE_ID) id: string,
    @Body() body: MergeCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, MergeCaseCommand, (base) => ({
      ...base,
      type: 'MergeCase',
      intoCaseId: body.intoCaseId,
      reason: body.reason,
    }));
  }
}
