import { replay } from './case.decider';
import type { CaseEvent } from './case.events';
import { given } from './testing/case.given-when-then';
import { CASE_ID, DUE, LATER, actors, cmd, ev, history } from './testing/case.fixtures';

/** Every status in which the case is still open, with a history that reaches it. */
const UNRESOLVED: ReadonlyArray<readonly [string, readonly CaseEvent[]]> = [
  ['submitted', history.submitted],
  ['dispatched', history.dispatched],
  ['returned', history.returned],
  ['in_handling', history.inHandling],
];
const OPEN = [...UNRESOLVED, ['resolved', history.resolved] as const];
const CLOSED_FOR_GOOD: ReadonlyArray<readonly [string, readonly CaseEvent[]]> = [
  ['closed', history.closed],
  ['withdrawn', history.withdrawn],
  ['merged', history.merged],
];

describe('case decider: commands that apply in many statuses', () => {
  describe('WithdrawCase', () => {
    describe.each(UNRESOLVED)('in status %s', (_status, events) => {
      it('the submitting resident withdraws the case', () => {
        given(...events)
          .when(cmd.withdraw())
          .then(ev.withdrawn());
      });

      it('a hotline agent withdraws it on the caller’s word', () => {
        given(...events)
          .when(cmd.withdraw({ actor: actors.hotlineAgent }))
          .then(ev.withdrawn({ by: actors.hotlineAgent }));
      });

      it('another resident → case.not_case_resident', () => {
        given(...events)
          .when(cmd.withdraw({ actor: actors.otherResident }))
          .thenFails('case.not_case_resident');
      });

      it('without a reason → case.missing_text', () => {
        given(...events)
          .when(cmd.withdraw({ reason: '' }))
          .thenFails('case.missing_text');
      });
    });

    it('while suspended, with an open referral and a hand-over pending', () => {
      given(...history.inHandling, ev.stepReferred(), ev.suspended(), ev.handedOver())
        .when(cmd.withdraw())
        .then(ev.withdrawn());
    });

    it.each([['resolved', history.resolved] as const, ...CLOSED_FOR_GOOD])(
      'in status %s → case.invalid_transition',
      (_status, events) => {
        given(...events)
          .when(cmd.withdraw())
          .thenFails('case.invalid_transition');
      },
    );
  });

  describe('MergeCase (close as duplicate)', () => {
    describe.each(OPEN)('in status %s', (_status, events) => {
      it('merges the case into the one it duplicates', () => {
        given(...events)
          .when(cmd.merge())
          .then(ev.mergedInto());
      });

      it('into itself → case.merge_into_self', () => {
        given(...events)
          .when(cmd.merge({ intoCaseId: CASE_ID }))
          .thenFails('case.merge_into_self');
      });

      it('without a reason → case.missing_text', () => {
        given(...events)
          .when(cmd.merge({ reason: ' ' }))
          .thenFails('case.missing_text');
      });
    });

    it.each(CLOSED_FOR_GOOD)('in status %s → case.invalid_transition', (_status, events) => {
      given(...events)
        .when(cmd.merge())
        .thenFails('case.invalid_transition');
    });
  });

  describe('SuperviseCase (督办)', () => {
    it.each(OPEN)('in status %s records the instruction', (_status, events) => {
      given(...events)
        .when(cmd.supervise())
        .then(ev.supervised());
    });

    it('without an instruction → case.missing_text', () => {
      given(...history.inHandling)
        .when(cmd.supervise({ instruction: '' }))
        .thenFails('case.missing_text');
    });

    it.each(CLOSED_FOR_GOOD)('in status %s → case.invalid_transition', (_status, events) => {
      given(...events)
        .when(cmd.supervise())
        .thenFails('case.invalid_transition');
    });
  });

  describe('GrantExtension', () => {
    describe.each(UNRESOLVED)('in status %s', (_status, events) => {
      it.each([1, 5, 60])('grants %i extra business days', (days) => {
        given(...events)
          .when(cmd.extension({ extraBusinessDays: days }))
          .then(ev.extensionGranted({ extraBusinessDays: days }));
      });

      it.each([0, -1, 61, 2.5, Number.NaN, Number.POSITIVE_INFINITY])(
        '%d extra business days → case.invalid_extension',
        (days) => {
          given(...events)
            .when(cmd.extension({ extraBusinessDays: days }))
            .thenFails('case.invalid_extension');
        },
      );
    });

    it('on the response clock', () => {
      given(...history.dispatched)
        .when(cmd.extension({ clock: 'response' }))
        .then(ev.extensionGranted({ clock: 'response' }));
    });

    it('without a reason → case.missing_text', () => {
      given(...history.inHandling)
        .when(cmd.extension({ reason: '' }))
        .thenFails('case.missing_text');
    });

    it.each([['resolved', history.resolved] as const, ...CLOSED_FOR_GOOD])(
      'in status %s → case.invalid_transition',
      (_status, events) => {
        given(...events)
          .when(cmd.extension())
          .thenFails('case.invalid_transition');
      },
    );
  });

  describe('RuleUnreasonable', () => {
    it.each(OPEN)('in status %s records the ruling', (_status, events) => {
      given(...events)
        .when(cmd.ruleUnreasonable())
        .then(ev.ruledUnreasonable());
    });

    it('a second time → case.already_ruled_unreasonable', () => {
      given(...history.inHandling, ev.ruledUnreasonable())
        .when(cmd.ruleUnreasonable())
        .thenFails('case.already_ruled_unreasonable');
    });

    it('the ruling outlives a reopen → case.already_ruled_unreasonable', () => {
      given(...history.resolved, ev.ruledUnreasonable(), ev.reopened())
        .when(cmd.ruleUnreasonable())
        .thenFails('case.already_ruled_unreasonable');
    });

    it('the case goes on being handled after the ruling', () => {
      given(...history.inHandling, ev.ruledUnreasonable())
        .when(cmd.resolve())
        .then(ev.resolved());
    });

    it('without a reason → case.missing_text', () => {
      given(...history.inHandling)
        .when(cmd.ruleUnreasonable({ reason: '\n' }))
        .thenFails('case.missing_text');
    });

    it.each(CLOSED_FOR_GOOD)('in status %s → case.invalid_transition', (_status, events) => {
      given(...events)
        .when(cmd.ruleUnreasonable())
        .thenFails('case.invalid_transition');
    });
  });

  describe.each([
    ['RaiseSlaWarning', cmd.slaWarning, ev.slaWarningRaised, ev.slaBreached],
    ['RecordSlaBreach', cmd.slaBreach, ev.slaBreached, ev.slaWarningRaised],
  ] as const)('%s (system timer)', (_type, command, raised, otherAlert) => {
    const beforeContact: ReadonlyArray<readonly [string, readonly CaseEvent[]]> = UNRESOLVED;

    describe.each(beforeContact)('in status %s', (_status, events) => {
      it('raises the alert on the response clock', () => {
        given(...events)
          .when(command())
          .then(raised());
      });

      it('raises the alert on the resolution clock', () => {
        given(...events)
          .when(command({ clock: 'resolution' }))
          .then(raised({ clock: 'resolution' }));
      });

      it('the same clock and deadline again is a no-op', () => {
        given(...events, raised())
          .when(command())
          .thenNothing();
      });

      it('another deadline of the same clock is raised', () => {
        given(...events, raised())
          .when(command({ dueAt: LATER }))
          .then(raised({ dueAt: LATER }));
      });

      it('the other clock with the same deadline is raised', () => {
        given(...events, raised())
          .when(command({ clock: 'resolution' }))
          .then(raised({ clock: 'resolution' }));
      });

      it('the other kind of alert does not count as this one', () => {
        given(...events, otherAlert())
          .when(command())
          .then(raised());
      });
    });

    it('on the response clock after the resident was contacted is a no-op', () => {
      given(...history.inHandling, ev.residentContacted())
        .when(command({ clock: 'response' }))
        .thenNothing();
    });

    it('on the resolution clock after the resident was contacted is raised', () => {
      given(...history.inHandling, ev.residentContacted())
        .when(command({ clock: 'resolution', dueAt: DUE }))
        .then(raised({ clock: 'resolution', dueAt: DUE }));
    });

    it('on the resolution clock of a resolved case is a no-op', () => {
      given(...history.resolved)
        .when(command({ clock: 'resolution' }))
        .thenNothing();
    });

    it('on the resolution clock of a reopened case is raised again', () => {
      given(...history.resolved, ev.reopened())
        .when(command({ clock: 'resolution', dueAt: LATER }))
        .then(raised({ clock: 'resolution', dueAt: LATER }));
    });

    it('on the response clock of a resolved case never contacted is raised', () => {
      given(...history.inHandling, ev.resolved())
        .when(command({ clock: 'response' }))
        .then(raised({ clock: 'response' }));
    });

    it.each(CLOSED_FOR_GOOD)('in status %s → case.invalid_transition', (_status, events) => {
      given(...events)
        .when(command({ clock: 'resolution' }))
        .thenFails('case.invalid_transition');
    });
  });

  describe('RaiseSlaWarning with a threshold (system timer)', () => {
    it('carries the threshold into the event', () => {
      given(...history.inHandling)
        .when(cmd.slaWarning({ clock: 'resolution', threshold: 0.5 }))
        .then(ev.slaWarningRaised({ clock: 'resolution', threshold: 0.5 }));
    });

    it('another threshold of the same clock and deadline is raised', () => {
      given(...history.inHandling, ev.slaWarningRaised({ clock: 'resolution', threshold: 0.5 }))
        .when(cmd.slaWarning({ clock: 'resolution', threshold: 0.8 }))
        .then(ev.slaWarningRaised({ clock: 'resolution', threshold: 0.8 }));
    });

    it('the same threshold, clock and deadline again is a no-op', () => {
      given(...history.inHandling, ev.slaWarningRaised({ clock: 'resolution', threshold: 0.8 }))
        .when(cmd.slaWarning({ clock: 'resolution', threshold: 0.8 }))
        .thenNothing();
    });

    it.each([0, 1, -0.5, 1.5, Number.NaN])('threshold %p → case.missing_field', (threshold) => {
      given(...history.inHandling)
        .when(cmd.slaWarning({ clock: 'resolution', threshold }))
        .thenFails('case.missing_field');
    });
  });

  describe('SupplementResidentInfo', () => {
    describe.each(OPEN)('in status %s', (_status, events) => {
      it('the submitting resident adds information', () => {
        given(...events)
          .when(cmd.supplement())
          .then(ev.residentInfoSupplemented());
      });

      it('another resident → case.not_case_resident', () => {
        given(...events)
          .when(cmd.supplement({ actor: actors.otherResident }))
          .thenFails('case.not_case_resident');
      });
    });

    it('a cadre adds what the resident said on the phone', () => {
      given(...history.inHandling)
        .when(cmd.supplement({ actor: actors.cadreA }))
        .then(ev.residentInfoSupplemented({ by: actors.cadreA }));
    });

    it('a photo alone is enough', () => {
      const attachments = [{ ref: 'att-3', name: 'crack.jpg' }];
      given(...history.submitted)
        .when(cmd.supplement({ note: '', attachments }))
        .then(ev.residentInfoSupplemented({ note: '', attachments }));
    });

    it('neither note nor attachment → case.missing_text', () => {
      given(...history.submitted)
        .when(cmd.supplement({ note: ' ', attachments: [] }))
        .thenFails('case.missing_text');
    });

    it('neither note nor attachment, the note an ideographic space → case.missing_text', () => {
      given(...history.submitted)
        .when(cmd.supplement({ note: '\u3000\n', attachments: [] }))
        .thenFails('case.missing_text');
    });

    describe('up to the cap the command carries (CASE_MAX_SUPPLEMENTS)', () => {
      const two = [ev.residentInfoSupplemented(), ev.residentInfoSupplemented()];

      it('below the cap: one more is recorded', () => {
        given(...history.submitted, ...two)
          .when(cmd.supplement({ maxSupplements: 3 }))
          .then(ev.residentInfoSupplemented());
      });

      it('at the cap → case.too_many_supplements', () => {
        given(...history.submitted, ...two)
          .when(cmd.supplement({ maxSupplements: 2 }))
          .thenFails('case.too_many_supplements');
      });

      it('counts every supplement of the case, across a reopen and by whoever added it', () => {
        given(
          ...history.resolved,
          ev.residentInfoSupplemented({ by: actors.cadreA }),
          ev.reopened(),
          ev.residentInfoSupplemented(),
        )
          .when(cmd.supplement({ maxSupplements: 2 }))
          .thenFails('case.too_many_supplements');
      });
    });

    it.each(CLOSED_FOR_GOOD)('in status %s → case.invalid_transition', (_status, events) => {
      given(...events)
        .when(cmd.supplement())
        .thenFails('case.invalid_transition');
    });
  });

  describe('RevealContact (the full phone number, recorded)', () => {
    describe.each(OPEN)('in status %s', (_status, events) => {
      it('records who asked, when and why, and nothing else (the number stays in case.submitted)', () => {
        given(...events)
          .when(cmd.revealContact())
          .then(ev.contactRevealed());
      });

      it('without a reason → case.missing_text', () => {
        given(...events)
          .when(cmd.revealContact({ reason: ' ' }))
          .thenFails('case.missing_text');
      });
    });

    it.each(CLOSED_FOR_GOOD)('in status %s → case.invalid_transition', (_status, events) => {
      given(...events)
        .when(cmd.revealContact())
        .thenFails('case.invalid_transition');
    });

    it('changes nothing the rules read', () => {
      expect(replay([...history.inHandling, ev.contactRevealed()])).toEqual(replay(history.inHandling));
    });
  });

  it('every event copies case id, time and actor from its command', () => {
    given(...history.inHandling)
      .when(cmd.step({ at: LATER, actor: actors.cadreA }))
      .then(ev.stepRecorded({ caseId: CASE_ID, at: LATER, by: actors.cadreA }));
  });
});
