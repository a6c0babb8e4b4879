import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems, ApiUuidParam } from '@tongban/http';
import { Roles } from '@tongban/security';
import { MergeTargetNotFoundError, MergeTargetNotOpenError } from '../access/merge-target';
import { CASE_HANDLING_OPTIONS, type CaseHandlingOptions } from '../case-handling.options';
import { CaseAction, CaseActions, type ActionContext } from './case-actions';
import { CASE_ACTION_PROBLEMS, CASE_TARGET_PROBLEMS } from './case-problems';
import {
  CaseCommandResponse,
  CompleteReferralRequest,
  ContactRequest,
  DispatchCaseRequest,
  ExtensionRequest,
  FeedbackRequest,
  HandOverRequest,
  MergeRequest,
  ReasonRequest,
  ReferRequest,
  ReferStepResponse,
  ResolveRequest,
  StepRequest,
  SuperviseRequest,
  SupplementRequest,
} from './case-requests.dto';

const uuid = new ParseUUIDPipe({ version: undefined });

/**
 * Every action on an existing case: one route per command, If-Match required, the role checked
 * here and ownership and state checked by the decider.
 */
@ApiTags('case actions')
@ApiHeader({
  name: 'If-Match',
  required: true,
  description:
    'The case version you last read, as its ETag: `"3"` (quoted). Compared strongly (RFC 9110 §13.1.1): a ' +
    'weak tag (`W/"3"`) or a tag no version has answers 412 `request.precondition_failed`; a stale version ' +
    '409 `case.version_conflict` (read again, then retry); a bare `3`, a malformed list or two different ' +
    'versions 400 `request.invalid_header`; none 428 `request.precondition_required`. `*` acts on whatever ' +
    'version the case is at (no lost-update check; every rule of the case still applies).',
  schema: { type: 'string', pattern: '^(?:\\*|"[0-9]{1,15}")$', example: '"3"' },
})
@ApiUuidParam('id', 'The case id.')
@ApiProblems(CASE_ACTION_PROBLEMS)
@ApiOkResponse({
  type: CaseCommandResponse,
  description: 'Done: the new version is also in the `ETag` header.',
})
@Controller('cases/:id')
export class CaseActionsController {
  constructor(
    private readonly actions: CaseActions,
    @Inject(CASE_HANDLING_OPTIONS) private readonly options: CaseHandlingOptions,
  ) {}

  @Post('dispatch')
  @HttpCode(200)
  @Roles('dispatcher')
  @ApiOperation({
    summary: 'Dispatch to ONE accountable cadre (派单)',
    description:
      'Also re-dispatches a returned case. `ownerId` must be a cadre who works in `ownerOrgUnit`, a ' +
      'community within your unit (422 `case.unknown_target`, `case.target_not_in_unit`, ' +
      '`case.target_wrong_kind`, `case.target_out_of_scope` otherwise).',
  })
  @ApiProblems(CASE_TARGET_PROBLEMS)
  dispatch(
    @Param('id', uuid) id: string,
    @Body() body: DispatchCaseRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'DispatchCase',
      ownerId: body.ownerId,
      ownerOrgUnit: body.ownerOrgUnit,
      rule: 'manual',
      directoryVersion: body.directoryVersion ?? 0,
      ...(body.note ? { note: body.note } : {}),
    }));
  }

  @Post('accept')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({ summary: 'Accept a dispatched or handed-over case (接单): you become its one owner' })
  accept(@Param('id', uuid) id: string, @CaseAction() action: ActionContext): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({ ...base, type: 'AcceptCase' }));
  }

  @Post('return')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({ summary: 'Return a wrongly dispatched case, or refuse a hand-over (退单), with a reason' })
  returnCase(
    @Param('id', uuid) id: string,
    @Body() body: ReasonRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'ReturnCase',
      reason: body.reason,
    }));
  }

  @Post('contact')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({ summary: 'Record contact with the resident: the first one stops the response clock' })
  contact(
    @Param('id', uuid) id: string,
    @Body() body: ContactRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'RecordResidentContact',
      method: body.method,
      note: body.note,
    }));
  }

  @Post('steps')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({ summary: 'Record a handling step' })
  step(
    @Param('id', uuid) id: string,
    @Body() body: StepRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'RecordHandlingStep',
      note: body.note,
      attachments: body.attachments ?? [],
    }));
  }

  @Post('referrals')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({
    summary: 'Refer a step to a street office or stationed agency (流转)',
    description:
      'Answers the new `referralId`: the office completes the step with ' +
      '`POST /cases/{id}/referrals/{referralId}/complete`. `toOrgUnit` must be a unit of your street: one ' +
      'of its offices or service units for `office`, a stationed agency for `agency` (422 otherwise).',
  })
  @ApiProblems(CASE_TARGET_PROBLEMS)
  @ApiOkResponse({ type: ReferStepResponse, description: 'Referred; the new version is also the `ETag`.' })
  async refer(
    @Param('id', uuid) id: string,
    @Body() body: ReferRequest,
    @CaseAction() action: ActionContext,
  ): Promise<ReferStepResponse> {
    const referralId = randomUUID();
    const result = await this.actions.run(action, id, (base) => ({
      ...base,
      type: 'ReferStep',
      referralId,
      target: body.target,
      toOrgUnit: body.toOrgUnit,
      request: body.request,
    }));
    return { ...result, referralId };
  }

  @Post('referrals/:referralId/complete')
  @HttpCode(200)
  @Roles('office_staff', 'cadre')
  @ApiUuidParam('referralId', 'The `referralId` the referral answered.')
  @ApiOperation({ summary: 'Complete a referred step (the office or agency it was referred to)' })
  completeReferral(
    @Param('id', uuid) id: string,
    @Param('referralId', uuid) referralId: string,
    @Body() body: CompleteReferralRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'CompleteReferral',
      referralId,
      outcome: body.outcome,
    }));
  }

  @Post('suspend')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({ summary: 'Suspend while waiting for the resident (挂起): the SLA clock pauses' })
  suspend(
    @Param('id', uuid) id: string,
    @Body() body: ReasonRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'SuspendCase',
      reason: body.reason,
    }));
  }

  @Post('resume')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({ summary: 'Resume a suspended case' })
  resume(
    @Param('id', uuid) id: string,
    @Body() body: ReasonRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'ResumeCase',
      reason: body.reason,
    }));
  }

  @Post('hand-over')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({
    summary: 'Offer the case to another cadre',
    description:
      'You stay the accountable owner until they accept; they may refuse with a return. `toCadreId` must ' +
      'be a cadre who works in `toOrgUnit`, a community of your street (422 otherwise).',
  })
  @ApiProblems(CASE_TARGET_PROBLEMS)
  handOver(
    @Param('id', uuid) id: string,
    @Body() body: HandOverRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'HandOverCase',
      toCadreId: body.toCadreId,
      toOrgUnit: body.toOrgUnit,
      reason: body.reason,
    }));
  }

  @Post('resolve')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({ summary: 'Resolve (办结): open referrals must be completed first' })
  resolve(
    @Param('id', uuid) id: string,
    @Body() body: ResolveRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'ResolveCase',
      summary: body.summary,
    }));
  }

  @Post('supplement')
  @HttpCode(200)
  @Roles('resident')
  @ApiOperation({
    summary: 'Resident adds information to their own case',
    description:
      'A case takes a limited number of supplements (the CASE_MAX_SUPPLEMENTS setting, 20 by default); one ' +
      'more answers 409 `case.too_many_supplements`.',
  })
  supplement(
    @Param('id', uuid) id: string,
    @Body() body: SupplementRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'SupplementResidentInfo',
      note: body.note,
      attachments: body.attachments ?? [],
      maxSupplements: this.options.maxSupplementsPerCase,
    }));
  }

  @Post('withdraw')
  @HttpCode(200)
  @Roles('resident', 'channel')
  @ApiOperation({ summary: 'Withdraw a request before it is resolved' })
  withdraw(
    @Param('id', uuid) id: string,
    @Body() body: ReasonRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'WithdrawCase',
      reason: body.reason,
    }));
  }

  @Post('feedback')
  @HttpCode(200)
  @Roles('resident', 'channel')
  @ApiOperation({
    summary: 'Rate the resolution (satisfied / basically satisfied / unsatisfied; solved or not)',
  })
  feedback(
    @Param('id', uuid) id: string,
    @Body() body: FeedbackRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'RecordFeedback',
      satisfaction: body.satisfaction,
      solved: body.solved,
      ...(body.comment ? { comment: body.comment } : {}),
    }));
  }

  @Post('close')
  @HttpCode(200)
  @Roles('cadre')
  @ApiOperation({
    summary: 'Close a resolved case once feedback is in or its window expired',
    description:
      'Closing needs the resident’s feedback first (POST /cases/{id}/feedback), or the feedback window of ' +
      'this resolution to have expired; before that the answer is 409 `case.invalid_transition`.',
  })
  close(@Param('id', uuid) id: string, @CaseAction() action: ActionContext): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({ ...base, type: 'CloseCase' }));
  }

  @Post('reopen')
  @HttpCode(200)
  @Roles('supervisor', 'dispatcher')
  @ApiOperation({ summary: 'Reopen a resolved or closed case: back to its owner for handling' })
  reopen(
    @Param('id', uuid) id: string,
    @Body() body: ReasonRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'ReopenCase',
      reason: body.reason,
    }));
  }

  @Post('supervise')
  @HttpCode(200)
  @Roles('supervisor')
  @ApiOperation({ summary: 'Issue a supervision instruction (督办)' })
  supervise(
    @Param('id', uuid) id: string,
    @Body() body: SuperviseRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'SuperviseCase',
      instruction: body.instruction,
    }));
  }

  @Post('extensions')
  @HttpCode(200)
  @Roles('supervisor')
  @ApiOperation({ summary: 'Grant extra business days on an SLA clock (延期)' })
  extend(
    @Param('id', uuid) id: string,
    @Body() body: ExtensionRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'GrantExtension',
      clock: body.clock,
      extraBusinessDays: body.extraBusinessDays,
      reason: body.reason,
    }));
  }

  @Post('rule-unreasonable')
  @HttpCode(200)
  @Roles('supervisor')
  @ApiOperation({
    summary: 'Rule the request unreasonable (不合理诉求): excluded from the rates by this audited event',
  })
  ruleUnreasonable(
    @Param('id', uuid) id: string,
    @Body() body: ReasonRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'RuleUnreasonable',
      reason: body.reason,
    }));
  }

  @Post('merge')
  @HttpCode(200)
  @Roles('supervisor')
  @ApiOperation({ summary: 'Close as a duplicate of another case (合并)' })
  @ApiProblems(MergeTargetNotFoundError, MergeTargetNotOpenError)
  merge(
    @Param('id', uuid) id: string,
    @Body() body: MergeRequest,
    @CaseAction() action: ActionContext,
  ): Promise<CaseCommandResponse> {
    return this.actions.run(action, id, (base) => ({
      ...base,
      type: 'MergeCase',
      intoCaseId: body.intoCaseId,
      reason: body.reason,
    }));
  }
}
