import { BusinessCalendar, validateCalendarYear, type CalendarYear } from '@tongban/sla';
import {
  CALENDAR_YEAR_LOADED,
  type CalendarEvent,
  type CalendarStamp,
  type CalendarYearLoaded,
} from './calendar.events';
import { CalendarLoadError } from './calendar-load.errors';

/** Where a year in force comes from: `null` for the data shipped with the code. */
export interface YearLoad extends CalendarStamp {
  /** The `calendar` stream's version of the event that loaded it. */
  readonly calendarVersion: number;
}

export interface YearInForce {
  readonly data: CalendarYear;
  readonly loaded: YearLoad | null;
}

/**
 * The business calendar as the `calendar` stream makes it (ADR 0027): the shipped years, each
 * replaced or joined by the years admins loaded, and the stream's version folded so far.
 */
export interface CalendarState {
  readonly version: number;
  readonly calendar: BusinessCalendar;
  readonly years: ReadonlyMap<number, YearInForce>;
}

/** An admin's load: a year's data as the request gave it, stamped with who, when and why. */
export interface LoadCalendarYear {
  readonly year: CalendarYear;
  readonly stamp: CalendarStamp;
}

/** The calendar before any admin load: the years shipped with the code. */
export function initialCalendarState(shipped: readonly CalendarYear[]): CalendarState {
  const calendar = BusinessCalendar.create({ years: shipped });
  return {
    version: 0,
    calendar,
    years: new Map(calendar.years.map((data) => [data.year, { data, loaded: null }])),
  };
}

/**
 * Checks a load whole before anything is stored: the year's own checks (`validateCalendarYear`,
 * one `CalendarError` listing every problem), then that it is newer than the data in force for
 * that year, if any. Pure: the caller appends the event expecting `state.version`.
 */
export function decideLoad(state: CalendarState, command: LoadCalendarYear): CalendarYearLoaded {
  const year = validateCalendarYear(command.year);
  const inForce = state.years.get(year.year);
  if (inForce && year.version <= inForce.data.version) {
    const from = inForce.loaded ? `loaded at calendar version ${inForce.loaded.calendarVersion}` : 'shipped';
    throw new CalendarLoadError(
      'calendar.stale_version',
      `${year.year} is in force at version ${inForce.data.version} (${from}): a replacement must carry a ` +
        `higher version than that, not ${year.version}.`,
    );
  }
  // The calendar built with it is the one the fold will build: refused here rather than there.
  state.calendar.withYear(year);
  return { type: CALENDAR_YEAR_LOADED, year, ...command.stamp };
}

/**
 * One stored event folded in at its stream `version`. A year's data replaces the data in force
 * only with a higher version: where the code has since shipped that year at the same or a higher
 * version, the shipped data stays (the event is history, not the calendar). Data the year's
 * checks refuse (a stricter check than when it was stored) throws: the fold stops there.
 */
export function evolveCalendar(state: CalendarState, event: CalendarEvent, version: number): CalendarState {
  switch (event.type) {
    case CALENDAR_YEAR_LOADED: {
      const year = validateCalendarYear(event.year);
      const inForce = state.years.get(year.year);
      if (inForce && inForce.data.version >= year.version) return { ...state, version };
      const years = new Map(state.years);
      years.set(year.year, {
        data: year,
        loaded: { by: event.by, at: event.at, reason: event.reason, calendarVersion: version },
      });
      return { version, calendar: state.calendar.withYear(year), years };
    }
    default: {
      const unknown: never = event.type;
      throw new Error(`unknown calendar event ${String(unknown)}`);
    }
  }
}
