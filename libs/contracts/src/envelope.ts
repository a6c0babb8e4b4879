import {
  formatPosition,
  parsePosition,
  type EventMetadata,
  type JsonObject,
  type RecordedEvent,
} from '@tongban/event-store';
import { personalDataOf } from './personal-data';

/** The envelope's own version: the `v1` in the topic names. */
export const ENVELOPE_VERSION = 1;

/**
 * What leaves the process for every stored event: the public, versioned envelope (docs/events.md).
 * One JSON object per Kafka message, as `eventMessage` builds it; `parseEnvelope` reads it back.
 */
export interface EventEnvelope {
  /** Always `ENVELOPE_VERSION` on this topic generation. */
  readonly envelopeVersion: typeof ENVELOPE_VERSION;
  /** The event's id (UUID): the same on every redelivery; consumers dedupe on it. */
  readonly eventId: string;
  /** Stable event type, e.g. `case.submitted`. */
  readonly type: string;
  /** Shape version of `data` for this type (as stored: consumers upcast). */
  readonly schemaVersion: number;
  readonly streamId: string;
  /** 1 for a stream's first event; consecutive within a stream. */
  readonly streamVersion: number;
  /** Opaque, totally ordered position in the global log (the consistency token a command returns). */
  readonly globalPosition: string;
  /** When the store recorded it (ISO 8601, UTC). */
  readonly occurredAt: string;
  readonly data: JsonObject;
  readonly metadata: EnvelopeMetadata;
  /**
   * JSON Pointers (RFC 6901) into `data` of the fields that hold personal data (names, phone and
   * ID numbers, addresses), so consumers can protect them and a later erasure can find them.
   */
  readonly personalData: readonly string[];
}

export interface EnvelopeMetadata {
  readonly correlationId?: string;
  readonly causationId?: string;
  readonly actor?: { readonly id: string; readonly role: string; readonly orgUnit?: string };
  readonly channel?: string;
  readonly [key: string]: unknown;
}

/**
 * The envelope of a stored event. `personalData` defaults to what PERSONAL_DATA_POINTERS lists
 * for its type and its data holds.
 */
export function toEnvelope(
  event: RecordedEvent,
  personalData: readonly string[] = personalDataOf(event.type, event.data),
): EventEnvelope {
  return {
    envelopeVersion: ENVELOPE_VERSION,
    eventId: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    streamVersion: event.version,
    globalPosition: formatPosition(event.position),
    occurredAt: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata,
    personalData,
  };
}

/** The stored event an envelope carries: consumers run the same handlers as in-process readers. */
export function recordedEventOf(envelope: EventEnvelope): RecordedEvent {
  return {
    id: envelope.eventId,
    type: envelope.type,
    streamId: envelope.streamId,
    version: envelope.streamVersion,
    position: parsePosition(envelope.globalPosition),
    data: envelope.data,
    metadata: envelope.metadata as EventMetadata,
    schemaVersion: envelope.schemaVersion,
    recordedAt: new Date(envelope.occurredAt),
  };
}
