import { TongbanError, type ErrorKind, type FieldProblem } from '@tongban/errors';

/**
 * Stable codes of what the business calendar refuses. Added, never renamed. A year's data is
 * checked whole: the error carries the code of the first problem found (in the order listed
 * here) and `errors` lists every problem, each with its own code as `reason`.
 */
export const CALENDAR_ERROR_KINDS = {
  /** The year is not a whole number from 1992 (fixed +08:00) to 9999, or the version is not a positive integer. */
  'calendar.invalid_year': 'unprocessable',
  /** The data does not cite the State Council notice it comes from (title, document number, date). */
  'calendar.missing_source': 'unprocessable',
  /** A date that is not a real `YYYY-MM-DD` date. */
  'calendar.invalid_date': 'unprocessable',
  /** A holiday block whose first day is after its last. */
  'calendar.reversed_range': 'unprocessable',
  /** A holiday day or make-up workday outside the year the data is for. */
  'calendar.out_of_year': 'unprocessable',
  /** A holiday block naming a festival that is not one of the seven statutory ones. */
  'calendar.unknown_holiday': 'unprocessable',
  /** One of the seven statutory holidays (元旦 … 国庆节) has no block, or a block names none. */
  'calendar.missing_holiday': 'unprocessable',
  /** A festival named by two blocks. */
  'calendar.duplicate_holiday': 'unprocessable',
  /** Two holiday blocks share a day, or a make-up workday is listed twice or falls in a holiday block. */
  'calendar.overlapping_entries': 'unprocessable',
  /** A make-up workday (调休上班) that is a Monday to Friday: only a weekend day can be made a workday. */
  'calendar.make_up_not_weekend': 'unprocessable',
  /** Business hours that are empty, malformed, out of order or overlapping. */
  'calendar.invalid_business_hours': 'unprocessable',
  /** Two sets of data for the same year given to one calendar. */
  'calendar.duplicate_year': 'unprocessable',
  /** A calendar that refuses unknown years was asked about a day in a year it has no data for. */
  'calendar.year_not_loaded': 'unprocessable',
} as const satisfies Record<string, ErrorKind>;

export type CalendarErrorCode = keyof typeof CALENDAR_ERROR_KINDS;

export class CalendarError extends TongbanError {
  readonly kind: ErrorKind;

  constructor(
    readonly code: CalendarErrorCode,
    message: string,
    errors: readonly FieldProblem[] = [],
  ) {
    super(message, errors);
    this.kind = CALENDAR_ERROR_KINDS[code];
  }
}
