import { pingchengDemoDistrict } from '@tongban/directory';
import { BusinessCalendar } from '../calendar/business-calendar';
import { STATE_COUNCIL_YEARS } from '../calendar/years';
import { SLA_POLICIES, SLA_TARGETS, TIER_POLICIES, findSlaPolicy } from './sla-policies';
import {
  businessDays,
  businessHoursLimit,
  calendarHours,
  countedTime,
  describeTimeLimit,
  dueAt,
} from './time-limit';

const at = (local: string): number => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
const local = (instant: number): string =>
  new Date(instant + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const HOUR = 3_600_000;

const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS, unknownYears: 'refuse' });

describe('SLA policies', () => {
  it('follow the published 12345 tiers: dispatch and the result reported back (our resolution)', () => {
    const tiers = Object.fromEntries(
      Object.entries(TIER_POLICIES).map(([tier, p]) => [
        tier,
        {
          dispatch: describeTimeLimit(p.targets.dispatch),
          resolution: describeTimeLimit(p.targets.resolution),
        },
      ]),
    );
    expect(tiers).toEqual({
      emergency: { dispatch: '1 calendar hours', resolution: '2 calendar hours' },
      utilities: { dispatch: '2 calendar hours', resolution: '24 calendar hours' },
      general: { dispatch: '24 calendar hours', resolution: '7 business days' },
      complex: { dispatch: '24 calendar hours', resolution: '15 business days' },
    });
  });

  it.each(Object.values(SLA_POLICIES).map((p) => [p.id, p] as const))(
    '%s sets every target, its id names its resolution limit, and first contact comes no later than resolution',
    (id, policy) => {
      expect(Object.keys(policy.targets).sort()).toEqual([...SLA_TARGETS].sort());
      const [, amount, unit] = /^[a-z]+-(\d+)([dh])$/.exec(id) ?? [];
      expect(policy.targets.resolution).toEqual(
        unit === 'd' ? businessDays(Number(amount)) : calendarHours(Number(amount)),
      );
      const start = at('2025-03-10 10:00');
      expect(dueAt(policy.targets.response, start, calendar)).toBeLessThanOrEqual(
        dueAt(policy.targets.resolution, start, calendar),
      );
      expect(dueAt(policy.targets.dispatch, start, calendar)).toBeLessThanOrEqual(
        dueAt(policy.targets.resolution, start, calendar),
      );
    },
  );

  it('cover every matter of the demo catalogue', () => {
    const matters = pingchengDemoDistrict().matters;
    expect(matters.length).toBeGreaterThan(0);
    expect(matters.filter((m) => findSlaPolicy(m.slaPolicyId) === undefined).map((m) => m.code)).toEqual([]);
  });

  it('find nothing for an id that is not a policy, including inherited names', () => {
    expect(findSlaPolicy('standard-6d')).toBeUndefined();
    expect(findSlaPolicy('constructor')).toBeUndefined();
    expect(findSlaPolicy('__proto__')).toBeUndefined();
    expect(findSlaPolicy('standard-5d')?.tier).toBe('general');
  });
});

describe('dueAt', () => {
  it('counts calendar time through the night and the holidays (an emergency in the Spring Festival)', () => {
    const emergency = SLA_POLICIES['emergency-2h']!;
    expect(local(dueAt(emergency.targets.dispatch, at('2025-01-29 23:30'), calendar))).toBe(
      '2025-01-30 00:30',
    );
    expect(local(dueAt(emergency.targets.resolution, at('2025-01-29 23:30'), calendar))).toBe(
      '2025-01-30 01:30',
    );
  });

  it('counts a utilities failure on a Friday evening into Saturday', () => {
    const utilities = SLA_POLICIES['urgent-24h']!;
    expect(local(dueAt(utilities.targets.resolution, at('2025-03-14 18:00'), calendar))).toBe(
      '2025-03-15 18:00',
    );
  });

  it('counts business days over National Day (standard-5d filed on 30 September 2025)', () => {
    const standard = SLA_POLICIES['standard-5d']!;
    // 10月9日, 10日, the make-up Saturday 11日, 13日, 14日.
    expect(local(dueAt(standard.targets.resolution, at('2025-09-30 16:00'), calendar))).toBe(
      '2025-10-14 17:30',
    );
    expect(local(dueAt(standard.targets.response, at('2025-09-30 16:00'), calendar))).toBe(
      '2025-10-09 17:30',
    );
    expect(local(dueAt(standard.targets.feedbackWindow, at('2025-09-30 16:00'), calendar))).toBe(
      '2025-10-11 17:30',
    );
  });

  it('counts business time over the lunch break and the weekend', () => {
    expect(local(dueAt(businessHoursLimit(4), at('2025-03-14 15:00'), calendar))).toBe('2025-03-17 10:30');
  });
});

describe('countedTime', () => {
  it('counts what the limit counts between two instants', () => {
    const from = at('2025-03-14 15:00');
    const to = at('2025-03-17 11:30');
    expect(countedTime(calendarHours(1), from, to, calendar)).toBe(68.5 * HOUR);
    expect(countedTime(businessHoursLimit(1), from, to, calendar)).toBe(5 * HOUR);
    expect(countedTime(businessDays(1), from, to, calendar)).toBe(5 * HOUR);
  });
});
