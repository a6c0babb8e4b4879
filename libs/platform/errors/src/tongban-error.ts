import { PlatformErrorCode } from './error-codes';

/**
 * What kind of failure an error is. Transport adapters (HTTP, Kafka) map a kind to their own
 * vocabulary in ONE place; the code that raises an error never knows about status codes.
 */
export type ErrorKind =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'precondition_failed'
  | 'precondition_required'
  | 'unprocessable'
  | 'payload_too_large'
  | 'uri_too_long'
  | 'unsupported_media_type'
  | 'too_many_requests'
  | 'unavailable'
  | 'internal';

/** One field-level problem, as reported in problem+json `errors`. */
export interface FieldProblem {
  /** JSON pointer-like dotted path of the offending field, e.g. `resident.phone`. */
  readonly field: string;
  /** Stable machine-readable reason, e.g. `isMobilePhone`, `unknownField`. */
  readonly reason: string;
  readonly message: string;
}

/**
 * Base class of every error Tongban raises on purpose. `code` is stable and documented: clients
 * and dashboards key on it, so a code is never renamed, only added. Pure TypeScript: the domain
 * may extend it without pulling in Nest or any infrastructure.
 */
export abstract class TongbanError extends Error {
  abstract readonly code: string;
  abstract readonly kind: ErrorKind;

  constructor(
    message: string,
    readonly errors: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input did not pass validation at the edge. */
export class ValidationFailedError extends TongbanError {
  readonly code = PlatformErrorCode.validationFailed;
  readonly kind = 'validation';
}

/** A configuration value is missing or malformed; start-up stops. */
export class InvalidConfigurationError extends TongbanError {
  readonly code = PlatformErrorCode.configInvalid;
  readonly kind = 'internal';
}

export function isTongbanError(value: unknown): value is TongbanError {
  return value instanceof TongbanError;
}
