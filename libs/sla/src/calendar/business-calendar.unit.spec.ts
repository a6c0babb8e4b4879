import { BusinessCalendar } from './business-calendar';
import { CalendarError } from './calendar.errors';
import { STATE_COUNCIL_YEARS, YEAR_2025, YEAR_2026 } from './years';

/** Local time in Asia/Shanghai: `at('2025-01-27 17:00')`. */
const at = (local: string): number => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
const local = (instant: number): string =>
  new Date(instant + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const HOUR = 3_600_000;
const MINUTE = 60_000;

const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS, unknownYears: 'refuse' });

describe('BusinessCalendar', () => {
  describe('on an ordinary week (2025-03-10, Monday)', () => {
    it('counts 09:00–12:00 and 13:30–17:30: seven hours a day', () => {
      expect(calendar.businessDayMs).toBe(7 * HOUR);
      expect(calendar.businessTimeBetween(at('2025-03-10 00:00'), at('2025-03-11 00:00'))).toBe(7 * HOUR);
      expect(calendar.businessTimeBetween(at('2025-03-10 00:00'), at('2025-03-17 00:00'))).toBe(35 * HOUR);
    });

    it('does not count the lunch break', () => {
      expect(calendar.businessTimeBetween(at('2025-03-10 12:00'), at('2025-03-10 13:30'))).toBe(0);
      expect(calendar.isBusinessTime(at('2025-03-10 12:45'))).toBe(false);
      expect(local(calendar.addBusinessTime(at('2025-03-10 11:30'), HOUR))).toBe('2025-03-10 14:00');
      expect(local(calendar.addBusinessTime(at('2025-03-10 12:15'), HOUR))).toBe('2025-03-10 14:30');
    });

    it('does not count the evening, the night or the weekend', () => {
      expect(calendar.businessTimeBetween(at('2025-03-10 17:30'), at('2025-03-11 09:00'))).toBe(0);
      expect(calendar.isBusinessTime(at('2025-03-10 20:00'))).toBe(false);
      expect(local(calendar.addBusinessTime(at('2025-03-10 17:00'), HOUR))).toBe('2025-03-11 09:30');
      expect(local(calendar.addBusinessTime(at('2025-03-14 17:00'), HOUR))).toBe('2025-03-17 09:30');
      expect(calendar.isBusinessDay('2025-03-15')).toBe(false);
    });

    it('ends an addition at a close and a subtraction at an opening', () => {
      expect(local(calendar.addBusinessTime(at('2025-03-10 09:00'), 3 * HOUR))).toBe('2025-03-10 12:00');
      expect(local(calendar.addBusinessTime(at('2025-03-10 17:30'), -4 * HOUR))).toBe('2025-03-10 13:30');
      expect(calendar.isBusinessTime(at('2025-03-10 09:00'))).toBe(true);
      expect(calendar.isBusinessTime(at('2025-03-10 12:00'))).toBe(false);
    });

    it('subtracts across the night', () => {
      expect(local(calendar.addBusinessTime(at('2025-03-11 09:30'), -HOUR))).toBe('2025-03-10 17:00');
    });

    it('adds nothing for a zero duration, even outside business hours', () => {
      expect(calendar.addBusinessTime(at('2025-03-10 22:00'), 0)).toBe(at('2025-03-10 22:00'));
    });
  });

  describe('around the Spring Festival', () => {
    it('2025: skips 1月28日–2月4日 and works Sunday 1月26日 and Saturday 2月8日', () => {
      expect(calendar.isBusinessDay('2025-01-26')).toBe(true);
      expect(local(calendar.addBusinessTime(at('2025-01-24 17:00'), HOUR))).toBe('2025-01-26 09:30');
      expect(local(calendar.addBusinessTime(at('2025-01-27 17:00'), HOUR))).toBe('2025-02-05 09:30');
      expect(calendar.businessTimeBetween(at('2025-01-27 17:30'), at('2025-02-05 09:00'))).toBe(0);
      // 2月5日–7日, then the make-up Saturday.
      expect(calendar.businessTimeBetween(at('2025-02-05 00:00'), at('2025-02-10 00:00'))).toBe(4 * 7 * HOUR);
      expect(local(calendar.addBusinessTime(at('2025-02-07 17:30'), HOUR))).toBe('2025-02-08 10:00');
    });

    it('2026: nine days from 2月15日, with Saturdays 2月14日 and 2月28日 worked', () => {
      expect(local(calendar.addBusinessTime(at('2026-02-13 17:00'), HOUR))).toBe('2026-02-14 09:30');
      expect(local(calendar.addBusinessTime(at('2026-02-14 17:00'), HOUR))).toBe('2026-02-24 09:30');
      expect(calendar.describeDay('2026-02-17')).toMatchObject({
        kind: 'statutoryHoliday',
        weekday: 'tuesday',
        festivals: ['springFestival'],
        businessDay: false,
      });
      expect(calendar.describeDay('2026-02-28')).toMatchObject({ kind: 'makeUpWorkday', businessDay: true });
    });
  });

  describe('around National Day', () => {
    it('2025: 国庆节、中秋节 together, 10月1日–8日, with Sunday 9月28日 and Saturday 10月11日 worked', () => {
      expect(calendar.isBusinessDay('2025-09-28')).toBe(true);
      expect(local(calendar.addBusinessTime(at('2025-09-30 17:00'), HOUR))).toBe('2025-10-09 09:30');
      expect(calendar.describeDay('2025-10-06').festivals).toEqual(['nationalDay', 'midAutumnFestival']);
      // 10月9日, 10日 and the make-up Saturday 11日.
      expect(calendar.businessTimeBetween(at('2025-10-01 00:00'), at('2025-10-13 00:00'))).toBe(3 * 7 * HOUR);
    });

    it('2026: 10月1日–7日, Sunday 9月20日 and Saturday 10月10日 worked', () => {
      expect(calendar.isBusinessDay('2026-09-20')).toBe(true);
      expect(calendar.isBusinessDay('2026-09-25')).toBe(false); // 中秋节, a Friday
      expect(local(calendar.addBusinessTime(at('2026-09-30 17:00'), HOUR))).toBe('2026-10-08 09:30');
      expect(calendar.isBusinessDay('2026-10-10')).toBe(true);
    });
  });

  describe('at the year boundary', () => {
    it('goes from 31 December 2025 to the make-up Sunday 4 January 2026 (元旦 1月1日–3日)', () => {
      expect(local(calendar.addBusinessTime(at('2025-12-31 17:00'), HOUR))).toBe('2026-01-04 09:30');
      expect(local(calendar.addBusinessTime(at('2026-01-04 09:30'), -HOUR))).toBe('2025-12-31 17:00');
      expect(calendar.businessTimeBetween(at('2025-12-31 00:00'), at('2026-01-05 00:00'))).toBe(2 * 7 * HOUR);
    });

    it('knows 1 and 2 January 2026 are holidays only once 2026 is loaded', () => {
      const only2025 = BusinessCalendar.create({ years: [YEAR_2025] });
      expect(calendar.businessTimeBetween(at('2025-12-31 00:00'), at('2026-01-03 00:00'))).toBe(7 * HOUR);
      expect(only2025.businessTimeBetween(at('2025-12-31 00:00'), at('2026-01-03 00:00'))).toBe(3 * 7 * HOUR);
    });
  });

  describe('with working days (N个工作日)', () => {
    it('does not count the starting day and runs to the close of the N-th business day', () => {
      expect(local(calendar.addBusinessDays(at('2025-03-10 10:00'), 1))).toBe('2025-03-11 17:30');
      expect(local(calendar.addBusinessDays(at('2025-03-10 08:00'), 5))).toBe('2025-03-17 17:30');
      expect(local(calendar.addBusinessDays(at('2025-03-15 10:00'), 1))).toBe('2025-03-17 17:30');
    });

    it('counts make-up workdays and skips holidays', () => {
      // 1月26日 (make-up Sunday), 27日, then 2月5日, 6日, 7日.
      expect(local(calendar.addBusinessDays(at('2025-01-24 10:00'), 5))).toBe('2025-02-07 17:30');
      expect(local(calendar.addBusinessDays(at('2025-12-31 10:00'), 1))).toBe('2026-01-04 17:30');
    });

    it('takes only a whole number of days from 1', () => {
      expect(() => calendar.addBusinessDays(at('2025-03-10 10:00'), 0)).toThrow(RangeError);
      expect(() => calendar.addBusinessDays(at('2025-03-10 10:00'), 1.5)).toThrow(RangeError);
    });
  });

  describe('outside the years it knows', () => {
    it('refuses, when told to, with calendar.year_not_loaded', () => {
      expect(() => calendar.isBusinessDay('2027-01-04')).toThrow(
        expect.objectContaining({ code: 'calendar.year_not_loaded', kind: 'unprocessable' }),
      );
      expect(() => calendar.addBusinessTime(at('2026-12-31 17:00'), HOUR)).toThrow(CalendarError);
      expect(() => calendar.addBusinessTime(at('2025-01-01 10:00'), -HOUR)).toThrow(CalendarError);
    });

    it('follows Monday to Friday by default, and says the answer is provisional', () => {
      const lenient = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });
      expect(lenient.unknownYears).toBe('weekdays');
      expect(lenient.describeDay('2027-01-01')).toMatchObject({
        kind: 'weekday',
        businessDay: true,
        known: false,
      });
      expect(local(lenient.addBusinessTime(at('2026-12-31 17:00'), HOUR))).toBe('2027-01-01 09:30');
      expect(lenient.covers(at('2026-12-31 17:00'), at('2027-01-01 09:30'))).toBe(false);
      expect(lenient.covers(at('2025-01-01 00:00'), at('2026-12-31 23:59'))).toBe(true);
      expect(lenient.describeDay('2026-12-31').known).toBe(true);
    });

    it('learns a year loaded later, leaving the calendar it came from as it was', () => {
      const lenient = BusinessCalendar.create({ years: [YEAR_2025] });
      const both = lenient.withYear(YEAR_2026);
      expect(both.isBusinessDay('2026-01-02')).toBe(false);
      expect(lenient.isBusinessDay('2026-01-02')).toBe(true);
      expect(both.years.map((y) => y.year)).toEqual([2025, 2026]);
    });
  });

  describe('with other business hours', () => {
    const summer = BusinessCalendar.create({
      years: STATE_COUNCIL_YEARS,
      businessHours: [
        { from: '08:00', to: '12:00' },
        { from: '14:30', to: '18:00' },
      ],
    });

    it('counts them instead', () => {
      expect(summer.businessDayMs).toBe(7.5 * HOUR);
      expect(local(summer.addBusinessTime(at('2025-06-03 11:30'), HOUR))).toBe('2025-06-03 15:00');
      expect(local(summer.addBusinessDays(at('2025-06-03 11:30'), 1))).toBe('2025-06-04 18:00');
    });

    it.each([
      [[]],
      [[{ from: '9:00', to: '12:00' }]],
      [[{ from: '12:00', to: '09:00' }]],
      [[{ from: '09:00', to: '09:00' }]],
      [
        [
          { from: '09:00', to: '12:00' },
          { from: '11:00', to: '17:00' },
        ],
      ],
      [[{ from: '24:00', to: '24:00' }]],
    ])('refuses %j with calendar.invalid_business_hours', (businessHours) => {
      expect(() => BusinessCalendar.create({ years: STATE_COUNCIL_YEARS, businessHours })).toThrow(
        expect.objectContaining({ code: 'calendar.invalid_business_hours' }),
      );
    });

    it('takes a day open until midnight', () => {
      const late = BusinessCalendar.create({ years: [], businessHours: [{ from: '18:00', to: '24:00' }] });
      expect(local(late.addBusinessTime(at('2025-03-10 23:00'), 2 * HOUR))).toBe('2025-03-11 19:00');
    });
  });

  it('takes whole milliseconds only', () => {
    expect(() => calendar.addBusinessTime(at('2025-03-10 10:00') + 0.5, MINUTE)).toThrow(RangeError);
    expect(() => calendar.addBusinessTime(at('2025-03-10 10:00'), Number.NaN)).toThrow(RangeError);
    expect(() => calendar.businessTimeBetween(Number.POSITIVE_INFINITY, 0)).toThrow(RangeError);
  });

  it('refuses a runaway duration instead of looping', () => {
    const lenient = BusinessCalendar.create({ years: [] });
    expect(() => lenient.addBusinessTime(0, Number.MAX_SAFE_INTEGER)).toThrow(RangeError);
  });
});
