import { Injectable, Module, SetMetadata, type DynamicModule, type ExecutionContext } from '@nestjs/common';
import { APP_GUARD, Reflector } from '@nestjs/core';
import {
  normalizeIp,
  ThrottlerGuard,
  ThrottlerModule,
  type ThrottlerLimitDetail,
  type ThrottlerModuleOptions,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import { isIP, type BlockList } from 'node:net';
import { AppConfig, parseTrustedProxies, type Environment } from '@tongban/config';
import { RateLimitedError } from '@tongban/errors';
import { PUBLIC_KEY, ROLES_KEY, principalOf, type Principal, type PrincipalRole } from '@tongban/security';

/**
 * Rate limits on what changes state (docs/adr/0010-rate-limits-and-production-surface.md): every
 * request behind a bearer token that is not a read counts, per principal AND per client address,
 * in one of two buckets. Intake (`@RateLimited('intake')`) has its own; every other write is a
 * command. Reads and public routes are not limited.
 */
export type RateLimitBucket = 'intake' | 'commands';

/** How the two limits of a bucket are keyed: the caller's id, or the client's IP address. */
type RateLimitScope = 'principal' | 'ip';

const RATE_LIMIT_BUCKET = 'tongban:rate-limit:bucket';

/** Puts a route (or a controller's routes) in a bucket other than `commands`: the intake. */
export const RateLimited = (bucket: RateLimitBucket): ClassDecorator & MethodDecorator =>
  SetMetadata(RATE_LIMIT_BUCKET, bucket);

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The methods that count, shared with the OpenAPI document so both say the same. */
export const isRateLimitedMethod = (method: string): boolean => !READS.has(method.toUpperCase());

export const RATE_LIMIT_WINDOW_MS = 60_000;

export interface RateLimitSettings {
  readonly enabled: boolean;
  readonly windowMs: number;
  /** Per principal and window, by bucket; a channel has its own (it files for many residents). */
  readonly perPrincipal: Readonly<Record<RateLimitBucket, number>>;
  readonly perChannel: number;
  /** Per client address and window, by bucket, whoever the principals are. */
  readonly perIp: Readonly<Record<RateLimitBucket, number>>;
  /** The proxies whose `X-Forwarded-For` names the client (TRUST_PROXY); none when unset. */
  readonly trustedProxies?: BlockList;
}

export function rateLimitSettingsFrom(env: Environment): RateLimitSettings {
  return {
    enabled: env.RATE_LIMIT_ENABLED,
    windowMs: RATE_LIMIT_WINDOW_MS,
    perPrincipal: { intake: env.RATE_LIMIT_INTAKE_PER_MINUTE, commands: env.RATE_LIMIT_COMMANDS_PER_MINUTE },
    perChannel: env.RATE_LIMIT_CHANNEL_PER_MINUTE,
    perIp: { intake: env.RATE_LIMIT_IP_INTAKE_PER_MINUTE, commands: env.RATE_LIMIT_IP_COMMANDS_PER_MINUTE },
    ...(env.TRUST_PROXY ? { trustedProxies: parseTrustedProxies(env.TRUST_PROXY) } : {}),
  };
}

const familyOf = (address: string): 'ipv4' | 'ipv6' | undefined => {
  const family = isIP(address);
  return family === 4 ? 'ipv4' : family === 6 ? 'ipv6' : undefined;
};

const isTrusted = (list: BlockList, address: string): boolean => {
  const family = familyOf(address);
  return family !== undefined && list.check(address, family);
};

/**
 * The client's address: the peer's, unless the peer is a trusted proxy — then the right-most
 * address in `X-Forwarded-For` that is not itself a trusted proxy (addresses further left were
 * written by the client and prove nothing). Without TRUST_PROXY the header is ignored.
 */
export function clientAddress(request: FastifyRequest, trusted: BlockList | undefined): string {
  const peer = request.raw.socket.remoteAddress ?? request.ip;
  const bare = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address);
  if (!trusted || !isTrusted(trusted, bare(peer))) return request.ip;
  const header = request.headers['x-forwarded-for'];
  const chain = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => bare(a.trim()))
    .filter((a) => a !== '');
  for (let i = chain.length - 1; i >= 0; i--) {
    const address = chain[i]!;
    if (familyOf(address) === undefined) return bare(peer);
    if (!isTrusted(trusted, address)) return address;
  }
  return chain[0] ?? bare(peer);
}

/** Milliseconds since the epoch; tests pass a fake one to move the window without waiting. */
export type RateLimitClock = () => number;

/** The library's index does not export the record type itself. */
type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

const EXPIRED_SWEEP_MS = 60_000;

/**
 * A fixed window per key: a count and the instant the window ends. O(1) per request, where the
 * library's default storage keeps (and scans) one timestamp per hit, so a limit in the thousands
 * costs thousands of operations on every request. A burst across a window's edge may see up to
 * twice the limit; a limit is a ceiling on abuse, not an exact quota. Per process: N replicas
 * allow N times the limit until a shared store (Redis) takes this one's place.
 */
export class FixedWindowStorage implements ThrottlerStorage {
  private readonly windows = new Map<string, { hits: number; endsAt: number }>();
  private nextSweep = 0;

  constructor(private readonly now: RateLimitClock = Date.now) {}

  async increment(key: string, ttl: number, limit: number): Promise<ThrottlerStorageRecord> {
    const now = this.now();
    this.sweep(now);
    let window = this.windows.get(key);
    if (!window || window.endsAt <= now) {
      window = { hits: 0, endsAt: now + ttl };
      this.windows.set(key, window);
    }
    window.hits += 1;
    const secondsLeft = Math.max(1, Math.ceil((window.endsAt - now) / 1000));
    const isBlocked = window.hits > limit;
    return {
      totalHits: window.hits,
      timeToExpire: secondsLeft,
      isBlocked,
      timeToBlockExpire: isBlocked ? secondsLeft : 0,
    };
  }

  /** Keys with a window in memory. */
  get size(): number {
    return this.windows.size;
  }

  /** Forgets ended windows now and then, so memory follows the active callers, not all of them. */
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + EXPIRED_SWEEP_MS;
    for (const [key, window] of this.windows) if (window.endsAt <= now) this.windows.delete(key);
  }
}

/** @nestjs/throttler's guard, answering with our problem+json (429 `request.rate_limited`). */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    // `<bucket>:<scope>:<tracker>`, as `generateKey` below builds it.
    const [bucket, scope] = detail.key.split(':');
    const who = scope === 'ip' ? 'this address' : 'this user';
    const what = bucket === 'intake' ? 'new cases' : 'commands';
    return Promise.reject(
      new RateLimitedError(
        `Too many ${what} from ${who}: at most ${detail.limit} a minute. Retry in ${detail.timeToBlockExpire} s.`,
        detail.timeToBlockExpire,
      ),
    );
  }
}

/** Mirrors AuthGuard's reading: the handler's own declaration wins; `@Roles` wins over `@Public`. */
function isPublic(reflector: Reflector, context: ExecutionContext): boolean {
  for (const target of [context.getHandler(), context.getClass()]) {
    if (reflector.get<readonly PrincipalRole[] | undefined>(ROLES_KEY, target)) return false;
    if (reflector.get<boolean | undefined>(PUBLIC_KEY, target) === true) return true;
  }
  return false;
}

interface Limited {
  readonly bucket: RateLimitBucket;
  readonly principal: Principal;
  readonly ip: string;
}

function throttlerOptions(
  settings: RateLimitSettings,
  storage: ThrottlerStorage,
  reflector: Reflector,
): ThrottlerModuleOptions {
  // The guard asks several times per request (skip, limit, key, tracker): answer once.
  const seen = new WeakMap<object, Limited | null>();
  const limitedOf = (context: ExecutionContext): Limited | null => {
    if (!settings.enabled || context.getType() !== 'http') return null;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const known = seen.get(request.raw);
    if (known !== undefined) return known;
    let limited: Limited | null = null;
    if (isRateLimitedMethod(request.method) && !isPublic(reflector, context)) {
      const principal = principalOf(request);
      // Registered after AuthGuard so every limited request has its caller; without one the
      // limit would silently key on nothing.
      if (!principal) throw new Error('the rate limit ran before authentication: check the guard order');
      const bucket =
        reflector.getAllAndOverride<RateLimitBucket | undefined>(RATE_LIMIT_BUCKET, [
          context.getHandler(),
          context.getClass(),
        ]) ?? 'commands';
      // An IPv6 client holds a whole /64: counted as one address, as the library does.
      limited = { bucket, principal, ip: normalizeIp(clientAddress(request, settings.trustedProxies)) };
    }
    seen.set(request.raw, limited);
    return limited;
  };
  const limitedIn = (context: ExecutionContext): Limited => {
    const limited = limitedOf(context);
    if (!limited) throw new Error('asked for the limit of a request that is not limited');
    return limited;
  };
  const throttler = (
    scope: RateLimitScope,
    limit: (limited: Limited) => number,
    tracker: (limited: Limited) => string,
  ) => ({
    name: scope,
    ttl: settings.windowMs,
    limit: (context: ExecutionContext) => limit(limitedIn(context)),
    getTracker: (_request: unknown, context: ExecutionContext) => tracker(limitedIn(context)),
  });
  return {
    storage,
    // Retry-After is set by the problem+json filter; no X-RateLimit-* headers on every answer.
    setHeaders: false,
    skipIf: (context) => limitedOf(context) === null,
    generateKey: (context, tracker, name) => `${limitedIn(context).bucket}:${name}:${tracker}`,
    throttlers: [
      throttler(
        'principal',
        ({ bucket, principal }) =>
          principal.role === 'channel' ? settings.perChannel : settings.perPrincipal[bucket],
        ({ principal }) => principal.id,
      ),
      throttler(
        'ip',
        ({ bucket }) => settings.perIp[bucket],
        ({ ip }) => ip,
      ),
    ],
  };
}

export interface RateLimitOptions {
  /** The clock the windows are measured by; `Date.now` unless a test moves time itself. */
  readonly clock?: RateLimitClock;
}

/**
 * The rate limits of a deployable. Imported by TongbanPlatformModule AFTER the security module:
 * global guards run in the order their modules are scanned, and the limit needs the principal
 * AuthGuard pins on the request.
 */
@Module({})
export class RateLimitModule {
  static forRoot(options: RateLimitOptions = {}): DynamicModule {
    return {
      module: RateLimitModule,
      imports: [
        ThrottlerModule.forRootAsync({
          inject: [AppConfig, Reflector],
          useFactory: (config: AppConfig, reflector: Reflector) =>
            throttlerOptions(
              rateLimitSettingsFrom(config.env),
              new FixedWindowStorage(options.clock),
              reflector,
            ),
        }),
      ],
      providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
    };
  }
}
