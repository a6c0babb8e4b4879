import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidConfigurationError, type FieldProblem } from '@tongban/errors';
import {
  ENVIRONMENT_VARIABLES,
  Environment,
  isLoopbackHost,
  parseTrustedProxies,
  validateEnvironment,
} from './environment';

/** The smallest valid authentication setting, for the tests that are about something else. */
const AUTH = { AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: 'a-dev-and-test-secret-of-32-chars!' };

describe('validateEnvironment', () => {
  it('reads every setting Environment declares (a setting missing from the list is silently ignored)', () => {
    // Only declared-with-default settings show up as own keys; optional ones without a default do
    // not, so this checks the list against every default at least.
    const declared = Object.keys(new Environment()).sort();
    expect(declared.filter((name) => !(ENVIRONMENT_VARIABLES as readonly string[]).includes(name))).toEqual(
      [],
    );
  });

  it('takes the read-model settings from the environment', () => {
    const env = validateEnvironment({ ...AUTH, READ_MODEL_WAIT_MS: '300', PROJECTION_BATCH_SIZE: '50' });
    expect(env.READ_MODEL_WAIT_MS).toBe(300);
    expect(env.PROJECTION_BATCH_SIZE).toBe(50);
  });

  it('applies defaults and converts numbers', () => {
    const env = validateEnvironment({
      ...AUTH,
      HTTP_PORT: '8080',
      DATABASE_POOL_SIZE: '4',
      PATH: '/usr/bin',
    });
    expect(env.HTTP_PORT).toBe(8080);
    expect(env.DATABASE_POOL_SIZE).toBe(4);
    expect(env.LOG_LEVEL).toBe('info');
    expect(env.HTTP_HOST).toBe('127.0.0.1');
    expect(env.SHUTDOWN_GRACE_MS).toBe(10_000);
    expect(env).not.toHaveProperty('PATH');
  });

  it('treats empty values as unset', () => {
    expect(validateEnvironment({ ...AUTH, HTTP_PORT: '', LOG_LEVEL: '' }).LOG_LEVEL).toBe('info');
  });

  it('names every bad variable in one error', () => {
    let caught: unknown;
    try {
      validateEnvironment({ ...AUTH, HTTP_PORT: '99999', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'localhost' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigurationError);
    const error = caught as InvalidConfigurationError;
    expect(error.code).toBe('config.invalid');
    expect(error.errors.map((e) => e.field).sort()).toEqual(['HTTP_PORT', 'KAFKA_BROKERS', 'LOG_LEVEL']);
    expect(error.message).toMatch(/HTTP_PORT: .*65535.*"99999"/);
    expect(error.message).toMatch(/LOG_LEVEL/);
  });

  it('takes SLA warning thresholds as one to five shares above 0 and below 1', () => {
    expect(validateEnvironment(AUTH).SLA_WARNING_THRESHOLDS).toBe('0.5,0.8');
    expect(
      validateEnvironment({ ...AUTH, SLA_WARNING_THRESHOLDS: '0.25,0.5,0.75,0.9' }).SLA_WARNING_THRESHOLDS,
    ).toBe('0.25,0.5,0.75,0.9');
    for (const bad of [
      '0',
      '1',
      '0.0',
      '1.5',
      '0.5,',
      '50%',
      '0.5;0.8',
      '0.1,0.2,0.3,0.4,0.5,0.6',
      '0.1234',
    ]) {
      expect(() => validateEnvironment({ ...AUTH, SLA_WARNING_THRESHOLDS: bad })).toThrow(
        /SLA_WARNING_THRESHOLDS/,
      );
    }
  });

  it('rejects a port that is not a whole number', () => {
    expect(() => validateEnvironment({ ...AUTH, HTTP_PORT: '80a' })).toThrow(/HTTP_PORT/);
  });

  it('requires what the deployable needs', () => {
    expect(() => validateEnvironment(AUTH, ['DATABASE_URL', 'KAFKA_BROKERS'])).toThrow(
      /DATABASE_URL must be set[\s\S]*KAFKA_BROKERS must be set/,
    );
    expect(
      validateEnvironment(
        { ...AUTH, DATABASE_URL: 'postgres://u:p@127.0.0.1:5432/db', KAFKA_BROKERS: 'a:1,b:2' },
        ['DATABASE_URL', 'KAFKA_BROKERS'],
      ).KAFKA_BROKERS,
    ).toBe('a:1,b:2');
  });

  it('never echoes a URL value, which may carry a password', () => {
    expect(() => validateEnvironment({ ...AUTH, DATABASE_URL: 'mysql://admin:s3cret@db/x' })).toThrow(
      /DATABASE_URL/,
    );
    try {
      validateEnvironment({ ...AUTH, DATABASE_URL: 'mysql://admin:s3cret@db/x' });
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cret');
    }
  });
});

describe('validateEnvironment: authentication', () => {
  const secret = AUTH.AUTH_JWT_SECRET;
  const publicKey =
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n';

  const problemsOf = (raw: Record<string, unknown>) => {
    try {
      validateEnvironment(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigurationError);
      return (error as InvalidConfigurationError).errors;
    }
    throw new Error('the environment was accepted');
  };

  it('defaults to JWT verification with RS256, issuer tongban and audience tongban-api', () => {
    const env = validateEnvironment({ AUTH_JWT_PUBLIC_KEY: publicKey });
    expect(env).toMatchObject({
      AUTH_MODE: 'jwt',
      AUTH_JWT_ALGORITHM: 'RS256',
      AUTH_JWT_ISSUER: 'tongban',
      AUTH_JWT_AUDIENCE: 'tongban-api',
    });
  });

  it('accepts a PEM key written on one line with \\n escapes, as env files often carry it', () => {
    const oneLine = publicKey.replace(/\n/g, '\\n');
    expect(oneLine).not.toContain('\n');
    expect(validateEnvironment({ AUTH_JWT_PUBLIC_KEY: oneLine }).AUTH_JWT_PUBLIC_KEY).toBe(publicKey);
  });

  it('accepts a JWKS URL for RS256', () => {
    expect(validateEnvironment({ AUTH_JWKS_URL: 'https://idp.example/jwks.json' }).AUTH_JWKS_URL).toBe(
      'https://idp.example/jwks.json',
    );
  });

  it('refuses RS256 without a key or a JWKS URL, naming the variable', () => {
    expect(problemsOf({})).toEqual([
      expect.objectContaining({
        field: 'AUTH_JWT_PUBLIC_KEY',
        message: expect.stringMatching(/AUTH_JWKS_URL/),
      }),
    ]);
  });

  it('refuses a key and a JWKS URL together, and a secret next to RS256', () => {
    expect(
      problemsOf({
        AUTH_JWT_PUBLIC_KEY: publicKey,
        AUTH_JWKS_URL: 'https://idp.example/jwks.json',
        AUTH_JWT_SECRET: secret,
      }).map((p) => p.field),
    ).toEqual(['AUTH_JWKS_URL', 'AUTH_JWT_SECRET']);
  });

  it('refuses a value that is not a PEM public key', () => {
    expect(problemsOf({ AUTH_JWT_PUBLIC_KEY: 'ssh-rsa AAAAB3Nza' }).map((p) => p.field)).toEqual([
      'AUTH_JWT_PUBLIC_KEY',
    ]);
  });

  it('accepts HS256 with a secret of at least 32 characters outside production', () => {
    const env = validateEnvironment({
      NODE_ENV: 'test',
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: secret,
    });
    expect(env.AUTH_JWT_ALGORITHM).toBe('HS256');
  });

  it('refuses HS256 without a secret, or with a short one, and never echoes the secret', () => {
    expect(problemsOf({ AUTH_JWT_ALGORITHM: 'HS256' })).toEqual([
      expect.objectContaining({ field: 'AUTH_JWT_SECRET', reason: 'required' }),
    ]);
    const short = problemsOf({ AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: 'hunter2-hunter2' });
    expect(short).toEqual([expect.objectContaining({ field: 'AUTH_JWT_SECRET', reason: 'minLength' })]);
    expect(JSON.stringify(short)).not.toContain('hunter2');
  });

  it('refuses HS256 when NODE_ENV=production, naming AUTH_JWT_ALGORITHM', () => {
    expect(() =>
      validateEnvironment({ NODE_ENV: 'production', AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: secret }),
    ).toThrow(/AUTH_JWT_ALGORITHM: HS256 .*RS256 when NODE_ENV=production/);
  });

  it('refuses a plain-http JWKS URL when NODE_ENV=production', () => {
    expect(problemsOf({ NODE_ENV: 'production', AUTH_JWKS_URL: 'http://idp.example/jwks.json' })).toEqual([
      expect.objectContaining({ field: 'AUTH_JWKS_URL', reason: 'https' }),
    ]);
  });

  it('dev mode verifies HS256 and needs no secret (a random one is made at start-up)', () => {
    const env = validateEnvironment({ AUTH_MODE: 'dev' });
    expect(env.AUTH_MODE).toBe('dev');
    expect(env.AUTH_JWT_ALGORITHM).toBe('HS256');
    expect(env.AUTH_JWT_SECRET).toBeUndefined();
  });

  it('dev mode refuses an explicit RS256', () => {
    expect(problemsOf({ AUTH_MODE: 'dev', AUTH_JWT_ALGORITHM: 'RS256' }).map((p) => p.field)).toEqual([
      'AUTH_JWT_ALGORITHM',
    ]);
  });

  it('refuses dev mode when NODE_ENV=production, naming AUTH_MODE', () => {
    expect(problemsOf({ NODE_ENV: 'production', AUTH_MODE: 'dev' }).map((p) => p.field)).toEqual([
      'AUTH_MODE',
      'AUTH_JWT_ALGORITHM',
    ]);
  });

  it('refuses an unknown mode or algorithm', () => {
    expect(
      problemsOf({ AUTH_MODE: 'open', AUTH_JWT_ALGORITHM: 'none' })
        .map((p) => p.field)
        .sort(),
    ).toEqual(['AUTH_JWT_ALGORITHM', 'AUTH_MODE']);
  });
});

describe('validateEnvironment: the dev login listens on a loopback address only', () => {
  const problemsOf = (raw: Record<string, unknown>): FieldProblem[] => {
    try {
      validateEnvironment(raw);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidConfigurationError);
      return [...(error as InvalidConfigurationError).errors];
    }
    throw new Error('the environment was accepted');
  };

  it.each(['127.0.0.1', '127.0.0.2', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1'])(
    'serves it on %s',
    (host) => {
      expect(validateEnvironment({ AUTH_MODE: 'dev', HTTP_HOST: host }).DEV_LOGIN_ALLOW_REMOTE).toBe(false);
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  it.each([
    '0.0.0.0',
    '::',
    '[::]',
    '192.168.1.20',
    '10.0.0.1',
    '::ffff:10.0.0.1',
    'tongban.example',
    'localhost.example',
  ])('refuses to start on %s without DEV_LOGIN_ALLOW_REMOTE, naming HTTP_HOST and the setting', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
    const problems = problemsOf({ AUTH_MODE: 'dev', HTTP_HOST: host });
    expect(problems).toEqual([
      expect.objectContaining({ field: 'HTTP_HOST', reason: 'devLoginLoopbackOnly' }),
    ]);
    expect(problems[0]!.message).toContain('DEV_LOGIN_ALLOW_REMOTE=true');
  });

  it('serves it on the network when DEV_LOGIN_ALLOW_REMOTE=true says so', () => {
    const env = validateEnvironment({
      AUTH_MODE: 'dev',
      HTTP_HOST: '0.0.0.0',
      DEV_LOGIN_ALLOW_REMOTE: 'true',
    });
    expect(env.DEV_LOGIN_ALLOW_REMOTE).toBe(true);
  });

  it("is not about AUTH_MODE=jwt: an identity provider's tokens may be verified on any address", () => {
    expect(validateEnvironment({ ...AUTH, HTTP_HOST: '0.0.0.0' }).HTTP_HOST).toBe('0.0.0.0');
  });

  it('refuses DEV_LOGIN_ALLOW_REMOTE in production, without dev mode, and as anything but true or false', () => {
    expect(
      problemsOf({
        NODE_ENV: 'production',
        AUTH_MODE: 'dev',
        HTTP_HOST: '0.0.0.0',
        DEV_LOGIN_ALLOW_REMOTE: 'true',
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'AUTH_MODE', reason: 'notInProduction' }),
        expect.objectContaining({ field: 'DEV_LOGIN_ALLOW_REMOTE', reason: 'notInProduction' }),
      ]),
    );
    expect(problemsOf({ ...AUTH, DEV_LOGIN_ALLOW_REMOTE: 'true' })).toEqual([
      expect.objectContaining({ field: 'DEV_LOGIN_ALLOW_REMOTE', reason: 'unused' }),
    ]);
    expect(problemsOf({ AUTH_MODE: 'dev', DEV_LOGIN_ALLOW_REMOTE: 'yes' })).toEqual([
      expect.objectContaining({ field: 'DEV_LOGIN_ALLOW_REMOTE', reason: 'isBoolean' }),
    ]);
  });
});

describe('CASE_MAX_SUPPLEMENTS', () => {
  it('caps supplements per case at 20 unless set, and reads a number', () => {
    expect(validateEnvironment(AUTH).CASE_MAX_SUPPLEMENTS).toBe(20);
    expect(validateEnvironment({ ...AUTH, CASE_MAX_SUPPLEMENTS: '3' }).CASE_MAX_SUPPLEMENTS).toBe(3);
  });

  it.each(['0', '-1', '2.5', 'many', '1001'])('refuses %s, naming the variable', (value) => {
    let caught: unknown;
    try {
      validateEnvironment({ ...AUTH, CASE_MAX_SUPPLEMENTS: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigurationError);
    expect([...new Set((caught as InvalidConfigurationError).errors.map((e) => e.field))]).toEqual([
      'CASE_MAX_SUPPLEMENTS',
    ]);
  });
});

describe('HAND_OVER_EXPIRES_AFTER_HOURS', () => {
  it('lets a hand-over wait 48 hours unless set, and reads a number', () => {
    expect(validateEnvironment(AUTH).HAND_OVER_EXPIRES_AFTER_HOURS).toBe(48);
    expect(
      validateEnvironment({ ...AUTH, HAND_OVER_EXPIRES_AFTER_HOURS: '720' }).HAND_OVER_EXPIRES_AFTER_HOURS,
    ).toBe(720);
  });

  it.each(['0', '721', '1.5', 'two days'])('refuses %s, naming the variable', (value) => {
    let caught: unknown;
    try {
      validateEnvironment({ ...AUTH, HAND_OVER_EXPIRES_AFTER_HOURS: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConfigurationError);
    expect([...new Set((caught as InvalidConfigurationError).errors.map((e) => e.field))]).toEqual([
      'HAND_OVER_EXPIRES_AFTER_HOURS',
    ]);
  });
});

describe("README's configuration table", () => {
  it('lists every setting the environment reads', () => {
    const readme = readFileSync(join(__dirname, '..', '..', '..', '..', 'README.md'), 'utf8');
    const listed = new Set([...readme.matchAll(/^\| `([A-Z0-9_]+)` +\|/gm)].map((m) => m[1]));
    expect(ENVIRONMENT_VARIABLES.filter((name) => !listed.has(name))).toEqual([]);
  });
});

describe('rate limits and the production surface (ADR 0010)', () => {
  it('defaults to limits a district accepts: a hotline channel files far more than one person', () => {
    expect(validateEnvironment(AUTH)).toMatchObject({
      RATE_LIMIT_ENABLED: true,
      RATE_LIMIT_INTAKE_PER_MINUTE: 20,
      RATE_LIMIT_COMMANDS_PER_MINUTE: 120,
      RATE_LIMIT_CHANNEL_PER_MINUTE: 600,
      RATE_LIMIT_IP_INTAKE_PER_MINUTE: 1200,
      RATE_LIMIT_IP_COMMANDS_PER_MINUTE: 3000,
    });
    const env = validateEnvironment({
      ...AUTH,
      RATE_LIMIT_ENABLED: 'false',
      RATE_LIMIT_INTAKE_PER_MINUTE: '5',
    });
    expect([env.RATE_LIMIT_ENABLED, env.RATE_LIMIT_INTAKE_PER_MINUTE]).toEqual([false, 5]);
  });

  it('refuses a limit that is not a positive whole number, and a switch that is not true or false', () => {
    let caught: unknown;
    try {
      validateEnvironment({
        ...AUTH,
        RATE_LIMIT_ENABLED: 'yes',
        RATE_LIMIT_COMMANDS_PER_MINUTE: '0',
        RATE_LIMIT_IP_INTAKE_PER_MINUTE: '1.5',
        OPENAPI_ENABLED: '1',
        METRICS_PORT: '70000',
      });
    } catch (error) {
      caught = error;
    }
    expect([...new Set((caught as InvalidConfigurationError).errors.map((e) => e.field))].sort()).toEqual([
      'METRICS_PORT',
      'OPENAPI_ENABLED',
      'RATE_LIMIT_COMMANDS_PER_MINUTE',
      'RATE_LIMIT_ENABLED',
      'RATE_LIMIT_IP_INTAKE_PER_MINUTE',
    ]);
  });

  it('leaves OPENAPI_ENABLED unset unless given (production decides), and reads METRICS_PORT', () => {
    expect(validateEnvironment(AUTH).OPENAPI_ENABLED).toBeUndefined();
    const env = validateEnvironment({ ...AUTH, OPENAPI_ENABLED: 'true', METRICS_PORT: '9464' });
    expect([env.OPENAPI_ENABLED, env.METRICS_PORT]).toEqual([true, 9464]);
  });

  it.each([
    ['a host name', 'proxy.internal'],
    ['a prefix too long for IPv4', '10.0.0.0/33'],
    ['a prefix too long for IPv6', 'fd00::/129'],
    ['an empty entry', '10.0.0.1,,10.0.0.2'],
    ['a range', '10.0.0.1-10.0.0.9'],
    ['a wildcard', '*'],
  ])('refuses TRUST_PROXY with %s, naming the entry', (_what, value) => {
    expect(() => validateEnvironment({ ...AUTH, TRUST_PROXY: value })).toThrow(/TRUST_PROXY must be/);
  });

  it('reads TRUST_PROXY as addresses and CIDR blocks of both families', () => {
    const list = parseTrustedProxies('10.0.0.0/8, 127.0.0.1, fd00::/8, ::1');
    expect(['10.1.2.3', '127.0.0.1'].map((a) => list.check(a, 'ipv4'))).toEqual([true, true]);
    expect(['fd12::1', '::1'].map((a) => list.check(a, 'ipv6'))).toEqual([true, true]);
    expect([list.check('192.168.1.1', 'ipv4'), list.check('2001:db8::1', 'ipv6')]).toEqual([false, false]);
    expect(validateEnvironment({ ...AUTH, TRUST_PROXY: '10.0.0.0/8' }).TRUST_PROXY).toBe('10.0.0.0/8');
  });

  it('refuses METRICS_PORT equal to HTTP_PORT: /metrics would move nowhere', () => {
    expect(() => validateEnvironment({ ...AUTH, HTTP_PORT: '3000', METRICS_PORT: '3000' })).toThrow(
      /METRICS_PORT must differ from HTTP_PORT/,
    );
    expect(validateEnvironment({ ...AUTH, HTTP_PORT: '0', METRICS_PORT: '0' }).METRICS_PORT).toBe(0);
  });
});
