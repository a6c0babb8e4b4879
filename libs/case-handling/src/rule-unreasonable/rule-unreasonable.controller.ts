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
import { RuleUnreasonableCommand } from './rule-unreasonable.command';
import { RULE_UNREASONABLE_ACCESS } from './rule-unreasonable.policy';
import { RuleUnreasonableRequest } from './rule-unreasonable.request.dto';

@CaseActionController()
export class RuleUnreasonableController {
  constructor(private readonly actions: CaseActionRunner) {}

  @CaseActionRoute('rule-unreasonable', RULE_UNREASONABLE_ACCESS, {
    summary: 'Rule the request unreasonable (不合理诉求): excluded from the rates by this audited event',
  })
  ruleUnreasonable(
    @Param('id', CASE_ID) id: string,
    @Body() body: RuleUnreasonableRequest,
    @Acting() acting: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(acting, id, RuleUnreasonableCommand, (base) => ({
      ...base,
      type: 'RuleUnreasonable',
      reason: body.reason,
    }));
  }
}
