import { MAX_ENVELOPE_BYTES } from './envelope.schema';
import { caseStreamId } from '@tongban/cases';

/**
 * The Kafka topics tongban publishes. Names carry the envelope's major version: a breaking change
 * to the envelope is a new topic, read side by side with the old one until its consumers move.
 */

/** Every event of every case stream, keyed by case id (order per case is order per partition). */
export const CASE_EVENTS_TOPIC = 'tongban.case-events.v1';

/**
 * How the case-events topic and its dead-letter topic are created (by the relay, or a consumer that
 * finds them missing; infra/deploy states the same): kept for good — a new consumer group starts
 * at version 1 of every case — and taking messages up to the envelope's bound plus headers (the
 * broker's default is about 1 MB).
 */
export const CASE_EVENTS_TOPIC_CONFIGS: Readonly<Record<string, string>> = {
  'retention.ms': '-1',
  'max.message.bytes': String(MAX_ENVELOPE_BYTES + 64 * 1024),
};

/** Messages of `CASE_EVENTS_TOPIC` a consumer could not handle, with the error (headers). */
export const CASE_EVENTS_DEAD_LETTER_TOPIC = 'tongban.case-events.v1.dead-letter';

/**
 * Directory changes (org units, cadres, grids, duty rota, catalogue, business calendar), keyed by
 * what each change sets (`directoryChangeKeyOf`): compacted, so a new consumer reads the latest
 * change of each thing rather than the whole history. One partition, so its order is the
 * streams' order across keys too.
 */
export const DIRECTORY_CHANGES_TOPIC = 'tongban.directory-changes.v1';

/** Case streams are `case-<case id>` (`caseStreamId`). */
export const CASE_STREAM_PREFIX = caseStreamId('');

/**
 * The message key of a case stream's events: the case id, so one case's events share a partition
 * and keep their order. Other streams answer their stream id; directory changes are keyed by
 * `directoryChangeKeyOf` instead (`eventMessage` picks).
 */
export function messageKeyOf(streamId: string): string {
  return streamId.startsWith(CASE_STREAM_PREFIX) ? streamId.slice(CASE_STREAM_PREFIX.length) : streamId;
}

/** The topics under a deployment's prefix (`KAFKA_TOPIC_PREFIX`; empty: the public names). */
export interface KafkaTopics {
  readonly caseEvents: string;
  readonly caseEventsDeadLetter: string;
  readonly directoryChanges: string;
}

export function kafkaTopics(prefix = ''): KafkaTopics {
  return {
    caseEvents: `${prefix}${CASE_EVENTS_TOPIC}`,
    caseEventsDeadLetter: `${prefix}${CASE_EVENTS_DEAD_LETTER_TOPIC}`,
    directoryChanges: `${prefix}${DIRECTORY_CHANGES_TOPIC}`,
  };
}
