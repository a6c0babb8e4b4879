import { Body, Inject, Param } from '@nestjs/common';
import { CASE_HANDLING_OPTIONS, handOverExpiry, type CaseHandlingOptions } from '../case-handling.options';
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
import { HandOverCaseCommand } from './hand-over-case.command';
import { HAND_OVER_CASE_ACCESS } from './hand-over-case.policy';
import { HandOverCaseRequest } from './hand-over-case.request.dto';

@CaseActionController()
export class HandOverCaseController {
  constructor(
    private readonly actions: CaseActionRunner,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  @CaseActionRoute('hand-over', HAND_OVER_CASE_ACCESS, {
    summary: 'Offer the case to another cadre',
    description:
      'You stay the accountable owner until they accept; they may refuse with a return. `toCadreId` must ' +
      'be a cadre who works in `toOrgUnit`, a community of your street, present today where the directory ' +
      'knows (422 otherwise). The offer lapses unanswered after HAND_OVER_EXPIRES_AFTER_HOURS (48 by default; ' +
      '`expiresAt` in its event): from then on they can no longer accept it (409 `case.hand_over_expired`) and ' +
      'you act as if none were pending. Until then you may take it back (`POST …/hand-over/withdrawal`).',
    problems: [CASE_TARGET_PROBLEMS],
  })
  handOver(
    @Param('id', CASE_ID) id: string,
    @Body() body: HandOverCaseRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, HandOverCaseCommand, (base) => ({
      ...base,
      type: 'HandOverCase',
      toCadreId: body.toCadreId,
      toOrgUnit: body.toOrgUnit,
      reason: body.reason,
      expiresAt: handOverExpiry(base.at, this.options),
    }));
  }
}
