import { randomBytes } from 'node:crypto';
import type { AuthJwtAlgorithm, AuthMode, Environment } from '@tongban/config';

/** Resolved authentication settings of one deployable (inject with `AUTH_SETTINGS`). */
export interface AuthSettings {
  readonly mode: AuthMode;
  readonly algorithm: AuthJwtAlgorithm;
  readonly issuer: string;
  readonly audience: string;
  /** How tokens are checked: exactly one of these, by algorithm. */
  readonly key:
    | { readonly kind: 'secret'; readonly secret: Uint8Array; readonly ephemeral: boolean }
    | { readonly kind: 'pem'; readonly pem: string }
    | { readonly kind: 'jwks'; readonly url: URL };
  /** Verified tokens remembered per process (`VerifiedTokenCache`); none when absent. */
  readonly tokenCache?: { readonly maxEntries: number; readonly maxAgeMs: number };
}

export const AUTH_SETTINGS = Symbol('AUTH_SETTINGS');

/** Clock skew allowed between us and the token issuer on `exp` and `nbf`. */
export const CLOCK_TOLERANCE_SECONDS = 30;

/**
 * Reads the validated environment (validateEnvironment has already refused every bad mix). In
 * dev mode without AUTH_JWT_SECRET the secret is random, made here once per process start: dev
 * tokens then die with the process, which is the point.
 */
export function authSettingsFrom(env: Environment): AuthSettings {
  const common = {
    mode: env.AUTH_MODE,
    algorithm: env.AUTH_JWT_ALGORITHM,
    issuer: env.AUTH_JWT_ISSUER,
    audience: env.AUTH_JWT_AUDIENCE,
    tokenCache: { maxEntries: env.AUTH_TOKEN_CACHE_SIZE, maxAgeMs: env.AUTH_TOKEN_CACHE_SECONDS * 1000 },
  };
  if (env.AUTH_JWT_ALGORITHM === 'HS256') {
    const ephemeral = env.AUTH_JWT_SECRET === undefined;
    const secret = ephemeral ? randomBytes(32) : new TextEncoder().encode(env.AUTH_JWT_SECRET);
    return { ...common, key: { kind: 'secret', secret: new Uint8Array(secret), ephemeral } };
  }
  if (env.AUTH_JWT_PUBLIC_KEY !== undefined) {
    return { ...common, key: { kind: 'pem', pem: env.AUTH_JWT_PUBLIC_KEY } };
  }
  if (env.AUTH_JWKS_URL !== undefined) {
    return { ...common, key: { kind: 'jwks', url: new URL(env.AUTH_JWKS_URL) } };
  }
  // validateEnvironment refuses this; reaching it means the environment was not validated.
  throw new Error('RS256 needs AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL');
}
