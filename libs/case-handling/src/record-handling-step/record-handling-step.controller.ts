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
import { RecordHandlingStepCommand } from './record-handling-step.command';
import { RECORD_HANDLING_STEP_ACCESS } from './record-handling-step.policy';
import { RecordHandlingStepRequest } from './record-handling-step.request.dto';

@CaseActionController()
export class RecordHandlingStepController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('steps', RECORD_HANDLING_STEP_ACCESS, {
    summary: 'Record a handling step',
  })
  step(
    @Param('id', CASE_ID) id: string,
    @Body() body: RecordHandlingStepRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, RecordHandlingStepCommand, (base) => ({
      ...base,
      type: 'RecordHandlingStep',
      note: body.note,
      attachments: body.attachments ?? [],
    }));
  }
}
