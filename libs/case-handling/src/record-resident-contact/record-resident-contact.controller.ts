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
import { RecordResidentContactCommand } from './record-resident-contact.command';
import { RECORD_RESIDENT_CONTACT_ACCESS } from './record-resident-contact.policy';
import { RecordResidentContactRequest } from './record-resident-contact.request.dto';

@CaseActionController()
export class RecordResidentContactController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('contact', RECORD_RESIDENT_CONTACT_ACCESS, {
    summary: 'Record contact with the resident: the first one stops the response clock',
  })
  contact(
    @Param('id', CASE_ID) id: string,
    @Body() body: RecordResidentContactRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, RecordResidentContactCommand, (base) => ({
      ...base,
      type: 'RecordResidentContact',
      method: body.method,
      note: body.note,
    }));
  }
}
