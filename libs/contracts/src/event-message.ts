import type { CALENDAR_STREAM, CALENDAR_YEAR_LOADED } from '@tongban/case-handling';
import { CATALOGUE_STREAM, DIRECTORY_STREAM, type DirectoryChangeEvent } from '@tongban/directory';
import type { JsonObject, JsonValue, RecordedEvent } from '@tongban/event-store';
import { ENVELOPE_VERSION, toEnvelope } from './envelope';
import { CASE_EVENTS_TOPIC, CASE_STREAM_PREFIX, DIRECTORY_CHANGES_TOPIC, messageKeyOf } from './topics';

/**
 * The business calendar's stream. Stated here rather than imported: the calendar lives in
 * @tongban/case-handling, a Nest context the contracts should not load at run time. The type
 * annotation makes the compiler hold the two equal.
 */
const CALENDAR: typeof CALENDAR_STREAM = 'calendar';

/** The streams whose events go to DIRECTORY_CHANGES_TOPIC. */
export const DIRECTORY_CHANGE_STREAMS: readonly string[] = [DIRECTORY_STREAM, CATALOGUE_STREAM, CALENDAR];

export type DirectoryChangeType = DirectoryChangeEvent['type'] | typeof CALENDAR_YEAR_LOADED;

/** How one type of directory change is keyed: the key as documented, and its parts from the data. */
export interface DirectoryChangeKey {
  /** After `<stream>/`, with `<field>` for a value of the data (docs/events.md prints it). */
  readonly key: string;
  /** The parts, or undefined when the data lacks one (then the event id keys it). */
  readonly parts: (data: JsonObject) => readonly (string | undefined)[];
}

const isObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const at = (data: JsonValue | undefined, ...path: Array<string | number>): JsonValue | undefined => {
  let value = data;
  for (const step of path) {
    if (typeof step === 'number') value = Array.isArray(value) ? value[step] : undefined;
    else value = isObject(value) && Object.hasOwn(value, step) ? value[step] : undefined;
  }
  return value;
};
/** A key part: a non-empty string, or a whole number (a year). */
const part = (value: JsonValue | undefined): string | undefined => {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : undefined;
};
const lastDay = (data: JsonObject): string | undefined => {
  const days = at(data, 'days');
  return Array.isArray(days) ? part(at(days, days.length - 1, 'day')) : undefined;
};

/** Changes that set no one thing (an import's chunk, a batch of addresses): never compacted away. */
const BY_EVENT_ID: DirectoryChangeKey = { key: 'event/<event id>', parts: () => [undefined] };

/**
 * The message key of each directory change, after its stream: what the change SETS, so that
 * compaction, which keeps the last message of each key, keeps the latest change of each thing and
 * drops only changes a later one replaced entirely. Changes to different facets of one thing get
 * different keys (a grid's boundary, its cadre): neither replaces the other. A shared key such as
 * the stream id would leave one message per stream after compaction.
 */
export const DIRECTORY_CHANGE_KEYS: Readonly<Record<DirectoryChangeType, DirectoryChangeKey>> = {
  'directory.records_imported': BY_EVENT_ID,
  'directory.district_named': { key: 'district', parts: () => ['district'] },
  'directory.street_added': {
    key: 'street/<street.code>',
    parts: (d) => ['street', part(at(d, 'street', 'code'))],
  },
  'directory.community_added': {
    key: 'community/<community.code>',
    parts: (d) => ['community', part(at(d, 'community', 'code'))],
  },
  'directory.grid_drawn': { key: 'grid/<code>', parts: (d) => ['grid', part(at(d, 'code'))] },
  'directory.grid_cadre_assigned': {
    key: 'grid-cadre/<grid>',
    parts: (d) => ['grid-cadre', part(at(d, 'grid'))],
  },
  'directory.cadre_appointed': {
    key: 'cadre/<cadre.id>',
    parts: (d) => ['cadre', part(at(d, 'cadre', 'id'))],
  },
  'directory.cadre_left_post': {
    key: 'cadre-left-post/<cadreId>',
    parts: (d) => ['cadre-left-post', part(at(d, 'cadreId'))],
  },
  'directory.leave_recorded': {
    key: 'leave/<cadreId>/<from>',
    parts: (d) => ['leave', part(at(d, 'cadreId')), part(at(d, 'from'))],
  },
  // A rota replaces the days it names: the same days replace it, other days add to it.
  'directory.duty_rota_set': {
    key: 'duty/<community>/<first day>/<last day>',
    parts: (d) => ['duty', part(at(d, 'community')), part(at(d, 'days', 0, 'day')), lastDay(d)],
  },
  'directory.unit_added': { key: 'unit/<unit.code>', parts: (d) => ['unit', part(at(d, 'unit', 'code'))] },
  'directory.addresses_registered': BY_EVENT_ID,
  'catalogue.records_imported': BY_EVENT_ID,
  'catalogue.matter_set': {
    key: 'matter/<matter.code>',
    parts: (d) => ['matter', part(at(d, 'matter', 'code'))],
  },
  'calendar.year_loaded': { key: 'year/<year.year>', parts: (d) => ['year', part(at(d, 'year', 'year'))] },
};

/** `/` separates parts and `%` escapes: a part holding either cannot make two keys one. */
const escapePart = (text: string): string => text.replace(/%/g, '%25').replace(/\//g, '%2F');

/**
 * The key of a directory change on DIRECTORY_CHANGES_TOPIC: `<stream>/<what it sets>` as
 * DIRECTORY_CHANGE_KEYS says, or `<stream>/event/<event id>` for a type it does not know or data
 * that lacks a part (kept for good rather than squeezed into a shared key).
 */
export function directoryChangeKeyOf(event: RecordedEvent): string {
  const rule = Object.hasOwn(DIRECTORY_CHANGE_KEYS, event.type)
    ? DIRECTORY_CHANGE_KEYS[event.type as DirectoryChangeType]
    : BY_EVENT_ID;
  const parts = rule.parts(event.data);
  const subject = parts.every((p): p is string => p !== undefined) ? parts : ['event', event.id];
  return [event.streamId, ...subject].map(escapePart).join('/');
}

export interface EventMessage {
  readonly topic: string;
  readonly message: {
    readonly key: string;
    readonly value: string;
    readonly headers: Record<string, string>;
  };
}

/** The headers of every event message: enough to route or skip without parsing the value. */
export const EVENT_MESSAGE_HEADERS = {
  contentType: 'content-type',
  envelopeVersion: 'tongban-envelope-version',
  eventType: 'tongban-event-type',
  eventId: 'tongban-event-id',
} as const;

/**
 * The Kafka message of a stored event: case streams to CASE_EVENTS_TOPIC keyed by case id, the
 * directory, catalogue and calendar streams to DIRECTORY_CHANGES_TOPIC keyed by what they set;
 * null for any other stream (the store's write probes, anything internal), which stays inside.
 */
export function eventMessage(event: RecordedEvent): EventMessage | null {
  let topic: string;
  let key: string;
  if (event.streamId.startsWith(CASE_STREAM_PREFIX) && event.streamId.length > CASE_STREAM_PREFIX.length) {
    topic = CASE_EVENTS_TOPIC;
    key = messageKeyOf(event.streamId);
  } else if (DIRECTORY_CHANGE_STREAMS.includes(event.streamId)) {
    topic = DIRECTORY_CHANGES_TOPIC;
    key = directoryChangeKeyOf(event);
  } else {
    return null;
  }
  const envelope = toEnvelope(event);
  return {
    topic,
    message: {
      key,
      value: JSON.stringify(envelope),
      headers: {
        [EVENT_MESSAGE_HEADERS.contentType]: 'application/json',
        [EVENT_MESSAGE_HEADERS.envelopeVersion]: String(ENVELOPE_VERSION),
        [EVENT_MESSAGE_HEADERS.eventType]: envelope.type,
        [EVENT_MESSAGE_HEADERS.eventId]: envelope.eventId,
      },
    },
  };
}
