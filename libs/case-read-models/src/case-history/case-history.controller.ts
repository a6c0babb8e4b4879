import { Controller, Get, Inject, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CASE_EVENT_CODEC, caseStreamId, replay } from '@tongban/cases';
import {
  actorOf,
  authorize,
  CASE_ACCESS_RULES,
  CaseActionNotAllowedError,
  caseProblems,
  fromStoredEvent,
  rolesOf,
} from '@tongban/case-handling';
import { EVENT_STORE, formatPosition, type EventStore, type JsonValue } from '@tongban/event-store';
import { ApiProblems, ApiUuidParam } from '@tongban/http';
import { maskIdNumber, maskPersonalDataInText, maskPhone } from '@tongban/logging';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { CaseHistoryView, type HistoryEntryView } from './case-history.dto';

/**
 * The audit read: a case's complete, unaltered history straight from the event store, not from a
 * read model, so what supervisors audit is what was recorded. The same access policy as every
 * command (its ReadHistory row): outside the caller's street it answers as no case at all.
 */
@ApiTags('cases')
@Controller('cases')
export class CaseHistoryController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get(':id/history')
  @Roles(...rolesOf(CASE_ACCESS_RULES.ReadHistory))
  @ApiOperation({
    summary: 'The complete, unaltered history of a case, read straight from the event store (audit)',
    description: 'Phone and ID numbers are masked.',
  })
  @ApiUuidParam('id', 'The case id.')
  @ApiProblems(caseProblems('case.not_found'), CaseActionNotAllowedError)
  @ApiOkResponse({
    type: CaseHistoryView,
    description: 'Every event in order, with actor, time and what changed.',
  })
  async history(
    @Param('id', new ParseUUIDPipe()) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<CaseHistoryView> {
    const events = await this.store.readStream(caseStreamId(id));
    // The one codec: the audit shows each event in the shape the rest of the system reads it in.
    const decoded = events.map(fromStoredEvent);
    authorize('ReadHistory', actorOf(principal), id, replay(decoded));
    return {
      caseId: id,
      version: events[events.length - 1]!.version,
      events: events.map((e, i): HistoryEntryView => {
        const current = CASE_EVENT_CODEC.encode(decoded[i]!);
        return {
          version: e.version,
          type: e.type,
          schemaVersion: current.schemaVersion,
          storedSchemaVersion: e.schemaVersion,
          position: formatPosition(e.position),
          recordedAt: e.recordedAt.toISOString(),
          actor: (e.metadata.actor ?? null) as JsonValue,
          correlationId: typeof e.metadata.correlationId === 'string' ? e.metadata.correlationId : null,
          data: maskContact(current.data as JsonValue),
        };
      }),
    };
  }
}

/** Phone and ID numbers are masked in every view by default, in free text too. */
function maskContact(data: JsonValue): JsonValue {
  if (Array.isArray(data)) return data.map(maskContact);
  if (typeof data === 'string') return maskPersonalDataInText(data);
  if (data === null || typeof data !== 'object') return data;
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => {
      if (key === 'phone' && typeof value === 'string') return [key, maskPhone(value)];
      if (key === 'idNumber' && typeof value === 'string') return [key, maskIdNumber(value)];
      return [key, maskContact(value)];
    }),
  );
}
