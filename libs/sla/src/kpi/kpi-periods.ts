import { DAY_MS, formatDayNumber, parseLocalDate, type LocalDate } from '../calendar/local-date';

/**
 * The periods KPIs are reported by, on Asia/Shanghai days (the read model's days already are):
 * days; ISO weeks, Monday to Sunday (PostgreSQL's `date_trunc('week', …)`); calendar months.
 */
export const KPI_PERIODS = ['day', 'week', 'month'] as const;
export type KpiPeriodKind = (typeof KPI_PERIODS)[number];

/** Longest range a KPI query covers, in days, both ends included. */
export const KPI_MAX_RANGE_DAYS = 366;

export interface KpiPeriod {
  /** The period's first day, whether or not the range covers it: what the query groups by. */
  readonly key: LocalDate;
  /** `2026-04-07`, `2026-W15` (ISO week) or `2026-04`. */
  readonly label: string;
  /** The period's first and last day within the range. */
  readonly from: LocalDate;
  readonly to: LocalDate;
}

/** Day number of the period's first day. */
function periodStart(day: number, kind: KpiPeriodKind): number {
  switch (kind) {
    case 'day':
      return day;
    case 'week':
      // Day 0 (1970-01-01) was a Thursday: Monday is 3 days before it.
      return day - ((((day + 3) % 7) + 7) % 7);
    case 'month': {
      const date = new Date(day * DAY_MS);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1) / DAY_MS;
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown period ${String(never)}`);
    }
  }
}

function nextPeriodStart(start: number, kind: KpiPeriodKind): number {
  switch (kind) {
    case 'day':
      return start + 1;
    case 'week':
      return start + 7;
    case 'month': {
      const date = new Date(start * DAY_MS);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1) / DAY_MS;
    }
    default: {
      const never: never = kind;
      throw new Error(`unknown period ${String(never)}`);
    }
  }
}

/** `2026-W15`: the ISO week's year is its Thursday's. */
function isoWeekLabel(monday: number): string {
  const thursday = new Date((monday + 3) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const firstDay = Date.UTC(year, 0, 1) / DAY_MS;
  const week = Math.floor((monday + 3 - firstDay) / 7) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

function labelOf(start: number, kind: KpiPeriodKind): string {
  const date = formatDayNumber(start);
  if (kind === 'day') return date;
  if (kind === 'month') return date.slice(0, 7);
  return isoWeekLabel(start);
}

/** Every period that meets the range `from`..`to` (both real dates, from ≤ to), in order. */
export function kpiPeriods(from: LocalDate, to: LocalDate, kind: KpiPeriodKind): KpiPeriod[] {
  const first = parseLocalDate(from);
  const last = parseLocalDate(to);
  if (first === null || last === null || first > last) throw new RangeError(`not a range: ${from}..${to}`);
  const periods: KpiPeriod[] = [];
  for (let start = periodStart(first, kind); start <= last; start = nextPeriodStart(start, kind)) {
    const end = nextPeriodStart(start, kind) - 1;
    periods.push({
      key: formatDayNumber(start),
      label: labelOf(start, kind),
      from: formatDayNumber(Math.max(start, first)),
      to: formatDayNumber(Math.min(end, last)),
    });
  }
  return periods;
}

export type KpiRangeProblem = 'fromNotADate' | 'toNotADate' | 'reversed' | 'tooLong';

/** Why `from`..`to` is no KPI range (both real dates, from ≤ to, at most 366 days), or null. */
export function kpiRangeProblem(from: string, to: string): KpiRangeProblem | null {
  const first = parseLocalDate(from);
  const last = parseLocalDate(to);
  if (first === null) return 'fromNotADate';
  if (last === null) return 'toNotADate';
  if (first > last) return 'reversed';
  if (last - first + 1 > KPI_MAX_RANGE_DAYS) return 'tooLong';
  return null;
}

/** The first and last day of a month `YYYY-MM`, or null when it is no month. */
export function monthRange(month: string): { from: LocalDate; to: LocalDate } | null {
  const from = `${month}-01`;
  const first = /^\d{4}-\d{2}$/.test(month) ? parseLocalDate(from) : null;
  if (first === null) return null;
  return { from, to: formatDayNumber(nextPeriodStart(first, 'month') - 1) };
}
