import type { IncomingMessage, ServerResponse } from 'node:http';
import { DynamicModule, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '@tongban/config';
import { BufferedLogDestination, stdoutLogDestination } from './log-destination';
import { redactPersonalData, maskPersonalDataInText } from './personal-data';
import { REQUEST_ID_HEADER, requestIdFrom } from './request-id';

type RequestWithId = IncomingMessage & { id?: string };

/**
 * Pino options shared by HTTP logging and by logs written outside a request. `formatters.log`
 * runs on every line, so personal data is masked whatever a caller passes in.
 */
export function pinoOptions(app: string, level: string) {
  return {
    name: app,
    level,
    base: { app },
    messageKey: 'msg',
    formatters: {
      log: (object: Record<string, unknown>) => redactPersonalData(object) as Record<string, unknown>,
    },
    hooks: {
      logMethod(this: unknown, args: unknown[], method: (...a: unknown[]) => void) {
        method.apply(
          this,
          args.map((arg) => (typeof arg === 'string' ? maskPersonalDataInText(arg) : arg)),
        );
      },
    },
  };
}

export interface LoggingOptions {
  /**
   * Where log lines go; standard output (buffered, `stdoutLogDestination`) when absent. Tests
   * pass a stream to read them back. A `BufferedLogDestination` is flushed on shutdown.
   */
  readonly destination?: NodeJS.WritableStream | BufferedLogDestination;
}

/**
 * What pino-http logs when a response finishes, with the response as its status alone: pino
 * runs `formatters.log` (the masking walk) BEFORE the serializers, so handing it the raw
 * ServerResponse made every request line walk the response, its socket and its request, eight
 * levels deep. The `res` serializer reads the status from either shape.
 */
function finishedObject(res: ServerResponse, logged: Record<string, unknown>): Record<string, unknown> {
  return { ...logged, res: { statusCode: res.statusCode } };
}

/**
 * Writes out the buffered log lines when the application shuts down, before Nest re-raises the
 * signal that stopped it (a signal ends the process without its `exit` event), and from then on
 * writes each line as it comes.
 */
@Injectable()
class LogFlushOnShutdown implements OnApplicationShutdown {
  constructor(private readonly destination: BufferedLogDestination | undefined) {}

  onApplicationShutdown(): void {
    this.destination?.end();
  }
}

@Module({})
export class TongbanLoggingModule {
  static forRoot(options: LoggingOptions = {}): DynamicModule {
    // Standard output unless a test passes its own stream: one buffered destination per process.
    const destination = options.destination ?? stdoutLogDestination();
    return {
      module: TongbanLoggingModule,
      providers: [
        {
          provide: LogFlushOnShutdown,
          useFactory: () =>
            new LogFlushOnShutdown(destination instanceof BufferedLogDestination ? destination : undefined),
        },
      ],
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            pinoHttp: {
              ...pinoOptions(config.app, config.env.LOG_LEVEL),
              // The HTTP adapter pins the request id on the raw request (see createHttpApp).
              genReqId: (req: IncomingMessage) =>
                (req as RequestWithId).id ?? requestIdFrom(req.headers[REQUEST_ID_HEADER]),
              // Health probes and scrapes would drown the useful lines.
              autoLogging: {
                ignore: (req: IncomingMessage & { originalUrl?: string }) =>
                  /^\/(health|metrics)(\/|\?|$)/.test(req.originalUrl ?? req.url ?? ''),
              },
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({
                  id: req.id,
                  method: req.method,
                  url: maskPersonalDataInText(req.url),
                }),
                // Fastify writes the status on the raw response, which pino-http keeps as `raw`.
                res: (res: { statusCode: number | null; raw?: { statusCode: number } }) => ({
                  statusCode: res.raw?.statusCode ?? res.statusCode,
                }),
              },
              customSuccessObject: (
                _req: IncomingMessage,
                res: ServerResponse,
                logged: Record<string, unknown>,
              ) => finishedObject(res, logged),
              customErrorObject: (
                _req: IncomingMessage,
                res: ServerResponse,
                _error: Error,
                logged: Record<string, unknown>,
              ) => finishedObject(res, logged),
              stream: destination,
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
