import { Writable } from 'node:stream';
import { Body, Controller, Get, Injectable, Module, Post, Query, type OnModuleInit } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IsMobilePhone, IsOptional, IsString, MaxLength } from 'class-validator';
import { TongbanError } from '@tongban/errors';
import { Public } from '@tongban/security';
import { createHttpApp } from './bootstrap';
import { HealthRegistry } from './health';
import { TongbanPlatformModule } from './platform.module';

class CaseAlreadyClosed extends TongbanError {
  readonly code = 'case.already_closed';
  readonly kind = 'conflict';
}

class ContactRequest {
  @IsString()
  @MaxLength(20)
  name!: string;

  @IsMobilePhone('zh-CN')
  phone!: string;

  @IsOptional()
  @IsString()
  note?: string;
}

let releaseSlow: () => void = () => undefined;
let dependencyUp = true;
let dependencyDegraded = false;

// These tests are about the HTTP platform; authentication has its own in @tongban/security.
@Public()
@Controller('probe')
class ProbeController {
  @Post('contact')
  contact(@Body() body: ContactRequest): { ok: true; name: string } {
    return { ok: true, name: body.name };
  }

  @Get('closed')
  closed(): never {
    throw new CaseAlreadyClosed('Case PC-20261127-000001 is closed.');
  }

  @Get('boom')
  boom(@Query('phone') phone: string): never {
    throw new Error(`database exploded while looking up ${phone}`);
  }

  @Get('slow')
  async slow(): Promise<{ finished: true }> {
    await new Promise<void>((resolve) => (releaseSlow = resolve));
    return { finished: true };
  }
}

@Injectable()
class FakeDependency implements OnModuleInit {
  constructor(private readonly health: HealthRegistry) {}
  onModuleInit(): void {
    this.health.register({
      name: 'dependency',
      check: async () => {
        if (!dependencyUp) throw new Error('connection refused');
        if (dependencyDegraded) return { degraded: 'one of its parts is stopped' };
        return undefined;
      },
    });
  }
}

const logLines: string[] = [];
const logSink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    logLines.push(chunk.toString('utf8'));
    done();
  },
});

@Module({
  imports: [
    TongbanPlatformModule.forRoot({
      app: 'probe',
      defaultPort: 0,
      destination: logSink,
      overrides: { AUTH_JWT_ALGORITHM: 'HS256', AUTH_JWT_SECRET: 'http-platform-test-secret-32-chars' },
    }),
  ],
  controllers: [ProbeController],
  providers: [FakeDependency],
})
class ProbeModule {}

describe('the HTTP platform', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createHttpApp(ProbeModule, { openApiTitle: 'Probe' });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  const inject = (options: Parameters<NestFastifyApplication['inject']>[0]) => app.inject(options);

  describe('problem+json', () => {
    it('answers an unknown route with 404, a stable code and the request id', async () => {
      const res = await inject({ method: 'GET', url: '/api/v1/nowhere' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      const body = res.json();
      expect(body).toMatchObject({ status: 404, code: 'route.not_found', instance: '/api/v1/nowhere' });
      expect(body.requestId).toBe(res.headers['x-request-id']);
    });

    it('keeps a sane incoming X-Request-Id and replaces a hostile one', async () => {
      const kept = await inject({
        method: 'GET',
        url: '/api/v1/nowhere',
        headers: { 'x-request-id': 'hotline-42' },
      });
      expect(kept.json().requestId).toBe('hotline-42');
      expect(kept.headers['x-request-id']).toBe('hotline-42');
      const replaced = await inject({
        method: 'GET',
        url: '/api/v1/nowhere',
        headers: { 'x-request-id': '<script>alert(1)</script>' },
      });
      expect(replaced.json().requestId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers malformed JSON with request.malformed_body', async () => {
      const res = await inject({
        method: 'POST',
        url: '/api/v1/probe/contact',
        headers: { 'content-type': 'application/json' },
        payload: '{"name": ',
      });
      expect(res.statusCode).toBe(400);
      expect(res.json().code).toBe('request.malformed_body');
    });

    it('answers an unsupported media type with 415', async () => {
      const res = await inject({
        method: 'POST',
        url: '/api/v1/probe/contact',
        headers: { 'content-type': 'application/x-yaml' },
        payload: 'name: x',
      });
      expect(res.statusCode).toBe(415);
      expect(res.json().code).toBe('request.unsupported_media_type');
    });

    it('rejects unknown fields and invalid values, field by field', async () => {
      const res = await inject({
        method: 'POST',
        url: '/api/v1/probe/contact',
        payload: { name: '张三', phone: '12345', isAdmin: true },
      });
      expect(res.statusCode).toBe(400);
      const body = res.json();
      expect(body.code).toBe('request.validation_failed');
      expect(body.errors).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ field: 'isAdmin', reason: 'unknownField' }),
          expect.objectContaining({ field: 'phone', reason: 'isMobilePhone' }),
        ]),
      );
    });

    it('accepts a valid body', async () => {
      const res = await inject({
        method: 'POST',
        url: '/api/v1/probe/contact',
        payload: { name: '张三', phone: '13812341234' },
      });
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ ok: true, name: '张三' });
    });

    it('maps a domain error by its kind and keeps its code', async () => {
      const res = await inject({ method: 'GET', url: '/api/v1/probe/closed' });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({
        code: 'case.already_closed',
        type: 'urn:tongban:problem:case.already_closed',
        title: 'Conflict',
        detail: 'Case PC-20261127-000001 is closed.',
      });
    });

    it('hides internals of an unexpected error and logs it masked', async () => {
      const res = await inject({ method: 'GET', url: '/api/v1/probe/boom?phone=13812345678' });
      expect(res.statusCode).toBe(500);
      const body = res.json();
      expect(body.code).toBe('internal.unexpected');
      expect(JSON.stringify(body)).not.toContain('exploded');
      const logs = logLines.join('');
      expect(logs).toContain('exploded');
      expect(logs).toContain(body.requestId);
      expect(logs).not.toContain('13812345678');
    });
  });

  describe('health', () => {
    it('is live without looking at dependencies', async () => {
      dependencyUp = false;
      const res = await inject({ method: 'GET', url: '/health/live' });
      expect(res.statusCode).toBe(200);
      dependencyUp = true;
    });

    it('is ready only while every dependency answers', async () => {
      const ready = await inject({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ status: 'up', checks: [{ name: 'dependency', status: 'up' }] });
      dependencyUp = false;
      const down = await inject({ method: 'GET', url: '/health/ready' });
      dependencyUp = true;
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({
        status: 'down',
        checks: [{ name: 'dependency', status: 'down', error: 'connection refused' }],
      });
    });

    it('stays ready but says degraded, with the reason, when a check reports part of it stopped', async () => {
      dependencyDegraded = true;
      const degraded = await inject({ method: 'GET', url: '/health/ready' });
      dependencyDegraded = false;
      expect(degraded.statusCode).toBe(200);
      expect(degraded.json()).toMatchObject({
        status: 'degraded',
        checks: [{ name: 'dependency', status: 'degraded', error: 'one of its parts is stopped' }],
      });
      const up = await inject({ method: 'GET', url: '/health/ready' });
      expect(up.json()).toMatchObject({ status: 'up' });
    });
  });

  it('serves Prometheus metrics with request durations by route template', async () => {
    await inject({ method: 'GET', url: '/api/v1/probe/closed' });
    const res = await inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(
      /tongban_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/probe\/closed",status="409"\} [1-9]/,
    );
    expect(res.body).toContain('tongban_process_cpu_seconds_total');
  });

  it('serves the OpenAPI document', async () => {
    const res = await inject({ method: 'GET', url: '/docs-json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().paths).toHaveProperty('/api/v1/probe/contact');
    expect(res.json().paths).not.toHaveProperty('/health/live');
  });

  it('logs requests as JSON with the request id and no personal data', async () => {
    logLines.length = 0;
    await inject({
      method: 'GET',
      url: '/api/v1/nowhere?phone=13912345678',
      headers: { 'x-request-id': 'trace-7' },
    });
    const line = logLines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'request completed');
    expect(line).toMatchObject({ app: 'probe', req: { id: 'trace-7' }, res: { statusCode: 404 } });
    expect(logLines.join('')).not.toContain('13912345678');
  });
});

describe('graceful shutdown', () => {
  it('finishes an in-flight request, refuses new work, then closes promptly', async () => {
    const app = await createHttpApp(ProbeModule);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const notStarted = releaseSlow;
    const inFlight = fetch(`${base}/api/v1/probe/slow`);
    // Wait until the handler is actually running before we start closing.
    while (releaseSlow === notStarted) await new Promise((r) => setTimeout(r, 5));

    let closed = false;
    const closing = app.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 50));
    const ready = await fetch(`${base}/health/ready`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect([503, 'refused']).toContain(ready);
    expect(closed).toBe(false);

    releaseSlow();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ finished: true });
    // Well inside the 72 s keep-alive timeout a lingering connection would cost.
    let watchdog: NodeJS.Timeout | undefined;
    await Promise.race([
      closing,
      new Promise((_, reject) => (watchdog = setTimeout(() => reject(new Error('close hung')), 5_000))),
    ]).finally(() => clearTimeout(watchdog));
    expect(closed).toBe(true);
  }, 15_000);
});
