import { BusinessCalendar } from './business-calendar';
import { CalendarError, type CalendarErrorCode } from './calendar.errors';
import type { CalendarYear, HolidayBlock } from './calendar-year';
import { validateCalendarYear } from './calendar-year.validation';
import { STATE_COUNCIL_YEARS, YEAR_2026 } from './years';

/** 2026 with one change, as an admin might send it. */
function edited(
  change: (holidays: HolidayBlock[]) => HolidayBlock[],
  top: Partial<CalendarYear> = {},
): CalendarYear {
  return { ...YEAR_2026, ...top, holidays: change(YEAR_2026.holidays.map((b) => ({ ...b }))) };
}

function refusal(data: CalendarYear): CalendarError {
  try {
    validateCalendarYear(data);
  } catch (error) {
    if (error instanceof CalendarError) return error;
    throw error;
  }
  throw new Error('the year was accepted');
}

const reasons = (error: CalendarError): string[] => error.errors.map((p) => p.reason);

describe('validateCalendarYear', () => {
  describe('given the shipped years', () => {
    it.each(STATE_COUNCIL_YEARS.map((y) => [y.year, y] as const))('accepts %i and freezes it', (_, year) => {
      const valid = validateCalendarYear(year);
      expect(valid).toEqual(year);
      expect(Object.isFrozen(valid.holidays[0]!.makeUpWorkdays)).toBe(true);
    });
  });

  describe('given a year with one thing wrong', () => {
    const cases: readonly (readonly [string, CalendarYear, CalendarErrorCode, string])[] = [
      [
        'a missing holiday block',
        edited((h) => h.filter((b) => !b.festivals.includes('dragonBoatFestival'))),
        'calendar.missing_holiday',
        'holidays',
      ],
      [
        'a block naming no festival',
        edited((h) => [
          ...h,
          { ...h[0]!, festivals: [], from: '2026-12-01', to: '2026-12-01', makeUpWorkdays: [] },
        ]),
        'calendar.missing_holiday',
        'holidays[7].festivals',
      ],
      [
        'a festival named twice',
        edited((h) => [
          ...h,
          { festivals: ['qingmingFestival'], from: '2026-12-01', to: '2026-12-01', makeUpWorkdays: [] },
        ]),
        'calendar.duplicate_holiday',
        'holidays[7].festivals[0]',
      ],
      [
        'an unknown festival',
        edited((h) => [
          ...h,
          { festivals: ['christmas' as never], from: '2026-12-25', to: '2026-12-25', makeUpWorkdays: [] },
        ]),
        'calendar.unknown_holiday',
        'holidays[7].festivals[0]',
      ],
      [
        'overlapping holiday blocks',
        edited((h) =>
          h.map((b) => (b.festivals[0] === 'midAutumnFestival' ? { ...b, to: '2026-10-01' } : b)),
        ),
        'calendar.overlapping_entries',
        'holidays[6]',
      ],
      [
        'a make-up workday inside a holiday block',
        edited((h) =>
          h.map((b) => (b.festivals[0] === 'labourDay' ? { ...b, makeUpWorkdays: ['2026-05-02'] } : b)),
        ),
        'calendar.overlapping_entries',
        'holidays[3].makeUpWorkdays[0]',
      ],
      [
        'a make-up workday listed twice',
        edited((h) =>
          h.map((b) =>
            b.festivals[0] === 'labourDay' ? { ...b, makeUpWorkdays: ['2026-05-09', '2026-05-09'] } : b,
          ),
        ),
        'calendar.overlapping_entries',
        'holidays[3].makeUpWorkdays[1]',
      ],
      [
        'a make-up workday on a Monday to Friday',
        edited((h) =>
          h.map((b) => (b.festivals[0] === 'labourDay' ? { ...b, makeUpWorkdays: ['2026-05-08'] } : b)),
        ),
        'calendar.make_up_not_weekend',
        'holidays[3].makeUpWorkdays[0]',
      ],
      [
        'a holiday range in the wrong order',
        edited((h) =>
          h.map((b) =>
            b.festivals[0] === 'springFestival' ? { ...b, from: '2026-02-23', to: '2026-02-15' } : b,
          ),
        ),
        'calendar.reversed_range',
        'holidays[1]',
      ],
      [
        'a holiday outside the year',
        edited((h) => h.map((b) => (b.festivals[0] === 'newYearsDay' ? { ...b, from: '2025-12-31' } : b))),
        'calendar.out_of_year',
        'holidays[0].from',
      ],
      [
        'a make-up workday outside the year',
        edited((h) =>
          h.map((b) => (b.festivals[0] === 'newYearsDay' ? { ...b, makeUpWorkdays: ['2027-01-02'] } : b)),
        ),
        'calendar.out_of_year',
        'holidays[0].makeUpWorkdays[0]',
      ],
      [
        'a date that does not exist',
        edited((h) => h.map((b) => (b.festivals[0] === 'springFestival' ? { ...b, to: '2026-02-30' } : b))),
        'calendar.invalid_date',
        'holidays[1].to',
      ],
      [
        'a date in another format',
        edited((h) => h.map((b) => (b.festivals[0] === 'springFestival' ? { ...b, from: '2026/2/15' } : b))),
        'calendar.invalid_date',
        'holidays[1].from',
      ],
      [
        'no notice cited',
        edited((h) => h, { source: { title: '', documentNumber: ' ', issuedOn: '2025-11-04' } }),
        'calendar.missing_source',
        'source.title',
      ],
      ['a year before fixed +08:00', edited((h) => h, { year: 1991 }), 'calendar.invalid_year', 'year'],
      ['a version of 0', edited((h) => h, { version: 0 }), 'calendar.invalid_year', 'version'],
    ];

    it.each(cases)('refuses %s, naming the field', (_, data, code, field) => {
      const error = refusal(data);
      expect(error).toMatchObject({ code, kind: 'unprocessable' });
      expect(error.errors).toContainEqual(expect.objectContaining({ reason: code, field }));
    });
  });

  describe('given a year with several things wrong', () => {
    const data = edited((h) =>
      h
        .filter((b) => !b.festivals.includes('nationalDay'))
        .map((b) =>
          b.festivals[0] === 'labourDay'
            ? { ...b, makeUpWorkdays: ['2026-05-08'] }
            : b.festivals[0] === 'springFestival'
              ? { ...b, from: '2026-02-24' }
              : b,
        ),
    );

    it('lists every problem, and carries the code of the first kind found', () => {
      const error = refusal(data);
      expect(error.code).toBe('calendar.reversed_range');
      expect(reasons(error).sort()).toEqual([
        'calendar.make_up_not_weekend',
        'calendar.missing_holiday',
        'calendar.reversed_range',
      ]);
      expect(error.message).toContain('3 problem(s)');
    });

    it('changes nothing in the calendar it was meant for', () => {
      const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });
      expect(() => calendar.withYear(data)).toThrow(CalendarError);
      expect(calendar.years).toEqual(STATE_COUNCIL_YEARS);
      expect(calendar.isBusinessDay('2026-05-08')).toBe(true);
      expect(calendar.isBusinessDay('2026-10-05')).toBe(false);
    });
  });

  it('refuses a calendar given the same year twice', () => {
    expect(() => BusinessCalendar.create({ years: [YEAR_2026, { ...YEAR_2026, version: 2 }] })).toThrow(
      expect.objectContaining({ code: 'calendar.duplicate_year' }),
    );
  });
});
