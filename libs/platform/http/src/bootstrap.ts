import type { IncomingMessage } from 'node:http';
import { RequestMethod, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { AppConfig } from '@tongban/config';
import { UriTooLongError } from '@tongban/errors';
import { maskPersonalDataInText, requestIdFrom, REQUEST_ID_HEADER } from '@tongban/logging';
import { answerClientError, answerFrameworkError, MAX_URI_BYTES } from './client-error.handler';
import { HealthRegistry } from './health';
import { installMethodNotAllowed } from './method-not-allowed.hook';
import { MetricsRegistry } from './metrics';
import { closeRequestSchemas, documentProblems, problemCodesTable } from './openapi-document';
import { ProblemDetailsFilter } from './problem-details.filter';
import { installJsonBodyParser } from './request-body.parser';
import { checkRequestTarget } from './request-target.hook';
import { createValidationPipe } from './validation.pipe';

export const API_PREFIX = 'api/v1';
const BODY_LIMIT_BYTES = 1024 * 1024;
/** Node's default; named because a request line past it is answered 414, headers past it 431. */
const MAX_HEADER_BYTES = 16 * 1024;
/** A path parameter is an id or a code; anything longer is refused (414) before routing. */
const MAX_PARAM_LENGTH = 200;

export interface HttpAppOptions {
  /**
   * Title of the OpenAPI document; the app serves /docs and /docs-json when given, unless
   * NODE_ENV=production without OPENAPI_ENABLED=true.
   */
  readonly openApiTitle?: string;
}

/**
 * Builds a Nest application on Fastify with everything every deployable shares: the masked
 * JSON logger, the problem+json filter, edge validation, the /api/v1 prefix, metrics, OpenAPI
 * and graceful shutdown. It does not listen: call `listen` (or use it in-process in tests).
 */
export async function createHttpApp(
  module: unknown,
  options: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // ONE request id per request: Fastify makes it and pins it on the raw request, where the
    // pino-http logger picks it up, so a problem+json `requestId` finds its log lines.
    genReqId: (req: IncomingMessage) => {
      const id = requestIdFrom(req.headers[REQUEST_ID_HEADER]);
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    http: { maxHeaderSize: MAX_HEADER_BYTES },
    // What Node's parser and Fastify's router refuse never reaches Nest's exception layer; these
    // answer it as problem+json too.
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    bufferLogs: true,
    abortOnError: false,
    // Nest's parsers (lenient JSON, urlencoded forms) are replaced by the one strict JSON parser.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(createValidationPipe());
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
      { path: 'metrics', method: RequestMethod.GET },
    ],
  });
  app.enableShutdownHooks();

  const metrics = app.get(MetricsRegistry);
  const fastify = app.getHttpAdapter().getInstance();
  const health = app.get(HealthRegistry);
  installJsonBodyParser(fastify, BODY_LIMIT_BYTES);
  const refuseOtherMethods = installMethodNotAllowed(fastify);
  // Before body parsing and guards: a bad URL is refused without reading the body or the token.
  fastify.addHook('onRequest', async (request) => {
    if (request.url.length > MAX_URI_BYTES) {
      throw new UriTooLongError(`The URL is longer than ${MAX_URI_BYTES} bytes.`);
    }
    checkRequestTarget(request.url);
    refuseOtherMethods(request);
  });
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
    // While draining, close each keep-alive connection after its in-flight response; otherwise
    // the server waits out the keep-alive timeout before shutdown completes.
    if (health.isDraining) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  if (options.openApiTitle && app.get(AppConfig).openApiEnabled) {
    SwaggerModule.setup('docs', app, buildOpenApiDocument(app, options.openApiTitle), {
      jsonDocumentUrl: 'docs-json',
      yamlDocumentUrl: 'docs-yaml',
    });
  }
  return app;
}

/**
 * The OpenAPI document of an app, stating every status each operation can answer: the problem
 * responses come from the routes' `@ApiProblems` and the platform's own table
 * (`documentProblems`), and the description ends with the table of every code, so the
 * document and the code cannot drift apart.
 */
export function buildOpenApiDocument(app: INestApplication, title: string): OpenAPIObject {
  const config = new DocumentBuilder().setTitle(title).setVersion('1').addBearerAuth().build();
  const document = SwaggerModule.createDocument(app, config);
  closeRequestSchemas(document);
  const codes = documentProblems(document, app);
  document.info.description =
    'Tongban (通办): event-sourced case handling for a district one-network, one-stop service.\n\n' +
    'Every error is `application/problem+json` (RFC 9457) with a stable `code`; each operation lists the ' +
    'statuses it can answer and the codes behind each. Codes are added, never renamed ' +
    '(docs/problems.md says when each one is answered).\n\n' +
    problemCodesTable(codes);
  return document;
}

/**
 * Listens on the configured host/port and arms a watchdog so SIGTERM finishes in-flight requests
 * but never hangs past SHUTDOWN_GRACE_MS.
 */
export async function listen(app: NestFastifyApplication): Promise<string> {
  const config = app.get(AppConfig);
  await app.listen({ port: config.httpPort, host: config.env.HTTP_HOST });
  const grace = config.env.SHUTDOWN_GRACE_MS;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        app.get(Logger).error(`shutdown took longer than ${grace} ms; exiting`);
        process.exit(1);
      }, grace).unref();
    });
  }
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.httpPort;
  const host = config.env.HTTP_HOST.includes(':') ? `[${config.env.HTTP_HOST}]` : config.env.HTTP_HOST;
  return `http://${host}:${port}`;
}

/**
 * Runs a deployable's start-up. A failure (bad configuration, unreachable database) prints one
 * clear line to stderr and exits non-zero instead of an unhandled rejection.
 */
export function runMain(app: string, start: () => Promise<string>): void {
  start().then(
    (url) => {
      process.stdout.write(`tongban ${app} listening on ${url}\n`);
    },
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`tongban ${app} failed to start: ${maskPersonalDataInText(message)}\n`);
      process.exit(1);
    },
  );
}
