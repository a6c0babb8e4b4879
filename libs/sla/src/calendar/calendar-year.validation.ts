import type { FieldProblem } from '@tongban/errors';
import { CALENDAR_ERROR_KINDS, CalendarError, type CalendarErrorCode } from './calendar.errors';
import {
  FESTIVALS,
  FESTIVAL_NAMES_ZH,
  type CalendarYear,
  type Festival,
  type HolidayBlock,
} from './calendar-year';
import {
  MAX_CALENDAR_YEAR,
  MIN_CALENDAR_YEAR,
  formatDayNumber,
  isWeekend,
  parseLocalDate,
  weekdayOf,
  yearOf,
} from './local-date';

interface Problem extends FieldProblem {
  readonly reason: CalendarErrorCode;
}

/** One dated entry of a year, for the overlap check. */
interface Entry {
  readonly field: string;
  readonly label: string;
  readonly from: number;
  readonly to: number;
}

const CODE_ORDER = Object.keys(CALENDAR_ERROR_KINDS) as CalendarErrorCode[];

/**
 * Checks a year of calendar data whole, as an admin loads it: every statutory holiday has exactly
 * one block, dates are real and inside the year, ranges run forwards, nothing overlaps, and
 * make-up workdays are weekend days. Returns a frozen copy; refuses with ONE `CalendarError`
 * listing every problem, so nothing of a bad year is ever taken.
 */
export function validateCalendarYear(data: CalendarYear): CalendarYear {
  const problems: Problem[] = [];
  const problem = (reason: CalendarErrorCode, field: string, message: string): void => {
    problems.push({ field, reason, message });
  };

  const year = data.year;
  const yearValid = Number.isInteger(year) && year >= MIN_CALENDAR_YEAR && year <= MAX_CALENDAR_YEAR;
  if (!yearValid)
    problem(
      'calendar.invalid_year',
      'year',
      `the year must be a whole number from ${MIN_CALENDAR_YEAR} to ${MAX_CALENDAR_YEAR}`,
    );
  if (!Number.isSafeInteger(data.version) || data.version < 1)
    problem('calendar.invalid_year', 'version', 'the version must be a positive whole number');

  const source = data.source as Partial<CalendarYear['source']> | undefined;
  for (const key of ['title', 'documentNumber'] as const) {
    const value = source?.[key];
    if (typeof value !== 'string' || value.trim() === '')
      problem('calendar.missing_source', `source.${key}`, `the notice's ${key} is missing`);
  }
  if (parseLocalDate(source?.issuedOn) === null)
    problem(
      'calendar.missing_source',
      'source.issuedOn',
      'the date the notice was issued is missing or not a date',
    );

  const entries: Entry[] = [];
  const named = new Map<Festival, number>();
  const blocks = Array.isArray(data.holidays) ? data.holidays : [];
  blocks.forEach((block: HolidayBlock, i) => {
    const at = `holidays[${i}]`;
    const festivals: readonly unknown[] = Array.isArray(block.festivals) ? block.festivals : [];
    if (festivals.length === 0)
      problem('calendar.missing_holiday', `${at}.festivals`, 'the block names no festival');
    festivals.forEach((festival, j) => {
      if (!isFestival(festival)) {
        problem(
          'calendar.unknown_holiday',
          `${at}.festivals[${j}]`,
          `${String(festival)} is not a statutory holiday (${FESTIVALS.join(', ')})`,
        );
      } else if (named.has(festival)) {
        problem(
          'calendar.duplicate_holiday',
          `${at}.festivals[${j}]`,
          `${FESTIVAL_NAMES_ZH[festival]} (${festival}) is already in holidays[${named.get(festival)}]`,
        );
      } else {
        named.set(festival, i);
      }
    });
    const label = festivals.map((f) => (isFestival(f) ? FESTIVAL_NAMES_ZH[f] : String(f))).join('、') || at;

    const from = checkedDate(block.from, `${at}.from`);
    const to = checkedDate(block.to, `${at}.to`);
    if (from !== null && to !== null) {
      if (from > to) {
        problem('calendar.reversed_range', at, `${label}: ${block.from} is after ${block.to}`);
      } else {
        entries.push({ field: at, label: `${label} ${block.from}…${block.to}`, from, to });
      }
    }
    const makeUps: readonly unknown[] = Array.isArray(block.makeUpWorkdays) ? block.makeUpWorkdays : [];
    makeUps.forEach((date, j) => {
      const field = `${at}.makeUpWorkdays[${j}]`;
      const day = checkedDate(date, field);
      if (day === null) return;
      if (!isWeekend(day))
        problem(
          'calendar.make_up_not_weekend',
          field,
          `${formatDayNumber(day)} is a ${weekdayOf(day)}: only a Saturday or Sunday can be made a workday`,
        );
      entries.push({ field, label: `make-up workday ${formatDayNumber(day)}`, from: day, to: day });
    });
  });
  if (!Array.isArray(data.holidays))
    problem('calendar.missing_holiday', 'holidays', 'the year has no holidays');

  for (const festival of FESTIVALS)
    if (!named.has(festival))
      problem(
        'calendar.missing_holiday',
        'holidays',
        `${FESTIVAL_NAMES_ZH[festival]} (${festival}) has no holiday block`,
      );

  // Sorted by first day, each entry is compared with the one reaching furthest before it.
  const sorted = [...entries].sort((a, b) => a.from - b.from || a.to - b.to);
  let reach: Entry | undefined;
  for (const entry of sorted) {
    if (reach && entry.from <= reach.to)
      problem(
        'calendar.overlapping_entries',
        entry.field,
        `${entry.label} overlaps ${reach.label} on ${formatDayNumber(entry.from)}`,
      );
    if (!reach || entry.to > reach.to) reach = entry;
  }

  if (problems.length > 0) {
    const first = [...problems].sort(
      (a, b) => CODE_ORDER.indexOf(a.reason) - CODE_ORDER.indexOf(b.reason),
    )[0]!;
    throw new CalendarError(
      first.reason,
      `the calendar data for ${String(year)} is refused: ${problems.length} problem(s), first: ${first.message}`,
      problems,
    );
  }
  return freezeYear(data);

  function checkedDate(date: unknown, field: string): number | null {
    const day = parseLocalDate(date);
    if (day === null) {
      problem('calendar.invalid_date', field, `${String(date)} is not a date (YYYY-MM-DD)`);
      return null;
    }
    if (yearValid && yearOf(day) !== year) {
      problem('calendar.out_of_year', field, `${String(date)} is not in ${year}`);
      return null;
    }
    return day;
  }
}

function isFestival(value: unknown): value is Festival {
  return (FESTIVALS as readonly unknown[]).includes(value);
}

function freezeYear(data: CalendarYear): CalendarYear {
  return Object.freeze({
    year: data.year,
    version: data.version,
    source: Object.freeze({ ...data.source }),
    holidays: Object.freeze(
      data.holidays.map((block) =>
        Object.freeze({
          ...block,
          festivals: Object.freeze([...block.festivals]),
          makeUpWorkdays: Object.freeze([...block.makeUpWorkdays]),
        }),
      ),
    ),
  });
}
