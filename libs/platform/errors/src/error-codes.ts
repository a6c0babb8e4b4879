/**
 * Stable codes raised by the platform itself (not by a domain). Domains define their own codes
 * next to their errors, prefixed with their context (`case.`, `directory.`…). Every code here is
 * documented in docs/problems.md; a test fails when one is missing.
 */
export const PlatformErrorCode = {
  validationFailed: 'request.validation_failed',
  malformedBody: 'request.malformed_body',
  invalidText: 'request.invalid_text',
  invalidNumber: 'request.invalid_number',
  tooDeep: 'request.too_deep',
  duplicateKey: 'request.duplicate_key',
  forbiddenKey: 'request.forbidden_key',
  malformedHttp: 'request.malformed_http',
  unsupportedMediaType: 'request.unsupported_media_type',
  payloadTooLarge: 'request.payload_too_large',
  uriTooLong: 'request.uri_too_long',
  headerFieldsTooLarge: 'request.header_fields_too_large',
  requestTimeout: 'request.timeout',
  rateLimited: 'request.rate_limited',
  routeNotFound: 'route.not_found',
  methodNotAllowed: 'route.method_not_allowed',
  unauthenticated: 'auth.unauthenticated',
  invalidOrgUnit: 'auth.invalid_org_unit',
  invalidChannel: 'auth.invalid_channel',
  forbidden: 'auth.forbidden',
  unavailable: 'service.unavailable',
  unexpected: 'internal.unexpected',
  configInvalid: 'config.invalid',
} as const;

export type PlatformErrorCode = (typeof PlatformErrorCode)[keyof typeof PlatformErrorCode];
