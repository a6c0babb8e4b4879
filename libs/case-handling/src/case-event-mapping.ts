import { randomUUID } from 'node:crypto';
import { CASE_EVENT_CODEC, type ActorRef, type CaseEvent } from '@tongban/cases';
import type { EventMetadata, EventToAppend, JsonObject, RecordedEvent } from '@tongban/event-store';

export interface CommandContext {
  /** The request id (or the triggering event's id): ties every event of one request together. */
  readonly correlationId: string;
  readonly causationId?: string;
}

/** Domain event → what the store keeps: the codec's type, version and data, the actor in metadata. */
export function toStoredEvent(
  event: CaseEvent,
  context: CommandContext,
  id: string = randomUUID(),
): EventToAppend {
  const { type, schemaVersion, data } = CASE_EVENT_CODEC.encode(event);
  const metadata: EventMetadata = {
    correlationId: context.correlationId,
    ...(context.causationId ? { causationId: context.causationId } : {}),
    actor: actorMetadata(event.by),
    ...(event.type === 'case.submitted' ? { channel: event.channel } : {}),
  };
  return {
    id,
    type,
    schemaVersion,
    data: JSON.parse(JSON.stringify(data)) as JsonObject,
    metadata,
  };
}

/**
 * What the store kept → domain event, through the case context's one codec (issue 12): older
 * shapes are upcast, a type or version newer than this build is refused rather than misread.
 */
export function fromStoredEvent(recorded: RecordedEvent): CaseEvent {
  return CASE_EVENT_CODEC.decode(recorded, `${recorded.streamId}@${recorded.version}`);
}

function actorMetadata(actor: ActorRef): { id: string; role: string; orgUnit?: string } {
  return { id: actor.id, role: actor.role, ...(actor.orgUnit ? { orgUnit: actor.orgUnit } : {}) };
}
