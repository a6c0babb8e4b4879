import { connect } from 'node:net';
import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type } from 'class-transformer';
import { IsArray, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { Public } from '@tongban/security';
import { createHttpApp } from './bootstrap';
import { TongbanPlatformModule } from './platform.module';

class PlaceRequest {
  @IsOptional()
  @IsString()
  address?: string;
}

class ReportRequest {
  @IsString()
  @MaxLength(40)
  title!: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => PlaceRequest)
  place?: PlaceRequest;

  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  tags?: string[];
}

/** Whatever reaches a handler is what would reach SQL; the probe echoes it. */
@Public()
@Controller('edge')
class EdgeController {
  @Post('reports')
  report(@Body() body: ReportRequest): { title: string } {
    return { title: body.title };
  }

  @Get('reports')
  list(@Query('q') q?: string): { q: string | null } {
    return { q: q ?? null };
  }

  @Get('reports/:id')
  one(@Param('id') id: string): { id: string } {
    return { id };
  }
}

@Module({
  imports: [
    TongbanPlatformModule.forRoot({
      app: 'edge',
      defaultPort: 0,
      overrides: {
        AUTH_JWT_ALGORITHM: 'HS256',
        AUTH_JWT_SECRET: 'http-edge-test-secret-of-32-chars!',
        LOG_LEVEL: 'silent',
      },
    }),
  ],
  controllers: [EdgeController],
})
class EdgeModule {}

/** One raw HTTP/1.1 exchange, for what `inject` cannot send (bytes Node's parser refuses). */
function rawExchange(port: number, request: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

function parseRaw(response: string): { status: number; headers: string; body: Record<string, unknown> } {
  const [head = '', body = ''] = response.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, headers: head.toLowerCase(), body: JSON.parse(body) as Record<string, unknown> };
}

describe('the HTTP edge refuses bad input with problem+json', () => {
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    app = await createHttpApp(EdgeModule);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    port = typeof address === 'object' && address ? address.port : 0;
  });

  afterAll(async () => {
    await app?.close();
  });

  const postJson = (payload: string | Buffer, contentType = 'application/json') =>
    app.inject({
      method: 'POST',
      url: '/api/v1/edge/reports',
      headers: { 'content-type': contentType },
      payload,
    });

  function expectProblem(
    res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown },
    status: number,
    code: string,
  ): Record<string, unknown> {
    expect({ status: res.statusCode, code: (res.json() as { code?: unknown }).code }).toEqual({
      status,
      code,
    });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    return res.json() as Record<string, unknown>;
  }

  describe('text that PostgreSQL cannot store', () => {
    it.each([
      ['a lone high surrogate in a value', String.raw`{"title":"a\ud800b"}`, 'title'],
      ['a lone low surrogate in a value', String.raw`{"title":"x\udfffy"}`, 'title'],
      ['a reversed surrogate pair', String.raw`{"title":"\udc00\ud800"}`, 'title'],
      ['a NUL in a nested value', String.raw`{"title":"t","place":{"address":"a\u0000"}}`, 'place.address'],
      ['a NUL in an array element', String.raw`{"title":"t","tags":["ok","\u0000"]}`, 'tags.1'],
      ['a NUL in a key', String.raw`{"title":"t","a\u0000b":1}`, 'a\\u0000b'],
      ['a lone surrogate in a nested key', String.raw`{"title":"t","place":{"\ud83d":1}}`, 'place.\\ud83d'],
    ])('answers %s with request.invalid_text and the field', async (_, payload, field) => {
      const body = expectProblem(await postJson(payload), 400, 'request.invalid_text');
      expect(body['errors']).toEqual([expect.objectContaining({ field })]);
    });

    it('still accepts a well-formed surrogate pair (an emoji) and escaped text', async () => {
      const res = await postJson(String.raw`{"title":"\ud83d\ude00 \u4e2d \"q\" \\u0000"}`);
      expect(res.statusCode).toBe(201);
      expect(res.json()).toEqual({ title: '😀 中 "q" \\u0000' });
    });

    it.each([
      [
        'a stray continuation byte',
        Buffer.from([0x7b, 0x22, 0x74, 0x69, 0x74, 0x6c, 0x65, 0x22, 0x3a, 0x22, 0x80, 0x22, 0x7d]),
      ],
      [
        'an encoded surrogate',
        Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]),
      ],
      [
        'a truncated sequence',
        Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xe4, 0xb8]), Buffer.from('"}')]),
      ],
      ['a 0xFF byte', Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xff]), Buffer.from('"}')])],
    ])('answers invalid UTF-8 (%s) with request.invalid_text', async (_, payload) => {
      expectProblem(await postJson(payload), 400, 'request.invalid_text');
    });
  });

  describe('structure', () => {
    const deep = (n: number, inner = '1') => '['.repeat(n) + inner + ']'.repeat(n);

    it.each([
      ['in an unknown field', `{"title":"t","x":${deep(20_000)}}`],
      ['in a known object', `{"title":"t","place":{"address":${deep(20_000)}}}`],
      ['in an array', `{"title":"t","tags":${deep(20_000)}}`],
      ['of objects', `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`],
      ['unbalanced', `{"title":"t","x":${'['.repeat(100_000)}`],
    ])('answers deep nesting %s with request.too_deep, before parsing', async (_, payload) => {
      expectProblem(await postJson(payload), 400, 'request.too_deep');
    });

    it('accepts nesting up to the limit, and counts brackets inside strings as text', async () => {
      const res = await postJson(`{"title":"${'['.repeat(30)}","x":${deep(31)}}`);
      expectProblem(res, 400, 'request.validation_failed');
      const ok = await postJson(`{"title":"${'[{'.repeat(20)}"}`);
      expect(ok.statusCode).toBe(201);
    });

    it('refuses a key named twice in one object', async () => {
      const body = expectProblem(
        await postJson('{"title":"t","place":{"address":"a","address":"b"}}'),
        400,
        'request.duplicate_key',
      );
      expect(body['errors']).toEqual([expect.objectContaining({ field: 'place.address' })]);
      // The same key in sibling objects is not a duplicate; escapes are compared decoded.
      expectProblem(
        await postJson('{"title":"t","tags":[],"x":[{"a":1},{"a":2}]}'),
        400,
        'request.validation_failed',
      );
      expectProblem(await postJson(String.raw`{"title":"t","\u0074itle":"u"}`), 400, 'request.duplicate_key');
    });

    it.each([
      ['__proto__', '{"title":"t","__proto__":{"isAdmin":true}}', '__proto__'],
      ['escaped __proto__', String.raw`{"title":"t","place":{"\u005f_proto__":{}}}`, 'place.__proto__'],
      ['constructor.prototype', '{"title":"t","constructor":{"prototype":{"x":1}}}', 'constructor.prototype'],
    ])('refuses a %s key', async (_, payload, field) => {
      const body = expectProblem(await postJson(payload), 400, 'request.forbidden_key');
      expect(body['errors']).toEqual([expect.objectContaining({ field })]);
    });

    it.each([
      ['an empty body', ''],
      ['whitespace', '  \n '],
      ['a truncated document', '{"title":'],
      ['two documents', '{"title":"a"}{"title":"b"}'],
    ])('answers %s with request.malformed_body', async (_, payload) => {
      expectProblem(await postJson(payload), 400, 'request.malformed_body');
    });

    it('keeps the 1 MiB limit', async () => {
      const big = `{"title":"${'a'.repeat(1024 * 1024)}"}`;
      expectProblem(await postJson(big), 413, 'request.payload_too_large');
    });

    it('accepts application/*+json and a charset parameter', async () => {
      expect((await postJson('{"title":"t"}', 'application/merge-patch+json')).statusCode).toBe(201);
      expect((await postJson('{"title":"t"}', 'application/json; charset=utf-8')).statusCode).toBe(201);
    });
  });

  describe('media types', () => {
    it.each([
      ['text/plain', '{"title":"t"}'],
      ['application/x-www-form-urlencoded', 'title=t'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nt\r\n--x--',
      ],
      ['application/json; charset=latin1', '{"title":"t"}'],
    ])('answers a %s body with 415', async (contentType, payload) => {
      expectProblem(await postJson(payload, contentType), 415, 'request.unsupported_media_type');
    });
  });

  describe('query strings and path parameters', () => {
    it.each([
      ['a NUL in a query value', '/api/v1/edge/reports?q=a%00b'],
      ['a NUL as a whole query value', '/api/v1/edge/reports?q=%00'],
      ['a NUL in a query key', '/api/v1/edge/reports?%00=1'],
      ['an encoded surrogate in a query', '/api/v1/edge/reports?q=%ED%A0%80'],
      ['a 0xFF byte in a query', '/api/v1/edge/reports?q=%FF'],
      ['a broken escape in a query', '/api/v1/edge/reports?q=%E4%B8'],
      ['a NUL in a path parameter', '/api/v1/edge/reports/a%00b'],
      ['an encoded surrogate in a path parameter', '/api/v1/edge/reports/%ED%A0%80'],
    ])('answers %s with request.invalid_text', async (_, url) => {
      expectProblem(await app.inject({ method: 'GET', url }), 400, 'request.invalid_text');
    });

    it('answers a path that is not percent-encoding at all with 400', async () => {
      expectProblem(
        await app.inject({ method: 'GET', url: '/api/v1/edge/reports/%zz' }),
        400,
        'request.invalid_text',
      );
    });

    it('passes on well-formed encoded text', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/v1/edge/reports?q=%E4%B8%AD+x%25' });
      expect(res.json()).toEqual({ q: '中 x%' });
      const one = await app.inject({ method: 'GET', url: '/api/v1/edge/reports/%E4%B8%AD' });
      expect(one.json()).toEqual({ id: '中' });
    });

    it('answers a URL over 8 KiB with 414 problem+json, even when Node let it through', async () => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/edge/reports?q=${'a'.repeat(9000)}` });
      expectProblem(res, 414, 'request.uri_too_long');
    });

    it('answers an over-long path parameter with 414 problem+json', async () => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/edge/reports/${'a'.repeat(1000)}` });
      expectProblem(res, 414, 'request.uri_too_long');
    });
  });

  describe('methods', () => {
    it.each(['PUT', 'DELETE', 'PATCH', 'TRACE', 'OPTIONS'] as const)(
      'answers %s on an existing path with 405 and Allow',
      async (method) => {
        const res = await app.inject({ method, url: '/api/v1/edge/reports' });
        expectProblem(res, 405, 'route.method_not_allowed');
        expect(String(res.headers['allow']).split(', ').sort()).toEqual(['GET', 'HEAD', 'POST']);
        const one = await app.inject({ method, url: '/api/v1/edge/reports/42?q=1' });
        expectProblem(one, 405, 'route.method_not_allowed');
        expect(one.headers['allow']).toBe('GET, HEAD');
      },
    );

    it('keeps 404 for a path that does not exist', async () => {
      expectProblem(await app.inject({ method: 'DELETE', url: '/api/v1/nowhere' }), 404, 'route.not_found');
      expectProblem(
        await app.inject({ method: 'GET', url: '/api/v1/edge/reports/1/2' }),
        404,
        'route.not_found',
      );
    });
  });

  describe("what Node's HTTP parser refuses, on the socket", () => {
    it('answers headers over the limit with 431 problem+json', async () => {
      const raw = await rawExchange(
        port,
        `GET /api/v1/edge/reports HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      const res = parseRaw(raw);
      expect(res.status).toBe(431);
      expect(res.headers).toContain('content-type: application/problem+json');
      expect(res.body).toMatchObject({ status: 431, code: 'request.header_fields_too_large' });
    });

    it('answers a URL over the limit with 414 problem+json', async () => {
      const raw = await rawExchange(
        port,
        `GET /api/v1/edge/reports?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      const res = parseRaw(raw);
      expect(res.status).toBe(414);
      expect(res.body).toMatchObject({ status: 414, code: 'request.uri_too_long' });
    });

    it('answers a NUL in a header with 400 problem+json', async () => {
      const raw = await rawExchange(
        port,
        `GET /api/v1/edge/reports HTTP/1.1\r\nHost: x\r\nIdempotency-Key: a\u0000b\r\n\r\n`,
      );
      const res = parseRaw(raw);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, code: 'request.malformed_http' });
    });
  });
});
