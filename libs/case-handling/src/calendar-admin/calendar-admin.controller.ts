import { Body, Controller, Get, Inject, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { EventTooLargeError, InvalidEventError } from '@tongban/event-store';
import { ApiProblems, problemCodes, type ProblemCodes } from '@tongban/http';
import { CurrentPrincipal, Roles, type Principal } from '@tongban/security';
import { CALENDAR_ERROR_KINDS, type CalendarErrorCode, type CalendarYear } from '@tongban/sla';
import { CLOCK, type Clock } from '../clock';
import { CALENDAR_LOAD_ERROR_KINDS } from '../calendar/calendar-load.errors';
import { StoredCalendar } from '../calendar/stored-calendar';
import { LoadCalendarYearRequest } from './calendar-admin.request.dto';
import { CalendarLoadResponse, CalendarView, type CalendarYearView } from './calendar-admin.views';

/** The codes `validateCalendarYear` refuses a year's data with (the others are the calendar's own). */
export const YEAR_CHECK_CODES = [
  'calendar.invalid_year',
  'calendar.missing_source',
  'calendar.invalid_date',
  'calendar.reversed_range',
  'calendar.out_of_year',
  'calendar.unknown_holiday',
  'calendar.missing_holiday',
  'calendar.duplicate_holiday',
  'calendar.overlapping_entries',
  'calendar.make_up_not_weekend',
] as const satisfies readonly CalendarErrorCode[];

/** What a load may answer: the year's checks, a stale version, lost races, the store's limits. */
export const CALENDAR_LOAD_PROBLEMS: ProblemCodes = problemCodes(
  Object.fromEntries(YEAR_CHECK_CODES.map((code) => [code, CALENDAR_ERROR_KINDS[code]])),
  CALENDAR_LOAD_ERROR_KINDS,
  InvalidEventError,
  EventTooLargeError,
);

/**
 * The business calendar's administration (issue 14, ADR 0027): admins load a year as the State
 * Council's notice publishes it — a year the calendar does not have, or a newer version of one in
 * force — and read the years in force with where each comes from. A load is checked whole before
 * anything is stored: a refused year changes nothing.
 */
@ApiTags('administration')
@Controller('admin/calendar')
export class CalendarAdminController {
  constructor(
    private readonly calendar: StoredCalendar,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post('years')
  @Roles('admin')
  @ApiOperation({
    summary: 'Load a year of the business calendar, or a newer version of a year in force',
    description:
      'The year is checked whole (422 `calendar.*`, `errors` listing every problem): each of the seven ' +
      'statutory holidays in exactly one block, dates inside the year, ranges forwards, nothing overlapping, ' +
      'make-up workdays on Saturdays or Sundays. Replacing a year in force (shipped or loaded) needs a higher ' +
      '`version` (409 `calendar.stale_version`). Every process uses the year from its next refresh; this one ' +
      'at once.',
  })
  @ApiCreatedResponse({
    type: CalendarLoadResponse,
    description: 'Stored: the `calendar` stream’s version after the load and the year now in force.',
  })
  @ApiProblems(CALENDAR_LOAD_PROBLEMS)
  async loadYear(
    @CurrentPrincipal() principal: Principal,
    @Body() body: LoadCalendarYearRequest,
  ): Promise<CalendarLoadResponse> {
    const stored = await this.calendar.loadYear(yearOf(body), {
      by: { id: principal.id, role: principal.role },
      at: this.clock.now().toISOString(),
      reason: body.reason,
    });
    return { calendarVersion: stored.calendarVersion, year: stored.year, version: stored.version };
  }

  @Get()
  @Roles('admin')
  @ApiOperation({
    summary:
      'The business calendar: the years in force, their notices and versions, and where each comes from',
    description: 'As the store holds it now (other processes’ loads included).',
  })
  @ApiOkResponse({ type: CalendarView })
  async view(): Promise<CalendarView> {
    await this.calendar.refresh();
    const state = this.calendar.snapshot();
    const years = [...state.years.values()]
      .sort((a, b) => a.data.year - b.data.year)
      .map(({ data, loaded }): CalendarYearView => ({
        year: data.year,
        version: data.version,
        origin: loaded ? 'stored' : 'shipped',
        loaded: loaded
          ? {
              by: { id: loaded.by.id, role: loaded.by.role },
              at: loaded.at,
              reason: loaded.reason,
              calendarVersion: loaded.calendarVersion,
            }
          : null,
        source: {
          title: data.source.title,
          documentNumber: data.source.documentNumber,
          issuedOn: data.source.issuedOn,
          ...(data.source.url === undefined ? {} : { url: data.source.url }),
        },
        holidays: data.holidays.map((block) => ({
          festivals: [...block.festivals],
          from: block.from,
          to: block.to,
          makeUpWorkdays: [...block.makeUpWorkdays],
          ...(block.citation === undefined ? {} : { citation: block.citation }),
        })),
      }));
    return { calendarVersion: state.version, years };
  }
}

/** The request as the calendar's data: only the fields a year has, no class instances. */
function yearOf(body: LoadCalendarYearRequest): CalendarYear {
  return {
    year: body.year,
    version: body.version,
    source: {
      title: body.source.title,
      documentNumber: body.source.documentNumber,
      issuedOn: body.source.issuedOn,
      ...(body.source.url === undefined ? {} : { url: body.source.url }),
    },
    holidays: body.holidays.map((block) => ({
      festivals: [...block.festivals],
      from: block.from,
      to: block.to,
      makeUpWorkdays: [...block.makeUpWorkdays],
      ...(block.citation === undefined ? {} : { citation: block.citation }),
    })),
  };
}
