import { parsePosition } from '@tongban/event-store';
import { ENVELOPE_VERSION, type EventEnvelope } from './envelope';
import { EVENT_ENVELOPE_SCHEMA, MAX_ENVELOPE_BYTES, MAX_ENVELOPE_DEPTH } from './envelope.schema';

/**
 * Why a message is not an envelope: stable codes a consumer puts in its dead letter's
 * `tongban-dlq-error-code` header and may branch on. The reason beside it is for people.
 */
export const ENVELOPE_ERROR_CODES = {
  'envelope.empty': 'No value at all: a null, empty or tombstone message.',
  'envelope.too_large': `More than ${MAX_ENVELOPE_BYTES} bytes.`,
  'envelope.not_utf8': 'The bytes are not well-formed UTF-8 (a byte order mark counts as not JSON).',
  'envelope.too_deep': `Arrays and objects nested more than ${MAX_ENVELOPE_DEPTH} levels.`,
  'envelope.not_json': 'Not one JSON value.',
  'envelope.nul_character': 'A string or a key holds U+0000, which the store never wrote.',
  'envelope.lone_surrogate': 'A string or a key holds half a UTF-16 surrogate pair.',
  'envelope.not_object': 'JSON, but not an object.',
  'envelope.unsupported_version': `An envelopeVersion other than ${ENVELOPE_VERSION}: read from the wrong topic.`,
  'envelope.invalid_field': 'A field is missing or not as the schema says; the reason names it.',
} as const;

export type EnvelopeErrorCode = keyof typeof ENVELOPE_ERROR_CODES;

export type ParsedEnvelope =
  | { readonly ok: true; readonly envelope: EventEnvelope }
  | { readonly ok: false; readonly code: EnvelopeErrorCode; readonly reason: string };

const schema = EVENT_ENVELOPE_SCHEMA.properties;
const UUID = new RegExp(schema.eventId.pattern);
const EVENT_TYPE = new RegExp(schema.type.pattern);
const STREAM_ID = new RegExp(schema.streamId.pattern);
const POSITION = new RegExp(schema.globalPosition.pattern);
const OCCURRED_AT = new RegExp(schema.occurredAt.pattern);
const POINTER = new RegExp(schema.personalData.items.pattern);
const LONE_SURROGATE = /\p{Cs}/u;

const refuse = (code: EnvelopeErrorCode, reason: string): ParsedEnvelope => ({ ok: false, code, reason });
const invalid = (pointer: string, problem: string): ParsedEnvelope =>
  refuse('envelope.invalid_field', `${pointer} ${problem}`);

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type JsonRecord = { [key: string]: Json };

const isRecord = (value: Json | undefined): value is JsonRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Length as JSON Schema counts it: in code points, not UTF-16 units. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * Reads one Kafka message value as an envelope: bytes as strict UTF-8, then JSON, then the schema
 * (EVENT_ENVELOPE_SCHEMA) and the limits it cannot state. Never throws: anything else is an answer
 * with a stable code. Fields the schema does not list are kept (additive changes within v1).
 */
export function parseEnvelope(value: Buffer | string | null | undefined): ParsedEnvelope {
  try {
    return parse(value);
  } catch (error: unknown) {
    // Nothing below is meant to throw; this keeps the promise if something does (out of memory aside).
    return refuse('envelope.not_json', `Unreadable: ${error instanceof Error ? error.name : 'error'}.`);
  }
}

function parse(value: Buffer | string | null | undefined): ParsedEnvelope {
  if (value === null || value === undefined || value.length === 0) {
    return refuse('envelope.empty', 'The message has no value.');
  }
  let text: string;
  if (typeof value === 'string') {
    // Every UTF-16 unit is at least one UTF-8 byte: the cheap test first.
    if (value.length > MAX_ENVELOPE_BYTES || Buffer.byteLength(value, 'utf8') > MAX_ENVELOPE_BYTES) {
      return refuse('envelope.too_large', `The value is over ${MAX_ENVELOPE_BYTES} bytes.`);
    }
    text = value;
  } else {
    if (value.length > MAX_ENVELOPE_BYTES) {
      return refuse('envelope.too_large', `The value is ${value.length} bytes, over ${MAX_ENVELOPE_BYTES}.`);
    }
    try {
      // ignoreBOM keeps a byte order mark in the text, where JSON.parse refuses it: tongban never writes one.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(value);
    } catch {
      return refuse('envelope.not_utf8', 'The value is not well-formed UTF-8.');
    }
  }
  if (nestsDeeperThan(text, MAX_ENVELOPE_DEPTH)) {
    return refuse('envelope.too_deep', `Arrays and objects nest more than ${MAX_ENVELOPE_DEPTH} levels.`);
  }
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (error: unknown) {
    const why = error instanceof SyntaxError ? error.message.slice(0, 200) : 'unreadable';
    return refuse('envelope.not_json', `The value is not JSON: ${why}`);
  }
  const badText = textProblem(parsed);
  if (badText) return badText;
  if (!isRecord(parsed)) return refuse('envelope.not_object', 'The value is JSON but not an object.');
  return fields(parsed);
}

/**
 * Counts brackets outside strings in one pass, before JSON.parse sees the text: no recursion, no
 * tree built for a message that is refused anyway. On JSON the count is the nesting depth.
 */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** U+0000 or a lone surrogate anywhere, in a string or in a key; walked with a stack, not recursion. */
function textProblem(root: Json): ParsedEnvelope | null {
  // Pointers are made only for a problem: most messages have none.
  const pending: Array<{ readonly value: Json; readonly at: () => string }> = [{ value: root, at: () => '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, at } = next;
    if (typeof value === 'string') {
      const problem = stringProblem(value, () => `A string at "${at()}"`);
      if (problem) return problem;
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => pending.push({ value: item, at: () => `${at()}/${i}` }));
    } else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        const problem = stringProblem(key, () => `A key of the object at "${at()}"`);
        if (problem) return problem;
        pending.push({ value: item, at: () => `${at()}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}` });
      }
    }
  }
  return null;
}

function stringProblem(text: string, what: () => string): ParsedEnvelope | null {
  if (text.includes('\u0000')) return refuse('envelope.nul_character', `${what()} holds U+0000.`);
  if (LONE_SURROGATE.test(text))
    return refuse('envelope.lone_surrogate', `${what()} holds a lone surrogate.`);
  return null;
}

function fields(value: JsonRecord): ParsedEnvelope {
  for (const name of EVENT_ENVELOPE_SCHEMA.required) {
    if (!Object.hasOwn(value, name)) return invalid(`/${name}`, 'is missing.');
  }
  const { envelopeVersion, eventId, type, schemaVersion, streamId, streamVersion } = value;
  const { globalPosition, occurredAt, data, metadata, personalData } = value;
  if (typeof envelopeVersion !== 'number') return invalid('/envelopeVersion', 'must be a number.');
  if (envelopeVersion !== schema.envelopeVersion.const) {
    return refuse(
      'envelope.unsupported_version',
      `envelopeVersion ${envelopeVersion} is not ${schema.envelopeVersion.const}: this topic carries version ${ENVELOPE_VERSION}.`,
    );
  }
  if (typeof eventId !== 'string' || !UUID.test(eventId)) {
    return invalid('/eventId', 'must be a lower-case UUID.');
  }
  if (typeof type !== 'string' || type.length > schema.type.maxLength || !EVENT_TYPE.test(type)) {
    return invalid(
      '/type',
      `must be a dotted lower-case name of at most ${schema.type.maxLength} characters.`,
    );
  }
  if (!isIntegerIn(schemaVersion, schema.schemaVersion)) {
    return invalid('/schemaVersion', `must be an integer from 1 to ${schema.schemaVersion.maximum}.`);
  }
  if (
    typeof streamId !== 'string' ||
    !STREAM_ID.test(streamId) ||
    codePoints(streamId) > schema.streamId.maxLength
  ) {
    return invalid(
      '/streamId',
      `must be 1 to ${schema.streamId.maxLength} characters without white space or control characters.`,
    );
  }
  if (!isIntegerIn(streamVersion, schema.streamVersion)) {
    return invalid('/streamVersion', `must be an integer from 1 to ${schema.streamVersion.maximum}.`);
  }
  if (typeof globalPosition !== 'string' || !POSITION.test(globalPosition) || !isPosition(globalPosition)) {
    return invalid('/globalPosition', 'must be an opaque position token (p and 22 base64url characters).');
  }
  if (typeof occurredAt !== 'string' || !OCCURRED_AT.test(occurredAt) || !isInstant(occurredAt)) {
    return invalid('/occurredAt', 'must be an instant as YYYY-MM-DDTHH:mm:ss.sssZ.');
  }
  if (!isRecord(data)) return invalid('/data', 'must be an object.');
  const badMetadata = metadataProblem(metadata);
  if (badMetadata) return badMetadata;
  if (!Array.isArray(personalData)) return invalid('/personalData', 'must be an array.');
  const seen = new Set<string>();
  for (const [i, pointer] of personalData.entries()) {
    if (typeof pointer !== 'string' || !POINTER.test(pointer)) {
      return invalid(`/personalData/${i}`, 'must be a JSON pointer (RFC 6901) below the root.');
    }
    if (seen.has(pointer)) return invalid(`/personalData/${i}`, 'repeats an earlier pointer.');
    seen.add(pointer);
  }
  // Every field is as EventEnvelope says; unknown fields ride along untouched.
  return { ok: true, envelope: value as unknown as EventEnvelope };
}

function metadataProblem(metadata: Json | undefined): ParsedEnvelope | null {
  if (!isRecord(metadata)) return invalid('/metadata', 'must be an object.');
  const known = schema.metadata.properties;
  for (const name of ['correlationId', 'causationId', 'channel'] as const) {
    if (Object.hasOwn(metadata, name) && typeof metadata[name] !== known[name].type) {
      return invalid(`/metadata/${name}`, 'must be a string.');
    }
  }
  if (!Object.hasOwn(metadata, 'actor')) return null;
  const actor = metadata.actor;
  if (!isRecord(actor)) return invalid('/metadata/actor', 'must be an object.');
  for (const name of known.actor.required) {
    if (!Object.hasOwn(actor, name)) return invalid(`/metadata/actor/${name}`, 'is missing.');
  }
  for (const name of ['id', 'role', 'orgUnit'] as const) {
    if (Object.hasOwn(actor, name) && typeof actor[name] !== known.actor.properties[name].type) {
      return invalid(`/metadata/actor/${name}`, 'must be a string.');
    }
  }
  return null;
}

function isIntegerIn(value: Json | undefined, range: { readonly minimum: number; readonly maximum: number }) {
  return (
    typeof value === 'number' && Number.isInteger(value) && value >= range.minimum && value <= range.maximum
  );
}

function isPosition(token: string): boolean {
  try {
    parsePosition(token);
    return true;
  } catch {
    return false;
  }
}

/** A real instant: the pattern lets through the 30th of February, the round trip does not. */
function isInstant(text: string): boolean {
  const time = Date.parse(text);
  return !Number.isNaN(time) && new Date(time).toISOString() === text;
}
