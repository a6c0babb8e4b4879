import type { Principal } from './principal';

export interface VerifiedTokenCacheOptions {
  /** Tokens kept at most; the oldest is dropped for a new one. 0: nothing is kept. */
  readonly maxEntries: number;
  /** How long a token is kept at most, ms, whatever its `exp` says. */
  readonly maxAgeMs: number;
  /** Milliseconds since the epoch; `Date.now` unless a test moves time. */
  readonly now?: () => number;
}

interface Entry {
  readonly principal: Principal;
  /** The earlier of: kept since + maxAge, and the token's `exp`. */
  readonly until: number;
}

/**
 * Bearer tokens whose verification succeeded, and the principal each one gave: a client sends
 * the same token with request after request, and checking its signature again each time cost a
 * tenth of a request's CPU. Keyed by the exact token string, so a token that differs in any
 * character — a tampered one — is a miss and goes through full verification. Only a verifier
 * puts tokens here, after the signature, the claims and the principal all held; a refused
 * token is never kept. An entry never outlives the token's `exp` (without the clock tolerance
 * verification allows) nor `maxAgeMs`, and at most `maxEntries` are kept (oldest out first).
 */
export class VerifiedTokenCache {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: VerifiedTokenCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 0) {
      throw new Error(`Invalid token cache size ${options.maxEntries}`);
    }
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The principal of a token verified before and still within its time here. */
  get(token: string): Principal | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (this.now() >= entry.until) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.principal;
  }

  /**
   * Keeps a token that was just verified. `expiresAtSeconds` is its `exp` claim; a token
   * already past it is not kept.
   */
  set(token: string, principal: Principal, expiresAtSeconds: number): void {
    if (this.options.maxEntries === 0) return;
    const now = this.now();
    const until = Math.min(now + this.options.maxAgeMs, expiresAtSeconds * 1000);
    if (!(until > now)) return;
    this.entries.delete(token);
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
    // Shared by every request that presents this token: nobody may change it for the others.
    this.entries.set(token, { principal: freezePrincipal(principal), until });
  }
}

function freezePrincipal(principal: Principal): Principal {
  if (principal.unit) Object.freeze(principal.unit);
  return Object.freeze(principal);
}
