import { TongbanError, type ErrorKind, type FieldProblem } from '@tongban/errors';

/** Stable codes of what locating refuses. Codes are added, never renamed. */
export const LOCATING_ERROR_KINDS = {
  /** A point whose latitude or longitude is not a finite number in range. */
  'directory.invalid_point': 'validation',
} as const satisfies Record<string, ErrorKind>;

export type LocatingErrorCode = keyof typeof LOCATING_ERROR_KINDS;

/**
 * A point that is not a WGS-84 position: lat or lng missing, not a finite number, lat outside
 * [-90, 90] or lng outside [-180, 180]. `errors` names the offending field(s) so the HTTP layer
 * can answer problem+json without re-validating.
 */
export class InvalidPointError extends TongbanError {
  readonly code = 'directory.invalid_point' satisfies LocatingErrorCode;
  readonly kind: ErrorKind = LOCATING_ERROR_KINDS['directory.invalid_point'];

  constructor(errors: readonly FieldProblem[]) {
    super(`Not a valid point: ${errors.map((e) => e.message).join('; ')}`, errors);
  }
}
