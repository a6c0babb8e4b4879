import { CalendarError, STATE_COUNCIL_YEARS, YEAR_2026, type CalendarYear } from '@tongban/sla';
import { CALENDAR_YEAR_LOADED, type CalendarEvent, type CalendarYearLoaded } from './calendar.events';
import {
  decideLoad,
  evolveCalendar,
  initialCalendarState,
  type CalendarState,
} from './calendar-load.decider';
import { CalendarLoadError } from './calendar-load.errors';

/**
 * 2027 as TEST DATA: a plausible year written for these tests (the weekdays are right, the
 * festivals fall near their 2027 dates), not the State Council's notice, which is not out yet.
 */
const YEAR_2027: CalendarYear = {
  year: 2027,
  version: 1,
  source: { title: '测试数据：2027年部分节假日安排', documentNumber: 'TEST-2027', issuedOn: '2026-11-10' },
  holidays: [
    { festivals: ['newYearsDay'], from: '2027-01-01', to: '2027-01-03', makeUpWorkdays: [] },
    {
      festivals: ['springFestival'],
      from: '2027-02-05',
      to: '2027-02-13',
      makeUpWorkdays: ['2027-01-31', '2027-02-20'],
    },
    { festivals: ['qingmingFestival'], from: '2027-04-03', to: '2027-04-05', makeUpWorkdays: [] },
    { festivals: ['labourDay'], from: '2027-05-01', to: '2027-05-05', makeUpWorkdays: ['2027-05-08'] },
    { festivals: ['dragonBoatFestival'], from: '2027-06-09', to: '2027-06-09', makeUpWorkdays: [] },
    { festivals: ['midAutumnFestival'], from: '2027-09-15', to: '2027-09-15', makeUpWorkdays: [] },
    {
      festivals: ['nationalDay'],
      from: '2027-10-01',
      to: '2027-10-07',
      makeUpWorkdays: ['2027-09-26', '2027-10-09'],
    },
  ],
};

const stamp = { by: { id: 'demo-admin', role: 'admin' }, at: '2026-12-01T02:15:00.000Z', reason: '测试' };

const loaded = (year: CalendarYear): CalendarYearLoaded => ({ type: CALENDAR_YEAR_LOADED, year, ...stamp });

/** The shipped years with `events` folded over them at versions 1, 2, … */
function given(...events: readonly CalendarEvent[]): CalendarState {
  return events.reduce(
    (state, event, i) => evolveCalendar(state, event, i + 1),
    initialCalendarState(STATE_COUNCIL_YEARS),
  );
}

function refusal(state: CalendarState, year: CalendarYear): { name: string; code: string } {
  try {
    decideLoad(state, { year, stamp });
  } catch (error) {
    if (error instanceof CalendarError || error instanceof CalendarLoadError)
      return { name: error.constructor.name, code: error.code };
    throw error;
  }
  throw new Error('the load was not refused');
}

describe('loading a calendar year', () => {
  describe('with only the shipped years', () => {
    const state = given();

    it('knows 2025 and 2026 as shipped, at calendar version 0', () => {
      expect(state.version).toBe(0);
      expect([...state.years.values()].map((y) => [y.data.year, y.data.version, y.loaded])).toEqual([
        [2025, 1, null],
        [2026, 1, null],
      ]);
      expect(state.calendar.knowsYear(2027)).toBe(false);
    });

    it('loads a year it does not have', () => {
      expect(decideLoad(state, { year: YEAR_2027, stamp })).toEqual(loaded(YEAR_2027));
    });

    it('replaces a shipped year with a higher version', () => {
      expect(decideLoad(state, { year: { ...YEAR_2026, version: 2 }, stamp }).year.version).toBe(2);
    });

    it('refuses a replacement that is not newer than the shipped data', () => {
      expect(refusal(state, YEAR_2026)).toEqual({
        name: 'CalendarLoadError',
        code: 'calendar.stale_version',
      });
    });

    it('refuses a year with a missing Spring Festival block', () => {
      const year = {
        ...YEAR_2027,
        holidays: YEAR_2027.holidays.filter((b) => b.festivals[0] !== 'springFestival'),
      };
      expect(refusal(state, year)).toEqual({ name: 'CalendarError', code: 'calendar.missing_holiday' });
    });

    it('refuses a year whose entries overlap', () => {
      const year = {
        ...YEAR_2027,
        holidays: YEAR_2027.holidays.map((b) =>
          b.festivals[0] === 'qingmingFestival' ? { ...b, from: '2027-04-03', to: '2027-05-01' } : b,
        ),
      };
      expect(refusal(state, year)).toEqual({ name: 'CalendarError', code: 'calendar.overlapping_entries' });
    });
  });

  describe('with 2027 loaded', () => {
    const state = given(loaded(YEAR_2027));

    it('holds 2027 as stored, with who loaded it and at which calendar version', () => {
      expect(state.version).toBe(1);
      expect(state.years.get(2027)).toEqual({
        data: YEAR_2027,
        loaded: { ...stamp, calendarVersion: 1 },
      });
      expect(state.calendar.isBusinessDay('2027-02-08')).toBe(false);
      expect(state.calendar.isBusinessDay('2027-02-20')).toBe(true);
    });

    it('refuses the same version again, and loads a higher one', () => {
      expect(refusal(state, YEAR_2027)).toEqual({
        name: 'CalendarLoadError',
        code: 'calendar.stale_version',
      });
      const next = given(loaded(YEAR_2027), decideLoad(state, { year: { ...YEAR_2027, version: 2 }, stamp }));
      expect([next.version, next.years.get(2027)?.data.version]).toEqual([2, 2]);
    });
  });

  describe('with a stored year the code has since shipped at the same version', () => {
    it('keeps the shipped data and still counts the event', () => {
      const state = given(loaded({ ...YEAR_2026, source: { ...YEAR_2026.source, title: '旧数据' } }));
      expect(state.version).toBe(1);
      expect(state.years.get(2026)).toEqual({ data: YEAR_2026, loaded: null });
    });
  });
});
