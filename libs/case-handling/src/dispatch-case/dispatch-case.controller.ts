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
import { CASE_TARGET_PROBLEMS } from '../http/case-problems';
import { DispatchCaseCommand } from './dispatch-case.command';
import { DISPATCH_CASE_ACCESS } from './dispatch-case.policy';
import { DispatchCaseRequest } from './dispatch-case.request.dto';

@CaseActionController()
export class DispatchCaseController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('dispatch', DISPATCH_CASE_ACCESS, {
    summary: 'Dispatch to ONE accountable cadre (派单)',
    description:
      'Also re-dispatches a returned case, and overrides routing’s choice. `ownerId` must be a cadre who ' +
      'works in `ownerOrgUnit`, a community within your unit, and is present today where the directory ' +
      'knows (422 `case.unknown_target`, `case.target_not_in_unit`, `case.target_wrong_kind`, ' +
      '`case.target_out_of_scope`, `case.target_absent` otherwise).',
    problems: [CASE_TARGET_PROBLEMS],
  })
  dispatch(
    @Param('id', CASE_ID) id: string,
    @Body() body: DispatchCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, DispatchCaseCommand, (base) => ({
      ...base,
      type: 'DispatchCase',
      ownerId: body.ownerId,
      ownerOrgUnit: body.ownerOrgUnit,
      rule: 'manual',
      directoryVersion: body.directoryVersion ?? 0,
      ...(body.note ? { note: body.note } : {}),
    }));
  }
}
