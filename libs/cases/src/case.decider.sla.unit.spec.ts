import { replay } from './case.decider';
import { given } from './testing/case.given-when-then';
import { DUE, cmd, ev, history } from './testing/case.fixtures';
import type { DueTime } from './case.types';

const resolutionDue = (o: Partial<DueTime> = {}): DueTime => ({
  clock: 'resolution',
  round: 1,
  dueAt: DUE,
  budgetMs: 7 * 7.5 * 3_600_000,
  usedMs: 0,
  counting: 'business',
  running: true,
  ...o,
});

describe('case decider: the SLA watcher’s due times and escalations (ADR 0029)', () => {
  describe('SetDueTimes', () => {
    it('records the due times the first time', () => {
      given(...history.dispatched)
        .when(cmd.setDueTimes())
        .then(ev.dueTimesSet());
    });

    it('the same due times again record nothing (a retried or raced command)', () => {
      given(...history.dispatched, ev.dueTimesSet())
        .when(cmd.setDueTimes({ clocks: [resolutionDue({ usedMs: 3_600_000 })], cause: 'calendar' }))
        .thenNothing();
    });

    it('a moved due time is recorded, with its cause', () => {
      const moved = [resolutionDue({ dueAt: '2026-12-07T17:30:00+08:00', usedMs: 60_000 })];
      given(...history.dispatched, ev.dueTimesSet())
        .when(cmd.setDueTimes({ clocks: moved, cause: 'calendar', calendarVersion: 3 }))
        .then(ev.dueTimesSet({ clocks: moved, cause: 'calendar', calendarVersion: 3 }));
    });

    it('a paused clock (no due time) is a change; its resumption another', () => {
      const paused = [resolutionDue({ dueAt: null, running: false, usedMs: 600_000 })];
      given(...history.inHandling, ev.dueTimesSet())
        .when(cmd.setDueTimes({ clocks: paused }))
        .then(ev.dueTimesSet({ clocks: paused }));
      given(...history.inHandling, ev.dueTimesSet(), ev.dueTimesSet({ clocks: paused }))
        .when(cmd.setDueTimes())
        .then(ev.dueTimesSet());
    });

    it('another policy is a change even with the same due times', () => {
      given(...history.dispatched, ev.dueTimesSet())
        .when(cmd.setDueTimes({ policyId: 'complex-15d' }))
        .then(ev.dueTimesSet({ policyId: 'complex-15d' }));
    });

    it('a closed, withdrawn or merged case keeps the due times it had → case.invalid_transition', () => {
      for (const ended of [history.closed, history.withdrawn, history.merged]) {
        given(...ended)
          .when(cmd.setDueTimes())
          .thenFails('case.invalid_transition');
      }
    });

    it.each<[string, Partial<DueTime>[] | 'none']>([
      ['no clocks', []],
      ['an unknown clock', [{ clock: 'lunch' as DueTime['clock'] }]],
      ['a clock twice', [{}, {}]],
      ['round 0', [{ round: 0 }]],
      ['a negative budget', [{ budgetMs: -1 }]],
      ['a fractional time used', [{ usedMs: 0.5 }]],
      ['a due time that is no instant', [{ dueAt: 'tomorrow' }]],
      ['an unknown way of counting', [{ counting: 'lunar' as DueTime['counting'] }]],
    ])('%s → case.invalid_due_times', (_name, clocks) => {
      given(...history.dispatched)
        .when(cmd.setDueTimes({ clocks: clocks === 'none' ? [] : clocks.map((c) => resolutionDue(c)) }))
        .thenFails('case.invalid_due_times');
    });

    it('a calendar version that is no whole number → case.invalid_due_times', () => {
      given(...history.dispatched)
        .when(cmd.setDueTimes({ calendarVersion: -1 }))
        .thenFails('case.invalid_due_times');
    });

    it('an empty policy id → case.missing_text', () => {
      given(...history.dispatched)
        .when(cmd.setDueTimes({ policyId: ' ' }))
        .thenFails('case.missing_text');
    });
  });

  describe('EscalateCase', () => {
    const breached = [...history.dispatched, ev.slaBreached()];

    it('escalates a recorded breach of a clock still running, as a supervision', () => {
      given(...breached)
        .when(cmd.escalate())
        .then(ev.escalated());
    });

    it('once per breach: a second escalation records nothing', () => {
      given(...breached, ev.escalated())
        .when(cmd.escalate())
        .thenNothing();
    });

    it('a supervisor’s own instruction is no escalation: the breach is still escalated', () => {
      given(...breached, ev.supervised())
        .when(cmd.escalate())
        .then(ev.escalated());
    });

    it('nothing without a recorded breach of that due time', () => {
      given(...history.dispatched)
        .when(cmd.escalate())
        .thenNothing();
      given(...breached)
        .when(
          cmd.escalate({
            escalation: { clock: 'response', dueAt: '2026-12-01T17:30:00+08:00', toOrgUnit: 'pc.gucheng' },
          }),
        )
        .thenNothing();
    });

    it('nothing once the clock is met (the resident was contacted since)', () => {
      given(...breached, ev.accepted(), ev.residentContacted())
        .when(cmd.escalate())
        .thenNothing();
    });

    it('a closed case is not escalated → case.invalid_transition', () => {
      given(...history.closed)
        .when(cmd.escalate())
        .thenFails('case.invalid_transition');
    });

    it('without an instruction → case.missing_text', () => {
      given(...breached)
        .when(cmd.escalate({ instruction: '' }))
        .thenFails('case.missing_text');
    });
  });

  describe('the dispatch clock’s alerts', () => {
    it('a warning and a breach while the case waits for its cadre (in a queue too)', () => {
      given(...history.submitted)
        .when(cmd.slaWarning({ clock: 'dispatch', threshold: 0.5 }))
        .then(ev.slaWarningRaised({ clock: 'dispatch', threshold: 0.5 }));
      given(...history.submitted, ev.routed())
        .when(cmd.slaBreach({ clock: 'dispatch' }))
        .then(ev.slaBreached({ clock: 'dispatch' }));
    });

    it('nothing once the case was dispatched, a return after it included', () => {
      for (const dispatched of [history.dispatched, history.returned]) {
        given(...dispatched)
          .when(cmd.slaBreach({ clock: 'dispatch' }))
          .thenNothing();
      }
    });

    it('a dispatch breach leaves the response and resolution deadlines alone', () => {
      const state = replay([...history.submitted, ev.slaBreached({ clock: 'dispatch' })]);
      expect(state.status !== 'none' && state.deadlines).toEqual({
        response: { dueAt: null, breached: false },
        resolution: { dueAt: null, breached: false },
      });
    });
  });
});
