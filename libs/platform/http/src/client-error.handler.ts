import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PlatformErrorCode } from '@tongban/errors';
import { REQUEST_ID_HEADER } from '@tongban/logging';
import { PROBLEM_CONTENT_TYPE, problemDetails } from './problem-details';
import { instanceOf, requestIdOf } from './problem-details.filter';

/** Longest request target we read; longer ones are 414 whether Node or Fastify notices first. */
export const MAX_URI_BYTES = 8 * 1024;

interface Answer {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
}

/**
 * What Node's HTTP parser refuses before Fastify has a request: the status Fastify would send,
 * as problem+json. A request line that overflowed the header limit on its own is a 414.
 */
export function clientErrorAnswer(error: { code?: string; rawPacket?: unknown }): Answer {
  switch (error.code ?? '') {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        code: PlatformErrorCode.requestTimeout,
        detail: 'The request did not arrive in time.',
      };
    case 'HPE_HEADER_OVERFLOW': {
      const packet = Buffer.isBuffer(error.rawPacket) ? error.rawPacket : Buffer.alloc(0);
      const lineEnd = packet.indexOf('\r\n');
      const requestLine = lineEnd < 0 ? packet.length : lineEnd;
      return /^[A-Z]+ /.test(packet.subarray(0, 16).toString('latin1')) && requestLine > MAX_URI_BYTES
        ? uriTooLong
        : {
            status: 431,
            code: PlatformErrorCode.headerFieldsTooLarge,
            detail: 'The request headers are larger than the server accepts.',
          };
    }
    default:
      return {
        status: 400,
        code: PlatformErrorCode.malformedHttp,
        detail: 'The request is not well-formed HTTP/1.1 (request line or header syntax).',
      };
  }
}

const uriTooLong: Answer = {
  status: 414,
  code: PlatformErrorCode.uriTooLong,
  detail: `The URL is longer than ${MAX_URI_BYTES} bytes or a path segment is too long.`,
};

/**
 * Fastify's `clientErrorHandler`: there is no request yet, only the socket, so the response is
 * written raw and the connection closed (the parser cannot resync after a bad message).
 */
export function answerClientError(
  error: Error & { code?: string; rawPacket?: unknown },
  socket: Socket,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const answer = clientErrorAnswer(error);
    const requestId = randomUUID();
    const body = JSON.stringify(problemDetails(answer.status, answer.code, answer.detail, '', requestId));
    socket.write(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ''}\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `${REQUEST_ID_HEADER}: ${requestId}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  }
  socket.destroy(error);
}

/**
 * Fastify's `frameworkErrors`: the router refused the URL before any hook or the Nest exception
 * layer could run (bad percent-encoding in the path, an over-long path parameter).
 */
export function answerFrameworkError(
  error: Error & { code?: string },
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const answer: Answer =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? uriTooLong
      : error.code === 'FST_ERR_BAD_URL'
        ? {
            status: 400,
            code: PlatformErrorCode.invalidText,
            detail: 'The path is not valid percent-encoded UTF-8.',
          }
        : { status: 400, code: PlatformErrorCode.malformedHttp, detail: 'The request could not be routed.' };
  const requestId = requestIdOf(request);
  void reply
    .status(answer.status)
    .header('content-type', PROBLEM_CONTENT_TYPE)
    .header(REQUEST_ID_HEADER, requestId)
    .send(problemDetails(answer.status, answer.code, answer.detail, instanceOf(request.url), requestId));
}
