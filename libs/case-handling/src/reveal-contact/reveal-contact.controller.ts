import { Body, Controller, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { caseStreamId } from '@tongban/cases';
import { EventTooLargeError, EVENT_STORE, InvalidEventError, type EventStore } from '@tongban/event-store';
import { ApiProblems, ApiUuidParam, requestIdOf } from '@tongban/http';
import { Roles } from '@tongban/security';
import { CaseActionNotAllowedError } from '../access/case-access.policy';
import { fromStoredEvent } from '../case-event-mapping';
import { CLOCK, type Clock } from '../clock';
import { CaseVersionConflictError, HandleCaseCommand, type CaseCommandResult } from '../handle-case-command';
import { CaseAction, actorOf, type ActionContext } from '../http/case-actions';
import { caseProblems } from '../http/case-problems';
import { RevealContactRequest, RevealContactResponse } from './reveal-contact.request.dto';

/**
 * The resident's full phone number, for the one who calls them back (issue 10, ADR 0014). Every
 * view masks it; this route shows it to the owner cadre or the channel that filed the case, and
 * only after the reveal is recorded on the case (`case.contact_revealed`: who, when, why), so
 * supervisors read every reveal in the case's timeline and audit history.
 */
@ApiTags('case actions')
@Controller('cases/:id/contact-details')
export class RevealContactController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Post('reveal')
  @HttpCode(200)
  @Roles('cadre', 'channel')
  @ApiOperation({
    summary: 'Show the resident’s full phone number, recorded (who, when, why)',
    description:
      'For the call-back: the owner cadre, or the channel that filed the case. Everyone else in scope ' +
      'answers 403, out of scope 404. The reveal is recorded on the case before the number is answered ' +
      '(`case.contact_revealed`, in the staff timeline and the audit history, never in the resident’s). ' +
      'No If-Match: a reveal changes nothing about the case, so it does not depend on its version. The ' +
      'answer is `Cache-Control: no-store`.',
  })
  @ApiUuidParam('id', 'The case id.')
  @ApiProblems(
    caseProblems('case.not_found', 'case.not_owner', 'case.missing_text'),
    CaseActionNotAllowedError,
    new CaseVersionConflictError('', 0, 0),
    InvalidEventError,
    EventTooLargeError,
  )
  @ApiOkResponse({ type: RevealContactResponse, description: 'Recorded; the full number.' })
  async reveal(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Body() body: RevealContactRequest,
    @CaseAction() { principal, request, reply }: ActionContext,
  ): Promise<RevealContactResponse> {
    const at = this.clock.now().toISOString();
    // The one write path: the access policy's RevealContact row first (out of scope 404, in
    // scope without the relation 403), then the decider; the number is read only once recorded.
    const result = await this.commands.execute<HandleCaseCommand, CaseCommandResult>(
      new HandleCaseCommand(
        { type: 'RevealContact', caseId: id, actor: actorOf(principal), at, reason: body.reason },
        { correlationId: requestIdOf(request) },
      ),
    );
    void reply.header('cache-control', 'no-store');
    return {
      caseId: id,
      phone: await this.residentPhone(id),
      revealedAt: at,
      version: result.version,
      position: result.position,
    };
  }

  /** The number as filed: it lives in the case's `case.submitted` event alone, never in a read model. */
  private async residentPhone(caseId: string): Promise<string> {
    const [first] = await this.store.readStream(caseStreamId(caseId), { maxCount: 1 });
    const submitted = first === undefined ? undefined : fromStoredEvent(first);
    if (submitted?.type !== 'case.submitted') throw new Error(`Case ${caseId} has no submission`);
    return submitted.resident.phone;
  }
}
