import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { exportJWK, importPKCS8, SignJWT, type JWTPayload } from 'jose';
import type { Environment } from '@tongban/config';
import { InvalidConfigurationError } from '@tongban/errors';
import { createHttpApp, TongbanPlatformModule } from '@tongban/http';
import { CurrentPrincipal, Public, Roles } from './auth.decorators';
import { AUTH_SETTINGS, type AuthSettings } from './auth-settings';
import { DEMO_USERS, type DemoUser } from './dev/demo-users';
import { DevUsers } from './dev/dev-users';
import { PRINCIPAL_ROLES, type Principal } from './principal';
import { createTokenSigner, type TokenSigner } from './token-signer';

type Overrides = Partial<Record<keyof Environment, string>>;

const SECRET = 'the-test-secret-that-is-long-enough';
const OTHER_SECRET = 'another-secret-that-is-long-enough!';
const ISSUER = 'tongban';
const AUDIENCE = 'tongban-api';
const HS256: Overrides = { AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: SECRET };

const cadre: Principal = {
  id: 'demo-cadre-taiyangcheng',
  role: 'cadre',
  orgUnit: 'pc.gucheng.taiyangcheng',
  displayName: '太阳城社区两委委员(演示)',
};
const supervisor: Principal = { id: 'demo-supervisor-district', role: 'supervisor', orgUnit: 'pc' };
/** The cadre as the API sees them once the token is verified: the unit parsed, with its level. */
const cadreSeen = {
  ...cadre,
  unit: {
    level: 'community',
    code: 'pc.gucheng.taiyangcheng',
    name: 'taiyangcheng',
    district: 'pc',
    street: 'pc.gucheng',
    community: 'pc.gucheng.taiyangcheng',
  },
};

@Controller('probe')
class ProbeController {
  @Get('open')
  @Public()
  open(): { open: true } {
    return { open: true };
  }

  @Get('cadres')
  @Roles('cadre')
  cadres(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('undeclared')
  undeclared(): { leaked: true } {
    return { leaked: true };
  }
}

@Roles('supervisor')
@Controller('audit')
class AuditController {
  @Get()
  list(): { audited: true } {
    return { audited: true };
  }

  @Get('notice')
  @Public()
  notice(): { notice: true } {
    return { notice: true };
  }

  @Get('admins')
  @Roles('admin')
  admins(): { admins: true } {
    return { admins: true };
  }
}

interface Probe {
  readonly app: NestFastifyApplication;
  /**
   * This app's log lines. nestjs-pino keeps one root logger per process, so lines written outside
   * a request (start-up) land in the first app's; request lines land in each app's own.
   */
  readonly logs: string[];
  get(
    url: string,
    token?: string,
    headers?: Record<string, string>,
  ): ReturnType<NestFastifyApplication['inject']>;
}

const opened: NestFastifyApplication[] = [];

/** An app with the real platform (config, problem+json, guard) and the probe routes. */
async function probe(overrides: Overrides, options: { openApiTitle?: string } = {}): Promise<Probe> {
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString('utf8'));
      done();
    },
  });
  // The config module copies validated values into process.env; keep each app's to itself.
  const saved = { ...process.env };
  try {
    @Module({
      imports: [TongbanPlatformModule.forRoot({ app: 'auth-probe', defaultPort: 0, overrides, destination })],
      controllers: [ProbeController, AuditController],
    })
    class AuthProbeModule {}
    const app = await createHttpApp(AuthProbeModule, options);
    opened.push(app);
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
    return {
      app,
      logs,
      get: (url, token, headers = {}) =>
        app.inject({
          method: 'GET',
          url,
          headers: { ...headers, ...(token !== undefined ? { authorization: `Bearer ${token}` } : {}) },
        }),
    };
  } finally {
    process.env = saved;
  }
}

afterAll(async () => {
  await Promise.all(opened.map((app) => app.close()));
});

function expectProblem(
  res: Awaited<ReturnType<NestFastifyApplication['inject']>>,
  status: number,
  code: string,
): void {
  expect({ status: res.statusCode, type: res.headers['content-type'], code: res.json().code }).toEqual({
    status,
    type: expect.stringMatching(/^application\/problem\+json/),
    code,
  });
}

/** Signs arbitrary claims, for tokens the real signer would never make. */
async function rawToken(
  claims: JWTPayload,
  { secret = SECRET, expiresIn = 600 }: { secret?: string; expiresIn?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + expiresIn, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(secret));
}

describe('authentication with HS256 (dev and tests)', () => {
  let api: Probe;
  let signer: TokenSigner;

  beforeAll(async () => {
    api = await probe(HS256, { openApiTitle: 'Auth probe' });
    signer = createTokenSigner({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
  });

  it('lets a valid token with an allowed role through and hands the route its principal', async () => {
    const res = await api.get('/api/v1/probe/cadres', await signer.sign(cadre, 300));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(cadreSeen);
  });

  it('answers a request without a token with 401 auth.unauthenticated and a Bearer challenge', async () => {
    const res = await api.get('/api/v1/probe/cadres');
    expectProblem(res, 401, 'auth.unauthenticated');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tongban"');
    expect(res.json()).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      instance: '/api/v1/probe/cadres',
    });
  });

  it.each([
    ['garbage', 'Bearer not-a-jwt'],
    ['another scheme', 'Basic ZGVtbzpkZW1v'],
    ['an empty bearer', 'Bearer '],
    ['two tokens', 'Bearer a.b.c d.e.f'],
  ])('answers %s in Authorization with 401 invalid_token', async (_what, authorization) => {
    const res = await api.get('/api/v1/probe/cadres', undefined, { authorization });
    expectProblem(res, 401, 'auth.unauthenticated');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tongban", error="invalid_token"');
  });

  describe('refuses with 401', () => {
    const hours = 60 * 60 * 1000;
    const cases: [string, () => Promise<string>][] = [
      [
        'an expired token',
        () =>
          createTokenSigner({
            secret: SECRET,
            issuer: ISSUER,
            audience: AUDIENCE,
            now: () => Date.now() - 2 * hours,
          }).sign(cadre, 60),
      ],
      [
        'a token not valid yet',
        () =>
          createTokenSigner({
            secret: SECRET,
            issuer: ISSUER,
            audience: AUDIENCE,
            now: () => Date.now() + 2 * hours,
          }).sign(cadre, 60),
      ],
      [
        'a token from another issuer',
        () =>
          createTokenSigner({ secret: SECRET, issuer: 'someone-else', audience: AUDIENCE }).sign(cadre, 60),
      ],
      [
        'a token for another audience',
        () => createTokenSigner({ secret: SECRET, issuer: ISSUER, audience: 'another-api' }).sign(cadre, 60),
      ],
      [
        'a token signed with another secret',
        () => createTokenSigner({ secret: OTHER_SECRET, issuer: ISSUER, audience: AUDIENCE }).sign(cadre, 60),
      ],
      [
        'a token whose payload was edited after signing',
        async () => {
          const [header, payload, signature] = (await signer.sign(supervisor, 60)).split('.');
          const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
          const forged = Buffer.from(JSON.stringify({ ...claims, role: 'cadre' })).toString('base64url');
          return `${header}.${forged}.${signature}`;
        },
      ],
      [
        'an unsigned token (alg none)',
        async () => {
          const now = Math.floor(Date.now() / 1000);
          const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
          return `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'x', role: 'cadre', iss: ISSUER, aud: AUDIENCE, exp: now + 60 })}.`;
        },
      ],
      ['a token without a role claim', () => rawToken({ sub: 'someone' })],
      ['a token with an unknown role', () => rawToken({ sub: 'someone', role: 'system' })],
      ['a token without a subject', () => rawToken({ role: 'cadre' })],
      [
        'a token without an expiry',
        () =>
          new SignJWT({ sub: 'someone', role: 'cadre', iss: ISSUER, aud: AUDIENCE })
            .setProtectedHeader({ alg: 'HS256' })
            .sign(new TextEncoder().encode(SECRET)),
      ],
    ];
    it.each(cases)('%s', async (_what, token) => {
      const res = await api.get('/api/v1/probe/cadres', await token());
      expectProblem(res, 401, 'auth.unauthenticated');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="tongban", error="invalid_token"');
      expect(JSON.stringify(res.json())).not.toMatch(/signature|issuer|audience|claim/i);
    });
  });

  it('says so when a token has expired', async () => {
    const expired = await createTokenSigner({
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      now: () => Date.now() - 3_600_000,
    }).sign(cadre, 60);
    expect((await api.get('/api/v1/probe/cadres', expired)).json().detail).toBe(
      'The bearer token has expired.',
    );
  });

  it('tolerates 30 s of clock skew on exp, and no more', async () => {
    const expiredAgo = (seconds: number) =>
      createTokenSigner({
        secret: SECRET,
        issuer: ISSUER,
        audience: AUDIENCE,
        now: () => Date.now() - (60 + seconds) * 1000,
      }).sign(cadre, 60);
    expect((await api.get('/api/v1/probe/cadres', await expiredAgo(10))).statusCode).toBe(200);
    expect((await api.get('/api/v1/probe/cadres', await expiredAgo(45))).statusCode).toBe(401);
  });

  it('answers a role the route does not list with 403 auth.forbidden', async () => {
    const res = await api.get('/api/v1/probe/cadres', await signer.sign(supervisor, 60));
    expectProblem(res, 403, 'auth.forbidden');
    expect(res.headers['www-authenticate']).toBeUndefined();
  });

  it('refuses every role on a route with neither @Roles nor @Public (403), after authenticating', async () => {
    for (const role of PRINCIPAL_ROLES) {
      const demo = DEMO_USERS.find((user) => user.role === role);
      const res = await api.get(
        '/api/v1/probe/undeclared',
        await signer.sign({ ...demo, id: `any-${role}`, role }, 60),
      );
      expectProblem(res, 403, 'auth.forbidden');
    }
    expectProblem(await api.get('/api/v1/probe/undeclared'), 401, 'auth.unauthenticated');
    expect(api.logs.join('')).toContain('ProbeController.undeclared has neither @Roles nor @Public');
  });

  it('opens @Public routes to anonymous callers', async () => {
    const res = await api.get('/api/v1/probe/open');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ open: true });
  });

  it("applies a controller's @Roles to its routes, and a route's own declaration wins", async () => {
    const supervisorToken = await signer.sign(supervisor, 60);
    expect((await api.get('/api/v1/audit', supervisorToken)).statusCode).toBe(200);
    expectProblem(await api.get('/api/v1/audit', await signer.sign(cadre, 60)), 403, 'auth.forbidden');
    expectProblem(await api.get('/api/v1/audit'), 401, 'auth.unauthenticated');
    expect((await api.get('/api/v1/audit/notice')).statusCode).toBe(200);
    expectProblem(await api.get('/api/v1/audit/admins', supervisorToken), 403, 'auth.forbidden');
    const admin = await signer.sign({ id: 'demo-admin', role: 'admin' }, 60);
    expect((await api.get('/api/v1/audit/admins', admin)).statusCode).toBe(200);
  });

  it('keeps health, metrics and the OpenAPI document open', async () => {
    expect((await api.get('/health/live')).statusCode).toBe(200);
    expect((await api.get('/health/ready')).statusCode).toBe(200);
    expect((await api.get('/metrics')).statusCode).toBe(200);
    expect((await api.get('/docs')).statusCode).toBe(200);
    const docs = await api.get('/docs-json');
    expect(docs.statusCode).toBe(200);
    expect(docs.json().components.securitySchemes).toHaveProperty('bearer');
    expect(docs.json().paths['/api/v1/probe/cadres'].get.security).toEqual([{ bearer: [] }]);
  });

  it('still answers an unknown route with 404, token or not', async () => {
    expectProblem(await api.get('/api/v1/nowhere'), 404, 'route.not_found');
  });

  it('tells any authenticated caller who they are at /api/v1/auth/me', async () => {
    const res = await api.get('/api/v1/auth/me', await signer.sign(cadre, 60));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(cadreSeen);
    expectProblem(await api.get('/api/v1/auth/me'), 401, 'auth.unauthenticated');
  });

  it('does not register the dev login outside AUTH_MODE=dev', async () => {
    expectProblem(await api.get('/api/v1/auth/dev/users'), 404, 'route.not_found');
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/dev/token',
      payload: { userId: 'demo-admin' },
    });
    expectProblem(res, 404, 'route.not_found');
    expect(Object.keys((await api.get('/docs-json')).json().paths)).not.toContain('/api/v1/auth/dev/token');
  });
});

describe('org units in tokens (org_unit parsed, not guessed)', () => {
  let api: Probe;

  beforeAll(async () => {
    api = await probe(HS256);
  });

  const me = async (claims: JWTPayload) => api.get('/api/v1/auth/me', await rawToken(claims));

  it.each<[string, unknown]>([
    ['a numeric administrative code', '140213001'],
    ['256 characters of junk', 'x'.repeat(256)],
    ['an upper-case code', 'PC.GUCHENG'],
    ['an empty segment', 'pc..gucheng'],
    ['a trailing dot', 'pc.gucheng.'],
    ['a NUL', 'pc.gucheng\u0000'],
    ['a code deeper than a grid', 'pc.gucheng.taiyangcheng.grid03.block7'],
    ['an empty string', ''],
    ['a number', 42],
    ['an object', { code: 'pc' }],
  ])('refuses a supervisor whose org_unit is %s: 401 auth.invalid_org_unit', async (_what, orgUnit) => {
    const res = await me({ sub: 'supervisor-x', role: 'supervisor', org_unit: orgUnit });
    expectProblem(res, 401, 'auth.invalid_org_unit');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tongban", error="invalid_token"');
    expect(res.json().detail).toMatch(
      /^The bearer token's org_unit does not hold: org_unit malformed \(\w+\)\.$/,
    );
  });

  it.each<[string, string | undefined]>([
    ['cadre', undefined],
    ['cadre', 'pc.gucheng'],
    ['office_staff', undefined],
    ['office_staff', 'pc.gucheng.taiyangcheng'],
    ['supervisor', undefined],
    ['supervisor', 'pc.gucheng.taiyangcheng'],
    ['dispatcher', undefined],
    ['resident', 'pc.gucheng.taiyangcheng'],
    ['admin', 'pc.gucheng'],
    ['channel', 'pc.gucheng.taiyangcheng'],
  ])('refuses role %s with org_unit %s, naming what the role needs', async (role, orgUnit) => {
    const res = await me({
      sub: `someone-${role}`,
      role,
      ...(orgUnit !== undefined ? { org_unit: orgUnit } : {}),
    });
    expectProblem(res, 401, 'auth.invalid_org_unit');
    expect(res.json().detail).toContain(`the role ${role} acts for`);
  });

  it('hands routes the unit parsed, with its level', async () => {
    const street = await me({ sub: 'supervisor-gucheng', role: 'supervisor', org_unit: 'pc.gucheng' });
    expect(street.statusCode).toBe(200);
    expect(street.json()).toEqual({
      id: 'supervisor-gucheng',
      role: 'supervisor',
      orgUnit: 'pc.gucheng',
      unit: { level: 'street', code: 'pc.gucheng', name: 'gucheng', district: 'pc', street: 'pc.gucheng' },
    });
    const office = await me({
      sub: 'staff',
      role: 'office_staff',
      org_unit: 'pc.zhenhua.marketSupervisionStation',
    });
    expect(office.json().unit).toMatchObject({ level: 'streetUnit', street: 'pc.zhenhua' });
    const resident = await me({ sub: 'resident-1', role: 'resident' });
    expect(resident.json()).toEqual({ id: 'resident-1', role: 'resident' });
  });

  it('checks the signature first: a forged token with a malformed unit is only auth.unauthenticated', async () => {
    const forged = await rawToken(
      { sub: 'mallory', role: 'supervisor', org_unit: '140213001' },
      { secret: OTHER_SECRET },
    );
    expectProblem(await api.get('/api/v1/auth/me', forged), 401, 'auth.unauthenticated');
  });
});

describe('the channel claim (a channel client files under its own channel only)', () => {
  let api: Probe;

  beforeAll(async () => {
    api = await probe(HS256);
  });

  const me = async (claims: JWTPayload) => api.get('/api/v1/auth/me', await rawToken(claims));

  it('hands routes the channel a channel client is', async () => {
    const res = await me({ sub: 'hotline-12345', role: 'channel', org_unit: 'pc', channel: 'hotline' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: 'hotline-12345', role: 'channel', channel: 'hotline' });
  });

  it.each<[string, unknown]>([
    ['no channel claim', undefined],
    ['an unknown channel', 'fax'],
    ["a cadre's channel", 'grid_patrol'],
    ['an upper-case channel', 'HOTLINE'],
    ['an empty string', ''],
    ['a list', ['hotline', 'portal']],
    ['a number', 7],
  ])('refuses a channel client with %s: 401 auth.invalid_channel', async (_what, channel) => {
    const res = await me({ sub: 'gateway', role: 'channel', ...(channel !== undefined ? { channel } : {}) });
    expectProblem(res, 401, 'auth.invalid_channel');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="tongban", error="invalid_token"');
    expect(res.json().detail).toMatch(
      /^The bearer token's channel claim does not hold: channel (missing|unknown)/,
    );
  });

  it.each(['resident', 'cadre'] as const)('refuses a %s token that claims a channel', async (role) => {
    const res = await me({
      sub: `someone-${role}`,
      role,
      ...(role === 'cadre' ? { org_unit: 'pc.gucheng.taiyangcheng' } : {}),
      channel: 'hotline',
    });
    expectProblem(res, 401, 'auth.invalid_channel');
    expect(res.json().detail).toContain(`the role ${role} carries no channel claim`);
  });

  it('checks the signature first: a forged channel token is only auth.unauthenticated', async () => {
    const forged = await rawToken(
      { sub: 'mallory', role: 'channel', channel: 'fax' },
      { secret: OTHER_SECRET },
    );
    expectProblem(await api.get('/api/v1/auth/me', forged), 401, 'auth.unauthenticated');
  });

  it('the signer writes the claim and the verifier reads it back', async () => {
    const signer = createTokenSigner({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    const token = await signer.sign({ id: 'counter-gucheng', role: 'channel', channel: 'walk_in' }, 60);
    expect((await api.get('/api/v1/auth/me', token)).json()).toEqual({
      id: 'counter-gucheng',
      role: 'channel',
      channel: 'walk_in',
    });
  });
});

describe('authentication with RS256', () => {
  const keyPair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = (key: KeyObject, type: 'spki' | 'pkcs8') => key.export({ type, format: 'pem' }).toString();
  const signRs256 = async (privateKey: KeyObject, claims: JWTPayload, kid?: string) =>
    new SignJWT({ role: cadre.role, org_unit: cadre.orgUnit, ...claims })
      .setProtectedHeader({ alg: 'RS256', ...(kid ? { kid } : {}) })
      .setSubject(cadre.id)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(await importPKCS8(pem(privateKey, 'pkcs8'), 'RS256'));

  describe('with a configured PEM public key', () => {
    const idp = keyPair();
    const stranger = keyPair();
    let api: Probe;

    beforeAll(async () => {
      api = await probe({ AUTH_JWT_PUBLIC_KEY: pem(idp.publicKey, 'spki') });
    });

    it('accepts a token the identity provider signed', async () => {
      const res = await api.get('/api/v1/probe/cadres', await signRs256(idp.privateKey, {}));
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        id: cadre.id,
        role: 'cadre',
        orgUnit: cadre.orgUnit,
        unit: cadreSeen.unit,
      });
    });

    it('refuses a token signed with another key', async () => {
      expectProblem(
        await api.get('/api/v1/probe/cadres', await signRs256(stranger.privateKey, {})),
        401,
        'auth.unauthenticated',
      );
    });

    it('refuses an HS256 token keyed with the public key (algorithm confusion)', async () => {
      const forged = await new SignJWT({ sub: 'mallory', role: 'admin', iss: ISSUER, aud: AUDIENCE })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(pem(idp.publicKey, 'spki')));
      expectProblem(await api.get('/api/v1/probe/cadres', forged), 401, 'auth.unauthenticated');
    });

    it('refuses to start with a key that is PEM-shaped but unusable, naming the variable', async () => {
      const broken = '-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n';
      const failure = await probe({ AUTH_JWT_PUBLIC_KEY: broken }).then(
        () => new Error('started anyway'),
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(InvalidConfigurationError);
      expect((failure as Error).message).toContain('AUTH_JWT_PUBLIC_KEY');
    });
  });

  describe('with keys from a JWKS URL', () => {
    const idp = keyPair();
    const stranger = keyPair();
    let server: Server;
    let jwksUrl: string;
    let fetches = 0;
    let api: Probe;

    beforeAll(async () => {
      const jwk = { ...(await exportJWK(idp.publicKey)), kid: 'idp-2026', alg: 'RS256', use: 'sig' };
      server = createServer((_req, res) => {
        fetches += 1;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
      api = await probe({ AUTH_JWKS_URL: jwksUrl });
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('accepts tokens signed with a published key, fetching the key set once', async () => {
      for (let i = 0; i < 3; i += 1) {
        const res = await api.get('/api/v1/probe/cadres', await signRs256(idp.privateKey, {}, 'idp-2026'));
        expect(res.statusCode).toBe(200);
      }
      expect(fetches).toBe(1);
    });

    it('refuses a token whose key is not published', async () => {
      expectProblem(
        await api.get('/api/v1/probe/cadres', await signRs256(stranger.privateKey, {}, 'not-published')),
        401,
        'auth.unauthenticated',
      );
      expectProblem(
        await api.get('/api/v1/probe/cadres', await signRs256(stranger.privateKey, {}, 'idp-2026')),
        401,
        'auth.unauthenticated',
      );
    });

    it('answers 503 (not 401) when the key set cannot be fetched', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const offline = await probe({ AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
      const res = await offline.get('/api/v1/probe/cadres', await signRs256(idp.privateKey, {}, 'idp-2026'));
      expectProblem(res, 503, 'service.unavailable');
    });
  });
});

describe('dev login (AUTH_MODE=dev)', () => {
  let api: Probe;

  beforeAll(async () => {
    api = await probe({ AUTH_MODE: 'dev' }, { openApiTitle: 'Auth probe (dev)' });
  });

  const login = (app: Probe, userId: string) =>
    app.app.inject({ method: 'POST', url: '/api/v1/auth/dev/token', payload: { userId } });

  it('lists the demo users without a token', async () => {
    const res = await api.get('/api/v1/auth/dev/users');
    expect(res.statusCode).toBe(200);
    expect(res.json().users.map((u: { id: string }) => u.id)).toEqual(DEMO_USERS.map((u) => u.id));
  });

  it('issues a bearer token for a demo user that the API then accepts', async () => {
    const res = await login(api, 'demo-cadre-taiyangcheng');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 8 * 60 * 60,
      principal: { id: 'demo-cadre-taiyangcheng', role: 'cadre', orgUnit: 'pc.gucheng.taiyangcheng' },
    });
    const me = await api.get('/api/v1/auth/me', body.accessToken);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual(body.principal);
    expect((await api.get('/api/v1/probe/cadres', body.accessToken)).statusCode).toBe(200);
    expectProblem(await api.get('/api/v1/audit', body.accessToken), 403, 'auth.forbidden');
  });

  it('issues a token for every demo user, so every role can be tried', async () => {
    const roles = new Set<string>();
    for (const user of DEMO_USERS) {
      const { accessToken } = (await login(api, user.id)).json();
      const me = (await api.get('/api/v1/auth/me', accessToken)).json();
      // The hotline's token names its channel, or it would be refused 401 auth.invalid_channel.
      expect(me).toMatchObject({
        id: user.id,
        role: user.role,
        ...(user.channel ? { channel: user.channel } : {}),
      });
      roles.add(me.role);
    }
    expect([...roles].sort()).toEqual([...PRINCIPAL_ROLES].sort());
  });

  it('refuses a user who is not a demo user, and unknown fields', async () => {
    const unknown = await login(api, 'mallory');
    expectProblem(unknown, 400, 'request.validation_failed');
    expect(unknown.json().errors).toEqual([
      expect.objectContaining({ field: 'userId', reason: 'unknownUser' }),
    ]);
    const malformed = await login(api, 'mallory; drop table');
    expectProblem(malformed, 400, 'request.validation_failed');
    expect(malformed.json().errors).toEqual([
      expect.objectContaining({ field: 'userId', reason: 'matches' }),
    ]);
    const extra = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/dev/token',
      payload: { userId: 'demo-admin', role: 'admin' },
    });
    expectProblem(extra, 400, 'request.validation_failed');
  });

  it('offers the people a registered source holds (the directory), filtered and capped', async () => {
    const offered: DemoUser[] = Array.from({ length: 250 }, (_, i) => ({
      id: `dir-cadre-${i}`,
      role: 'cadre',
      orgUnit: i < 3 ? 'pc.zhenhua.yunquanli' : 'pc.gucheng.taiyangcheng',
      displayName: `演示${i}`,
      description: 'from the directory',
    }));
    const withSource = await probe({ AUTH_MODE: 'dev' });
    withSource.app.get(DevUsers).register({
      users: () => [...offered, { ...offered[0]!, id: 'demo-admin', role: 'cadre' }],
      find: (id) => offered.find((u) => u.id === id),
    });
    const all = (await withSource.get('/api/v1/auth/dev/users')).json();
    expect(all.users).toHaveLength(200);
    expect(all.truncated).toBe(true);
    // The fixed demo users come first, and a source never shadows one of them.
    expect(all.users.slice(0, DEMO_USERS.length)).toEqual(
      DEMO_USERS.map((u) => expect.objectContaining({ id: u.id })),
    );
    expect(all.users.filter((u: { id: string }) => u.id === 'demo-admin')).toEqual([
      expect.objectContaining({ role: 'admin' }),
    ]);
    const street = (await withSource.get('/api/v1/auth/dev/users?orgUnit=pc.zhenhua&role=cadre')).json();
    expect(street.users.map((u: { id: string }) => u.id)).toEqual([
      'demo-cadre-yunquanli',
      'dir-cadre-0',
      'dir-cadre-1',
      'dir-cadre-2',
    ]);
    expect(street.truncated).toBe(false);
    const token = await login(withSource, 'dir-cadre-7');
    expect(token.statusCode).toBe(200);
    expect(token.json().principal).toMatchObject({
      id: 'dir-cadre-7',
      role: 'cadre',
      orgUnit: 'pc.gucheng.taiyangcheng',
    });
    expectProblem(
      await withSource.get('/api/v1/auth/dev/users?orgUnit=PC..x'),
      400,
      'request.validation_failed',
    );
  });

  it('documents the dev login in OpenAPI', async () => {
    const paths = Object.keys((await api.get('/docs-json')).json().paths);
    expect(paths).toEqual(expect.arrayContaining(['/api/v1/auth/dev/users', '/api/v1/auth/dev/token']));
  });

  it('signs with a per-process random secret: another instance refuses the token', async () => {
    const { accessToken } = (await login(api, 'demo-admin')).json();
    const restarted = await probe({ AUTH_MODE: 'dev' });
    expectProblem(await restarted.get('/api/v1/auth/me', accessToken), 401, 'auth.unauthenticated');
  });

  it('signs with AUTH_JWT_SECRET when one is set, so tests can sign the same tokens', async () => {
    const withSecret = await probe({ AUTH_MODE: 'dev', AUTH_JWT_SECRET: SECRET });
    expect(withSecret.app.get<AuthSettings>(AUTH_SETTINGS).key).toMatchObject({
      kind: 'secret',
      ephemeral: false,
    });
    const ours = await createTokenSigner({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE }).sign(
      cadre,
      60,
    );
    expect((await withSecret.get('/api/v1/auth/me', ours)).statusCode).toBe(200);
  });
});

describe('start-up refusals', () => {
  const refusal = (overrides: Overrides) =>
    probe(overrides).then(
      () => new Error('started anyway'),
      (error: unknown) => error as Error,
    );

  it('refuses HS256 when NODE_ENV=production, naming AUTH_JWT_ALGORITHM', async () => {
    const failure = await refusal({ NODE_ENV: 'production', ...HS256 });
    expect(failure).toBeInstanceOf(InvalidConfigurationError);
    expect(failure.message).toMatch(/AUTH_JWT_ALGORITHM: HS256/);
  });

  it('refuses the dev login when NODE_ENV=production, naming AUTH_MODE', async () => {
    const failure = await refusal({ NODE_ENV: 'production', AUTH_MODE: 'dev' });
    expect(failure).toBeInstanceOf(InvalidConfigurationError);
    expect(failure.message).toMatch(/AUTH_MODE: AUTH_MODE=dev .* refused when NODE_ENV=production/);
  });

  it('refuses the dev login on a network address, naming HTTP_HOST and DEV_LOGIN_ALLOW_REMOTE', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.20']) {
      const failure = await refusal({ AUTH_MODE: 'dev', HTTP_HOST: host });
      expect(failure).toBeInstanceOf(InvalidConfigurationError);
      expect(failure.message).toMatch(/HTTP_HOST: AUTH_MODE=dev .* loopback address only/);
      expect(failure.message).toContain('DEV_LOGIN_ALLOW_REMOTE=true');
    }
  });

  it('refuses DEV_LOGIN_ALLOW_REMOTE when NODE_ENV=production', async () => {
    const failure = await refusal({
      NODE_ENV: 'production',
      AUTH_MODE: 'dev',
      DEV_LOGIN_ALLOW_REMOTE: 'true',
    });
    expect(failure.message).toMatch(
      /DEV_LOGIN_ALLOW_REMOTE: DEV_LOGIN_ALLOW_REMOTE is refused when NODE_ENV=production/,
    );
  });

  it('refuses RS256 without a key, naming AUTH_JWT_PUBLIC_KEY', async () => {
    expect((await refusal({})).message).toMatch(/AUTH_JWT_PUBLIC_KEY: RS256 needs/);
  });
});

describe('createTokenSigner', () => {
  it('refuses a secret shorter than 32 bytes and a lifetime that is not a positive whole number', async () => {
    expect(() => createTokenSigner({ secret: 'short', issuer: ISSUER, audience: AUDIENCE })).toThrow(
      /32 bytes/,
    );
    const signer = createTokenSigner({ secret: SECRET, issuer: ISSUER, audience: AUDIENCE });
    await expect(signer.sign(cadre, 0)).rejects.toThrow(/ttlSeconds/);
    await expect(signer.sign(cadre, 1.5)).rejects.toThrow(/ttlSeconds/);
  });
});
