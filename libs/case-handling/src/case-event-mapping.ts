import { randomUUID } from 'node:crypto';
import {
  CASE_EVENT_SCHEMA_VERSIONS,
  CASE_EVENT_TYPES,
  upcastCaseEvent,
  type ActorRef,
  type CaseEvent,
  type CaseEventType,
} from '@tongban/cases';
import type { EventMetadata, EventToAppend, JsonObject, RecordedEvent } from '@tongban/event-store';

export interface CommandContext {
  /** The request id (or the triggering event's id): ties every event of one request together. */
  readonly correlationId: string;
  readonly causationId?: string;
}

const KNOWN_TYPES = new Set<string>(CASE_EVENT_TYPES);

/** Domain event → what the store keeps: type and shape version apart, the actor in metadata. */
export function toStoredEvent(
  event: CaseEvent,
  context: CommandContext,
  id: string = randomUUID(),
): EventToAppend {
  const { type, ...data } = event;
  const metadata: EventMetadata = {
    correlationId: context.correlationId,
    ...(context.causationId ? { causationId: context.causationId } : {}),
    actor: actorMetadata(event.by),
    ...(type === 'case.submitted' ? { channel: event.channel } : {}),
  };
  return {
    id,
    type,
    schemaVersion: CASE_EVENT_SCHEMA_VERSIONS[type],
    data: JSON.parse(JSON.stringify(data)) as JsonObject,
    metadata,
  };
}

/**
 * What the store kept → domain event. Shapes newer than this code knows are refused rather than
 * misread; older or incomplete ones go through the case context's `upcastCaseEvent` (ADR 0008).
 */
export function fromStoredEvent(recorded: RecordedEvent): CaseEvent {
  if (!KNOWN_TYPES.has(recorded.type)) {
    throw new Error(`Unknown case event type ${recorded.type} in ${recorded.streamId}@${recorded.version}`);
  }
  const type = recorded.type as CaseEventType;
  if (recorded.schemaVersion !== CASE_EVENT_SCHEMA_VERSIONS[type]) {
    throw new Error(
      `No upcaster for ${type} v${recorded.schemaVersion} (this build knows v${CASE_EVENT_SCHEMA_VERSIONS[type]})`,
    );
  }
  return upcastCaseEvent(type, recorded.data);
}

function actorMetadata(actor: ActorRef): { id: string; role: string; orgUnit?: string } {
  return { id: actor.id, role: actor.role, ...(actor.orgUnit ? { orgUnit: actor.orgUnit } : {}) };
}
