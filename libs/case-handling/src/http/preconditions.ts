import { TongbanError } from '@tongban/errors';

export class PreconditionRequiredError extends TongbanError {
  readonly code = 'request.precondition_required';
  readonly kind = 'precondition_required';
}

export class InvalidHeaderError extends TongbanError {
  readonly code = 'request.invalid_header';
  readonly kind = 'validation';
}

export class IdempotencyKeyMissingError extends TongbanError {
  readonly code = 'idempotency.key_missing';
  readonly kind = 'validation';
}

/** If-Match named no current version: only weak or unknown entity tags (RFC 9110 §13.1.1). */
export class PreconditionFailedError extends TongbanError {
  readonly code = 'request.precondition_failed';
  readonly kind = 'precondition_failed';
}

/** A case version as an entity tag: the opaque tag is the version's decimal digits. */
const VERSION_TAG = /^\d{1,15}$/;
/** One `entity-tag` of a list (RFC 9110 §8.8.3), with the separating comma: weak?, opaque value. */
const ENTITY_TAG = /\s*(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"\s*(?:,|$)/y;

/**
 * The case version the caller last saw, from `If-Match`, with RFC 9110 semantics: the ETag as
 * given (`"3"`) names that version; `*` means whatever version the case is at now (undefined:
 * the decider still guards every rule, only the lost-update check is waived on request). If-Match
 * compares strongly, so a weak tag (`W/"3"`) never matches: 412, like a tag no version has. A bare
 * `3` is not an entity tag at all: 400. Required on every action on an existing case, so two
 * cadres never act on different views unknowingly.
 */
export function expectedVersionFrom(header: string | string[] | undefined): number | undefined {
  const value = (Array.isArray(header) ? header.join(', ') : (header ?? '')).trim();
  if (value === '') {
    throw new PreconditionRequiredError('Send If-Match with the case version you last read (the ETag).');
  }
  if (value === '*') return undefined;
  const versions = new Set<number>();
  ENTITY_TAG.lastIndex = 0;
  while (ENTITY_TAG.lastIndex < value.length) {
    const match = ENTITY_TAG.exec(value);
    if (!match) {
      throw new InvalidHeaderError('If-Match must be the ETag you read, quoted, e.g. "3" (or *).');
    }
    const [, weak, opaque = ''] = match;
    if (!weak && VERSION_TAG.test(opaque)) versions.add(Number(opaque));
  }
  if (versions.size > 1) {
    throw new InvalidHeaderError('If-Match must name one case version, e.g. "3".');
  }
  const [version] = versions;
  if (version === undefined) {
    throw new PreconditionFailedError(
      'If-Match names no version of this case: weak tags (W/"3") never match; send the ETag as read, e.g. "3".',
    );
  }
  return version;
}

/** 8–128 visible ASCII characters (the OpenAPI document states the same pattern). */
export const IDEMPOTENCY_KEY_FORMAT = /^[\x21-\x7e]{8,128}$/;

/** The Idempotency-Key of a creating POST: 8–128 visible characters, unique per caller. */
export function idempotencyKeyFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') {
    throw new IdempotencyKeyMissingError(
      'Send an Idempotency-Key header (e.g. a UUID) so a retry cannot file twice.',
    );
  }
  if (!IDEMPOTENCY_KEY_FORMAT.test(value)) {
    throw new InvalidHeaderError('Idempotency-Key must be 8-128 visible ASCII characters.');
  }
  return value;
}

export const etag = (version: number): string => `"${version}"`;
