import { Logger } from '@nestjs/common';
import {
  createRemoteJWKSet,
  errors,
  importSPKI,
  importX509,
  jwtVerify,
  type CryptoKey,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { InvalidConfigurationError } from '@tongban/errors';
import {
  AuthenticationUnavailableError,
  INVALID_TOKEN_CHALLENGE,
  InvalidChannelError,
  InvalidOrgUnitError,
  UnauthenticatedError,
} from './auth.errors';
import { CLOCK_TOLERANCE_SECONDS, type AuthSettings } from './auth-settings';
import { channelForRole, isPrincipalRole, unitForRole, type Principal } from './principal';
import { VerifiedTokenCache } from './verified-token-cache';

/** Longer than any sane JWT; refused before any parsing. */
const MAX_TOKEN_LENGTH = 8 * 1024;
const MAX_CLAIM_LENGTH = 256;

/** Errors that mean "this token is no good", as opposed to "we could not check it". */
const TOKEN_ERRORS = [
  errors.JWTClaimValidationFailed, // also JWTExpired
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JWKInvalid,
];

/**
 * Checks bearer tokens with jose: signature (only the configured algorithm), `exp` and `nbf`
 * with 30 s of clock tolerance, issuer, audience, and the claims a `Principal` is made of.
 * With a JWKS URL, keys are fetched on first use and cached (jose refetches on an unknown `kid`,
 * at most every 30 s, so the identity provider can rotate keys).
 */
export class TokenVerifier {
  private readonly logger = new Logger('Authentication');
  private readonly cache: VerifiedTokenCache | undefined;

  private constructor(
    private readonly settings: AuthSettings,
    private readonly key: CryptoKey | JWTVerifyGetKey,
    now?: () => number,
  ) {
    const cache = settings.tokenCache;
    this.cache = cache && cache.maxEntries > 0 ? new VerifiedTokenCache({ ...cache, now }) : undefined;
  }

  /** `now`: the verified-token cache's clock, for tests that move time (jose reads its own). */
  static async create(settings: AuthSettings, now?: () => number): Promise<TokenVerifier> {
    switch (settings.key.kind) {
      case 'secret':
        return new TokenVerifier(settings, await importSecret(settings.key.secret), now);
      case 'pem':
        return new TokenVerifier(settings, await importPem(settings.key.pem), now);
      case 'jwks':
        return new TokenVerifier(
          settings,
          createRemoteJWKSet(settings.key.url, {
            timeoutDuration: 5_000,
            cooldownDuration: 30_000,
            cacheMaxAge: 10 * 60_000,
          }),
          now,
        );
      default: {
        const never: never = settings.key;
        throw new Error(`unknown key source ${JSON.stringify(never)}`);
      }
    }
  }

  /** The `Authorization` header's value in, the caller out; `UnauthenticatedError` otherwise. */
  async verifyAuthorization(header: string | string[] | undefined): Promise<Principal> {
    if (header === undefined || header === '') {
      throw new UnauthenticatedError('This request needs a bearer token (Authorization: Bearer <token>).');
    }
    const match = typeof header === 'string' ? /^Bearer +([^\s]+) *$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new UnauthenticatedError(
        'The Authorization header must be "Bearer <token>".',
        INVALID_TOKEN_CHALLENGE,
      );
    }
    return this.verify(match[1]);
  }

  async verify(token: string): Promise<Principal> {
    if (token.length > MAX_TOKEN_LENGTH) throw this.invalid('token too long');
    // Only tokens that passed everything below are in the cache, under their exact string.
    const cached = this.cache?.get(token);
    if (cached) return cached;
    const options = {
      algorithms: [this.settings.algorithm],
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ['exp', 'sub'],
    };
    let payload: JWTPayload;
    try {
      ({ payload } =
        typeof this.key === 'function'
          ? await jwtVerify(token, this.key, options)
          : await jwtVerify(token, this.key, options));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new UnauthenticatedError('The bearer token has expired.', INVALID_TOKEN_CHALLENGE);
      }
      if (TOKEN_ERRORS.some((kind) => error instanceof kind)) {
        throw this.invalid((error as Error).message);
      }
      // The JWKS endpoint timed out, answered garbage or could not be reached.
      this.logger.error({ err: error }, 'bearer token could not be verified');
      throw new AuthenticationUnavailableError(
        'Bearer tokens cannot be verified right now; try again shortly.',
      );
    }
    const principal = this.principalFrom(payload);
    // requiredClaims makes jose refuse a token without a numeric `exp`; checked again all the same.
    if (this.cache && typeof payload.exp === 'number') this.cache.set(token, principal, payload.exp);
    return principal;
  }

  /**
   * The claims a principal is made of; a token without a usable `sub` or `role` is refused, and
   * one whose `org_unit` is not a unit its role may act for, or whose `channel` does not fit its
   * role, is refused with a code of its own.
   */
  private principalFrom(payload: JWTPayload): Principal {
    const { sub, role, org_unit: orgUnit, channel: channelClaim, name } = payload;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_CLAIM_LENGTH) {
      throw this.invalid('sub claim missing or malformed');
    }
    if (!isPrincipalRole(role)) throw this.invalid('role claim missing or unknown');
    if (!optionalString(name)) throw this.invalid('name claim malformed');
    const unit = unitForRole(role, orgUnit);
    if (!unit.ok) {
      // The reason is built from the rules, never from the claim, so it is safe to show.
      this.logger.debug(`bearer token refused: ${unit.reason}`);
      throw new InvalidOrgUnitError(`The bearer token's org_unit does not hold: ${unit.reason}.`);
    }
    const channel = channelForRole(role, channelClaim);
    if (!channel.ok) {
      this.logger.debug(`bearer token refused: ${channel.reason}`);
      throw new InvalidChannelError(`The bearer token's channel claim does not hold: ${channel.reason}.`);
    }
    return {
      id: sub,
      role,
      ...(unit.unit !== undefined ? { orgUnit: unit.unit.code, unit: unit.unit } : {}),
      ...(channel.channel !== undefined ? { channel: channel.channel } : {}),
      ...(name !== undefined ? { displayName: name } : {}),
    };
  }

  /** The caller learns only that the token failed; the reason goes to the debug log. */
  private invalid(reason: string): UnauthenticatedError {
    this.logger.debug(`bearer token refused: ${reason}`);
    return new UnauthenticatedError('The bearer token is not valid.', INVALID_TOKEN_CHALLENGE);
  }
}

/**
 * The HS256 secret as a CryptoKey, made once: given the raw bytes, jose imports them as a
 * WebCrypto key on every verification, which doubled what verifying a token costs.
 */
async function importSecret(secret: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
}

async function importPem(pem: string): Promise<CryptoKey> {
  try {
    return pem.includes('BEGIN CERTIFICATE')
      ? await importX509(pem, 'RS256')
      : await importSPKI(pem, 'RS256');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new InvalidConfigurationError(
      `Invalid environment:\n  - AUTH_JWT_PUBLIC_KEY: not a usable RSA public key (${reason})`,
      [
        {
          field: 'AUTH_JWT_PUBLIC_KEY',
          reason: 'rsaPublicKey',
          message: `not a usable RSA public key (${reason})`,
        },
      ],
    );
  }
}

const optionalString = (value: unknown): value is string | undefined =>
  value === undefined || (typeof value === 'string' && value.length > 0 && value.length <= MAX_CLAIM_LENGTH);
