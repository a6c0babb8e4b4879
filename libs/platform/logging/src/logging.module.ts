import type { IncomingMessage } from 'node:http';
import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '@tongban/config';
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
  /** Where log lines go; stdout when absent. Tests pass a stream to read them back. */
  readonly destination?: NodeJS.WritableStream;
}

@Module({})
export class TongbanLoggingModule {
  static forRoot(options: LoggingOptions = {}): DynamicModule {
    return {
      module: TongbanLoggingModule,
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
              customProps: () => ({}),
              ...(options.destination ? { stream: options.destination } : {}),
            },
          }),
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
