import type { CalendarYear } from '@tongban/sla';

/**
 * The business calendar's admin changes as events (issue 14, ADR 0027): one stream, `calendar`,
 * whose version is the calendar's version. The years shipped with the code (`STATE_COUNCIL_YEARS`)
 * are the base the stream is folded over; each event adds a year or replaces one. Like the
 * directory's events (ADR 0024), each says who, when and why. Shapes are added to, never changed.
 */
export const CALENDAR_STREAM = 'calendar';

export const CALENDAR_YEAR_LOADED = 'calendar.year_loaded';

/** Who loaded a year, when, and why. */
export interface CalendarStamp {
  readonly by: { readonly id: string; readonly role: string };
  /** ISO-8601 instant. */
  readonly at: string;
  readonly reason: string;
}

/** A year's data, as `validateCalendarYear` passed it, taken into the calendar. */
export interface CalendarYearLoaded extends CalendarStamp {
  readonly type: typeof CALENDAR_YEAR_LOADED;
  readonly year: CalendarYear;
}

export type CalendarEvent = CalendarYearLoaded;
