import type { Provider } from '@nestjs/common';
import { BusinessCalendar, STATE_COUNCIL_YEARS } from '@tongban/sla';
import { CLOCK, systemClock, type Clock } from '../clock';
import { StoredCalendar } from './stored-calendar';

/**
 * What a reader needs to count an SLA clock's time at the moment it is asked (the read models'
 * business time used, due soon, overdue): the business calendar in force and the application's
 * clock — the same two the SLA watcher computes due times with, so a fixed clock in a test moves
 * both.
 */
export interface CalendarClock {
  /** The calendar as last read (shipped years and loaded ones); a new load shows at once. */
  calendar(): BusinessCalendar;
  now(): Date;
}

export const CALENDAR_CLOCK = Symbol('CALENDAR_CLOCK');

/** CaseHandlingModule's: the stored calendar (ADR 0027) and the injected CLOCK. */
export const calendarClockProvider: Provider = {
  provide: CALENDAR_CLOCK,
  inject: [StoredCalendar, CLOCK],
  useFactory: (stored: StoredCalendar, clock: Clock): CalendarClock => ({
    calendar: () => stored.current(),
    now: () => clock.now(),
  }),
};

/**
 * Where no case-handling runs (the projector serves no queries; a test of the queries alone):
 * the calendar years shipped with the code, on the system clock.
 */
export function shippedCalendarClock(clock: Clock = systemClock): CalendarClock {
  const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });
  return { calendar: () => calendar, now: () => clock.now() };
}
