import { Body, Inject, Param } from '@nestjs/common';
import { caseStreamId } from '@tongban/cases';
import { EventTooLargeError, EVENT_STORE, InvalidEventError, type EventStore } from '@tongban/event-store';
import { CaseActionNotAllowedError } from '../access/case-access.policy';
import { CaseVersionConflictError } from '../case-command/case-command';
import { fromStoredEvent } from '../case-event-mapping';
import {
  Acting,
  CASE_ID,
  CaseActionController,
  CaseActionRoute,
  CaseActionRunner,
  type ActionContext,
} from '../http/case-action.route';
import { caseProblems } from '../http/case-problems';
import { RevealContactCommand } from './reveal-contact.command';
import { REVEAL_CONTACT_ACCESS } from './reveal-contact.policy';
import { RevealContactRequest, RevealContactResponse } from './reveal-contact.request.dto';

/**
 * The resident's full phone number, for the one who calls them back (issue 10, ADR 0014). Every
 * view masks it; this route shows it to the owner cadre or the channel that filed the case, and
 * only after the reveal is recorded on the case (`case.contact_revealed`: who, when, why), so
 * supervisors read every reveal in the case's timeline and audit history.
 */
@CaseActionController()
export class RevealContactController {
  constructor(
    private readonly actions: CaseActionRunner,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @CaseActionRoute('contact-details/reveal', REVEAL_CONTACT_ACCESS, {
    summary: 'Show the resident’s full phone number, recorded (who, when, why)',
    description:
      'For the call-back: the owner cadre, or the channel that filed the case. Everyone else in scope ' +
      'answers 403, out of scope 404. The reveal is recorded on the case before the number is answered ' +
      '(`case.contact_revealed`, in the staff timeline and the audit history, never in the resident’s). ' +
      'No If-Match: a reveal changes nothing about the case, so it does not depend on its version. The ' +
      'answer is `Cache-Control: no-store`.',
    ifMatch: false,
    onlyProblems: [
      caseProblems('case.not_found', 'case.not_owner', 'case.missing_text'),
      CaseActionNotAllowedError,
      new CaseVersionConflictError('', 0, 0),
      InvalidEventError,
      EventTooLargeError,
    ],
    ok: { type: RevealContactResponse, description: 'Recorded; the full number.' },
  })
  async reveal(
    @Param('id', CASE_ID) id: string,
    @Body() body: RevealContactRequest,
    @Acting() acting: ActionContext,
  ): Promise<RevealContactResponse> {
    // The one write path: the access policy's RevealContact row first (out of scope 404, in
    // scope without the relation 403), then the decider; the number is read only once recorded.
    let revealedAt = '';
    const result = await this.actions.send(
      acting,
      id,
      RevealContactCommand,
      (base) => {
        revealedAt = base.at;
        return { ...base, type: 'RevealContact', reason: body.reason };
      },
      { ifMatch: false },
    );
    void acting.reply.header('cache-control', 'no-store');
    return {
      caseId: id,
      phone: await this.residentPhone(id),
      revealedAt,
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
