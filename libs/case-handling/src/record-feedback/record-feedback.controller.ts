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
import { RecordFeedbackCommand } from './record-feedback.command';
import { RECORD_FEEDBACK_ACCESS } from './record-feedback.policy';
import { RecordFeedbackRequest } from './record-feedback.request.dto';

@CaseActionController()
export class RecordFeedbackController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('feedback', RECORD_FEEDBACK_ACCESS, {
    summary: 'Rate the resolution (satisfied / basically satisfied / unsatisfied; solved or not)',
  })
  feedback(
    @Param('id', CASE_ID) id: string,
    @Body() body: RecordFeedbackRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, RecordFeedbackCommand, (base) => ({
      ...base,
      type: 'RecordFeedback',
      satisfaction: body.satisfaction,
      solved: body.solved,
      ...(body.comment ? { comment: body.comment } : {}),
    }));
  }
}
