import {
  MAX_EVENT_BYTES,
  MAX_EVENT_TYPE_LENGTH,
  MAX_EVENTS_PER_APPEND,
  MAX_STREAM_ID_LENGTH,
  type EventToAppend,
  type ExpectedVersion,
} from './event-store';
import {
  EventTooLargeError,
  InvalidEventError,
  InvalidExpectedVersionError,
  InvalidStreamIdError,
} from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Printable, no whitespace or control characters; Chinese allowed.
const STREAM_ID = /^[^\s\p{Cc}]+$/u;
const EVENT_TYPE = /^[A-Za-z][A-Za-z0-9._-]*$/;
// A UTF-16 surrogate that is not half of a pair (only lone ones match with the `u` flag).
const LONE_SURROGATE = /\p{Cs}/u;

export interface ValidatedEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: string;
  readonly metadata: string;
}

export function validateStreamId(streamId: unknown): string {
  if (typeof streamId !== 'string' || streamId.length === 0) {
    throw new InvalidStreamIdError('A stream id must be a non-empty string.');
  }
  if (streamId.length > MAX_STREAM_ID_LENGTH) {
    throw new InvalidStreamIdError(`A stream id may have at most ${MAX_STREAM_ID_LENGTH} characters.`);
  }
  if (!STREAM_ID.test(streamId)) {
    throw new InvalidStreamIdError('A stream id may not contain whitespace or control characters.');
  }
  return streamId;
}

export function validateExpectedVersion(expected: ExpectedVersion, eventCount: number): void {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected !== 'number' || !Number.isSafeInteger(expected) || expected < 0) {
    throw new InvalidExpectedVersionError(
      `Expected version must be 'any', 'no_stream', 'stream_exists' or a whole number ≥ 0; got ${String(expected)}.`,
    );
  }
  if (!Number.isSafeInteger(expected + eventCount)) {
    throw new InvalidExpectedVersionError(
      `Appending ${eventCount} events at version ${expected} would overflow.`,
    );
  }
}

/** Serialises strictly: anything JSON cannot carry faithfully is an error, not silently dropped. */
function strictJson(value: unknown, what: string): string {
  const problems: string[] = [];
  // The path to the value being checked, as a stack: its text (`data.resident.name`,
  // `data.list[2]`) is made only for a problem, not for every value of every valid event.
  const path: Array<string | number> = [];
  const at = (): string => what + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('');
  const check = (v: unknown, depth: number): void => {
    if (depth > 64) {
      problems.push(`${at()} is nested too deeply`);
      return;
    }
    if (typeof v === 'string') {
      // PostgreSQL's jsonb holds neither U+0000 nor a lone surrogate (a statement carrying one
      // fails inside the database); refuse both everywhere so adapters agree.
      if (v.includes('\u0000')) problems.push(`${at()} contains a NUL character`);
      if (LONE_SURROGATE.test(v)) problems.push(`${at()} contains a lone UTF-16 surrogate`);
      return;
    }
    if (v === null || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) problems.push(`${at()} is ${String(v)}`);
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        check(v[i], depth + 1);
        path.pop();
      }
      return;
    }
    if (typeof v === 'object') {
      const proto = Object.getPrototypeOf(v) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        problems.push(`${at()} is a ${v.constructor?.name ?? 'non-plain object'}, not a plain object`);
        return;
      }
      for (const [key, item] of Object.entries(v)) {
        if (key.includes('\u0000')) problems.push(`${at()} has a key with a NUL character`);
        if (LONE_SURROGATE.test(key)) problems.push(`${at()} has a key with a lone UTF-16 surrogate`);
        path.push(key);
        if (item === undefined) problems.push(`${at()} is undefined`);
        else check(item, depth + 1);
        path.pop();
      }
      return;
    }
    problems.push(`${at()} is a ${typeof v}`);
  };
  check(value, 0);
  if (problems.length > 0) {
    throw new InvalidEventError(`Event ${what} is not JSON: ${problems.slice(0, 5).join('; ')}.`);
  }
  return JSON.stringify(value);
}

/**
 * Checks a whole append before anything is written, so a bad event never leaves half an
 * append behind: either every event is valid or the store is untouched.
 */
export function validateAppend(
  streamId: string,
  events: readonly EventToAppend[],
  expected: ExpectedVersion,
): ValidatedEvent[] {
  validateStreamId(streamId);
  // Checked through `unknown` (callers may be untyped); narrowing `events` itself would widen it to any[].
  const list: unknown = events;
  if (!Array.isArray(list) || list.length === 0) {
    throw new InvalidEventError('An append needs at least one event.');
  }
  if (events.length > MAX_EVENTS_PER_APPEND) {
    throw new InvalidEventError(`An append may carry at most ${MAX_EVENTS_PER_APPEND} events.`);
  }
  validateExpectedVersion(expected, events.length);
  const ids = new Set<string>();
  return events.map((event, i) => {
    if (typeof event !== 'object' || event === null)
      throw new InvalidEventError(`Event ${i} is not an object.`);
    if (typeof event.id !== 'string' || !UUID.test(event.id)) {
      throw new InvalidEventError(`Event ${i} needs a UUID id.`);
    }
    const id = event.id.toLowerCase();
    if (ids.has(id)) throw new InvalidEventError(`Event id ${id} appears twice in one append.`);
    ids.add(id);
    if (
      typeof event.type !== 'string' ||
      !EVENT_TYPE.test(event.type) ||
      event.type.length > MAX_EVENT_TYPE_LENGTH
    ) {
      throw new InvalidEventError(
        `Event ${i} needs a type of letters, digits, dots, dashes or underscores (at most ${MAX_EVENT_TYPE_LENGTH}).`,
      );
    }
    const schemaVersion = event.schemaVersion ?? 1;
    if (!Number.isInteger(schemaVersion) || schemaVersion < 1 || schemaVersion > 32767) {
      throw new InvalidEventError(`Event ${i} has an invalid schema version.`);
    }
    if (typeof event.data !== 'object' || event.data === null || Array.isArray(event.data)) {
      throw new InvalidEventError(`Event ${i} data must be a JSON object.`);
    }
    const data = strictJson(event.data, 'data');
    const metadata = strictJson(event.metadata ?? {}, 'metadata');
    const bytes = Buffer.byteLength(data) + Buffer.byteLength(metadata);
    if (bytes > MAX_EVENT_BYTES) {
      throw new EventTooLargeError(`Event ${i} is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}.`);
    }
    return { id, type: event.type, schemaVersion, data, metadata };
  });
}

/** The stream readiness probes append to, always inside a transaction that is rolled back. */
export const WRITE_PROBE_STREAM = '$health-write-probe';

/** A probe event shaped like a real one: a string, a number, nested JSON and metadata. */
export function writeProbeEvent(): EventToAppend {
  return {
    id: crypto.randomUUID(),
    type: 'health.write_probe',
    data: { probe: '通办', at: 1, nested: { ok: true } },
    metadata: { correlationId: crypto.randomUUID() },
  };
}

export function describeExpected(expected: ExpectedVersion): string {
  return typeof expected === 'number' ? String(expected) : expected;
}
