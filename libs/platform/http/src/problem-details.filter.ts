import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  MethodNotAllowedError,
  PlatformErrorCode,
  RateLimitedError,
  isTongbanError,
  type FieldProblem,
} from '@tongban/errors';
import { BEARER_CHALLENGE, UnauthenticatedError } from '@tongban/security';
import { PROBLEM_CONTENT_TYPE, STATUS_BY_KIND, problemDetails } from './problem-details';

interface Mapped {
  status: number;
  code: string;
  detail: string;
  errors?: readonly FieldProblem[];
}

const CODE_BY_STATUS: Readonly<Record<number, string>> = {
  400: PlatformErrorCode.validationFailed,
  401: PlatformErrorCode.unauthenticated,
  403: PlatformErrorCode.forbidden,
  404: PlatformErrorCode.routeNotFound,
  405: PlatformErrorCode.methodNotAllowed,
  413: PlatformErrorCode.payloadTooLarge,
  415: PlatformErrorCode.unsupportedMediaType,
  503: PlatformErrorCode.unavailable,
};

/** Fastify's own errors (raised before a route runs) that deserve a precise code. */
const FASTIFY_CODES: Readonly<Record<string, string>> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: PlatformErrorCode.unsupportedMediaType,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: PlatformErrorCode.malformedBody,
  FST_ERR_CTP_EMPTY_JSON_BODY: PlatformErrorCode.malformedBody,
  FST_ERR_CTP_INVALID_JSON_BODY: PlatformErrorCode.malformedBody,
  FST_ERR_CTP_BODY_TOO_LARGE: PlatformErrorCode.payloadTooLarge,
};

/**
 * The ONE place where errors become HTTP responses: every error leaves as RFC 9457
 * problem+json with a stable `code` and the request id. Unexpected errors are logged (masked by
 * the logger) and answered without internals.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = this.map(exception);
    const requestId = requestIdOf(request);
    if (mapped.status >= 500) {
      this.logger.error({ err: exception, requestId }, 'unhandled error');
    }
    const body = problemDetails(
      mapped.status,
      mapped.code,
      mapped.detail,
      instanceOf(request.url),
      requestId,
      mapped.errors,
    );
    // RFC 9110 §15.5.2: a 401 names the scheme the client should authenticate with.
    if (mapped.status === 401) {
      void reply.header(
        'www-authenticate',
        exception instanceof UnauthenticatedError ? exception.challenge : BEARER_CHALLENGE,
      );
    }
    if (exception instanceof MethodNotAllowedError) {
      void reply.header('allow', exception.allow.join(', '));
    }
    if (exception instanceof RateLimitedError) {
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    }
    void reply.status(mapped.status).header('content-type', PROBLEM_CONTENT_TYPE).send(body);
  }

  private map(exception: unknown): Mapped {
    if (isTongbanError(exception)) {
      return {
        status: STATUS_BY_KIND[exception.kind],
        code: exception.code,
        detail: exception.message,
        errors: exception.errors,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return {
        status,
        code:
          fastifyErrorCode(exception) ??
          CODE_BY_STATUS[status] ??
          (status >= 500 ? PlatformErrorCode.unexpected : `http.${status}`),
        detail: status >= 500 ? 'The server could not complete the request.' : exception.message,
      };
    }
    return {
      status: 500,
      code: PlatformErrorCode.unexpected,
      detail: 'The server could not complete the request.',
    };
  }
}

/** Fastify's error code, on the error itself or on the HttpException the adapter wrapped it in. */
function fastifyErrorCode(exception: unknown): string | undefined {
  for (const candidate of [exception, (exception as { cause?: unknown } | null)?.cause]) {
    if (typeof candidate !== 'object' || candidate === null) continue;
    const code = (candidate as { code?: unknown }).code;
    if (typeof code === 'string' && FASTIFY_CODES[code]) return FASTIFY_CODES[code];
  }
  return undefined;
}

/** The path a problem is about: never the query, which may carry personal data. */
export function instanceOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}

/** The request's id: the one createHttpApp pinned on the raw request (and the logger uses). */
export function requestIdOf(request: FastifyRequest): string {
  const raw = request.raw as { id?: unknown };
  return typeof raw.id === 'string' ? raw.id : String(request.id);
}
