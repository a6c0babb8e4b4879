import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'x-request-id';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * The request id: the caller's `X-Request-Id` when it is a sane token (so a hotline system can
 * follow its own id through our logs), otherwise a fresh UUID. Never trust it for anything but
 * correlation.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  const candidate = Array.isArray(header) ? header[0] : header;
  return candidate && ACCEPTABLE.test(candidate) ? candidate : randomUUID();
}
