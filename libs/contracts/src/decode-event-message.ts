import type { RecordedEvent } from '@tongban/event-store';
import { recordedEventOf, type EventEnvelope } from './envelope';
import { parseEnvelope } from './parse-envelope';
import type { EventTopicSource } from '@tongban/messaging';
import { consumerDeadLetterHeaders } from './dead-letter';
import {
  CASE_EVENTS_DEAD_LETTER_TOPIC,
  CASE_EVENTS_TOPIC,
  CASE_EVENTS_TOPIC_CONFIGS,
  messageKeyOf,
} from './topics';

export type DecodedEventMessage =
  | { readonly ok: true; readonly envelope: EventEnvelope; readonly event: RecordedEvent }
  | { readonly ok: false; readonly code: string; readonly reason: string };

/**
 * A consumed message as the stored event it carries: the envelope validated (parseEnvelope), and
 * its key checked against its stream — a message under another key may sit in another partition,
 * where its case's order is not kept (`envelope.key_mismatch`). Never throws.
 */
export function decodeEventMessage(message: {
  readonly key: string;
  readonly value: string;
  readonly raw?: Buffer;
}): DecodedEventMessage {
  const parsed = parseEnvelope(message.raw ?? message.value);
  if (!parsed.ok) return parsed;
  const expected = messageKeyOf(parsed.envelope.streamId);
  if (message.key !== expected) {
    return {
      ok: false,
      code: 'envelope.key_mismatch',
      reason: `The message key does not name the event's stream ${parsed.envelope.streamId}.`,
    };
  }
  return { ok: true, envelope: parsed.envelope, event: recordedEventOf(parsed.envelope) };
}

/**
 * The case-events topic as a read side consumes it (the projector, the SLA watcher): the public
 * names (a deployment's KAFKA_TOPIC_PREFIX goes before them), the envelope decoded and checked,
 * dead letters in the documented format.
 */
export const CASE_EVENTS_SOURCE: EventTopicSource = {
  topic: CASE_EVENTS_TOPIC,
  deadLetterTopic: CASE_EVENTS_DEAD_LETTER_TOPIC,
  topicConfigs: CASE_EVENTS_TOPIC_CONFIGS,
  decode: (message) => decodeEventMessage(message),
  deadLetterHeaders: consumerDeadLetterHeaders,
};
