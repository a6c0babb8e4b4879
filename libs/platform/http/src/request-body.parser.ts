import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import {
  DuplicateKeyError,
  ForbiddenKeyError,
  InvalidNumberError,
  InvalidTextError,
  MalformedBodyError,
  TooDeepError,
  UnsupportedMediaTypeError,
  type FieldProblem,
} from '@tongban/errors';

/**
 * The deepest JSON a request may nest. The deepest DTO (an intake's `attachments[i].name`) needs
 * 3; the headroom is for future DTOs, the bound is what keeps class-transformer's and
 * class-validator's recursion (and ours) far from the stack limit.
 */
export const MAX_JSON_DEPTH = 32;

/** `application/json` and the structured-syntax `+json` types (RFC 6839), parameters allowed. */
export const JSON_MEDIA_TYPES: readonly (string | RegExp)[] = [
  'application/json',
  /^application\/[a-z0-9!#$&^_.+-]+\+json(?:;|$)/,
];

// A NUL, or a surrogate half without its partner. Without the `u` flag the class ranges match
// single UTF-16 code units, which is exactly what PostgreSQL's jsonb refuses.
const UNSTORABLE_TEXT = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** True when PostgreSQL could not store `text` (and no client can have meant it). */
export function isUnstorableText(text: string): boolean {
  return UNSTORABLE_TEXT.test(text);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8 strictly: Node's default decoding would turn bad bytes into U+FFFD silently. */
export function decodeUtf8Strictly(bytes: Uint8Array, where: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvalidTextError(`The ${where} is not valid UTF-8.`);
  }
}

/**
 * Parses a JSON request body, refusing before JSON.parse what would otherwise surface later as
 * a 500: nesting past `maxDepth` (stack overflows in validation), text jsonb cannot store,
 * numbers that are not finite doubles, duplicate keys and prototype-polluting keys.
 */
export function parseJsonBody(body: Buffer | string, maxDepth = MAX_JSON_DEPTH): unknown {
  const text = typeof body === 'string' ? body : decodeUtf8Strictly(body, 'body');
  if (text.trim() === '') throw new MalformedBodyError('The body is empty; send a JSON document.');
  scanJson(text, maxDepth);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new MalformedBodyError('The body is not valid JSON.');
  }
}

interface Frame {
  readonly isObject: boolean;
  readonly keys: Set<string>;
  /** The key being read in an object, the element index in an array. */
  key: string;
  index: number;
  expectKey: boolean;
}

const displayKey = (key: string): string => (isUnstorableText(key) ? JSON.stringify(key).slice(1, -1) : key);

function pathOf(stack: readonly Frame[], last?: string): string {
  const parts = stack.map((frame) => (frame.isObject ? displayKey(frame.key) : String(frame.index)));
  if (last !== undefined) parts.push(displayKey(last));
  return parts.join('.');
}

const problem = (field: string, reason: string, message: string): FieldProblem[] => [
  { field, reason, message },
];

/**
 * One linear pass over the raw text that tracks nesting and the path, skipping string contents
 * except to decode keys and strings with `\u` escapes. It only refuses; syntax errors are left
 * to JSON.parse, so the scan gives up quietly on text that is not JSON.
 */
function scanJson(text: string, maxDepth: number): void {
  const stack: Frame[] = [];
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    const top = stack[stack.length - 1];
    if (c === 0x22 /* " */) {
      const end = endOfString(text, i);
      if (end < 0) return;
      const raw = text.slice(i, end + 1);
      if (top?.isObject && top.expectKey) {
        const key = decodeString(raw);
        checkKey(stack, top, key);
      } else if (raw.includes('\\u') || isUnstorableText(raw)) {
        const value = decodeString(raw);
        if (isUnstorableText(value)) {
          throw new InvalidTextError(
            'A string in the body contains a NUL or a lone UTF-16 surrogate.',
            problem(pathOf(stack), 'invalidText', 'must not contain NUL or lone surrogates'),
          );
        }
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= maxDepth) {
        throw new TooDeepError(`The body nests deeper than ${maxDepth} levels.`);
      }
      stack.push({ isObject: c === 0x7b, keys: new Set(), key: '', index: 0, expectKey: c === 0x7b });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      if (!top || top.isObject !== (c === 0x7d)) return;
      stack.pop();
    } else if (c === 0x2c /* , */) {
      if (!top) return;
      if (top.isObject) top.expectKey = true;
      else top.index += 1;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < length && isNumberChar(text.charCodeAt(end))) end += 1;
      const value = Number(text.slice(i, end));
      if (value === Infinity || value === -Infinity) {
        throw new InvalidNumberError(
          'A number in the body is too large to represent.',
          problem(pathOf(stack), 'invalidNumber', 'must be a finite number'),
        );
      }
      i = end;
      continue;
    }
    i += 1;
  }
}

/** Digits, sign, point and exponent: the characters a JSON number token is made of. */
const isNumberChar = (c: number): boolean =>
  (c >= 0x30 && c <= 0x39) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x45 || c === 0x65;

function checkKey(stack: readonly Frame[], top: Frame, key: string): void {
  if (isUnstorableText(key)) {
    throw new InvalidTextError(
      'A key in the body contains a NUL or a lone UTF-16 surrogate.',
      problem(pathOf(stack.slice(0, -1), key), 'invalidText', 'must not contain NUL or lone surrogates'),
    );
  }
  const parent = stack[stack.length - 2];
  if (key === '__proto__' || (key === 'prototype' && parent?.isObject && parent.key === 'constructor')) {
    throw new ForbiddenKeyError(
      `The body uses the reserved key "${key}".`,
      problem(pathOf(stack.slice(0, -1), key), 'forbiddenKey', 'is a reserved key'),
    );
  }
  if (top.keys.has(key)) {
    throw new DuplicateKeyError(
      'An object in the body names the same key twice.',
      problem(pathOf(stack.slice(0, -1), key), 'duplicateKey', 'appears more than once'),
    );
  }
  top.keys.add(key);
  top.key = key;
  top.expectKey = false;
}

/** Index of the quote closing the string that opens at `start`, or -1 when it never closes. */
function endOfString(text: string, start: number): number {
  for (let j = start + 1; j < text.length; j += 1) {
    const c = text.charCodeAt(j);
    if (c === 0x5c /* \ */) j += 1;
    else if (c === 0x22) return j;
  }
  return -1;
}

function decodeString(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    throw new MalformedBodyError('The body is not valid JSON.');
  }
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)/i;

/**
 * Replaces Fastify's body parsers with ONE strict JSON parser: every other media type (text,
 * forms, multipart) has no parser and is answered 415 by Fastify before any route runs.
 */
export function installJsonBodyParser(fastify: FastifyInstance, bodyLimit: number): void {
  fastify.removeAllContentTypeParsers();
  for (const type of JSON_MEDIA_TYPES) {
    fastify.addContentTypeParser(
      type,
      { parseAs: 'buffer', bodyLimit },
      (
        request: { raw: IncomingMessage },
        body: Buffer,
        done: (error: Error | null, body?: unknown) => void,
      ) => {
        const charset = CHARSET.exec(request.raw.headers['content-type'] ?? '')?.[1]?.toLowerCase();
        if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
          done(new UnsupportedMediaTypeError('JSON bodies must be UTF-8.'));
          return;
        }
        try {
          done(null, parseJsonBody(body));
        } catch (error) {
          done(error as Error);
        }
      },
    );
  }
}
