import type { Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CALENDAR_CLOCK, shippedCalendarClock, type CalendarClock } from '@tongban/case-handling';

/** The calendar and clock the case queries count SLA time on (see `CaseReads`). */
export const QUERY_CALENDAR_CLOCK = Symbol('QUERY_CALENDAR_CLOCK');

/**
 * CaseHandlingModule's `CALENDAR_CLOCK` (the stored calendar and the application's CLOCK, the
 * ones the SLA watcher computes due times with), looked up in the application when first asked:
 * that module shares nothing by export, and the read models must not start a second copy of the
 * stored calendar. An application without it answers on the calendar years shipped with the code
 * and the system clock.
 */
export const queryCalendarClockProvider: Provider = {
  provide: QUERY_CALENDAR_CLOCK,
  inject: [ModuleRef],
  useFactory: (modules: ModuleRef): CalendarClock => {
    let found: CalendarClock | undefined;
    const source = (): CalendarClock => {
      if (found === undefined) {
        try {
          found = modules.get<CalendarClock>(CALENDAR_CLOCK, { strict: false });
        } catch {
          found = shippedCalendarClock();
        }
      }
      return found;
    };
    return { calendar: () => source().calendar(), now: () => source().now() };
  },
};
