/**
 * Stable codes raised by the platform itself (not by a domain). Domains define their own codes
 * next to their errors, prefixed with their context (`case.`, `directory.`…).
 */
export const PlatformErrorCode = {
  validationFailed: 'request.validation_failed',
  malformedBody: 'request.malformed_body',
  unsupportedMediaType: 'request.unsupported_media_type',
  payloadTooLarge: 'request.payload_too_large',
  routeNotFound: 'route.not_found',
  methodNotAllowed: 'route.method_not_allowed',
  unauthenticated: 'auth.unauthenticated',
  forbidden: 'auth.forbidden',
  unavailable: 'service.unavailable',
  unexpected: 'internal.unexpected',
} as const;

export type PlatformErrorCode = (typeof PlatformErrorCode)[keyof typeof PlatformErrorCode];
