import type { CaseEvent } from '@tongban/cases';
import { ev, generateCaseWorkload } from '@tongban/cases/testing';
import fc from 'fast-check';
import { BusinessCalendar } from '../calendar/business-calendar';
import { STATE_COUNCIL_YEARS } from '../calendar/years';
import { SLA_POLICIES, SLA_TARGETS } from '../policies/sla-policies';
import { slaClocks, usedAt } from './case-clocks';

// Outside 2025–2026 the calendar follows Monday to Friday: a workload may run past 2026.
const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });
const policies = Object.values(SLA_POLICIES);

/** Every case of a realistic workload (every event out of the real decider), as its history. */
function histories(seed: number): CaseEvent[][] {
  const byCase = new Map<string, CaseEvent[]>();
  const workload = generateCaseWorkload({ seed, events: 600, start: '2026-03-02T08:30:00+08:00' });
  for (const append of workload.appends) {
    const list = byCase.get(append.caseId) ?? [];
    list.push(...append.events);
    byCase.set(append.caseId, list);
  }
  return [...byCase.values()];
}

const CASES = [...histories(14), ...histories(2025)];
const iso = (ms: number): string => new Date(ms).toISOString();
const T0 = Date.parse('2025-09-01T00:00:00+08:00');
const HOUR = 3_600_000;

describe('slaClocks (properties)', () => {
  it(`on ${CASES.length} generated cases: due never before the start, used time never negative`, () => {
    for (const history of CASES)
      for (const policy of policies) {
        for (const c of Object.values(slaClocks(history, policy, calendar).clocks)) {
          if (c.startedAt !== null && c.dueAt !== null) expect(c.dueAt).toBeGreaterThanOrEqual(c.startedAt);
          expect(c.businessMsUsed).toBeGreaterThanOrEqual(0);
          expect(c.intervals.reduce((sum, i) => sum + i.usedMs, 0)).toBe(c.businessMsUsed);
        }
      }
  });

  it('a prefix of the history agrees with the whole history up to its last event', () => {
    for (const history of CASES) {
      const policy = policies[history.length % policies.length]!;
      const full = slaClocks(history, policy, calendar);
      for (let k = 1; k < history.length; k++) {
        const part = slaClocks(history.slice(0, k), policy, calendar);
        const asOf = part.asOf!;
        for (const name of SLA_TARGETS) {
          const p = part.clocks[name];
          const f = full.clocks[name];
          if (p.round !== f.round || p.startedAt === null) continue;
          expect(f.startedAt).toBe(p.startedAt);
          expect(f.businessMsUsed).toBeGreaterThanOrEqual(p.businessMsUsed);
          // What had happened by the prefix's last event stays as it was.
          for (const w of p.warnings.filter((w) => w.at < asOf)) expect(f.warnings).toContainEqual(w);
          if (p.breachAt !== null && p.breachAt < asOf) expect(f.breachAt).toBe(p.breachAt);
          if (p.endedAt !== null) expect([f.status, f.endedAt]).toEqual([p.status, p.endedAt]);
          expect(f.intervals.slice(0, p.intervals.length - 1)).toEqual(p.intervals.slice(0, -1));
        }
      }
    }
  });

  it('business time used is monotone in now', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CASES),
        fc.constantFrom(...policies),
        fc.integer({ min: 0, max: 30 * 24 * HOUR }),
        fc.integer({ min: 0, max: 30 * 24 * HOUR }),
        (history, policy, a, b) => {
          const clocks = slaClocks(history, policy, calendar);
          const asOf = clocks.asOf!;
          for (const c of Object.values(clocks.clocks)) {
            const [early, late] = a <= b ? [a, b] : [b, a];
            expect(usedAt(c, asOf + early, calendar)).toBeLessThanOrEqual(usedAt(c, asOf + late, calendar));
            expect(usedAt(c, asOf, calendar)).toBe(c.businessMsUsed);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('pausing never brings the due time earlier (with or without an extension)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...policies),
        // Minutes after T0 for: submission, dispatch, acceptance, suspension, resume, (extension).
        fc.array(fc.integer({ min: 0, max: 20 * 24 * 60 }), { minLength: 5, maxLength: 5 }),
        fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
        (policy, gaps, days) => {
          const [t1, t2, t3, t4, t5] = gaps.reduce<number[]>(
            (acc, g) => [...acc, (acc.at(-1) ?? T0) + g * 60_000],
            [],
          ) as [number, number, number, number, number];
          const base: CaseEvent[] = [
            ev.submitted({ at: iso(t1) }),
            ev.dispatched({ at: iso(t2) }),
            ev.accepted({ at: iso(t3) }),
          ];
          const extension =
            days === undefined ? [] : [ev.extensionGranted({ at: iso(t5), extraBusinessDays: days })];
          const plain = slaClocks([...base, ...extension], policy, calendar).clocks.resolution;
          const paused = slaClocks(
            [
              ...base,
              ev.suspended({ at: iso(t4) }),
              ev.resumed({ at: iso(t5), suspendedAt: iso(t4) }),
              ...extension,
            ],
            policy,
            calendar,
          ).clocks.resolution;
          expect(paused.dueAt!).toBeGreaterThanOrEqual(plain.dueAt!);
          expect(paused.dueAt!).toBeGreaterThanOrEqual(paused.startedAt!);
          // On business time an extension adds the same budget wherever the due time stands; on a
          // calendar-time clock its business days span more or less calendar time.
          if (policy.targets.resolution.unit !== 'calendarTime') expect(paused.budgetMs).toBe(plain.budgetMs);
        },
      ),
      { numRuns: 300 },
    );
  });
});
