/**
 * Days and instants in Asia/Shanghai. China has kept UTC+8 all year since 1992 (the last
 * daylight-saving summer was 1991), so a fixed +08:00 offset is exact for every instant a case
 * can have; no time-zone database is needed, and the arithmetic stays pure and fast. Calendar
 * years before 1992 are refused (see `MIN_CALENDAR_YEAR`).
 */

/** A date in Asia/Shanghai, `YYYY-MM-DD`. */
export type LocalDate = string;

/** An instant as milliseconds since the Unix epoch (what `Date.parse` of an event's `Instant` gives). */
export type EpochMs = number;

export const DAY_MS = 86_400_000;
/** Asia/Shanghai's offset from UTC, fixed since 1992. */
export const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** The first year a fixed +08:00 offset describes correctly (no daylight saving from 1992 on). */
export const MIN_CALENDAR_YEAR = 1992;
export const MAX_CALENDAR_YEAR = 9999;

export type Weekday = 'monday' | 'tuesday' | 'wednesday' | 'thursday' | 'friday' | 'saturday' | 'sunday';

/** Index 0 is Sunday, as `Date#getUTCDay` counts. */
const WEEKDAYS: readonly Weekday[] = [
  'sunday',
  'monday',
  'tuesday',
  'wednesday',
  'thursday',
  'friday',
  'saturday',
];

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The day number (days since 1970-01-01) of a `YYYY-MM-DD` date, or null when the text is not a
 * real date (`2025-02-29`, `2025-2-3`, `20250203`).
 */
export function parseLocalDate(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = LOCAL_DATE.exec(text);
  if (!match) return null;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const ms = Date.UTC(y, m - 1, d);
  const day = ms / DAY_MS;
  return formatDayNumber(day) === text ? day : null;
}

/** The day number of a date known to be well formed; throws RangeError otherwise. */
export function dayNumberOfDate(date: LocalDate): number {
  const day = parseLocalDate(date);
  if (day === null) throw new RangeError(`not a date (YYYY-MM-DD): ${String(date)}`);
  return day;
}

export function formatDayNumber(day: number): LocalDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The Asia/Shanghai day an instant falls on, as a day number. */
export function dayNumberOf(instant: EpochMs): number {
  return Math.floor((instant + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** The Asia/Shanghai date an instant falls on. */
export function localDateOf(instant: EpochMs): LocalDate {
  return formatDayNumber(dayNumberOf(instant));
}

/** The instant a day number's local midnight (00:00 +08:00) is. */
export function startOfDay(day: number): EpochMs {
  return day * DAY_MS - SHANGHAI_OFFSET_MS;
}

export function weekdayOf(day: number): Weekday {
  return WEEKDAYS[(((day + 4) % 7) + 7) % 7]!;
}

export function isWeekend(day: number): boolean {
  const weekday = weekdayOf(day);
  return weekday === 'saturday' || weekday === 'sunday';
}

export function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** Throws RangeError unless the value is an integer number of milliseconds JavaScript holds exactly. */
export function requireMs(value: number, what: string): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a whole number of milliseconds`);
  return value;
}
