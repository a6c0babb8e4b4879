import { CASE_EVENT_SCHEMA_VERSIONS, CASE_EVENT_TYPES } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import { DEAD_LETTER_HEADERS, MAX_DEAD_LETTER_ERROR_LENGTH } from './dead-letter';
import { ENVELOPE_VERSION, toEnvelope } from './envelope';
import { EVENT_ENVELOPE_SCHEMA, MAX_ENVELOPE_BYTES, MAX_ENVELOPE_DEPTH } from './envelope.schema';
import { DIRECTORY_CHANGE_KEYS, EVENT_MESSAGE_HEADERS, type DirectoryChangeType } from './event-message';
import { ENVELOPE_ERROR_CODES } from './parse-envelope';
import { ANY_INDEX, PERSONAL_DATA_POINTERS } from './personal-data';
import {
  CASE_EVENTS_DEAD_LETTER_TOPIC,
  CASE_EVENTS_TOPIC,
  DIRECTORY_CHANGES_TOPIC,
  CASE_STREAM_PREFIX,
} from './topics';

/**
 * docs/events.md, the contract for consumers outside tongban, built from the schema and the tables
 * it describes (prose as template text), so the document cannot say what the code does not do.
 * Written by `npm run events:doc`; a unit test fails when the file is not what this renders. The
 * output is what prettier would print (tables aligned, JSON as prettier lays it out).
 */
export function renderEventsDoc(): string {
  const sections = [
    `# Events: what tongban publishes

<!-- Written by \`npm run events:doc\` from libs/contracts (renderEventsDoc); do not edit by hand. -->

Every event tongban stores about a case, and every change to the directory, the responsibility catalogue and the business calendar, is published to Kafka as one JSON message: the _envelope_ (version ${ENVELOPE_VERSION}). This document is the contract for consumers outside tongban. \`@tongban/contracts\` implements it: \`EVENT_ENVELOPE_SCHEMA\`, \`parseEnvelope\`, \`eventMessage\`, \`PERSONAL_DATA_POINTERS\`, \`DEAD_LETTER_HEADERS\`.`,
    `## Topics

${table(
  ['Topic', 'Carries', 'Key', 'Clean-up'],
  [
    [
      code(CASE_EVENTS_TOPIC),
      `every event of every case stream (\`${CASE_STREAM_PREFIX}<case id>\`)`,
      'the case id',
      'delete (retention)',
    ],
    [
      code(CASE_EVENTS_DEAD_LETTER_TOPIC),
      'messages a consumer gave up on',
      'the original key',
      'delete (retention)',
    ],
    [
      code(DIRECTORY_CHANGES_TOPIC),
      'directory, catalogue and calendar changes',
      'what the change sets (below)',
      'compact',
    ],
  ],
)}

- **Order.** One case's events share a key, hence a partition, and arrive in the order they were stored: \`streamVersion\` counts 1, 2, 3 … within the case. Nothing orders two cases' events against each other; \`globalPosition\` does, but only for comparing, never for waiting on a gap. The directory topic has one partition: its messages arrive in the order the changes were made, across keys.
- **At least once.** A message may arrive more than once (a producer retry, a consumer restarted before it committed). \`eventId\` is the same on every copy: record the ids you have handled in the same transaction as their effect, and skip an id you have seen. On the case topic, remembering the last \`streamVersion\` handled per case is enough: a message at or below it is a duplicate.
- **Compaction.** The directory topic keeps, after compaction, the last message of each key. Keys name what a change sets, so the latest change of each thing survives and a change is dropped only when a later one with the same key replaced it entirely. A new consumer reads the topic from the start to get the current directory, not its whole history. Changes that set no single thing (an import's records, a batch of addresses) are keyed by their event id and never dropped.
- **Size.** A message is at most ${MAX_ENVELOPE_BYTES} bytes: let your consumer fetch that much per partition (\`max.partition.fetch.bytes\`).
- **Headers.** Every message carries ${list(Object.values(EVENT_MESSAGE_HEADERS).map(code))}: enough to route or skip a message without parsing it. The value is the envelope, UTF-8 JSON.`,
    `### Directory change keys

A directory message's key is \`<stream>/<what it sets>\` (the stream is \`directory\`, \`catalogue\` or \`calendar\`); \`/\` and \`%\` inside a value are written \`%2F\` and \`%25\`. A type not listed here, or data lacking a value the key needs, is keyed \`<stream>/event/<event id>\`.

${table(
  ['Type', 'Key after `<stream>/`'],
  (Object.keys(DIRECTORY_CHANGE_KEYS) as DirectoryChangeType[]).map((type) => [
    code(type),
    code(DIRECTORY_CHANGE_KEYS[type].key),
  ]),
)}`,
    `## The envelope

One JSON object, at most ${MAX_ENVELOPE_BYTES} bytes of UTF-8 (no byte order mark), nesting at most ${MAX_ENVELOPE_DEPTH} arrays and objects, with no U+0000 and no lone surrogate in any string or key: the store never wrote those, so a message that has them did not come from tongban.

${table(
  ['Field', 'Rule', 'Meaning'],
  Object.entries(EVENT_ENVELOPE_SCHEMA.properties).map(([name, property]) => [
    code(name),
    ruleOf(property),
    property.description,
  ]),
)}

\`metadata\` may hold \`correlationId\`, \`causationId\` and \`channel\` (strings) and \`actor\` (\`id\` and \`role\`, strings, and optionally \`orgUnit\`); other fields may appear. Read \`data\` by \`type\` and \`schemaVersion\`: the shapes are tongban's domain events (\`libs/cases/src/case.events.ts\`, \`libs/directory/src/changes/directory-events.ts\`, \`libs/case-handling/src/calendar/calendar.events.ts\`), stored as they were written and never rewritten, so an old event keeps its old \`schemaVersion\`.

An example, a case as it was submitted:

\`\`\`json
${printJson(toEnvelope(EXAMPLE))}
\`\`\``,
    `## Versioning

- **Within version ${ENVELOPE_VERSION}, changes are additive.** A new field may appear in the envelope, in \`metadata\` or in \`data\`; a new event type may appear. Ignore what you do not know: a validator that refuses unknown fields would dead-letter every message the day one is added. \`parseEnvelope\` and the schema allow them.
- **A new shape of \`data\` is a new \`schemaVersion\` of its type**, listed in the table below before it is published. Old events keep their version: read every version you may meet, or dead-letter the ones you cannot.
- **A breaking change to the envelope is a new topic** (\`…v2\`), published beside the old one until its consumers have moved. \`envelopeVersion\` says which generation a message is; on a v${ENVELOPE_VERSION} topic it is always ${ENVELOPE_VERSION}.`,
    `## Personal data

\`personalData\` lists JSON pointers (RFC 6901) into \`data\` of the values that are personal data: a resident's name, phone and ID number, where the matter is (address and coordinates), attachment file names, and staff's names and phones. Only pointers to values present in that event are listed. The table below gives, per type, the pointers as patterns, where \`${ANY_INDEX}\` stands for every index of an array.

Consumers must:

- keep these values out of logs, metrics, search indexes and anything shared more widely than the consumer itself, or mask them first;
- store them only where access is controlled and logged, and only for as long as the purpose needs;
- be able to find them again by these pointers: an erasure request names the case, and the pointers say which values to erase;
- treat free text (a title, a description, a note, a reason) as confidential too: residents write names and numbers into it, and it is not listed.`,
    `## Dead letters

A consumer that cannot handle a message (after its own retries) publishes it to the topic's dead-letter topic (\`${CASE_EVENTS_DEAD_LETTER_TOPIC}\` for the case topic) and moves on: the same key, the original bytes as the value, the original headers kept, and these headers added (a message dead-lettered twice carries its last failure):

${table(
  ['Header', 'Value'],
  [
    [code(DEAD_LETTER_HEADERS.consumer), 'the consumer group that gave up'],
    [
      code(DEAD_LETTER_HEADERS.errorCode),
      "a stable code: one of the `envelope.*` codes below, or the consumer's own",
    ],
    [
      code(DEAD_LETTER_HEADERS.error),
      `the error for people, at most ${MAX_DEAD_LETTER_ERROR_LENGTH} characters`,
    ],
    [code(DEAD_LETTER_HEADERS.sourceTopic), 'the topic the message came from'],
    [code(DEAD_LETTER_HEADERS.sourcePartition), 'its partition (decimal)'],
    [code(DEAD_LETTER_HEADERS.sourceOffset), 'its offset (decimal)'],
    [code(DEAD_LETTER_HEADERS.attempts), 'how many times it was tried (decimal)'],
    [code(DEAD_LETTER_HEADERS.failedAt), 'when the consumer gave up (ISO 8601, UTC)'],
  ],
)}

\`parseEnvelope\` answers one of these codes for a message that is not an envelope:

${table(
  ['Code', 'Meaning'],
  Object.entries(ENVELOPE_ERROR_CODES).map(([codeName, meaning]) => [code(codeName), meaning]),
)}`,
    `## Event types

Every type published today, its current schema version, and the patterns of its personal data pointers. Case events go to \`${CASE_EVENTS_TOPIC}\`, the others to \`${DIRECTORY_CHANGES_TOPIC}\`. Directory, catalogue and calendar changes are stored at schema version 1.

${table(
  ['Type', 'Schema version', 'Personal data'],
  [
    ...CASE_EVENT_TYPES.map((type) => [
      code(type),
      String(CASE_EVENT_SCHEMA_VERSIONS[type]),
      pointers(PERSONAL_DATA_POINTERS[type]),
    ]),
    ...(Object.keys(DIRECTORY_CHANGE_KEYS) as DirectoryChangeType[]).map((type) => [
      code(type),
      '1',
      pointers(PERSONAL_DATA_POINTERS[type]),
    ]),
  ],
)}`,
    `## JSON Schema

The envelope as JSON Schema (2020-12), \`EVENT_ENVELOPE_SCHEMA\`. \`parseEnvelope\` checks exactly this, and the limits above that no schema states.

\`\`\`json
${printJson(EVENT_ENVELOPE_SCHEMA)}
\`\`\``,
  ];
  return `${sections.join('\n\n')}\n`;
}

/** A case submitted through the app, as the example envelope shows it. */
const EXAMPLE: RecordedEvent = {
  id: '0b9d6a52-5f43-4d1e-9c1e-2f7a8c3d4e51',
  type: 'case.submitted',
  streamId: `${CASE_STREAM_PREFIX}4f1c2b9e-8d7a-4e6b-a5c4-3b2a19087f6e`,
  version: 1,
  position: { tx: 81_234n, seq: 0n },
  schemaVersion: 2,
  recordedAt: new Date('2026-11-27T01:30:00.125Z'),
  data: {
    caseId: '4f1c2b9e-8d7a-4e6b-a5c4-3b2a19087f6e',
    at: '2026-11-27T09:30:00+08:00',
    by: { id: 'resident-8f3a', role: 'resident' },
    caseNumber: 'PC-20261127-000001',
    channel: 'app',
    resident: { name: 'Wang Fang', phone: '13800001234' },
    location: { address: 'Building 3, Yingbin Square', communityCode: 'pc.gucheng.taiyangcheng' },
    category: 'property',
    title: 'Lift out of order for three days',
    description: 'The lift of building 3 has not worked for three days.',
    attachments: [],
  },
  metadata: {
    correlationId: '6d0c2a47-1b8e-4f3a-9d2c-5e7f8a9b0c1d',
    actor: { id: 'resident-8f3a', role: 'resident' },
    channel: 'app',
  },
};

const PRINT_WIDTH = 110;

const code = (text: string): string => `\`${text}\``;
const list = (items: readonly string[]): string =>
  items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
const pointers = (patterns: readonly string[]): string =>
  patterns.length === 0 ? 'none' : patterns.map(code).join(', ');

interface PropertyRule {
  readonly type?: string;
  readonly const?: unknown;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly uniqueItems?: boolean;
  readonly items?: PropertyRule;
}

/** A property's rule in a few words; the patterns themselves are in the schema below. */
function ruleOf(property: PropertyRule): string {
  if (property.const !== undefined) return code(JSON.stringify(property.const));
  const words: string[] = [property.type ?? 'any'];
  if (property.minimum !== undefined && property.maximum !== undefined)
    words.push(`${property.minimum} to ${property.maximum}`);
  if (property.maxLength !== undefined)
    words.push(
      property.minLength === undefined
        ? `at most ${property.maxLength} characters`
        : `${property.minLength} to ${property.maxLength} characters`,
    );
  if (property.format !== undefined) words.push(property.format);
  if (property.pattern !== undefined) words.push('pattern');
  if (property.items !== undefined) words.push(`of ${ruleOf(property.items)}`);
  if (property.uniqueItems === true) words.push('unique');
  return words.join(', ');
}

/** Columns as wide as a terminal shows them: East Asian wide characters take two. */
function width(text: string): number {
  let columns = 0;
  for (const char of text)
    columns +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(
        char,
      )
        ? 2
        : 1;
  return columns;
}

/** A Markdown table aligned as prettier aligns it. */
function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, i) =>
    Math.max(3, width(title), ...rows.map((row) => width(row[i] ?? ''))),
  );
  const line = (cells: readonly string[]): string =>
    `| ${widths.map((w, i) => (cells[i] ?? '') + ' '.repeat(w - width(cells[i] ?? ''))).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

/**
 * JSON laid out as prettier lays it out: objects one property per line, arrays of plain values on
 * one line when it fits the print width, else one item per line.
 */
function printJson(value: unknown, indent = '', used = 0, tail = 0): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) {
      const flat = `[${value.map((item) => JSON.stringify(item)).join(', ')}]`;
      if (used + width(flat) + tail <= PRINT_WIDTH) return flat;
    }
    const items = value.map(
      (item, i) => inner + printJson(item, inner, inner.length, i < value.length - 1 ? 1 : 0),
    );
    return `[\n${items.join(',\n')}\n${indent}]`;
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const lines = entries.map(([key, item], i) => {
      const prefix = `${inner}${JSON.stringify(key)}: `;
      return prefix + printJson(item, inner, width(prefix), i < entries.length - 1 ? 1 : 0);
    });
    return `{\n${lines.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(value);
}
