import type { FieldProblem } from '@tongban/errors';
import { CalendarError } from './calendar.errors';

/** One stretch of a business day, local time `HH:MM` (`to` may be `24:00`). */
export interface BusinessPeriod {
  readonly from: string;
  readonly to: string;
}

/** The periods of every business day, in order. Make-up workdays keep the same hours. */
export type BusinessHours = readonly BusinessPeriod[];

/**
 * 09:00–12:00 and 13:30–17:30: the morning and afternoon sessions service halls and street
 * offices commonly publish (7 hours). Districts with seasonal hours (夏令时作息) configure their
 * own; see ADR 0026.
 */
export const DEFAULT_BUSINESS_HOURS: BusinessHours = Object.freeze([
  Object.freeze({ from: '09:00', to: '12:00' }),
  Object.freeze({ from: '13:30', to: '17:30' }),
]);

/** Business hours as milliseconds after local midnight, checked. */
export interface BusinessWindow {
  readonly start: number;
  readonly end: number;
}

const HH_MM = /^([01]\d|2[0-4]):([0-5]\d)$/;

function msOfDay(text: unknown): number | null {
  if (typeof text !== 'string') return null;
  const match = HH_MM.exec(text);
  if (!match) return null;
  const ms = (Number(match[1]) * 60 + Number(match[2])) * 60_000;
  return ms <= 86_400_000 ? ms : null;
}

/**
 * The windows of a business day, or a `calendar.invalid_business_hours` error listing every
 * period that is malformed, empty, out of order or overlapping its predecessor.
 */
export function businessWindows(hours: BusinessHours): readonly BusinessWindow[] {
  const problems: FieldProblem[] = [];
  const windows: BusinessWindow[] = [];
  const reason = 'calendar.invalid_business_hours';
  if (!Array.isArray(hours) || hours.length === 0)
    problems.push({ field: 'businessHours', reason, message: 'a business day needs at least one period' });
  const periods: readonly BusinessPeriod[] = Array.isArray(hours) ? hours : [];
  periods.forEach((period, i) => {
    const field = `businessHours[${i}]`;
    const start = msOfDay(period.from);
    const end = msOfDay(period.to);
    if (start === null || end === null || start === 86_400_000) {
      problems.push({ field, reason, message: `${period.from}–${period.to} is not HH:MM–HH:MM` });
      return;
    }
    if (start >= end) {
      problems.push({ field, reason, message: `${period.from}–${period.to} is empty or runs backwards` });
      return;
    }
    const previous = windows.at(-1);
    if (previous && start < previous.end) {
      problems.push({
        field,
        reason,
        message: `${period.from}–${period.to} starts before the period before it ends`,
      });
      return;
    }
    windows.push({ start, end });
  });
  if (problems.length > 0)
    throw new CalendarError(
      reason,
      `the business hours are refused: ${problems.map((p) => p.message).join('; ')}`,
      problems,
    );
  return Object.freeze(windows);
}
