import { MAX_EVENT_BYTES, MAX_EVENT_TYPE_LENGTH, MAX_STREAM_ID_LENGTH } from '@tongban/event-store';

/**
 * The envelope's JSON Schema (2020-12): what `parseEnvelope` checks, stated for consumers in
 * other languages (docs/events.md prints it). The validator reads its patterns and bounds from
 * here, so the two cannot drift. A few limits no schema can state (bytes, depth, UTF-8, lone
 * surrogates) are in the description and in `parseEnvelope`.
 */

/** A lower-case UUID: the store keeps event ids lower-cased. */
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
/** `case.submitted`, `directory.cadre_appointed`: dotted lower-case words. */
const EVENT_TYPE_PATTERN = '^[a-z][a-z0-9_]*([.][a-z][a-z0-9_]*)+$';
/** As the store refuses them: no white space, no control characters. */
const STREAM_ID_PATTERN = '^[^\\s\\u0000-\\u001f\\u007f-\\u009f]+$';
/**
 * The opaque position token: `p`, then 16 bytes in base64url (22 characters). 22 characters carry
 * 132 bits, 4 more than 16 bytes: the last character has them zero (A, Q, g or w), which makes
 * every position one token.
 */
const POSITION_PATTERN = '^p[A-Za-z0-9_-]{21}[AQgw]$';
/** What `Date.prototype.toISOString` writes: UTC, milliseconds, `Z`. */
const OCCURRED_AT_PATTERN = '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$';
/** An RFC 6901 JSON pointer to a value below the root (never the root itself). */
const POINTER_PATTERN = '^(/([^~/]|~[01])*)+$';
/** PostgreSQL's jsonb cannot hold U+0000: the store never wrote one, in a string or in a key. */
const NUL_FREE_PATTERN = '^[^\\u0000]*$';

/**
 * The most bytes one envelope may have. The store caps an event's data and metadata at
 * MAX_EVENT_BYTES (1 MiB); the envelope adds its own fields and the personal data pointers, which
 * can outgrow the data they point into only in contrived shapes. Twice the store's cap.
 */
export const MAX_ENVELOPE_BYTES = 2 * MAX_EVENT_BYTES;
/**
 * The most arrays and objects an envelope nests: the store refuses data or metadata nested more
 * than 64 levels below their own root, and the envelope and `data` add two.
 */
export const MAX_ENVELOPE_DEPTH = 66;

/** The highest schema version the store accepts (a PostgreSQL smallint). */
export const MAX_SCHEMA_VERSION = 32767;
/** The highest stream version: a PostgreSQL integer. */
export const MAX_STREAM_VERSION = 2 ** 31 - 1;

export const EVENT_ENVELOPE_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'urn:tongban:event-envelope:v1',
  title: 'Tongban event envelope, version 1',
  description: `One stored event as it leaves tongban: one JSON object per Kafka message (UTF-8). Fields not listed here may appear (additive changes within version 1): ignore them. Beyond the schema: a message is at most ${MAX_ENVELOPE_BYTES} bytes, nests at most ${MAX_ENVELOPE_DEPTH} arrays and objects, and holds no lone UTF-16 surrogate (docs/events.md).`,
  type: 'object',
  required: [
    'envelopeVersion',
    'eventId',
    'type',
    'schemaVersion',
    'streamId',
    'streamVersion',
    'globalPosition',
    'occurredAt',
    'data',
    'metadata',
    'personalData',
  ],
  properties: {
    envelopeVersion: {
      description: 'The envelope version: 1 on every v1 topic.',
      const: 1,
    },
    eventId: {
      description: 'The event id: the same on every redelivery. Deduplicate on it.',
      type: 'string',
      pattern: UUID_PATTERN,
    },
    type: {
      description: 'The stable event type.',
      type: 'string',
      maxLength: MAX_EVENT_TYPE_LENGTH,
      pattern: EVENT_TYPE_PATTERN,
    },
    schemaVersion: {
      description: 'The shape version of data for this type, as stored (not upcast).',
      type: 'integer',
      minimum: 1,
      maximum: MAX_SCHEMA_VERSION,
    },
    streamId: {
      description: 'The stream the event belongs to, e.g. `case-<case id>`.',
      type: 'string',
      minLength: 1,
      maxLength: MAX_STREAM_ID_LENGTH,
      pattern: STREAM_ID_PATTERN,
    },
    streamVersion: {
      description: 'The position in its stream: 1 for the first event, then consecutive.',
      type: 'integer',
      minimum: 1,
      maximum: MAX_STREAM_VERSION,
    },
    globalPosition: {
      description: 'Opaque, totally ordered position in the global log. Compare only for equality.',
      type: 'string',
      pattern: POSITION_PATTERN,
    },
    occurredAt: {
      description: 'When the store recorded the event: ISO 8601, UTC, milliseconds.',
      type: 'string',
      format: 'date-time',
      pattern: OCCURRED_AT_PATTERN,
    },
    data: {
      description: 'The event itself, shaped by type and schemaVersion.',
      type: 'object',
    },
    metadata: {
      description: 'Correlation, causation, actor and channel; other fields may appear.',
      type: 'object',
      properties: {
        correlationId: { type: 'string' },
        causationId: { type: 'string' },
        channel: { type: 'string' },
        actor: {
          type: 'object',
          required: ['id', 'role'],
          properties: {
            id: { type: 'string' },
            role: { type: 'string' },
            orgUnit: { type: 'string' },
          },
        },
      },
    },
    personalData: {
      description: 'JSON pointers into data of the values that are personal data.',
      type: 'array',
      uniqueItems: true,
      items: { type: 'string', pattern: POINTER_PATTERN },
    },
  },
  $ref: '#/$defs/nulFree',
  $defs: {
    nulFree: {
      description: 'No U+0000 in any string or key, at any depth.',
      pattern: NUL_FREE_PATTERN,
      propertyNames: { pattern: NUL_FREE_PATTERN },
      additionalProperties: { $ref: '#/$defs/nulFree' },
      items: { $ref: '#/$defs/nulFree' },
    },
  },
} as const;
