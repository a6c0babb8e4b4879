import { Body, Inject, Param } from '@nestjs/common';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import {
  Acting,
  CASE_ID,
  CaseActionController,
  CaseActionRoute,
  CaseActionRunner,
  type ActionContext,
} from '../http/case-action.route';
import type { CaseCommandResponse } from '../http/case-command.response.dto';
import { SupplementResidentInfoCommand } from './supplement-resident-info.command';
import { SUPPLEMENT_RESIDENT_INFO_ACCESS } from './supplement-resident-info.policy';
import { SupplementResidentInfoRequest } from './supplement-resident-info.request.dto';

@CaseActionController()
export class SupplementResidentInfoController {
  constructor(
    private readonly actions: CaseActionRunner,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  @CaseActionRoute('supplement', SUPPLEMENT_RESIDENT_INFO_ACCESS, {
    summary: 'Resident adds information to their own case',
    description:
      'A case takes a limited number of supplements (the CASE_MAX_SUPPLEMENTS setting, 20 by default); one ' +
      'more answers 409 `case.too_many_supplements`.',
  })
  supplement(
    @Param('id', CASE_ID) id: string,
    @Body() body: SupplementResidentInfoRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, SupplementResidentInfoCommand, (base) => ({
      ...base,
      type: 'SupplementResidentInfo',
      note: body.note,
      attachments: body.attachments ?? [],
      maxSupplements: this.options.maxSupplementsPerCase,
    }));
  }
}
