import { generateKeyPairSync } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Public } from '@tongban/security';
import { createHttpApp } from './bootstrap';
import { MetricsServer } from './metrics';
import { TongbanPlatformModule } from './platform.module';

/** Production refuses HS256: an RS256 key is the smallest valid authentication setting there. */
const PRODUCTION = {
  NODE_ENV: 'production',
  AUTH_JWT_PUBLIC_KEY: generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  }).publicKey,
};
const DEVELOPMENT = {
  NODE_ENV: 'development',
  AUTH_JWT_ALGORITHM: 'HS256',
  AUTH_JWT_SECRET: 'production-surface-test-secret-32!',
};

@Public()
@Controller('probe')
class ProbeController {
  @Get()
  probe(): { ok: true } {
    return { ok: true };
  }
}

async function start(overrides: Record<string, string>): Promise<NestFastifyApplication> {
  @Module({
    imports: [
      TongbanPlatformModule.forRoot({
        app: 'surface-probe',
        defaultPort: 0,
        overrides: { LOG_LEVEL: 'silent', ...overrides },
      }),
    ],
    controllers: [ProbeController],
  })
  class ProbeModule {}
  const app = await createHttpApp(ProbeModule, { openApiTitle: 'Probe' });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

async function using<T>(
  overrides: Record<string, string>,
  test: (app: NestFastifyApplication) => Promise<T>,
): Promise<T> {
  // The config module copies what it validated into process.env; the next app starts clean.
  const saved = { ...process.env };
  const app = await start(overrides);
  try {
    return await test(app);
  } finally {
    await app.close();
    process.env = saved;
  }
}

const statusOf = async (app: NestFastifyApplication, url: string): Promise<number> =>
  (await app.inject({ method: 'GET', url })).statusCode;

describe('the OpenAPI document in production', () => {
  it('is not served when NODE_ENV=production', async () => {
    await using(PRODUCTION, async (app) => {
      for (const url of ['/docs', '/docs-json', '/docs-yaml']) {
        const res = await app.inject({ method: 'GET', url });
        expect({ url, status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({
          url,
          status: 404,
          code: 'route.not_found',
        });
      }
      expect(await statusOf(app, '/api/v1/probe')).toBe(200);
    });
  });

  it('is served in production when OPENAPI_ENABLED=true', async () => {
    await using({ ...PRODUCTION, OPENAPI_ENABLED: 'true' }, async (app) => {
      expect(await statusOf(app, '/docs-json')).toBe(200);
    });
  });

  it('is served outside production unless OPENAPI_ENABLED=false', async () => {
    await using(DEVELOPMENT, async (app) => expect(await statusOf(app, '/docs-json')).toBe(200));
    await using({ ...DEVELOPMENT, OPENAPI_ENABLED: 'false' }, async (app) =>
      expect(await statusOf(app, '/docs-json')).toBe(404),
    );
  });
});

describe('/metrics on a port of its own (METRICS_PORT)', () => {
  it('serves /metrics there and no longer on the main port', async () => {
    let url: string | undefined;
    await using({ ...DEVELOPMENT, METRICS_PORT: '0' }, async (app) => {
      await app.inject({ method: 'GET', url: '/api/v1/probe' });
      const main = await app.inject({ method: 'GET', url: '/metrics' });
      expect([main.statusCode, main.json<{ code: string }>().code]).toEqual([404, 'route.not_found']);

      url = app.get(MetricsServer).url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const scraped = await fetch(`${url}/metrics`);
      expect(scraped.status).toBe(200);
      expect(scraped.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await scraped.text()).toMatch(
        /tongban_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/probe",status="200"\} 1/,
      );
      const elsewhere = await fetch(`${url}/api/v1/probe`);
      expect(elsewhere.status).toBe(404);
      expect(elsewhere.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(await elsewhere.json()).toMatchObject({ code: 'route.not_found' });
    });
    // Closed with the app, keep-alive connections included.
    await expect(fetch(`${url}/metrics`)).rejects.toThrow();
  });

  it('stays on the main port, with no second server, while METRICS_PORT is unset', async () => {
    await using(DEVELOPMENT, async (app) => {
      expect(await statusOf(app, '/metrics')).toBe(200);
      expect(app.get(MetricsServer).url).toBeUndefined();
    });
  });
});
