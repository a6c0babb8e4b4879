import { TongbanError, type ErrorKind } from '@tongban/errors';

/**
 * What loading a year refuses beyond the year's own checks (`CALENDAR_ERROR_KINDS` in
 * `@tongban/sla`). Stable codes: added, never renamed.
 */
export const CALENDAR_LOAD_ERROR_KINDS = {
  /** A year in force is replaced only by data with a higher `version` than the data in force. */
  'calendar.stale_version': 'conflict',
  /** Other loads kept landing first (decided again every time): nothing was loaded. */
  'calendar.changed_concurrently': 'conflict',
} as const satisfies Record<string, ErrorKind>;

export type CalendarLoadErrorCode = keyof typeof CALENDAR_LOAD_ERROR_KINDS;

export class CalendarLoadError extends TongbanError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: CalendarLoadErrorCode,
    message: string,
  ) {
    super(message, []);
    this.kind = CALENDAR_LOAD_ERROR_KINDS[code];
  }
}
