import { PlatformErrorCode } from './error-codes';
import { TongbanError, type FieldProblem } from './tongban-error';

/**
 * What the HTTP edge refuses before a request reaches validation or a handler. Each is its own
 * class so the one filter maps it by kind, like any other error, and keeps its stable code.
 */

/** The body announced JSON but is empty or not one JSON document. */
export class MalformedBodyError extends TongbanError {
  readonly code = PlatformErrorCode.malformedBody;
  readonly kind = 'validation';
}

/** Text PostgreSQL cannot store or a client cannot have meant: invalid UTF-8, NUL, lone surrogates. */
export class InvalidTextError extends TongbanError {
  readonly code = PlatformErrorCode.invalidText;
  readonly kind = 'validation';
}

/** A JSON number that does not fit a double (`1e400`): JSON.parse would turn it into Infinity. */
export class InvalidNumberError extends TongbanError {
  readonly code = PlatformErrorCode.invalidNumber;
  readonly kind = 'validation';
}

/** JSON nested deeper than any request needs; refused before parsing so recursion stays bounded. */
export class TooDeepError extends TongbanError {
  readonly code = PlatformErrorCode.tooDeep;
  readonly kind = 'validation';
}

/** One object names the same key twice; JSON.parse would silently keep the last one. */
export class DuplicateKeyError extends TongbanError {
  readonly code = PlatformErrorCode.duplicateKey;
  readonly kind = 'validation';
}

/** `__proto__` or `constructor.prototype`: keys that only serve prototype pollution. */
export class ForbiddenKeyError extends TongbanError {
  readonly code = PlatformErrorCode.forbiddenKey;
  readonly kind = 'validation';
}

/** A body in a media type (or charset) the endpoint does not read. */
export class UnsupportedMediaTypeError extends TongbanError {
  readonly code = PlatformErrorCode.unsupportedMediaType;
  readonly kind = 'unsupported_media_type';
}

/** A URL longer than the server reads. */
export class UriTooLongError extends TongbanError {
  readonly code = PlatformErrorCode.uriTooLong;
  readonly kind = 'uri_too_long';
}

/** The path exists, the method does not; `allow` lists the methods it does answer. */
export class MethodNotAllowedError extends TongbanError {
  readonly code = PlatformErrorCode.methodNotAllowed;
  readonly kind = 'method_not_allowed';

  constructor(
    message: string,
    readonly allow: readonly string[],
    errors: readonly FieldProblem[] = [],
  ) {
    super(message, errors);
  }
}

/** Too many requests of one kind from one caller or one address; `retryAfterSeconds` says when to retry. */
export class RateLimitedError extends TongbanError {
  readonly code = PlatformErrorCode.rateLimited;
  readonly kind = 'too_many_requests';

  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}
