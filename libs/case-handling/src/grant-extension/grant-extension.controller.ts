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
import { GrantExtensionCommand } from './grant-extension.command';
import { GRANT_EXTENSION_ACCESS } from './grant-extension.policy';
import { GrantExtensionRequest } from './grant-extension.request.dto';

@CaseActionController()
export class GrantExtensionController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('extensions', GRANT_EXTENSION_ACCESS, {
    summary: 'Grant extra business days on an SLA clock (延期)',
  })
  extend(
    @Param('id', CASE_ID) id: string,
    @Body() body: GrantExtensionRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, GrantExtensionCommand, (base) => ({
      ...base,
      type: 'GrantExtension',
      clock: body.clock,
      extraBusinessDays: body.extraBusinessDays,
      reason: body.reason,
    }));
  }
}
