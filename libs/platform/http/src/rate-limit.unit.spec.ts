import { Controller, Get, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createTokenSigner, Public, Roles, type Principal } from '@tongban/security';
import { createHttpApp } from './bootstrap';
import { TongbanPlatformModule } from './platform.module';
import { FixedWindowStorage, RateLimited } from './rate-limit';

const SECRET = 'rate-limit-test-secret-of-32-chars!';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });

@Controller('probe/cases')
class ProbeCasesController {
  @Post()
  @RateLimited('intake')
  @Roles('resident', 'channel')
  file(): { filed: true } {
    return { filed: true };
  }

  @Post(':id/accept')
  @Roles('resident', 'channel')
  accept(): { accepted: true } {
    return { accepted: true };
  }

  @Post(':id/withdraw')
  @Roles('resident', 'channel')
  withdraw(): { withdrawn: true } {
    return { withdrawn: true };
  }

  @Get(':id')
  @Roles('resident', 'channel')
  read(): { read: true } {
    return { read: true };
  }

  @Public()
  @Post('open')
  open(): { open: true } {
    return { open: true };
  }
}

/** Milliseconds the fake clock is at; the windows move only when a test moves it. */
let now = Date.UTC(2026, 10, 30, 9, 0, 0);

const LIMITS = {
  RATE_LIMIT_INTAKE_PER_MINUTE: '3',
  RATE_LIMIT_COMMANDS_PER_MINUTE: '4',
  RATE_LIMIT_CHANNEL_PER_MINUTE: '6',
  RATE_LIMIT_IP_INTAKE_PER_MINUTE: '8',
  RATE_LIMIT_IP_COMMANDS_PER_MINUTE: '10',
};

function probeModule(overrides: Record<string, string>): new () => unknown {
  @Module({
    imports: [
      TongbanPlatformModule.forRoot({
        app: 'rate-probe',
        defaultPort: 0,
        overrides: {
          AUTH_JWT_ALGORITHM: 'HS256',
          AUTH_JWT_SECRET: SECRET,
          LOG_LEVEL: 'silent',
          ...overrides,
        },
        rateLimitClock: () => now,
      }),
    ],
    controllers: [ProbeCasesController],
  })
  class ProbeModule {}
  return ProbeModule;
}

async function start(overrides: Record<string, string>): Promise<NestFastifyApplication> {
  const app = await createHttpApp(probeModule(overrides));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

let sequence = 0;
/** A principal no other test has used, so each test starts with fresh windows. */
const someone = (role: 'resident' | 'channel' = 'resident'): Principal => ({
  id: `${role}-${++sequence}`,
  role,
  // A channel client's token names the channel it is (or it is refused 401 auth.invalid_channel).
  ...(role === 'channel' ? { channel: 'hotline' as const } : {}),
});
/** Likewise an address. */
const anAddress = (): string => `10.0.${Math.floor(++sequence / 250)}.${sequence % 250}`;

describe('rate limits on intake and commands', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await start(LIMITS);
  });

  afterAll(async () => {
    await app?.close();
  });

  async function send(
    who: Principal | null,
    method: 'GET' | 'POST',
    url: string,
    from: string,
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
    const res = await app.inject({
      method,
      url: `/api/v1/probe/cases${url}`,
      remoteAddress: from,
      headers: who ? { authorization: `Bearer ${await signer.sign(who, 600)}` } : {},
    });
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  }

  const statuses = async (n: number, call: () => ReturnType<typeof send>): Promise<number[]> => {
    const answers: number[] = [];
    for (let i = 0; i < n; i++) answers.push((await call()).status);
    return answers;
  };

  it('answers a burst beyond the limit with 429 problem+json, a stable code and Retry-After', async () => {
    const resident = someone();
    const from = anAddress();
    expect(await statuses(3, () => send(resident, 'POST', '', from))).toEqual([201, 201, 201]);
    const refused = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/cases',
      remoteAddress: from,
      headers: { authorization: `Bearer ${await signer.sign(resident, 600)}` },
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('60');
    expect(refused.json()).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      code: 'request.rate_limited',
      type: 'urn:tongban:problem:request.rate_limited',
      detail: expect.stringMatching(/at most 3 a minute/),
    });
  });

  it('counts every command of a principal together, apart from its intakes', async () => {
    const resident = someone();
    const from = anAddress();
    let i = 0;
    const commands = await statuses(5, () =>
      send(resident, 'POST', i++ % 2 === 0 ? '/c1/accept' : '/c2/withdraw', from),
    );
    expect(commands).toEqual([201, 201, 201, 201, 429]);
    // Intake has a bucket of its own.
    expect((await send(resident, 'POST', '', from)).status).toBe(201);
  });

  it('leaves another principal unaffected', async () => {
    const from = anAddress();
    const noisy = someone();
    await statuses(4, () => send(noisy, 'POST', '', from));
    expect((await send(noisy, 'POST', '', from)).status).toBe(429);
    expect((await send(someone(), 'POST', '', from)).status).toBe(201);
  });

  it('gives a channel, which files for many residents, its own higher limit', async () => {
    const hotline = someone('channel');
    const from = anAddress();
    expect(await statuses(7, () => send(hotline, 'POST', '', from))).toEqual([
      201, 201, 201, 201, 201, 201, 429,
    ]);
  });

  it('limits one IP address across principals', async () => {
    const from = anAddress();
    // Eight intakes from four residents, two each: within every resident's limit of 3.
    for (let i = 0; i < 4; i++) {
      const resident = someone();
      expect(await statuses(2, () => send(resident, 'POST', '', from))).toEqual([201, 201]);
    }
    const fresh = someone();
    const refused = await send(fresh, 'POST', '', from);
    expect([refused.status, refused.body['code']]).toEqual([429, 'request.rate_limited']);
    expect(refused.body['detail']).toMatch(/from this address: at most 8 a minute/);
    // The same principal from another address is not affected.
    expect((await send(fresh, 'POST', '', anAddress())).status).toBe(201);
  });

  it('lets the principal in again once the window has passed, saying when in Retry-After', async () => {
    const resident = someone();
    const from = anAddress();
    await statuses(3, () => send(resident, 'POST', '', from));
    now += 45_000;
    const refused = await send(resident, 'POST', '', from);
    expect([refused.status, refused.headers['retry-after']]).toEqual([429, '15']);
    now += 15_000;
    expect(await statuses(4, () => send(resident, 'POST', '', from))).toEqual([201, 201, 201, 429]);
  });

  it('never limits reads or public routes', async () => {
    const resident = someone();
    const from = anAddress();
    expect(new Set(await statuses(30, () => send(resident, 'GET', '/c1', from)))).toEqual(new Set([200]));
    expect(new Set(await statuses(30, () => send(null, 'POST', '/open', from)))).toEqual(new Set([201]));
  });

  it('authenticates first: a caller without a valid token gets 401, never 429, and costs nobody', async () => {
    const from = anAddress();
    expect(new Set(await statuses(20, () => send(null, 'POST', '', from)))).toEqual(new Set([401]));
    expect((await send(someone(), 'POST', '', from)).status).toBe(201);
  });
});

describe('rate limits switched off', () => {
  it('lets every request through when RATE_LIMIT_ENABLED=false', async () => {
    const app = await start({ ...LIMITS, RATE_LIMIT_ENABLED: 'false' });
    try {
      const token = await signer.sign(someone(), 600);
      const answers = new Set<number>();
      for (let i = 0; i < 10; i++) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/probe/cases',
          headers: { authorization: `Bearer ${token}` },
        });
        answers.add(res.statusCode);
      }
      expect(answers).toEqual(new Set([201]));
    } finally {
      await app.close();
    }
  });
});

describe('FixedWindowStorage', () => {
  it('forgets windows that have ended, so memory follows the active callers', async () => {
    let clock = 0;
    const storage = new FixedWindowStorage(() => clock);
    for (let i = 0; i < 100; i++) await storage.increment(`k${i}`, 60_000, 5);
    clock = 120_000;
    await storage.increment('fresh', 60_000, 5);
    expect(storage.size).toBe(1);
  });
});

describe('per-address limits behind a reverse proxy (TRUST_PROXY)', () => {
  const PROXY = '10.9.0.1';
  let behindProxy: NestFastifyApplication;
  let direct: NestFastifyApplication;

  beforeAll(async () => {
    behindProxy = await start({ ...LIMITS, TRUST_PROXY: '10.9.0.0/16, 127.0.0.1' });
    direct = await start(LIMITS);
  });

  afterAll(async () => {
    await behindProxy?.close();
    await direct?.close();
  });

  /** An intake by a new resident each time, so only the per-address window can refuse. */
  async function file(app: NestFastifyApplication, from: string, forwardedFor?: string): Promise<number> {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/probe/cases',
      remoteAddress: from,
      headers: {
        authorization: `Bearer ${await signer.sign(someone(), 600)}`,
        ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
      },
    });
    return res.statusCode;
  }

  it('counts each client the proxy names, not the proxy', async () => {
    const [a, b] = [anAddress(), anAddress()];
    const fromA: number[] = [];
    for (let i = 0; i < 9; i++) fromA.push(await file(behindProxy, PROXY, `${a}`));
    expect(fromA).toEqual([201, 201, 201, 201, 201, 201, 201, 201, 429]);
    // Another client behind the same proxy has its own window.
    expect(await file(behindProxy, PROXY, `${b}`)).toBe(201);
  });

  it('takes the right-most address a trusted proxy did not write: what the client wrote proves nothing', async () => {
    const client = anAddress();
    const answers: number[] = [];
    // Each request claims another address on the left; the proxy appended the real one.
    for (let i = 0; i < 9; i++)
      answers.push(await file(behindProxy, PROXY, `${anAddress()}, ${client}, 10.9.0.7`));
    expect(answers.at(-1)).toBe(429);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy, and everywhere when unset', async () => {
    for (const app of [behindProxy, direct]) {
      const from = anAddress();
      const answers: number[] = [];
      for (let i = 0; i < 9; i++) answers.push(await file(app, from, anAddress()));
      expect(answers).toEqual([201, 201, 201, 201, 201, 201, 201, 201, 429]);
    }
  });
});
