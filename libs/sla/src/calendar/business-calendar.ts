import { CalendarError } from './calendar.errors';
import type { CalendarYear, Festival } from './calendar-year';
import { validateCalendarYear } from './calendar-year.validation';
import {
  DEFAULT_BUSINESS_HOURS,
  businessWindows,
  type BusinessHours,
  type BusinessWindow,
} from './business-hours';
import {
  dayNumberOf,
  dayNumberOfDate,
  formatDayNumber,
  isWeekend,
  requireMs,
  startOfDay,
  weekdayOf,
  yearOf,
  type EpochMs,
  type LocalDate,
  type Weekday,
} from './local-date';

/**
 * What the calendar does with a day in a year it has no data for:
 * - `weekdays` (the default): Monday to Friday are business days, and `covers` says the answer
 *   is provisional until the year's notice is loaded (a calendar edit recomputes open clocks);
 * - `refuse`: every question about such a day is a `calendar.year_not_loaded` error.
 */
export type UnknownYears = 'weekdays' | 'refuse';

export interface BusinessCalendarOptions {
  readonly years: readonly CalendarYear[];
  readonly businessHours?: BusinessHours;
  readonly unknownYears?: UnknownYears;
}

/**
 * - `weekday`: an ordinary Monday to Friday (a business day);
 * - `makeUpWorkday`: a Saturday or Sunday the notice makes a working day (调休上班; a business day);
 * - `statutoryHoliday`: a day of a holiday block (放假), whatever its weekday;
 * - `weekend`: an ordinary Saturday or Sunday.
 */
export type DayKind = 'weekday' | 'makeUpWorkday' | 'statutoryHoliday' | 'weekend';

export interface CalendarDay {
  readonly date: LocalDate;
  readonly weekday: Weekday;
  readonly kind: DayKind;
  readonly businessDay: boolean;
  /** The festivals of the holiday block the day is in; empty otherwise. */
  readonly festivals: readonly Festival[];
  /** False when the day's year has no data and the answer follows the weekday rule. */
  readonly known: boolean;
}

/** Far enough for any time limit; stops a runaway duration from looping for ever. */
const MAX_SPAN_DAYS = 200 * 366;

/**
 * The district's business calendar: statutory holidays and make-up workdays per year (data,
 * checked by `validateCalendarYear`), business hours, Asia/Shanghai at a fixed +08:00 (see
 * local-date.ts). Immutable; every method is a pure function of the calendar and its arguments.
 * Instants are epoch milliseconds; durations whole milliseconds.
 */
export class BusinessCalendar {
  private constructor(
    /** The years it knows, oldest first. */
    readonly years: readonly CalendarYear[],
    readonly businessHours: BusinessHours,
    readonly unknownYears: UnknownYears,
    private readonly windows: readonly BusinessWindow[],
    private readonly holidays: ReadonlyMap<number, readonly Festival[]>,
    private readonly makeUpWorkdays: ReadonlySet<number>,
    /** First and last day number of each known year. */
    private readonly knownSpans: readonly (readonly [number, number])[],
  ) {}

  /** Checks every year (nothing of a calendar with one bad year is built) and the business hours. */
  static create(options: BusinessCalendarOptions): BusinessCalendar {
    const windows = businessWindows(options.businessHours ?? DEFAULT_BUSINESS_HOURS);
    const years = options.years.map(validateCalendarYear).sort((a, b) => a.year - b.year);
    const duplicates = years.filter((y, i) => i > 0 && years[i - 1]!.year === y.year);
    if (duplicates.length > 0)
      throw new CalendarError(
        'calendar.duplicate_year',
        `two sets of data for ${duplicates.map((y) => y.year).join(', ')}`,
        duplicates.map((y) => ({
          field: 'years',
          reason: 'calendar.duplicate_year',
          message: `${y.year} is given twice`,
        })),
      );

    const holidays = new Map<number, readonly Festival[]>();
    const makeUpWorkdays = new Set<number>();
    for (const year of years) {
      for (const block of year.holidays) {
        for (let day = dayNumberOfDate(block.from); day <= dayNumberOfDate(block.to); day++)
          holidays.set(day, block.festivals);
        for (const date of block.makeUpWorkdays) makeUpWorkdays.add(dayNumberOfDate(date));
      }
    }
    const knownSpans = years.map(
      (y) => [dayNumberOfDate(`${y.year}-01-01`), dayNumberOfDate(`${y.year}-12-31`)] as const,
    );
    return new BusinessCalendar(
      Object.freeze(years),
      Object.freeze([...(options.businessHours ?? DEFAULT_BUSINESS_HOURS)]),
      options.unknownYears ?? 'weekdays',
      windows,
      holidays,
      makeUpWorkdays,
      knownSpans,
    );
  }

  /** The same calendar with one year's data added or replaced (an admin's load or edit). */
  withYear(year: CalendarYear): BusinessCalendar {
    return BusinessCalendar.create({
      years: [...this.years.filter((y) => y.year !== year.year), year],
      businessHours: this.businessHours,
      unknownYears: this.unknownYears,
    });
  }

  knowsYear(year: number): boolean {
    return this.years.some((y) => y.year === year);
  }

  /** Every day from one instant's day to the other's is in a year the calendar has data for. */
  covers(from: EpochMs, to: EpochMs): boolean {
    const [first, last] =
      from <= to ? [dayNumberOf(from), dayNumberOf(to)] : [dayNumberOf(to), dayNumberOf(from)];
    for (let year = yearOf(first); year <= yearOf(last); year++) if (!this.knowsYear(year)) return false;
    return true;
  }

  describeDay(date: LocalDate): CalendarDay {
    const day = dayNumberOfDate(date);
    const known = this.isKnownDay(day);
    if (!known) this.refuseUnknown(day);
    const festivals = this.holidays.get(day);
    const kind: DayKind = festivals
      ? 'statutoryHoliday'
      : this.makeUpWorkdays.has(day)
        ? 'makeUpWorkday'
        : isWeekend(day)
          ? 'weekend'
          : 'weekday';
    return {
      date: formatDayNumber(day),
      weekday: weekdayOf(day),
      kind,
      businessDay: kind === 'weekday' || kind === 'makeUpWorkday',
      festivals: festivals ?? [],
      known,
    };
  }

  /** A business day (工作日): an ordinary Monday to Friday or a make-up workday, not a holiday. */
  isBusinessDay(date: LocalDate): boolean {
    return this.isBusinessDayNumber(dayNumberOfDate(date));
  }

  /** Inside business hours on a business day: from a period's start (included) to its end (excluded). */
  isBusinessTime(instant: EpochMs): boolean {
    requireMs(instant, 'instant');
    const day = dayNumberOf(instant);
    if (!this.isBusinessDayNumber(day)) return false;
    const sinceMidnight = instant - startOfDay(day);
    return this.windows.some((w) => w.start <= sinceMidnight && sinceMidnight < w.end);
  }

  /** Business time in one business day (7 hours with the default hours). */
  get businessDayMs(): number {
    return this.windows.reduce((sum, w) => sum + w.end - w.start, 0);
  }

  /**
   * The instant `ms` of business time after `instant` (before it, for a negative `ms`): the
   * earliest instant with that much business time between, or for a negative `ms` the latest.
   * So adding ends at a period's close rather than at the next one's opening, and subtracting
   * ends at an opening; adding 0 returns the instant unchanged.
   */
  addBusinessTime(instant: EpochMs, ms: number): EpochMs {
    requireMs(instant, 'instant');
    requireMs(ms, 'duration');
    if (ms === 0) return instant;
    return ms > 0 ? this.forward(instant, ms) : this.backward(instant, -ms);
  }

  /** Business time from `from` to `to`; negative when `to` is earlier. */
  businessTimeBetween(from: EpochMs, to: EpochMs): number {
    requireMs(from, 'instant');
    requireMs(to, 'instant');
    // `0 - x`, not `-x`: an empty span backwards is 0, never -0.
    if (to < from) return 0 - this.businessTimeBetween(to, from);
    const last = dayNumberOf(to);
    this.guardSpan(dayNumberOf(from), last);
    let total = 0;
    for (let day = dayNumberOf(from); day <= last; day++) {
      if (!this.isBusinessDayNumber(day)) continue;
      const midnight = startOfDay(day);
      for (const w of this.windows) {
        const start = Math.max(from, midnight + w.start);
        const end = Math.min(to, midnight + w.end);
        if (end > start) total += end - start;
      }
    }
    return total;
  }

  /** Calendar time (自然时间): business days and hours play no part. */
  addCalendarTime(instant: EpochMs, ms: number): EpochMs {
    requireMs(instant, 'instant');
    requireMs(ms, 'duration');
    return instant + ms;
  }

  /**
   * The close of business on the `days`-th business day after the instant's day, the way an
   * administrative time limit of N working days (N个工作日) is counted: the day the period
   * starts is not counted, and the period runs to the end of business hours on its last day.
   */
  addBusinessDays(instant: EpochMs, days: number): EpochMs {
    requireMs(instant, 'instant');
    if (!Number.isInteger(days) || days < 1)
      throw new RangeError('days must be a whole number of at least 1');
    const first = dayNumberOf(instant);
    let counted = 0;
    for (let day = first + 1; ; day++) {
      this.guardSpan(first, day);
      if (this.isBusinessDayNumber(day) && ++counted === days)
        return startOfDay(day) + this.windows.at(-1)!.end;
    }
  }

  private forward(from: EpochMs, amount: number): EpochMs {
    let remaining = amount;
    const first = dayNumberOf(from);
    for (let day = first; ; day++) {
      this.guardSpan(first, day);
      if (!this.isBusinessDayNumber(day)) continue;
      const midnight = startOfDay(day);
      for (const w of this.windows) {
        const end = midnight + w.end;
        if (end <= from) continue;
        const start = Math.max(from, midnight + w.start);
        if (remaining <= end - start) return start + remaining;
        remaining -= end - start;
      }
    }
  }

  private backward(from: EpochMs, amount: number): EpochMs {
    let remaining = amount;
    const first = dayNumberOf(from);
    for (let day = first; ; day--) {
      this.guardSpan(day, first);
      if (!this.isBusinessDayNumber(day)) continue;
      const midnight = startOfDay(day);
      for (let i = this.windows.length - 1; i >= 0; i--) {
        const w = this.windows[i]!;
        const start = midnight + w.start;
        if (start >= from) continue;
        const end = Math.min(from, midnight + w.end);
        if (remaining <= end - start) return end - remaining;
        remaining -= end - start;
      }
    }
  }

  private isBusinessDayNumber(day: number): boolean {
    if (this.holidays.has(day)) return false;
    if (this.makeUpWorkdays.has(day)) return true;
    if (!this.isKnownDay(day)) this.refuseUnknown(day);
    return !isWeekend(day);
  }

  private isKnownDay(day: number): boolean {
    return this.knownSpans.some(([first, last]) => first <= day && day <= last);
  }

  private refuseUnknown(day: number): void {
    if (this.unknownYears === 'refuse')
      throw new CalendarError(
        'calendar.year_not_loaded',
        `the business calendar has no data for ${yearOf(day)} (asked about ${formatDayNumber(day)})`,
      );
  }

  private guardSpan(first: number, last: number): void {
    if (last - first > MAX_SPAN_DAYS)
      throw new RangeError(`a business-time span of more than ${MAX_SPAN_DAYS} days is not supported`);
  }
}
