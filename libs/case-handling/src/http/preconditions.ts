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

/**
 * The stream version the caller last saw, from `If-Match` (`3`, `"3"` or `W/"3"`). Required on
 * every action on an existing case, so two cadres never act on different views unknowingly.
 */
export function expectedVersionFrom(header: string | string[] | undefined): number {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') {
    throw new PreconditionRequiredError('Send If-Match with the case version you last read (the ETag).');
  }
  const match = /^\s*(?:W\/)?"?(\d{1,15})"?\s*$/.exec(value);
  if (!match) throw new InvalidHeaderError('If-Match must be a case version such as "3".');
  return Number(match[1]);
}

/** The Idempotency-Key of a creating POST: 8–128 visible characters, unique per caller. */
export function idempotencyKeyFrom(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value.trim() === '') {
    throw new IdempotencyKeyMissingError(
      'Send an Idempotency-Key header (e.g. a UUID) so a retry cannot file twice.',
    );
  }
  if (!/^[\x21-\x7e]{8,128}$/.test(value)) {
    throw new InvalidHeaderError('Idempotency-Key must be 8-128 visible ASCII characters.');
  }
  return value;
}

export const etag = (version: number): string => `"${version}"`;
