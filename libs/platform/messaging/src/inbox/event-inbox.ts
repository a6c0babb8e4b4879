import type { RecordedEvent } from '@tongban/event-store';
import type { ReceivedMessage } from '../message-bus';
import { InboxConsumer, type DeadLetterFailure, type InboxConsumerOptions } from './inbox-consumer';

/**
 * A topic of stored events and how to read it: what a deployable's composition hands the read
 * side (the contracts' case-events topic and envelope decoder), so platform code needs no
 * knowledge of the envelope.
 */
export interface EventTopicSource {
  readonly topic: string;
  readonly deadLetterTopic: string;
  /** Never throws: the stored event the message carries, or why it carries none. */
  readonly decode: (
    message: ReceivedMessage,
  ) => { ok: true; event: RecordedEvent } | { ok: false; code: string; reason: string };
  readonly deadLetterHeaders: (failure: DeadLetterFailure) => Record<string, string>;
  /** Settings the topics are created with when a consumer finds them missing (as the relay does). */
  readonly topicConfigs?: Readonly<Record<string, string>>;
}

export type EventInboxOptions = Omit<
  InboxConsumerOptions<RecordedEvent>,
  'decode' | 'topic' | 'deadLetterTopic' | 'deadLetterHeaders' | 'topicConfigs'
> & {
  readonly source: EventTopicSource;
  /** Put before the topics (KAFKA_TOPIC_PREFIX); the group gets it too. */
  readonly prefix?: string;
};

/** An inbox consumer of stored events: entries keyed by event id, in stream-version order. */
export function eventInboxConsumer(options: EventInboxOptions): InboxConsumer<RecordedEvent> {
  const { source, prefix = '', ...rest } = options;
  return new InboxConsumer<RecordedEvent>({
    ...rest,
    group: `${prefix}${rest.group ?? rest.name}`,
    topic: `${prefix}${source.topic}`,
    deadLetterTopic: `${prefix}${source.deadLetterTopic}`,
    deadLetterHeaders: source.deadLetterHeaders,
    ...(source.topicConfigs ? { topicConfigs: source.topicConfigs } : {}),
    decode: (message) => {
      const decoded = source.decode(message);
      if (!decoded.ok) return decoded;
      const event = decoded.event;
      return {
        ok: true,
        entry: { id: event.id, streamId: event.streamId, version: event.version, position: event.position },
        value: event,
      };
    },
  });
}
