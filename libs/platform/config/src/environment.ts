import { BlockList, isIP } from 'node:net';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { InvalidConfigurationError, type FieldProblem } from '@tongban/errors';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;

/** `true` or `false` only: `1`, `yes` or `on` are refused rather than guessed at. */
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const NODE_ENVS = ['development', 'test', 'production'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** `jwt`: verify bearer tokens from an identity provider. `dev`: also issue them (dev login). */
/** Where events are stored (ADR 0020); everything else stays in PostgreSQL. */
export const EVENT_STORES = ['postgres', 'eventstoredb'] as const;
export type EventStoreKind = (typeof EVENT_STORES)[number];

export const DIRECTORY_SOURCES = ['demo', 'store', 'none'] as const;
export type DirectorySource = (typeof DIRECTORY_SOURCES)[number];
export const CASE_ROUTING_MODES = ['auto', 'off'] as const;
export type CaseRoutingMode = (typeof CASE_ROUTING_MODES)[number];
export const AUTH_MODES = ['jwt', 'dev'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const AUTH_JWT_ALGORITHMS = ['RS256', 'HS256'] as const;
export type AuthJwtAlgorithm = (typeof AUTH_JWT_ALGORITHMS)[number];

/** HS256 needs a key of at least 256 bits (RFC 7518 §3.2). */
export const AUTH_JWT_SECRET_MIN_LENGTH = 32;

const PEM_PUBLIC_KEY = /^\s*-----BEGIN (PUBLIC KEY|CERTIFICATE)-----\r?\n[\s\S]+\n-----END \1-----\s*$/;

/** Env files often carry a PEM on one line with `\n` escapes; restore the line breaks. */
const unescapeNewlines = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.replace(/\\n/g, '\n') : value;

/**
 * Every environment variable Tongban reads, with its rules. Values arrive as strings; numbers
 * are converted here so the rest of the code sees typed values. README's configuration table
 * documents the same list.
 */
export class Environment {
  @IsOptional()
  @IsIn(NODE_ENVS)
  NODE_ENV: NodeEnv = 'development';

  @IsOptional()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-zA-Z.:\-[\]]+$/, { message: 'HTTP_HOST must be a host name or IP address' })
  HTTP_HOST = '127.0.0.1';

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  HTTP_PORT?: number;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, {
    message: 'DATABASE_URL must be a postgres:// or postgresql:// URL',
  })
  DATABASE_URL?: string;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /**
   * Every session of every deployable runs with these (issue 11): one statement, one wait for a
   * lock, and one open transaction left idle are each bounded, since the visibility horizon is
   * cluster-wide and one forgotten transaction would hold back every reader of the event store.
   * Migrations run without the statement limit.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  DATABASE_STATEMENT_TIMEOUT_MS = 30_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DATABASE_LOCK_TIMEOUT_MS = 10_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

  /**
   * Readiness says `degraded` once committed events have waited this long for an older
   * transaction somewhere in the cluster (the visibility horizon is cluster-wide).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3_600)
  EVENT_STORE_HORIZON_DEGRADED_SECONDS = 30;

  @IsOptional()
  @Matches(/^[^\s,:]+:\d{1,5}(,[^\s,:]+:\d{1,5})*$/, {
    message: 'KAFKA_BROKERS must be a comma-separated list of host:port',
  })
  KAFKA_BROKERS?: string;

  @IsOptional()
  @Matches(/^[a-zA-Z0-9._-]{1,64}$/, {
    message: 'KAFKA_CLIENT_ID must be 1-64 letters, digits, dots, dashes or underscores',
  })
  KAFKA_CLIENT_ID = 'tongban';

  /**
   * Put before every Kafka topic and consumer group tongban uses (e.g. `pingcheng.`), so several
   * districts or environments can share one cluster. Empty: the public names (docs/events.md).
   */
  @IsOptional()
  @Matches(/^[a-zA-Z0-9._-]{0,64}$/, {
    message: 'KAFKA_TOPIC_PREFIX must be at most 64 letters, digits, dots, dashes or underscores',
  })
  KAFKA_TOPIC_PREFIX = '';

  /**
   * How long (ms) the relay's lease lasts unless renewed (every third of it): a standby takes
   * over within about this long after the active relay died; a stopped relay gives it back at once.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(500)
  @Max(600_000)
  RELAY_LEASE_MS = 5_000;

  /** Events the relay reads and publishes per round trip. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  RELAY_BATCH_SIZE = 500;

  /**
   * Longest sleep (ms) of the relay between two looks at the event log when no NOTIFY wakes it
   * (new commits normally wake it at once).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  RELAY_POLL_MS = 1_000;

  /**
   * Readiness of the relay holding the lease turns red when events wait and its checkpoint has not
   * moved for this long (ms); it is red at once while publishing fails.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  RELAY_STUCK_AFTER_MS = 30_000;

  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS = 10_000;

  /** How long a query with `?after=<position>` waits for the read models to reach it. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(30_000)
  READ_MODEL_WAIT_MS = 2_000;

  /**
   * Longest sleep of a waiting query between two looks at the read models' checkpoints. Waits
   * wake on the projections' commit signal; this poll only covers a lost one.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(60_000)
  READ_MODEL_POLL_MS = 500;

  /** Most events the projector applies in one transaction. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  PROJECTION_BATCH_SIZE = 500;

  /** Serve `/docs` and `/docs-json`. Unset: on, except when NODE_ENV=production. */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'OPENAPI_ENABLED must be true or false' })
  OPENAPI_ENABLED?: boolean;

  /** Serve `/metrics` on this port only (not on HTTP_PORT); unset: on HTTP_PORT. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  METRICS_PORT?: number;

  /** Rate limits on intake and case commands (docs/adr/0010-rate-limits-and-production-surface.md). */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'RATE_LIMIT_ENABLED must be true or false' })
  RATE_LIMIT_ENABLED = true;

  /** Intakes a minute per resident or cadre. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_INTAKE_PER_MINUTE = 20;

  /** Case commands a minute per principal (channels excepted). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_COMMANDS_PER_MINUTE = 120;

  /** Intakes, and separately commands, a minute per channel principal (a hotline files for many). */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_CHANNEL_PER_MINUTE = 600;

  /** Intakes a minute per client IP address, across principals. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_IP_INTAKE_PER_MINUTE = 1_200;

  /** Case commands a minute per client IP address, across principals. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_IP_COMMANDS_PER_MINUTE = 3_000;

  /**
   * The reverse proxies (load balancers) in front of the app: comma-separated IP addresses or
   * CIDR blocks. A request arriving from one of them is counted against the client address its
   * `X-Forwarded-For` names (the right-most address that is not itself a trusted proxy);
   * unset, `X-Forwarded-For` is ignored, so a client cannot choose its own address.
   */
  @IsOptional()
  @IsString()
  @MaxLength(2_000)
  TRUST_PROXY?: string;

  /**
   * The most supplements a resident adds to one case (`POST /cases/:id/supplement`); one more
   * answers 409 `case.too_many_supplements`. Each lands in the timeline every reader loads.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000)
  CASE_MAX_SUPPLEMENTS = 20;

  /**
   * Hours a hand-over waits for the cadre it is offered to (`POST /cases/:id/hand-over`): after
   * that it lapses — they can no longer accept it (409 `case.hand_over_expired`) and the owner acts
   * as if none were pending — so a hand-over nobody answers never wedges a case (issue 13).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(720)
  HAND_OVER_EXPIRES_AFTER_HOURS = 48;

  /**
   * Where the directory (streets, communities, grids, cadres, duty rota, the responsibility
   * catalogue) comes from (issue 13, ADR 0024). It is always event-sourced in the event store's
   * `directory` and `catalogue` streams, changed through `/api/v1/admin/directory`:
   * `store` — as the store holds it (empty until `npm run seed` or an admin builds it: no routing
   * until then); `demo` — the same, and the Pingcheng demo district (invented people: never for a
   * real deployment) is seeded into an empty store on start; `none` — no directory: routing
   * targets are checked by their format only (ADR 0012) and cases are not routed. Default: `demo`
   * with AUTH_MODE=dev, `store` otherwise.
   */
  @IsOptional()
  @IsIn(DIRECTORY_SOURCES)
  DIRECTORY_SOURCE?: DirectorySource;

  /**
   * How often (ms) a process looks for directory changes other processes stored (its own show at
   * once). Routing cites the version it used, so a process a moment behind is never wrong about
   * what it did.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  DIRECTORY_REFRESH_MS = 2_000;

  /**
   * The longest (ms) the SLA watcher sleeps between looks for cases with a warning, breach or
   * expiry due (ADR 0028, 0029). It also looks at the schedule's next due instant and when its
   * feed records a case due sooner, so a timer is issued at its instant whatever this is; the
   * interval bounds how soon it sees what no due instant announces (a lease running out, another
   * watcher's rows, a clock moved by a test). Due times live in the database, never only in memory.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(600_000)
  SLA_WATCH_INTERVAL_MS = 1_000;

  /**
   * How long (ms) a case the SLA watcher claimed is its own: another watcher takes it over only
   * after that (a watcher that died mid-way holds nothing longer).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1_000)
  @Max(3_600_000)
  SLA_WATCH_LEASE_MS = 30_000;

  /** Most due cases one SLA watcher claims in one scan. */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000)
  SLA_WATCH_BATCH_SIZE = 100;

  /**
   * Hours (calendar time) after a breached due time before a response or resolution still not
   * met is escalated to the street's supervisors (a system supervision, once per breach; ADR
   * 0029). 0 escalates with the breach.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(720)
  SLA_ESCALATION_GRACE_HOURS = 24;

  /**
   * The shares of a clock's time limit at which the SLA watcher raises a warning, comma-separated,
   * each above 0 and below 1 (at most three decimals, at most five): `0.5,0.8` warns at half and at
   * four fifths. The breach is always at 100 %.
   */
  @IsOptional()
  @Matches(/^0\.\d{0,2}[1-9](,0\.\d{0,2}[1-9]){0,4}$/, {
    message: 'SLA_WARNING_THRESHOLDS must be one to five shares such as 0.5,0.8 (each above 0 and below 1)',
  })
  SLA_WARNING_THRESHOLDS = '0.5,0.8';

  /**
   * `auto` (default): every submitted case, and every returned one, is routed to one cadre (or a
   * queue) by the directory's rules, in the same append as the submission or return. `off`:
   * dispatchers dispatch every case by hand. Without a directory nothing is routed.
   */
  @IsOptional()
  @IsIn(CASE_ROUTING_MODES)
  CASE_ROUTING: CaseRoutingMode = 'auto';

  @IsOptional()
  @IsString()
  STANDALONE_DATA_DIR?: string;

  /**
   * Where events are stored (ADR 0020): `postgres` (the default) or `eventstoredb`, which needs
   * EVENTSTORE_URL. Read models, checkpoints and intake claims stay in PostgreSQL either way.
   */
  @IsOptional()
  @IsIn(EVENT_STORES)
  EVENT_STORE: EventStoreKind = 'postgres';

  /**
   * The EventStoreDB connection string (@eventstore/db-client 6 reads `esdb://` and
   * `esdb+discover://`; `kurrentdb://` needs its successor, ADR 0020). Required when
   * EVENT_STORE=eventstoredb; also where the adapter's contract suite runs.
   */
  @IsOptional()
  @Matches(/^esdb(\+discover)?:\/\/\S+$/, {
    message: 'EVENTSTORE_URL must be an esdb:// or esdb+discover:// connection string',
  })
  EVENTSTORE_URL?: string;

  @IsOptional()
  @IsIn(AUTH_MODES)
  AUTH_MODE: AuthMode = 'jwt';

  /**
   * RS256 unless AUTH_MODE=dev, whose dev login signs HS256. Always set once
   * `validateEnvironment` has run: the default depends on AUTH_MODE, so it is resolved there.
   */
  @IsOptional()
  @IsIn(AUTH_JWT_ALGORITHMS)
  AUTH_JWT_ALGORITHM!: AuthJwtAlgorithm;

  @IsOptional()
  @Transform(unescapeNewlines)
  @Matches(PEM_PUBLIC_KEY, {
    message:
      'AUTH_JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----) or certificate; write line breaks as \\n if needed',
  })
  AUTH_JWT_PUBLIC_KEY?: string;

  @IsOptional()
  @Matches(/^https?:\/\/\S+$/, { message: 'AUTH_JWKS_URL must be an http:// or https:// URL' })
  AUTH_JWKS_URL?: string;

  @IsOptional()
  @IsString()
  @MinLength(AUTH_JWT_SECRET_MIN_LENGTH, {
    message: `AUTH_JWT_SECRET must be at least ${AUTH_JWT_SECRET_MIN_LENGTH} characters (256 bits for HS256)`,
  })
  AUTH_JWT_SECRET?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  AUTH_JWT_ISSUER = 'tongban';

  @IsOptional()
  @IsString()
  @MaxLength(256)
  AUTH_JWT_AUDIENCE = 'tongban-api';

  /**
   * How many verified bearer tokens each process remembers, so a client's next request with the
   * same token skips the signature check; 0 turns the cache off. A failed token is never kept.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  AUTH_TOKEN_CACHE_SIZE = 10_000;

  /**
   * How long a verified token is remembered at most (never past its own `exp`): a key the
   * identity provider withdrew still verifies its tokens for up to this long.
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(300)
  AUTH_TOKEN_CACHE_SECONDS = 60;

  /**
   * AUTH_MODE=dev hands anyone who can reach the port a token for any demo user, admin included,
   * so it listens on a loopback HTTP_HOST only, unless this says `true` (logged loudly at start).
   */
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'DEV_LOGIN_ALLOW_REMOTE must be true or false' })
  DEV_LOGIN_ALLOW_REMOTE = false;
}

/** The variables `Environment` reads; anything else in the process environment is ignored. */
export const ENVIRONMENT_VARIABLES = [
  'NODE_ENV',
  'LOG_LEVEL',
  'HTTP_HOST',
  'HTTP_PORT',
  'DATABASE_URL',
  'DATABASE_POOL_SIZE',
  'DATABASE_STATEMENT_TIMEOUT_MS',
  'DATABASE_LOCK_TIMEOUT_MS',
  'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
  'EVENT_STORE_HORIZON_DEGRADED_SECONDS',
  'KAFKA_BROKERS',
  'KAFKA_CLIENT_ID',
  'KAFKA_TOPIC_PREFIX',
  'RELAY_LEASE_MS',
  'RELAY_BATCH_SIZE',
  'RELAY_POLL_MS',
  'RELAY_STUCK_AFTER_MS',
  'SHUTDOWN_GRACE_MS',
  'READ_MODEL_WAIT_MS',
  'READ_MODEL_POLL_MS',
  'PROJECTION_BATCH_SIZE',
  'OPENAPI_ENABLED',
  'METRICS_PORT',
  'RATE_LIMIT_ENABLED',
  'RATE_LIMIT_INTAKE_PER_MINUTE',
  'RATE_LIMIT_COMMANDS_PER_MINUTE',
  'RATE_LIMIT_CHANNEL_PER_MINUTE',
  'RATE_LIMIT_IP_INTAKE_PER_MINUTE',
  'RATE_LIMIT_IP_COMMANDS_PER_MINUTE',
  'TRUST_PROXY',
  'CASE_MAX_SUPPLEMENTS',
  'HAND_OVER_EXPIRES_AFTER_HOURS',
  'DIRECTORY_SOURCE',
  'DIRECTORY_REFRESH_MS',
  'SLA_WATCH_INTERVAL_MS',
  'SLA_WATCH_LEASE_MS',
  'SLA_WATCH_BATCH_SIZE',
  'SLA_ESCALATION_GRACE_HOURS',
  'SLA_WARNING_THRESHOLDS',
  'CASE_ROUTING',
  'STANDALONE_DATA_DIR',
  'EVENT_STORE',
  'EVENTSTORE_URL',
  'AUTH_MODE',
  'AUTH_JWT_ALGORITHM',
  'AUTH_JWT_PUBLIC_KEY',
  'AUTH_JWKS_URL',
  'AUTH_JWT_SECRET',
  'AUTH_JWT_ISSUER',
  'AUTH_JWT_AUDIENCE',
  'AUTH_TOKEN_CACHE_SIZE',
  'AUTH_TOKEN_CACHE_SECONDS',
  'DEV_LOGIN_ALLOW_REMOTE',
] as const satisfies readonly (keyof Environment)[];

export type RequiredVariable = 'DATABASE_URL' | 'KAFKA_BROKERS';

const NOT_ECHOED = /(_URL|_SECRET|_KEY)$/;

/**
 * The rules between the AUTH_* variables, checked once each variable is valid on its own. Also
 * settles AUTH_JWT_ALGORITHM: RS256 by default, HS256 when AUTH_MODE=dev.
 */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether a listen address only accepts connections from this machine: 127.0.0.0/8, ::1 (also
 * bracketed, and 127.x written as an IPv4-mapped IPv6 address) or `localhost`. Any other name
 * might resolve to anything, so it does not count.
 */
/**
 * TRUST_PROXY as a set of addresses: each comma-separated entry an IPv4/IPv6 address or a CIDR
 * block. Throws, naming the entry, on anything else.
 */
export function parseTrustedProxies(value: string): BlockList {
  const list = new BlockList();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    if (family === 0 || extra !== undefined || (prefix !== undefined && !/^\d{1,3}$/.test(prefix))) {
      throw new Error(`"${entry}" is not an IP address or a CIDR block`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (prefix === undefined) {
      list.addAddress(address, type);
    } else if (Number(prefix) > bits) {
      throw new Error(`"${entry}" has a prefix longer than ${bits} bits`);
    } else {
      list.addSubnet(address, Number(prefix), type);
    }
  }
  return list;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare.toLowerCase() === 'localhost') return true;
  const family = isIP(bare);
  if (family === 4) return LOOPBACK.check(bare, 'ipv4');
  if (family === 6) return LOOPBACK.check(bare, 'ipv6');
  return false;
}

function authProblems(env: Environment, earlier: readonly FieldProblem[]): FieldProblem[] {
  if (earlier.some((p) => p.field.startsWith('AUTH_') || p.field === 'NODE_ENV')) return [];
  const problems: FieldProblem[] = [];
  const problem = (field: keyof Environment, reason: string, message: string) =>
    problems.push({ field, reason, message });
  const production = env.NODE_ENV === 'production';
  const dev = env.AUTH_MODE === 'dev';
  if (dev && production) {
    problem(
      'AUTH_MODE',
      'notInProduction',
      'AUTH_MODE=dev issues tokens to anyone and is refused when NODE_ENV=production',
    );
  }
  if (env.DEV_LOGIN_ALLOW_REMOTE && production) {
    problem(
      'DEV_LOGIN_ALLOW_REMOTE',
      'notInProduction',
      'DEV_LOGIN_ALLOW_REMOTE is refused when NODE_ENV=production',
    );
  } else if (env.DEV_LOGIN_ALLOW_REMOTE && !dev) {
    problem('DEV_LOGIN_ALLOW_REMOTE', 'unused', 'DEV_LOGIN_ALLOW_REMOTE is only used with AUTH_MODE=dev');
  }
  if (
    dev &&
    !env.DEV_LOGIN_ALLOW_REMOTE &&
    !earlier.some((p) => p.field === 'HTTP_HOST') &&
    !isLoopbackHost(env.HTTP_HOST)
  ) {
    problem(
      'HTTP_HOST',
      'devLoginLoopbackOnly',
      `AUTH_MODE=dev gives a token for any demo user, admin included, to whoever can reach the port, so it ` +
        `listens on a loopback address only (127.0.0.1, ::1, localhost), not on ${JSON.stringify(env.HTTP_HOST)}; ` +
        'set DEV_LOGIN_ALLOW_REMOTE=true to serve it on the network anyway, or AUTH_MODE=jwt with an identity provider',
    );
  }
  if (dev && env.AUTH_JWT_ALGORITHM === 'RS256') {
    problem(
      'AUTH_JWT_ALGORITHM',
      'devModeSignsHs256',
      'AUTH_MODE=dev signs its tokens with HS256: leave AUTH_JWT_ALGORITHM unset or set it to HS256',
    );
    return problems;
  }
  // Undefined until here when the variable is unset (the declared type describes the result).
  env.AUTH_JWT_ALGORITHM ??= dev ? 'HS256' : 'RS256';
  const rs256 = env.AUTH_JWT_ALGORITHM === 'RS256';
  if (rs256) {
    if (env.AUTH_JWT_PUBLIC_KEY === undefined && env.AUTH_JWKS_URL === undefined) {
      problem(
        'AUTH_JWT_PUBLIC_KEY',
        'required',
        'RS256 needs AUTH_JWT_PUBLIC_KEY (PEM) or AUTH_JWKS_URL to verify tokens',
      );
    }
    if (env.AUTH_JWT_PUBLIC_KEY !== undefined && env.AUTH_JWKS_URL !== undefined) {
      problem('AUTH_JWKS_URL', 'ambiguous', 'set either AUTH_JWT_PUBLIC_KEY or AUTH_JWKS_URL, not both');
    }
    if (env.AUTH_JWT_SECRET !== undefined) {
      problem('AUTH_JWT_SECRET', 'unused', 'AUTH_JWT_SECRET is only used with AUTH_JWT_ALGORITHM=HS256');
    }
    if (production && env.AUTH_JWKS_URL?.startsWith('http://')) {
      problem('AUTH_JWKS_URL', 'https', 'AUTH_JWKS_URL must be https:// when NODE_ENV=production');
    }
  } else {
    if (production) {
      problem(
        'AUTH_JWT_ALGORITHM',
        'notInProduction',
        'HS256 (a shared secret) is for development and tests: use RS256 when NODE_ENV=production',
      );
    }
    // Dev mode without a secret signs with a random one made at start-up (see @tongban/security).
    if (env.AUTH_JWT_SECRET === undefined && !dev) {
      problem('AUTH_JWT_SECRET', 'required', 'HS256 needs AUTH_JWT_SECRET');
    }
    for (const unused of ['AUTH_JWT_PUBLIC_KEY', 'AUTH_JWKS_URL'] as const) {
      if (env[unused] !== undefined) {
        problem(unused, 'unused', `${unused} is only used with AUTH_JWT_ALGORITHM=RS256`);
      }
    }
  }
  return problems;
}

/**
 * Validates raw environment values. Throws `InvalidConfigurationError` naming every offending
 * variable, so an operator fixes them all in one go instead of one restart per mistake.
 */
export function validateEnvironment(
  raw: Record<string, unknown>,
  required: readonly RequiredVariable[] = [],
): Environment {
  const known = new Set<string>(ENVIRONMENT_VARIABLES);
  // Empty strings mean "not set": a blank line in an env file should not count as a value.
  const relevant: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (known.has(key) && value !== '' && value !== undefined) relevant[key] = value;
  }
  const env = plainToInstance(Environment, relevant, { exposeDefaultValues: true });
  const problems: FieldProblem[] = validateSync(env, { skipMissingProperties: false }).flatMap((error) =>
    Object.entries(error.constraints ?? {}).map(([reason, message]) => ({
      field: error.property,
      reason,
      // URLs may carry credentials and keys are secrets or pages of PEM: name the variable,
      // never echo its value.
      message: NOT_ECHOED.test(error.property)
        ? message
        : `${message} (got ${JSON.stringify(String(error.value))})`,
    })),
  );
  for (const name of required) {
    if (env[name] === undefined) {
      problems.push({ field: name, reason: 'required', message: `${name} must be set` });
    }
  }
  problems.push(...authProblems(env, problems));
  if (env.METRICS_PORT !== undefined && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.HTTP_PORT) {
    problems.push({
      field: 'METRICS_PORT',
      reason: 'samePort',
      message: 'METRICS_PORT must differ from HTTP_PORT: it moves /metrics off the main port',
    });
  }
  if (
    env.EVENT_STORE === 'eventstoredb' &&
    env.EVENTSTORE_URL === undefined &&
    !problems.some((p) => p.field === 'EVENTSTORE_URL')
  ) {
    problems.push({
      field: 'EVENTSTORE_URL',
      reason: 'required',
      message:
        'EVENT_STORE=eventstoredb needs EVENTSTORE_URL (an esdb:// or esdb+discover:// connection string)',
    });
  }
  if (env.TRUST_PROXY !== undefined) {
    try {
      parseTrustedProxies(env.TRUST_PROXY);
    } catch (error) {
      problems.push({
        field: 'TRUST_PROXY',
        reason: 'isTrustedProxyList',
        message: `TRUST_PROXY must be comma-separated IP addresses or CIDR blocks: ${(error as Error).message}`,
      });
    }
  }
  if (problems.length > 0) {
    const lines = problems.map((p) => `  - ${p.field}: ${p.message}`).join('\n');
    throw new InvalidConfigurationError(`Invalid environment:\n${lines}`, problems);
  }
  return env;
}
