import { PlatformErrorCode, TongbanError } from '@tongban/errors';

/**
 * No credentials, or credentials that do not hold. Answered 401 with a `WWW-Authenticate: Bearer`
 * challenge; `challenge` carries the RFC 6750 parameters (none when no token was sent).
 */
export class UnauthenticatedError extends TongbanError {
  readonly code:
    | typeof PlatformErrorCode.unauthenticated
    | typeof PlatformErrorCode.invalidOrgUnit
    | typeof PlatformErrorCode.invalidChannel = PlatformErrorCode.unauthenticated;
  readonly kind = 'unauthenticated';

  constructor(
    message: string,
    readonly challenge: string = BEARER_CHALLENGE,
  ) {
    super(message);
  }
}

export const BEARER_CHALLENGE = 'Bearer realm="tongban"';
export const INVALID_TOKEN_CHALLENGE = `${BEARER_CHALLENGE}, error="invalid_token"`;

/**
 * A validly signed token whose `org_unit` is malformed, or not a unit its role may act for
 * (`ORG_UNIT_RULES`). A 401 of its own so the identity provider's administrators see at once
 * which claim to fix; the signature has been checked, so the code tells a forger nothing.
 */
export class InvalidOrgUnitError extends UnauthenticatedError {
  override readonly code = PlatformErrorCode.invalidOrgUnit;

  constructor(message: string) {
    super(message, INVALID_TOKEN_CHALLENGE);
  }
}

/**
 * A validly signed token whose `channel` claim does not hold: a `channel` client without one or
 * with one that is not an intake channel, or another role carrying it (`channelForRole`). Its own
 * 401, as for `org_unit`, so the identity provider's administrators see which claim to fix.
 */
export class InvalidChannelError extends UnauthenticatedError {
  override readonly code = PlatformErrorCode.invalidChannel;

  constructor(message: string) {
    super(message, INVALID_TOKEN_CHALLENGE);
  }
}

/** Authenticated, but the role (or, later, the scope) does not allow the request. */
export class ForbiddenError extends TongbanError {
  readonly code = PlatformErrorCode.forbidden;
  readonly kind = 'forbidden';
}

/**
 * The token could not be checked because a dependency failed (the JWKS endpoint is down and no
 * key is cached). Not the caller's fault, so not a 401: clients should retry, not log in again.
 */
export class AuthenticationUnavailableError extends TongbanError {
  readonly code = PlatformErrorCode.unavailable;
  readonly kind = 'unavailable';
}
