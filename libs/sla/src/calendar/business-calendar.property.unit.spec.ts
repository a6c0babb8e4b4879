import fc from 'fast-check';
import { BusinessCalendar } from './business-calendar';
import { formatDayNumber, dayNumberOf } from './local-date';
import { STATE_COUNCIL_YEARS } from './years';

/**
 * Properties of the business-time arithmetic on the shipped years. The calendar refuses unknown
 * years, so no run can pass by falling back to Monday to Friday: instants stay inside 2025–2026
 * with room for the longest duration either way. Instants are drawn uniformly and, just as
 * often, exactly on an opening, a close or midnight, where off-by-one mistakes live.
 */

const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS, unknownYears: 'refuse' });
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = Date.parse('2025-02-20T00:00:00+08:00');
const TO = Date.parse('2026-11-10T00:00:00+08:00');
/** Thirty business days: longer than any limit the policies set. */
const MAX_DURATION = 30 * 7 * HOUR;

const EDGES = [0, 9 * 60, 12 * 60, 13 * 60 + 30, 17 * 60 + 30].map((m) => m * MINUTE);
const instant = fc.oneof(
  fc.integer({ min: FROM, max: TO }),
  fc
    .tuple(fc.integer({ min: 0, max: Math.floor((TO - FROM) / 86_400_000) }), fc.constantFrom(...EDGES))
    .map(([day, offset]) => FROM + day * 86_400_000 + offset),
);
const duration = fc.oneof(
  fc.integer({ min: 0, max: MAX_DURATION }),
  fc.integer({ min: 0, max: 60 }).map((n) => n * 30 * MINUTE),
);
const positive = duration.filter((d) => d > 0);
const half = duration.map((d) => Math.floor(d / 2));

describe('BusinessCalendar properties', () => {
  it('counts exactly the business time it added: businessTimeBetween(a, addBusinessTime(a, d)) = d', () => {
    fc.assert(
      fc.property(instant, duration, (a, d) => {
        expect(calendar.businessTimeBetween(a, calendar.addBusinessTime(a, d))).toBe(d);
        expect(calendar.businessTimeBetween(a, calendar.addBusinessTime(a, -d))).toBe(0 - d);
      }),
      { numRuns: 500 },
    );
  });

  it('returns to the start when adding and then removing business time, from inside business hours', () => {
    fc.assert(
      fc.property(instant, positive, (a, d) => {
        const back = calendar.addBusinessTime(calendar.addBusinessTime(a, d), -d);
        if (calendar.isBusinessTime(a)) expect(back).toBe(a);
        // From outside business hours it comes back to the next opening: the first business
        // moment at or after the start, with no business time between them.
        expect(back).toBeGreaterThanOrEqual(a);
        expect(calendar.isBusinessTime(back)).toBe(true);
        expect(calendar.businessTimeBetween(a, back)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('returns to the start when removing and then adding business time, up to the last close', () => {
    fc.assert(
      fc.property(instant, positive, (a, d) => {
        const back = calendar.addBusinessTime(calendar.addBusinessTime(a, -d), d);
        if (calendar.isBusinessTime(a - 1)) expect(back).toBe(a);
        expect(back).toBeLessThanOrEqual(a);
        expect(calendar.isBusinessTime(back - 1)).toBe(true);
        expect(calendar.businessTimeBetween(back, a)).toBe(0);
      }),
      { numRuns: 500 },
    );
  });

  it('is monotonic in the start and in the duration', () => {
    fc.assert(
      fc.property(instant, instant, duration, duration, (a1, a2, d1, d2) => {
        const [early, late] = a1 <= a2 ? [a1, a2] : [a2, a1];
        const [short, long] = d1 <= d2 ? [d1, d2] : [d2, d1];
        expect(calendar.addBusinessTime(early, short)).toBeLessThanOrEqual(
          calendar.addBusinessTime(early, long),
        );
        expect(calendar.addBusinessTime(early, short)).toBeLessThanOrEqual(
          calendar.addBusinessTime(late, short),
        );
        expect(calendar.addBusinessTime(early, short)).toBeGreaterThanOrEqual(early);
        expect(calendar.businessTimeBetween(early, late)).toBeGreaterThanOrEqual(0);
        expect(calendar.businessTimeBetween(early, late)).toBeLessThanOrEqual(late - early);
      }),
      { numRuns: 500 },
    );
  });

  it('adds in steps as in one go, and counts spans additively', () => {
    fc.assert(
      // Halved, so that the two steps together stay inside the known years.
      fc.property(instant, half, half, instant, instant, (a, d1, d2, b, c) => {
        expect(calendar.addBusinessTime(calendar.addBusinessTime(a, d1), d2)).toBe(
          calendar.addBusinessTime(a, d1 + d2),
        );
        expect(calendar.businessTimeBetween(a, b) + calendar.businessTimeBetween(b, c)).toBe(
          calendar.businessTimeBetween(a, c),
        );
        expect(calendar.businessTimeBetween(b, a)).toBe(0 - calendar.businessTimeBetween(a, b));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with a minute-by-minute count of isBusinessTime over a few days', () => {
    const minute = fc.integer({ min: FROM / MINUTE, max: TO / MINUTE }).map((m) => m * MINUTE);
    fc.assert(
      fc.property(minute, fc.integer({ min: 0, max: 4 * 24 * 60 }), (a, minutes) => {
        let counted = 0;
        for (let m = 0; m < minutes; m++) if (calendar.isBusinessTime(a + m * MINUTE)) counted += MINUTE;
        expect(calendar.businessTimeBetween(a, a + minutes * MINUTE)).toBe(counted);
      }),
      { numRuns: 150 },
    );
  });

  it('counts N business days to the close of the N-th business day after the start day', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 1, max: 20 }), (a, n) => {
        const due = calendar.addBusinessDays(a, n);
        const dueDay = dayNumberOf(due);
        let counted = 0;
        for (let day = dayNumberOf(a) + 1; day <= dueDay; day++)
          if (calendar.isBusinessDay(formatDayNumber(day))) counted++;
        expect(counted).toBe(n);
        expect(calendar.isBusinessDay(formatDayNumber(dueDay))).toBe(true);
        expect(calendar.isBusinessTime(due - 1)).toBe(true);
        expect(calendar.isBusinessTime(due)).toBe(false);
        expect(calendar.addBusinessDays(a, n + 1)).toBeGreaterThan(due);
      }),
      { numRuns: 300 },
    );
  });
});
