import type { ErrorKind, FieldProblem } from '@tongban/errors';

/** RFC 9457 problem details, with Tongban's stable `code` and the request id. */
export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly instance: string;
  readonly code: string;
  readonly requestId: string;
  readonly errors?: readonly FieldProblem[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** The one table from a transport-neutral error kind to an HTTP status. */
export const STATUS_BY_KIND: Readonly<Record<ErrorKind, number>> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  precondition_required: 428,
  too_many_requests: 429,
  unprocessable: 422,
  unavailable: 503,
  internal: 500,
};

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  408: 'Request Timeout',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export const titleFor = (status: number): string => TITLES[status] ?? 'Error';

/** A problem type URI per code: stable, resolvable to docs/problems.md by convention. */
export const problemType = (code: string): string => `urn:tongban:problem:${code}`;

/** The one shape of a problem body, for the filter and for answers written before Nest runs. */
export function problemDetails(
  status: number,
  code: string,
  detail: string,
  instance: string,
  requestId: string,
  errors?: readonly FieldProblem[],
): ProblemDetails {
  return {
    type: problemType(code),
    title: titleFor(status),
    status,
    detail,
    instance,
    code,
    requestId,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}
