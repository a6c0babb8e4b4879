import { evolve, replay } from './case.decider';
import type { CaseEvent } from './case.events';
import { initialState, slaAlertKey } from './case.state';
import { AT, COMMUNITY, LATER, REFERRED_UNIT, actors, ev, history } from './testing/case.fixtures';

/** One event of every type, as builders make them. */
const EVERY_EVENT: readonly CaseEvent[] = Object.values(ev).map((build) => build());

describe('case evolve and replay', () => {
  it('an empty stream is no case', () => {
    expect(replay([])).toEqual(initialState);
    expect(initialState).toEqual({ status: 'none' });
  });

  it('a handled case: the one owner, the first contact, referrals, alerts', () => {
    const state = replay([
      ...history.inHandling,
      ev.residentContacted(),
      ev.stepReferred(),
      ev.slaWarningRaised({ clock: 'resolution', dueAt: LATER }),
      ev.suspended({ at: AT }),
    ]);
    expect(state).toEqual({
      status: 'in_handling',
      caseId: 'case-0001',
      caseNumber: 'PC-20261127-000001',
      submitter: actors.resident,
      contacted: true,
      referrals: [{ referralId: 'ref-1', target: 'office', toOrgUnit: REFERRED_UNIT, completed: false }],
      ruledUnreasonable: false,
      slaWarnings: new Set([slaAlertKey('resolution', LATER)]),
      slaBreaches: new Set(),
      escalations: new Set(),
      dueTimes: null,
      returnCount: 0,
      reopenCount: 0,
      supplements: 0,
      // The deadline the watcher announced in this round, per clock.
      deadlines: {
        response: { dueAt: null, breached: false },
        resolution: { dueAt: LATER, breached: false },
      },
      // The location's community, the unit dispatched to and accepting, the referred unit.
      involvedUnits: new Set([COMMUNITY, REFERRED_UNIT]),
      involvedCadres: new Set([actors.cadreA.id]),
      ownerId: actors.cadreA.id,
      ownerOrgUnit: COMMUNITY,
      pendingHandOver: null,
      suspended: true,
      suspendedAt: AT,
    });
  });

  it('a status change carries no field of the status left behind', () => {
    const returned = replay(history.returned);
    expect(returned).not.toHaveProperty('designatedOwnerId');
    expect(returned).toMatchObject({ status: 'returned', returnCount: 1 });
    const closed = replay(history.closed);
    expect(closed).not.toHaveProperty('feedbackRecorded');
    expect(closed).toMatchObject({ status: 'closed', ownerId: actors.cadreA.id });
  });

  it('a reopen counts, keeps the owner and starts a fresh round', () => {
    expect(replay([...history.closed, ev.reopened()])).toMatchObject({
      status: 'in_handling',
      ownerId: actors.cadreA.id,
      reopenCount: 1,
      pendingHandOver: null,
      suspended: false,
    });
    expect(replay([...history.closed, ev.reopened(), ev.resolved()])).toMatchObject({
      status: 'resolved',
      feedbackRecorded: false,
      feedbackWindowExpired: false,
    });
  });

  it('a refused hand-over is not a return of the case', () => {
    expect(
      replay([
        ...history.inHandling,
        ev.handedOver(),
        ev.returned({ by: actors.cadreB, handOverRefused: true }),
      ]),
    ).toMatchObject({
      status: 'in_handling',
      ownerId: actors.cadreA.id,
      pendingHandOver: null,
      returnCount: 0,
    });
  });

  // Total: a stream only holds what decide produced, but a replay must never stop half-way.
  describe.each(Object.entries(history))('after the %s history', (_name, events) => {
    it.each(EVERY_EVENT.map((e) => [e.type, e] as const))('applying %s does not throw', (_type, event) => {
      expect(() => evolve(replay(events), event)).not.toThrow();
    });
  });

  it.each(EVERY_EVENT.filter((e) => e.type !== 'case.submitted').map((e) => [e.type, e] as const))(
    'with no case, %s is ignored',
    (_type, event) => {
      expect(evolve(initialState, event)).toBe(initialState);
    },
  );

  it.each([
    ['withdrawn', history.withdrawn],
    ['merged', history.merged],
  ])('a %s case ignores every later event', (_name, events) => {
    const terminal = replay(events);
    for (const event of EVERY_EVENT) expect(evolve(terminal, event)).toBe(terminal);
  });

  it('evolve never changes the state it is given', () => {
    const before = replay([...history.inHandling, ev.stepReferred()]);
    const copy = replay([...history.inHandling, ev.stepReferred()]);
    evolve(before, ev.referralCompleted());
    evolve(before, ev.slaBreached());
    evolve(before, ev.stepReferred({ referralId: 'ref-2' }));
    expect(before).toEqual(copy);
  });
});
