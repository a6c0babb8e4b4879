import type { CaseCommandType, SubmitCase } from './case.commands';
import { decide } from './case.decider';
import { CaseError } from './case.errors';
import { initialState } from './case.state';
import { given } from './testing/case.given-when-then';
import { ALL_COMMAND_TYPES, LATER, actors, anyCommand, cmd, ev, history } from './testing/case.fixtures';

/** Commands that only make sense once a cadre has accepted the case, or once it is resolved. */
const NOT_BEFORE_ACCEPTANCE: readonly CaseCommandType[] = [
  'RecordResidentContact',
  'RecordHandlingStep',
  'ReferStep',
  'CompleteReferral',
  'SuspendCase',
  'ResumeCase',
  'HandOverCase',
  'WithdrawHandOver',
  'ResolveCase',
  'RecordFeedback',
  'ExpireFeedbackWindow',
  'CloseCase',
  'ReopenCase',
];

/** A SubmitCase as untyped JSON could make it: fields missing (`undefined`) or of the wrong type. */
function malformedSubmit(fields: Record<string, unknown>): SubmitCase {
  const command: Record<string, unknown> = { ...cmd.submit(), ...fields };
  for (const [key, value] of Object.entries(fields)) if (value === undefined) delete command[key];
  return command as unknown as SubmitCase;
}

describe('case decider: intake and routing', () => {
  describe('in status none', () => {
    it('SubmitCase records the case with everything the channel sent, by the submitting actor', () => {
      given()
        .when(cmd.submit({ matterCode: 'PM-017', attachments: [{ ref: 'att-1', name: 'lift.jpg' }] }))
        .then(ev.submitted({ matterCode: 'PM-017', attachments: [{ ref: 'att-1', name: 'lift.jpg' }] }));
    });

    it('SubmitCase by a hotline agent on a caller’s behalf is recorded with the agent as actor', () => {
      given()
        .when(cmd.submit({ actor: actors.hotlineAgent, channel: 'hotline' }))
        .then(ev.submitted({ by: actors.hotlineAgent, channel: 'hotline' }));
    });

    it('SubmitCase with a blank title is refused', () => {
      given()
        .when(cmd.submit({ title: '   ' }))
        .thenFails('case.missing_text');
    });

    it('SubmitCase with a blank description is refused', () => {
      given()
        .when(cmd.submit({ description: '' }))
        .thenFails('case.missing_text');
    });

    // Commands arrive as JSON from more than one edge; an event the read models cannot read must
    // never be appended, so the decider checks what CaseSubmitted promises whatever the types say.
    it.each([
      ['without resident', { resident: undefined }],
      ['with a resident that is not an object', { resident: [] }],
      ['with a resident without a name', { resident: { phone: '13800001234' } }],
      ['with a resident without a phone', { resident: { name: '王芳' } }],
      [
        'with a resident whose ID number is not text',
        { resident: { name: '王芳', phone: '13800001234', idNumber: 7 } },
      ],
      ['without location', { location: undefined }],
      ['with a location that is not an object', { location: 'somewhere' }],
      ['with a community code that is not text', { location: { communityCode: 12 } }],
      ['with coordinates that are not numbers', { location: { latitude: '40.1', longitude: 113.2 } }],
      ['without channel', { channel: undefined }],
      ['with an unknown channel', { channel: 'fax' }],
      ['without a case number', { caseNumber: undefined }],
      ['without attachments', { attachments: undefined }],
      ['with an attachment without a ref', { attachments: [{ name: 'lift.jpg' }] }],
      ['with a matter code that is not text', { matterCode: 17 }],
      ['with a category that is not text', { category: ['property'] }],
      ['without a time', { at: undefined }],
      ['without an actor id', { actor: { role: 'resident' } }],
    ])('SubmitCase %s → case.missing_field', (_what, fields) => {
      given().when(malformedSubmit(fields)).thenFails('case.missing_field');
    });

    it('SubmitCase names every missing field, as the edge would', () => {
      const refusal = (): unknown =>
        decide(malformedSubmit({ resident: { name: '王芳' }, location: undefined }), initialState);
      expect(refusal).toThrow(CaseError);
      try {
        refusal();
      } catch (error) {
        expect((error as CaseError).errors.map((e) => [e.field, e.reason])).toEqual([
          ['resident.phone', 'missingField'],
          ['location', 'missingField'],
        ]);
      }
    });

    it('SubmitCase without a title (not merely a blank one) → case.missing_text', () => {
      given()
        .when(malformedSubmit({ title: undefined }))
        .thenFails('case.missing_text');
    });

    it.each(ALL_COMMAND_TYPES.filter((t) => t !== 'SubmitCase'))('%s → case.not_found', (type) => {
      given().when(anyCommand[type]()).thenFails('case.not_found');
    });
  });

  describe('in status submitted', () => {
    it('SubmitCase again → case.already_exists', () => {
      given(...history.submitted)
        .when(cmd.submit())
        .thenFails('case.already_exists');
    });

    it('DispatchCase names the designated owner and cites rule and directory version (first dispatch)', () => {
      given(...history.submitted)
        .when(cmd.dispatch({ note: '按网格派单' }))
        .then(ev.dispatched({ note: '按网格派单', redispatch: false }));
    });

    it.each(NOT_BEFORE_ACCEPTANCE)('%s → case.invalid_transition', (type) => {
      given(...history.submitted)
        .when(anyCommand[type]())
        .thenFails('case.invalid_transition');
    });

    it.each(['AcceptCase', 'ReturnCase'] as const)(
      '%s → case.invalid_transition (nobody is designated)',
      (type) => {
        given(...history.submitted)
          .when(anyCommand[type]())
          .thenFails('case.invalid_transition');
      },
    );
  });

  describe('in status dispatched', () => {
    it('AcceptCase by the designated cadre makes them the accountable owner', () => {
      given(...history.dispatched)
        .when(cmd.accept())
        .then(ev.accepted({ ownerId: actors.cadreA.id, viaHandOver: false }));
    });

    it('AcceptCase by another cadre → case.not_owner', () => {
      given(...history.dispatched)
        .when(cmd.accept({ actor: actors.cadreB }))
        .thenFails('case.not_owner');
    });

    it('ReturnCase (退单) by the designated cadre sends it back to dispatch', () => {
      given(...history.dispatched)
        .when(cmd.return())
        .then(ev.returned({ handOverRefused: false }));
    });

    it('ReturnCase by another cadre → case.not_owner', () => {
      given(...history.dispatched)
        .when(cmd.return({ actor: actors.cadreB }))
        .thenFails('case.not_owner');
    });

    it('ReturnCase without a reason → case.missing_text', () => {
      given(...history.dispatched)
        .when(cmd.return({ reason: ' \n ' }))
        .thenFails('case.missing_text');
    });

    it('DispatchCase before acceptance reassigns the case (a redispatch)', () => {
      given(...history.dispatched)
        .when(cmd.dispatch({ ownerId: actors.cadreB.id, rule: 'manual' }))
        .then(ev.dispatched({ ownerId: actors.cadreB.id, rule: 'manual', redispatch: true }));
    });

    it('after a reassignment only the newly designated cadre may accept', () => {
      const reassigned = [
        ...history.dispatched,
        ev.dispatched({ ownerId: actors.cadreB.id, redispatch: true }),
      ];
      given(...reassigned)
        .when(cmd.accept())
        .thenFails('case.not_owner');
      given(...reassigned)
        .when(cmd.accept({ actor: actors.cadreB }))
        .then(ev.accepted({ by: actors.cadreB, ownerId: actors.cadreB.id }));
    });

    it('SubmitCase again → case.already_exists', () => {
      given(...history.dispatched)
        .when(cmd.submit())
        .thenFails('case.already_exists');
    });

    it.each(NOT_BEFORE_ACCEPTANCE)('%s → case.invalid_transition', (type) => {
      given(...history.dispatched)
        .when(anyCommand[type]())
        .thenFails('case.invalid_transition');
    });
  });

  describe('in status returned', () => {
    it('DispatchCase again is a redispatch', () => {
      given(...history.returned)
        .when(cmd.dispatch({ ownerId: actors.cadreC.id, ownerOrgUnit: 'pc.zhenhua.yunquanli', at: LATER }))
        .then(
          ev.dispatched({
            ownerId: actors.cadreC.id,
            ownerOrgUnit: 'pc.zhenhua.yunquanli',
            at: LATER,
            redispatch: true,
          }),
        );
    });

    it('the cadre who returned it can no longer accept it', () => {
      given(...history.returned)
        .when(cmd.accept())
        .thenFails('case.invalid_transition');
    });

    it('ReturnCase again → case.invalid_transition', () => {
      given(...history.returned)
        .when(cmd.return())
        .thenFails('case.invalid_transition');
    });

    it('SubmitCase again → case.already_exists', () => {
      given(...history.returned)
        .when(cmd.submit())
        .thenFails('case.already_exists');
    });

    it.each(NOT_BEFORE_ACCEPTANCE)('%s → case.invalid_transition', (type) => {
      given(...history.returned)
        .when(anyCommand[type]())
        .thenFails('case.invalid_transition');
    });

    it('the case can be dispatched, accepted and handled after a return', () => {
      given(
        ...history.returned,
        ev.dispatched({ ownerId: actors.cadreB.id, redispatch: true }),
        ev.accepted({ by: actors.cadreB, ownerId: actors.cadreB.id }),
      )
        .when(cmd.resolve({ actor: actors.cadreB }))
        .then(ev.resolved({ by: actors.cadreB }));
    });
  });
});
