import { kpiPeriods, kpiRangeProblem, monthRange } from './kpi-periods';

describe('KPI periods', () => {
  it('splits a range into days', () => {
    expect(kpiPeriods('2026-02-27', '2026-03-01', 'day').map((p) => p.label)).toEqual([
      '2026-02-27',
      '2026-02-28',
      '2026-03-01',
    ]);
  });

  it('splits a range into ISO weeks, Monday to Sunday, clipped to the range', () => {
    // 2026-01-01 is a Thursday: its week is 2026-W01 and began on Monday 2025-12-29.
    expect(kpiPeriods('2026-01-01', '2026-01-12', 'week')).toEqual([
      { key: '2025-12-29', label: '2026-W01', from: '2026-01-01', to: '2026-01-04' },
      { key: '2026-01-05', label: '2026-W02', from: '2026-01-05', to: '2026-01-11' },
      { key: '2026-01-12', label: '2026-W03', from: '2026-01-12', to: '2026-01-12' },
    ]);
    // 2027-01-01 is a Friday: its week is the last of 2026 (2026-W53).
    expect(kpiPeriods('2027-01-01', '2027-01-01', 'week')[0]).toMatchObject({
      key: '2026-12-28',
      label: '2026-W53',
    });
  });

  it('splits a range into calendar months, clipped to the range', () => {
    expect(kpiPeriods('2026-01-15', '2026-03-03', 'month')).toEqual([
      { key: '2026-01-01', label: '2026-01', from: '2026-01-15', to: '2026-01-31' },
      { key: '2026-02-01', label: '2026-02', from: '2026-02-01', to: '2026-02-28' },
      { key: '2026-03-01', label: '2026-03', from: '2026-03-01', to: '2026-03-03' },
    ]);
  });

  it('takes real dates, from ≤ to, at most 366 days', () => {
    expect(kpiRangeProblem('2026-01-01', '2026-12-31')).toBeNull();
    expect(kpiRangeProblem('2028-01-01', '2028-12-31')).toBeNull(); // a leap year: 366 days
    expect(kpiRangeProblem('2026-01-01', '2027-01-02')).toBe('tooLong');
    expect(kpiRangeProblem('2026-02-02', '2026-02-01')).toBe('reversed');
    expect(kpiRangeProblem('2026-02-30', '2026-03-01')).toBe('fromNotADate');
    expect(kpiRangeProblem('2026-02-01', '2026-13-01')).toBe('toNotADate');
  });

  it('knows the days of a month', () => {
    expect(monthRange('2028-02')).toEqual({ from: '2028-02-01', to: '2028-02-29' });
    expect(monthRange('2026-13')).toBeNull();
    expect(monthRange('2026-1')).toBeNull();
  });
});
