import { decide, replay, type CaseCommand, type CaseEvent } from '@tongban/cases';
import { actors, ev } from '@tongban/cases/testing';
import { BusinessCalendar } from '../calendar/business-calendar';
import { STATE_COUNCIL_YEARS } from '../calendar/years';
import { SLA_POLICIES } from '../policies/sla-policies';
import { slaClocks } from './case-clocks';
import {
  dueActions,
  dueTimesOf,
  instantOf,
  nextDueInstant,
  pendingEscalations,
  type DueAction,
} from './due-actions';

const at = (local: string): number => Date.parse(`${local.replace(' ', 'T')}:00+08:00`);
const iso = (local: string): string => `${local.replace(' ', 'T')}:00+08:00`;
const local = (instant: number | null): string | null =>
  instant === null ? null : new Date(instant + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');

const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS, unknownYears: 'refuse' });
const emergency = SLA_POLICIES['emergency-2h']!;

/** An emergency case on a holiday night, the resident contacted: only the resolution clock runs. */
const emergencyCase: readonly CaseEvent[] = [
  ev.submitted({ at: iso('2025-10-04 22:00') }),
  ev.dispatched({ at: iso('2025-10-04 22:20') }),
  ev.accepted({ at: iso('2025-10-04 22:25') }),
  ev.residentContacted({ at: iso('2025-10-04 22:40') }),
];

const brief = (actions: readonly DueAction[]) =>
  actions.map((a) => [a.kind, a.clock, a.kind === 'warning' ? a.threshold : 1, local(a.at), a.dueAt]);

/** What the watcher does: each action as the system's command through the real decider. */
function raise(history: readonly CaseEvent[], actions: readonly DueAction[], now: number): CaseEvent[] {
  const out = [...history];
  for (const a of actions) {
    const base = { caseId: history[0]!.caseId, actor: actors.system, at: new Date(now).toISOString() };
    const command: CaseCommand =
      a.kind === 'warning'
        ? { type: 'RaiseSlaWarning', ...base, clock: a.clock, dueAt: a.dueAt, threshold: a.threshold }
        : { type: 'RecordSlaBreach', ...base, clock: a.clock, dueAt: a.dueAt };
    out.push(...decide(command, replay(out)));
  }
  return out;
}

const due = (history: readonly CaseEvent[], now: string) =>
  dueActions(slaClocks(history, emergency, calendar), history, at(now));

describe('dueActions and nextDueInstant', () => {
  it('warn at exactly 50 % and 80 %, breach at exactly 100 %', () => {
    const dueAt = instantOf(at('2025-10-05 00:20'));
    expect(brief(due(emergencyCase, '2025-10-04 23:19'))).toEqual([]);
    expect(brief(due(emergencyCase, '2025-10-04 23:20'))).toEqual([
      ['warning', 'resolution', 0.5, '2025-10-04 23:20', dueAt],
    ]);
    expect(brief(due(emergencyCase, '2025-10-04 23:56'))).toEqual([
      ['warning', 'resolution', 0.5, '2025-10-04 23:20', dueAt],
      ['warning', 'resolution', 0.8, '2025-10-04 23:56', dueAt],
    ]);
    expect(brief(due(emergencyCase, '2025-10-05 00:20'))).toHaveLength(3);
    expect(brief(due(emergencyCase, '2025-10-05 00:20'))[2]).toEqual([
      'breach',
      'resolution',
      1,
      '2025-10-05 00:20',
      dueAt,
    ]);
  });

  it('arms on the earliest unrecorded instant, and on nothing once all is recorded', () => {
    const clocks = slaClocks(emergencyCase, emergency, calendar);
    expect(local(nextDueInstant(clocks, emergencyCase))).toBe('2025-10-04 23:20');
    const warned = raise(emergencyCase, due(emergencyCase, '2025-10-04 23:20'), at('2025-10-04 23:20'));
    expect(local(nextDueInstant(slaClocks(warned, emergency, calendar), warned))).toBe('2025-10-04 23:56');
    const all = raise(warned, due(warned, '2025-10-05 00:20'), at('2025-10-05 00:20'));
    expect(nextDueInstant(slaClocks(all, emergency, calendar), all)).toBeNull();
  });

  it('is idempotent: raised through the decider once, nothing is due again, however often asked', () => {
    const now = '2025-10-05 00:30';
    const first = due(emergencyCase, now);
    const after = raise(emergencyCase, first, at(now));
    const recorded = after.slice(emergencyCase.length);
    expect(recorded.map((e) => [e.type, e.type === 'case.sla_warning_raised' ? e.threshold : null])).toEqual([
      ['case.sla_warning_raised', 0.5],
      ['case.sla_warning_raised', 0.8],
      ['case.sla_breached', null],
    ]);
    expect(due(after, now)).toEqual([]);
    expect(due(after, '2025-10-06 12:00')).toEqual([]);
    // A second watcher that read the history before the first one's events issues the same
    // commands: the decider records nothing twice.
    expect(raise(after, first, at(now))).toHaveLength(after.length);
  });

  it('an extension after a warning does not raise that threshold again in the same round', () => {
    const warned = raise(emergencyCase, due(emergencyCase, '2025-10-04 23:20'), at('2025-10-04 23:20'));
    const extended = [...warned, ev.extensionGranted({ at: iso('2025-10-04 23:30'), extraBusinessDays: 1 })];
    const clocks = slaClocks(extended, emergency, calendar);
    // The 50 % instant moved with the budget; it was raised in this round all the same.
    expect(dueActions(clocks, extended, at('2025-10-09 17:30')).map((a) => a.kind)).toEqual([
      'warning',
      'breach',
    ]);
    expect(dueActions(clocks, extended, at('2025-10-09 17:30'))[0]).toMatchObject({ threshold: 0.8 });
  });

  it('a reopen is a new round: the last round’s alerts do not count for it', () => {
    const breached = raise(emergencyCase, due(emergencyCase, '2025-10-05 00:30'), at('2025-10-05 00:30'));
    const reopened = [
      ...breached,
      ev.resolved({ at: iso('2025-10-05 01:00') }),
      ev.reopened({ at: iso('2025-10-05 08:00'), by: actors.supervisor }),
    ];
    expect(brief(due(reopened, '2025-10-05 09:00'))).toEqual([
      ['warning', 'resolution', 0.5, '2025-10-05 09:00', instantOf(at('2025-10-05 10:00'))],
    ]);
  });

  it('a warning recorded before thresholds counts for every threshold due by then', () => {
    const legacy = [
      ...emergencyCase,
      ev.slaWarningRaised({
        at: iso('2025-10-04 23:57'),
        clock: 'resolution',
        dueAt: iso('2025-10-05 00:20'),
      }),
    ];
    expect(brief(due(legacy, '2025-10-05 00:00'))).toEqual([]);
  });

  it('nothing for a clock that has ended, or for dispatch and the feedback window', () => {
    const resolved = [...emergencyCase, ev.resolved({ at: iso('2025-10-05 03:00') })];
    const clocks = slaClocks(resolved, emergency, calendar);
    expect(clocks.clocks.resolution.status).toBe('breached_met');
    expect(dueActions(clocks, resolved, at('2025-10-20 00:00'))).toEqual([]);
    expect(nextDueInstant(clocks, resolved)).toBeNull();
  });
});

describe('dueTimesOf (ADR 0029)', () => {
  it('lists every clock started, with its due time, budget, time used and way of counting', () => {
    const clocks = slaClocks(emergencyCase, emergency, calendar);
    const times = dueTimesOf(clocks, at('2025-10-04 23:20'), calendar);
    expect(times.map((t) => t.clock)).toEqual(['dispatch', 'response', 'resolution']);
    expect(times.find((t) => t.clock === 'resolution')).toEqual({
      clock: 'resolution',
      round: 1,
      dueAt: instantOf(at('2025-10-05 00:20')),
      budgetMs: 2 * 3_600_000,
      // 22:20 to 23:20 in calendar time.
      usedMs: 3_600_000,
      counting: 'calendar',
      running: true,
    });
    expect(times.find((t) => t.clock === 'response')).toMatchObject({ running: false });
  });

  it('a paused clock has no due time, and counts no more while paused', () => {
    const suspended = [...emergencyCase, ev.suspended({ at: iso('2025-10-04 22:50') })];
    const clocks = slaClocks(suspended, emergency, calendar);
    const resolution = dueTimesOf(clocks, at('2025-10-04 23:50'), calendar).find(
      (t) => t.clock === 'resolution',
    );
    expect(resolution).toMatchObject({ dueAt: null, running: false, usedMs: 30 * 60_000 });
  });
});

describe('pendingEscalations (ADR 0029)', () => {
  const GRACE = 30 * 60_000;
  const dueAt = instantOf(at('2025-10-05 00:20'));
  const breached = raise(emergencyCase, due(emergencyCase, '2025-10-05 00:20'), at('2025-10-05 00:20'));

  it('a recorded breach of a clock still running is due for escalation a grace period after it', () => {
    expect(pendingEscalations(slaClocks(breached, emergency, calendar), breached, GRACE)).toEqual([
      { clock: 'resolution', round: 1, dueAt, at: at('2025-10-05 00:50') },
    ]);
  });

  it('none before the breach is recorded, once escalated, or once the clock is met', () => {
    expect(pendingEscalations(slaClocks(emergencyCase, emergency, calendar), emergencyCase, GRACE)).toEqual(
      [],
    );
    const escalated = [
      ...breached,
      ev.escalated({ escalation: { clock: 'resolution', dueAt, toOrgUnit: 'pc.gucheng' } }),
    ];
    expect(pendingEscalations(slaClocks(escalated, emergency, calendar), escalated, GRACE)).toEqual([]);
    const resolved = [...breached, ev.resolved({ at: iso('2025-10-05 00:30') })];
    expect(pendingEscalations(slaClocks(resolved, emergency, calendar), resolved, GRACE)).toEqual([]);
  });
});

describe('the dispatch clock’s warnings and breach', () => {
  const waiting: readonly CaseEvent[] = [ev.submitted({ at: iso('2025-10-04 22:00') })];

  it('an emergency case nobody dispatched: warned at 50 % and 80 % of its hour, breached at 100 %', () => {
    const dueAt = instantOf(at('2025-10-04 23:00'));
    expect(brief(due(waiting, '2025-10-04 23:00'))).toEqual([
      ['warning', 'dispatch', 0.5, '2025-10-04 22:30', dueAt],
      ['warning', 'dispatch', 0.8, '2025-10-04 22:48', dueAt],
      ['breach', 'dispatch', 1, '2025-10-04 23:00', dueAt],
    ]);
    // Raised through the decider, nothing is due any more.
    const raised = raise(waiting, due(waiting, '2025-10-04 23:00'), at('2025-10-04 23:00'));
    expect(due(raised, '2025-10-04 23:30')).toEqual([]);
  });

  it('nothing once it is dispatched in time', () => {
    const dispatched = [...waiting, ev.dispatched({ at: iso('2025-10-04 22:20') })];
    expect(due(dispatched, '2025-10-04 22:59').filter((a) => a.clock === 'dispatch')).toEqual([]);
  });

  it('a dispatch breach is not escalated by the watcher (the dispatchers see the queue)', () => {
    const raised = raise(waiting, due(waiting, '2025-10-04 23:00'), at('2025-10-04 23:00'));
    expect(pendingEscalations(slaClocks(raised, emergency, calendar), raised, 0)).toEqual([]);
  });
});
