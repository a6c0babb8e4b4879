import type { CaseCommandType } from './case.commands';
import { given } from './testing/case.given-when-then';
import { ALL_COMMAND_TYPES, LATER, actors, anyCommand, cmd, ev, history } from './testing/case.fixtures';

const resolved = history.resolved;
const rated = [...resolved, ev.feedbackRecorded()];
const expired = [...resolved, ev.feedbackWindowExpired()];
const closed = history.closed;
const reopened = [...closed, ev.reopened()];

/** Commands of routing and handling, which a resolved case no longer takes. */
const NOT_AFTER_RESOLUTION: readonly CaseCommandType[] = [
  'DispatchCase',
  'AcceptCase',
  'ReturnCase',
  'RecordResidentContact',
  'RecordHandlingStep',
  'ReferStep',
  'CompleteReferral',
  'SuspendCase',
  'ResumeCase',
  'HandOverCase',
  'WithdrawHandOver',
  'ResolveCase',
  'WithdrawCase',
  'GrantExtension',
];

describe('case decider: feedback and closure', () => {
  describe('in status resolved', () => {
    describe('RecordFeedback', () => {
      it('by the resident who submitted the case', () => {
        given(...resolved)
          .when(cmd.feedback({ satisfaction: 'basically_satisfied', solved: false, comment: '还有异响' }))
          .then(
            ev.feedbackRecorded({ satisfaction: 'basically_satisfied', solved: false, comment: '还有异响' }),
          );
      });

      it.each([
        ['a cadre', actors.cadreB],
        ['a hotline agent (回访)', actors.hotlineAgent],
        ['a supervisor', actors.supervisor],
      ])('on the resident’s behalf by %s', (_who, actor) => {
        given(...resolved)
          .when(cmd.feedback({ actor }))
          .then(ev.feedbackRecorded({ by: actor }));
      });

      it('by another resident → case.not_case_resident', () => {
        given(...resolved)
          .when(cmd.feedback({ actor: actors.otherResident }))
          .thenFails('case.not_case_resident');
      });

      it.each([
        ['a dispatcher', actors.dispatcher],
        ['office staff', actors.officeStaff],
        ['an administrator', actors.admin],
        ['the system', actors.system],
      ])('by %s → case.role_not_allowed', (_who, actor) => {
        given(...resolved)
          .when(cmd.feedback({ actor }))
          .thenFails('case.role_not_allowed');
      });

      it('twice in one resolution round → case.feedback_recorded', () => {
        given(...rated)
          .when(cmd.feedback({ actor: actors.hotlineAgent }))
          .thenFails('case.feedback_recorded');
      });

      it('after the feedback window expired → case.feedback_window_expired', () => {
        given(...expired)
          .when(cmd.feedback())
          .thenFails('case.feedback_window_expired');
      });
    });

    describe('ExpireFeedbackWindow', () => {
      it('ends the round without feedback', () => {
        given(...resolved)
          .when(cmd.expireFeedbackWindow())
          .then(ev.feedbackWindowExpired());
      });

      it('after feedback is a no-op (a late timer)', () => {
        given(...rated)
          .when(cmd.expireFeedbackWindow())
          .thenNothing();
      });

      it('a second time is a no-op (a repeated timer)', () => {
        given(...expired)
          .when(cmd.expireFeedbackWindow())
          .thenNothing();
      });
    });

    describe('CloseCase', () => {
      it('after feedback', () => {
        given(...rated)
          .when(cmd.close())
          .then(ev.closed());
      });

      it('after the feedback window expired', () => {
        given(...expired)
          .when(cmd.close({ actor: actors.system }))
          .then(ev.closed({ by: actors.system }));
      });

      it('while the resident may still give feedback → case.invalid_transition', () => {
        given(...resolved)
          .when(cmd.close())
          .thenFails('case.invalid_transition');
      });
    });

    describe('ReopenCase', () => {
      it('sends the case back to handling', () => {
        given(...resolved)
          .when(cmd.reopen())
          .then(ev.reopened());
      });

      it('after unsatisfied feedback', () => {
        given(...resolved, ev.feedbackRecorded({ satisfaction: 'unsatisfied', solved: false }))
          .when(cmd.reopen())
          .then(ev.reopened());
      });

      it('without a reason → case.missing_text', () => {
        given(...resolved)
          .when(cmd.reopen({ reason: '' }))
          .thenFails('case.missing_text');
      });
    });

    it.each(NOT_AFTER_RESOLUTION)('%s → case.invalid_transition', (type) => {
      given(...resolved)
        .when(anyCommand[type]())
        .thenFails('case.invalid_transition');
    });

    it('SubmitCase again → case.already_exists', () => {
      given(...resolved)
        .when(cmd.submit())
        .thenFails('case.already_exists');
    });
  });

  describe('in status closed', () => {
    it('ReopenCase sends the case back to handling', () => {
      given(...closed)
        .when(cmd.reopen({ actor: actors.resident, at: LATER }))
        .then(ev.reopened({ by: actors.resident, at: LATER }));
    });

    it('ReopenCase without a reason → case.missing_text', () => {
      given(...closed)
        .when(cmd.reopen({ reason: ' ' }))
        .thenFails('case.missing_text');
    });

    it('SubmitCase again → case.already_exists', () => {
      given(...closed)
        .when(cmd.submit())
        .thenFails('case.already_exists');
    });

    it.each(ALL_COMMAND_TYPES.filter((t) => t !== 'ReopenCase' && t !== 'SubmitCase'))(
      '%s → case.invalid_transition',
      (type) => {
        given(...closed)
          .when(anyCommand[type]())
          .thenFails('case.invalid_transition');
      },
    );
  });

  describe('after a reopen (in status in_handling again)', () => {
    it('the same owner handles it again', () => {
      given(...reopened)
        .when(cmd.step())
        .then(ev.stepRecorded());
      given(...reopened)
        .when(cmd.step({ actor: actors.cadreB }))
        .thenFails('case.not_owner');
    });

    it('the resident was already contacted: a contact is not the first', () => {
      given(...reopened)
        .when(cmd.contact())
        .then(ev.residentContacted({ firstContact: false }));
    });

    it('the feedback round starts afresh after the next resolution', () => {
      const resolvedAgain = [...reopened, ev.resolved({ at: LATER })];
      given(...resolvedAgain)
        .when(cmd.feedback())
        .then(ev.feedbackRecorded());
      given(...resolvedAgain)
        .when(cmd.close())
        .thenFails('case.invalid_transition');
      given(...resolvedAgain)
        .when(cmd.expireFeedbackWindow())
        .then(ev.feedbackWindowExpired());
    });

    it('a reopened case starts unsuspended', () => {
      given(...history.inHandling, ev.resolved(), ev.reopened())
        .when(cmd.resume())
        .thenFails('case.not_suspended');
    });
  });

  describe.each([
    ['withdrawn', history.withdrawn],
    ['merged', history.merged],
  ])('in status %s (terminal)', (_status, events) => {
    it('SubmitCase again → case.already_exists', () => {
      given(...events)
        .when(cmd.submit())
        .thenFails('case.already_exists');
    });

    it.each(ALL_COMMAND_TYPES.filter((t) => t !== 'SubmitCase'))('%s → case.invalid_transition', (type) => {
      given(...events)
        .when(anyCommand[type]())
        .thenFails('case.invalid_transition');
    });
  });
});
