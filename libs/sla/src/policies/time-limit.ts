import type { BusinessCalendar } from '../calendar/business-calendar';
import type { EpochMs } from '../calendar/local-date';

/**
 * A time limit (时限) and the clock it counts on:
 * - `calendarTime`: every millisecond counts, nights, weekends and holidays included (the 12345
 *   hotline and emergencies work round the clock);
 * - `businessTime`: only business hours on business days count;
 * - `businessDays`: N working days (N个工作日) as administrative limits are counted: the starting
 *   day is not counted, and the limit runs to the close of business on the N-th business day.
 */
export type TimeLimit =
  | { readonly unit: 'calendarTime'; readonly ms: number }
  | { readonly unit: 'businessTime'; readonly ms: number }
  | { readonly unit: 'businessDays'; readonly days: number };

const HOUR_MS = 3_600_000;

export function calendarHours(hours: number): TimeLimit {
  return { unit: 'calendarTime', ms: hours * HOUR_MS };
}

export function businessHoursLimit(hours: number): TimeLimit {
  return { unit: 'businessTime', ms: hours * HOUR_MS };
}

export function businessDays(days: number): TimeLimit {
  return { unit: 'businessDays', days };
}

/** When a limit that starts at `start` runs out on the calendar. */
export function dueAt(limit: TimeLimit, start: EpochMs, calendar: BusinessCalendar): EpochMs {
  switch (limit.unit) {
    case 'calendarTime':
      return calendar.addCalendarTime(start, limit.ms);
    case 'businessTime':
      return calendar.addBusinessTime(start, limit.ms);
    case 'businessDays':
      return calendar.addBusinessDays(start, limit.days);
    default: {
      const _exhaustive: never = limit;
      return _exhaustive;
    }
  }
}

/**
 * The time a clock under this limit counts between two instants: calendar milliseconds for a
 * calendar-time limit, business milliseconds for the other two (what `business_ms_used` holds).
 */
export function countedTime(
  limit: TimeLimit,
  from: EpochMs,
  to: EpochMs,
  calendar: BusinessCalendar,
): number {
  switch (limit.unit) {
    case 'calendarTime':
      return to - from;
    case 'businessTime':
    case 'businessDays':
      return calendar.businessTimeBetween(from, to);
    default: {
      const _exhaustive: never = limit;
      return _exhaustive;
    }
  }
}

/** `24 calendar hours`, `3 business days`: for messages and docs. */
export function describeTimeLimit(limit: TimeLimit): string {
  switch (limit.unit) {
    case 'calendarTime':
      return `${limit.ms / HOUR_MS} calendar hours`;
    case 'businessTime':
      return `${limit.ms / HOUR_MS} business hours`;
    case 'businessDays':
      return `${limit.days} business days`;
    default: {
      const _exhaustive: never = limit;
      return _exhaustive;
    }
  }
}
