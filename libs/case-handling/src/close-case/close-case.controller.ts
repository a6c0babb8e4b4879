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
import { CloseCaseCommand } from './close-case.command';
import { CLOSE_CASE_ACCESS } from './close-case.policy';

@CaseActionController()
export class CloseCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('close', CLOSE_CASE_ACCESS, {
    summary: 'Close a resolved case once feedback is in or its window expired',
    description:
      'Closing needs the resident’s feedback first (POST /cases/{id}/feedback), or the feedback window of ' +
      'this resolution to have expired; before that the answer is 409 `case.invalid_transition`.',
  })
  close(@Param('id', CASE_ID) id: string, @Acting() acting: ActionContext): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, CloseCaseCommand, (base) => ({ ...base, type: 'CloseCase' }));
  }
}
