import { decide, replay, type CaseCommand, type CaseEvent } from '@tongban/cases';
import { actors, ev } from '@tongban/cases/testing';
import { BusinessCalendar } from '../calendar/business-calendar';
import { STATE_COUNCIL_YEARS } from '../calendar/years';
import { SLA_POLICIES } from '../policies/sla-policies';
import { slaClocks } from './case-clocks';
import { dueActions, instantOf, nextDueInstant, type DueAction } from './due-actions';

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
