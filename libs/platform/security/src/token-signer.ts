import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Principal } from './principal';

export interface TokenSignerOptions {
  /** The HS256 key: AUTH_JWT_SECRET as a string, or raw bytes (at least 32). */
  readonly secret: string | Uint8Array;
  readonly issuer: string;
  readonly audience: string;
  /** The clock, in epoch milliseconds; tests move it to make expired or not-yet-valid tokens. */
  readonly now?: () => number;
}

export interface TokenSigner {
  /**
   * A compact JWT carrying `sub`, `role`, `org_unit`, `channel`, `name`, valid from now for
   * `ttlSeconds`.
   */
  sign(principal: Principal, ttlSeconds: number): Promise<string>;
}

/**
 * Signs HS256 tokens the way an identity provider would, for the dev login and for tests. Never
 * used in production: there HS256 is refused and tokens come from the identity provider.
 */
export function createTokenSigner(options: TokenSignerOptions): TokenSigner {
  const key = typeof options.secret === 'string' ? new TextEncoder().encode(options.secret) : options.secret;
  if (key.byteLength < 32) throw new Error('an HS256 secret needs at least 32 bytes');
  const now = options.now ?? Date.now;
  return {
    async sign(principal, ttlSeconds) {
      if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) {
        throw new Error(`ttlSeconds must be a positive whole number, got ${ttlSeconds}`);
      }
      const issuedAt = Math.floor(now() / 1000);
      return new SignJWT({
        role: principal.role,
        ...(principal.orgUnit !== undefined ? { org_unit: principal.orgUnit } : {}),
        ...(principal.channel !== undefined ? { channel: principal.channel } : {}),
        ...(principal.displayName !== undefined ? { name: principal.displayName } : {}),
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(principal.id)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt(issuedAt)
        .setNotBefore(issuedAt)
        .setExpirationTime(issuedAt + ttlSeconds)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}
