import type { CaseEvent } from '@tongban/cases';
import { actors, ev } from '@tongban/cases/testing';
import { BusinessCalendar } from '../calendar/business-calendar';
import { STATE_COUNCIL_YEARS } from '../calendar/years';
import { SLA_POLICIES } from '../policies/sla-policies';
import { clockStatusAt, slaClocks, usedAt, type CaseClock } from './case-clocks';

/** Local time in Asia/Shanghai: `at('2025-09-26 15:00')` (epoch ms) and `iso(...)` (an event's `at`). */
const at = (local: string): number => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
const iso = (local: string): string => `${local.replace(' ', 'T')}:00+08:00`;
const local = (instant: number | null): string | null =>
  instant === null ? null : new Date(instant + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
const HOUR = 3_600_000;
const MINUTE = 60_000;

const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS, unknownYears: 'refuse' });
const general = SLA_POLICIES['standard-7d']!;
const emergency = SLA_POLICIES['emergency-2h']!;

const cadreB = { id: actors.cadreB.id, orgUnit: actors.cadreB.orgUnit };

/** A clock's instants as local times, for hand-computed expectations. */
const view = (c: CaseClock) => ({
  status: c.status,
  startedAt: local(c.startedAt),
  dueAt: local(c.dueAt),
  warnings: c.warnings.map((w) => [w.threshold, local(w.at)]),
  breachAt: local(c.breachAt),
});

/**
 * A general case (standard-7d) filed on Friday 26 September 2025 at 15:00, before the National
 * Day week: Sunday 28 September is a make-up workday, 1–8 October are holidays, Saturday
 * 11 October is worked. Business hours 09:00–12:00 and 13:30–17:30 (7 h a day).
 */
const filedBeforeNationalDay: readonly CaseEvent[] = [
  ev.submitted({ at: iso('2025-09-26 15:00') }),
  ev.dispatched({ at: iso('2025-09-26 16:00') }),
  // 退单 on the make-up Sunday; the dispatcher sends it to cadre B, who accepts.
  ev.returned({ at: iso('2025-09-28 10:00') }),
  ev.dispatched({
    at: iso('2025-09-28 11:00'),
    ownerId: cadreB.id,
    ownerOrgUnit: cadreB.orgUnit,
    redispatch: true,
  }),
  ev.accepted({
    at: iso('2025-09-28 11:30'),
    by: actors.cadreB,
    ownerId: cadreB.id,
    ownerOrgUnit: cadreB.orgUnit,
  }),
  ev.residentContacted({ at: iso('2025-09-29 10:00'), by: actors.cadreB }),
  // Waiting for the resident over the holidays.
  ev.suspended({ at: iso('2025-09-30 10:00'), by: actors.cadreB }),
  ev.resumed({ at: iso('2025-10-09 14:00'), by: actors.cadreB, suspendedAt: iso('2025-09-30 10:00') }),
  ev.extensionGranted({ at: iso('2025-10-10 10:00'), clock: 'resolution', extraBusinessDays: 2 }),
  ev.resolved({ at: iso('2025-10-16 16:00'), by: actors.cadreB }),
  ev.feedbackRecorded({ at: iso('2025-10-17 10:00'), satisfaction: 'unsatisfied', solved: false }),
  ev.reopened({ at: iso('2025-10-20 09:30'), by: actors.supervisor }),
];

describe('slaClocks', () => {
  describe('a general case filed on the Friday afternoon before the National Day week', () => {
    const upTo = (local: string) => filedBeforeNationalDay.filter((e) => Date.parse(e.at) <= at(local));

    it('dispatch: 24 calendar hours from submission, met by the first dispatch', () => {
      const { dispatch } = slaClocks(filedBeforeNationalDay, general, calendar).clocks;
      expect(view(dispatch)).toEqual({
        status: 'met',
        startedAt: '2025-09-26 15:00',
        dueAt: '2025-09-27 15:00',
        warnings: [],
        breachAt: null,
      });
      expect(dispatch.endedAt).toBe(at('2025-09-26 16:00'));
      expect(dispatch.businessMsUsed).toBe(HOUR);
    });

    it('response: one business day from dispatch, to the close of the make-up Sunday; breached, met late', () => {
      const { response } = slaClocks(filedBeforeNationalDay, general, calendar).clocks;
      // Friday 16:00–17:30 (1.5 h) + Sunday 7 h = 8.5 h; 50 % = 4.25 h: Sunday 11:45;
      // 80 % = 6.8 h: Sunday 13:30 + 2 h 18 min = 15:48.
      expect(response.budgetMs).toBe(8.5 * HOUR);
      expect(view(response)).toEqual({
        status: 'breached_met',
        startedAt: '2025-09-26 16:00',
        dueAt: '2025-09-28 17:30',
        warnings: [
          [0.5, '2025-09-28 11:45'],
          [0.8, '2025-09-28 15:48'],
        ],
        breachAt: '2025-09-28 17:30',
      });
    });

    it('resolution before the suspension: seven business days across the holidays', () => {
      const { resolution } = slaClocks(upTo('2025-09-29 10:00'), general, calendar).clocks;
      // Sun 28 Sep, Mon 29, Tue 30, Thu 9 Oct, Fri 10, Sat 11 (make-up), Mon 13: due Mon 13 Oct 17:30.
      expect(resolution.budgetMs).toBe(50.5 * HOUR);
      expect(local(resolution.dueAt)).toBe('2025-10-13 17:30');
      expect(resolution.status).toBe('running');
    });

    it('resolution while suspended: paused, no due time, nothing counted after the pause', () => {
      const { resolution } = slaClocks(upTo('2025-10-01 00:00'), general, calendar).clocks;
      expect(resolution.status).toBe('paused');
      expect(resolution.dueAt).toBeNull();
      expect(local(resolution.pausedSince)).toBe('2025-09-30 10:00');
      // Fri 1.5 h, Sun 7 h, Mon 7 h, Tue 09:00–10:00.
      expect(resolution.businessMsUsed).toBe(16.5 * HOUR);
      expect(resolution.remainingMs).toBe(34 * HOUR);
    });

    it('resolution after the resume: the 9.5 business hours suspended move the due time', () => {
      const { resolution } = slaClocks(upTo('2025-10-09 14:00'), general, calendar).clocks;
      // Tue 30 Sep 10:00–17:30 (6 h) and Thu 9 Oct until 14:00 (3.5 h) were suspended.
      expect(local(resolution.dueAt)).toBe('2025-10-15 11:30');
      expect(resolution.pausedMs).toBe(220 * HOUR);
    });

    it('resolution after a two-day extension, resolved in time, with the warnings of the extended limit', () => {
      const { resolution } = slaClocks(upTo('2025-10-16 16:00'), general, calendar).clocks;
      // Budget 50.5 h + 2 × 7 h; 50 % = 32.25 h (used 21 h at the extension, Fri 10 Oct 10:00):
      // Saturday 11 Oct 15:45; 80 % = 51.6 h: Wednesday 15 Oct 14:06.
      expect(resolution.budgetMs).toBe(64.5 * HOUR);
      expect(resolution.extensionDays).toBe(2);
      expect(view(resolution)).toEqual({
        status: 'met',
        startedAt: '2025-09-26 16:00',
        dueAt: '2025-10-17 11:30',
        warnings: [
          [0.5, '2025-10-11 15:45'],
          [0.8, '2025-10-15 14:06'],
        ],
        breachAt: null,
      });
      expect(resolution.warnings.map((w) => local(w.dueAt))).toEqual([
        '2025-10-17 11:30',
        '2025-10-17 11:30',
      ]);
      expect(resolution.businessMsUsed).toBe(60.5 * HOUR);
    });

    it('the return does not restart the resolution clock: each holder has the time counted under them', () => {
      const { resolution } = slaClocks(upTo('2025-10-16 16:00'), general, calendar).clocks;
      expect(
        resolution.intervals.map((i) => [
          i.holder.kind,
          i.holder.cadreId,
          local(i.from),
          local(i.to),
          i.usedMs / HOUR,
        ]),
      ).toEqual([
        ['designated', actors.cadreA.id, '2025-09-26 16:00', '2025-09-28 10:00', 2.5],
        ['unassigned', null, '2025-09-28 10:00', '2025-09-28 11:00', 1],
        ['designated', cadreB.id, '2025-09-28 11:00', '2025-09-28 11:30', 0.5],
        ['owner', cadreB.id, '2025-09-28 11:30', '2025-10-16 16:00', 56.5],
      ]);
    });

    it('the feedback window: three business days from resolution, met by the feedback', () => {
      const { feedbackWindow } = slaClocks(upTo('2025-10-17 10:00'), general, calendar).clocks;
      expect(feedbackWindow).toMatchObject({ status: 'met', round: 1 });
      expect(local(feedbackWindow.dueAt)).toBe('2025-10-21 17:30');
    });

    it('a reopen starts a fresh resolution clock in round 2, with the same owner; the response clock stays', () => {
      const clocks = slaClocks(filedBeforeNationalDay, general, calendar);
      const { resolution, response, feedbackWindow } = clocks.clocks;
      // Mon 20 Oct 09:30: 6.5 h that day, then seven business days to Wed 29 Oct 17:30.
      expect(resolution).toMatchObject({
        round: 2,
        status: 'running',
        budgetMs: 55.5 * HOUR,
        extensionDays: 0,
      });
      expect(view(resolution)).toEqual({
        status: 'running',
        startedAt: '2025-10-20 09:30',
        dueAt: '2025-10-29 17:30',
        // Projections: 27.75 h used on Fri 24 Oct 09:15 (27.5 h by Thursday's close); 44.4 h on
        // Tue 28 Oct 11:54 (41.5 h by Monday's close).
        warnings: [
          [0.5, '2025-10-24 09:15'],
          [0.8, '2025-10-28 11:54'],
        ],
        breachAt: '2025-10-29 17:30',
      });
      expect(resolution.intervals).toEqual([
        { holder: { kind: 'owner', ...toHolder(cadreB) }, from: at('2025-10-20 09:30'), to: null, usedMs: 0 },
      ]);
      expect(response).toMatchObject({ round: 1, status: 'breached_met' });
      expect(feedbackWindow).toMatchObject({ round: 2, status: 'not_started', dueAt: null });
      expect(clocks.asOf).toBe(at('2025-10-20 09:30'));
    });

    it('counts on after the last event: usedAt and clockStatusAt', () => {
      const { resolution } = slaClocks(filedBeforeNationalDay, general, calendar).clocks;
      expect(usedAt(resolution, at('2025-10-20 17:30'), calendar)).toBe(6.5 * HOUR);
      expect(usedAt(resolution, at('2025-10-21 10:00'), calendar)).toBe(7.5 * HOUR);
      expect(clockStatusAt(resolution, at('2025-10-29 17:29'))).toBe('running');
      expect(clockStatusAt(resolution, at('2025-10-29 17:30'))).toBe('breached_running');
    });
  });

  describe('a queue does not stop the dispatch clock', () => {
    it('routed to the community queue, dispatched a day later: breached, met late, held by the queue', () => {
      const events = [
        ev.submitted({ at: iso('2025-09-26 15:00') }),
        ev.routed({ at: iso('2025-09-26 15:00') }),
        ev.dispatched({ at: iso('2025-09-27 16:00') }),
      ];
      const { dispatch } = slaClocks(events, general, calendar).clocks;
      expect(view(dispatch)).toEqual({
        status: 'breached_met',
        startedAt: '2025-09-26 15:00',
        dueAt: '2025-09-27 15:00',
        warnings: [
          [0.5, '2025-09-27 03:00'],
          [0.8, '2025-09-27 10:12'],
        ],
        breachAt: '2025-09-27 15:00',
      });
      expect(dispatch.intervals.map((i) => [i.holder.kind, i.holder.orgUnit, i.usedMs / HOUR])).toEqual([
        ['queue', ev.routed().queue, 25],
      ]);
    });
  });

  describe('an emergency case in calendar hours, on a holiday night', () => {
    const events = [
      ev.submitted({ at: iso('2025-10-04 22:00') }),
      ev.dispatched({ at: iso('2025-10-04 22:20') }),
      ev.accepted({ at: iso('2025-10-04 22:25') }),
      ev.residentContacted({ at: iso('2025-10-04 22:40') }),
    ];

    it('counts round the clock: dispatch 1 h, response 1 h, resolution 2 h', () => {
      const { dispatch, response, resolution } = slaClocks(events, emergency, calendar).clocks;
      expect(view(dispatch)).toMatchObject({ status: 'met', dueAt: '2025-10-04 23:00' });
      expect(view(response)).toMatchObject({ status: 'met', dueAt: '2025-10-04 23:20', warnings: [] });
      expect(view(resolution)).toEqual({
        status: 'running',
        startedAt: '2025-10-04 22:20',
        dueAt: '2025-10-05 00:20',
        warnings: [
          [0.5, '2025-10-04 23:20'],
          [0.8, '2025-10-04 23:56'],
        ],
        breachAt: '2025-10-05 00:20',
      });
      expect(resolution.businessMsUsed).toBe(20 * MINUTE);
      expect(usedAt(resolution, at('2025-10-05 00:20'), calendar)).toBe(2 * HOUR);
    });

    it('a business-day extension on a calendar-time clock moves the due time by that much business time', () => {
      const extended = [
        ...events,
        ev.extensionGranted({ at: iso('2025-10-04 23:00'), extraBusinessDays: 1 }),
      ];
      const { resolution } = slaClocks(extended, emergency, calendar).clocks;
      // From Sun 5 Oct 00:20, seven business hours: the next business day is Thu 9 Oct (close 17:30).
      expect(local(resolution.dueAt)).toBe('2025-10-09 17:30');
      expect(resolution.extensionDays).toBe(1);
    });

    it('configurable thresholds', () => {
      const { resolution } = slaClocks(events, emergency, calendar, { warnAt: [0.9, 0.25] }).clocks;
      expect(resolution.warnings.map((w) => [w.threshold, local(w.at)])).toEqual([
        [0.25, '2025-10-04 22:50'],
        [0.9, '2025-10-05 00:08'],
      ]);
      expect(() => slaClocks(events, emergency, calendar, { warnAt: [1] })).toThrow(RangeError);
    });
  });

  describe('stopping', () => {
    it('a withdrawal stops every clock still counting, breached or not', () => {
      const events = [
        ev.submitted({ at: iso('2025-10-04 22:00') }),
        ev.dispatched({ at: iso('2025-10-04 22:20') }),
        ev.withdrawn({ at: iso('2025-10-05 01:00') }),
      ];
      const { response, resolution, feedbackWindow } = slaClocks(events, emergency, calendar).clocks;
      expect(response).toMatchObject({ status: 'stopped', breachAt: at('2025-10-04 23:20') });
      expect(resolution).toMatchObject({ status: 'stopped', breachAt: at('2025-10-05 00:20') });
      expect(feedbackWindow.status).toBe('not_started');
    });

    it('no submission, no clocks', () => {
      const clocks = slaClocks([], general, calendar);
      expect(clocks.asOf).toBeNull();
      expect(Object.values(clocks.clocks).map((c) => c.status)).toEqual([
        'not_started',
        'not_started',
        'not_started',
        'not_started',
      ]);
    });
  });
});

function toHolder(a: { id: string; orgUnit: string }) {
  return { cadreId: a.id, orgUnit: a.orgUnit };
}
