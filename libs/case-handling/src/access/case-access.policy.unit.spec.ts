import { CaseError, replay, type ActorRef, type CaseEvent, type ExistingCase } from '@tongban/cases';
import {
  CASE_ID,
  COMMUNITY,
  OTHER_COMMUNITY,
  REFERRED_UNIT,
  actors,
  ev,
  history,
} from '@tongban/cases/testing';
import {
  CASE_ACCESS_POLICY,
  CaseActionNotAllowedError,
  authorize,
  canSee,
  relationsOf,
  type CaseAction,
} from './case-access.policy';
import {
  MergeTargetNotFoundError,
  MergeTargetNotOpenError,
  checkMergeTarget,
} from '../merge-case/merge-target';

const stateOf = (events: readonly CaseEvent[]): ExistingCase => {
  const state = replay(events);
  if (state.status === 'none') throw new Error('no case');
  return state;
};

const gucheng = { id: 'supervisor-gucheng', role: 'supervisor', orgUnit: 'pc.gucheng' } as const;
const zhenhua = { id: 'supervisor-zhenhua', role: 'supervisor', orgUnit: 'pc.zhenhua' } as const;
const districtSupervisor = actors.supervisor;
const hotline = actors.hotlineAgent;
const otherChannel = { id: 'portal-third-party', role: 'channel' } as const;
const districtDispatcher = { id: 'dispatcher-pc', role: 'dispatcher', orgUnit: 'pc' } as const;
const otherStreetDispatcher = {
  id: 'dispatcher-zhenhua',
  role: 'dispatcher',
  orgUnit: 'pc.zhenhua',
} as const;

/** The code and kind of the refusal `run` throws (a 403 of the policy, whatever its word). */
const refusal = (run: () => unknown): { code: string; kind: string } => {
  try {
    run();
  } catch (error) {
    const { code, kind } = error as { code: string; kind: string };
    return { code, kind };
  }
  throw new Error('expected a refusal');
};

const expectNotFound = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CaseError);
    expect(error).toMatchObject({ code: 'case.not_found', message: `Case ${CASE_ID} does not exist.` });
    return;
  }
  throw new Error('expected case.not_found');
};

describe('the case access policy', () => {
  it('has a row for every action a person takes and for the single-case reads', () => {
    expect(Object.keys(CASE_ACCESS_POLICY).sort()).toEqual(
      [
        'AcceptCase',
        'CloseCase',
        'CompleteReferral',
        'DispatchCase',
        'GrantExtension',
        'HandOverCase',
        'MergeCase',
        'ReadCase',
        'ReadHistory',
        'RecordFeedback',
        'RecordHandlingStep',
        'RecordResidentContact',
        'ReferStep',
        'ReopenCase',
        'ResolveCase',
        'ResumeCase',
        'ReturnCase',
        'RevealContact',
        'RuleUnreasonable',
        'SuperviseCase',
        'SupplementResidentInfo',
        'SuspendCase',
        'WithdrawCase',
        'WithdrawHandOver',
      ].sort(),
    );
  });

  describe('a case that does not exist and a case outside the scope answer alike', () => {
    it.each([
      ['another resident', actors.otherResident, 'WithdrawCase'],
      ['a channel that did not file it', hotline, 'RecordFeedback'],
      ['a cadre of another community', actors.cadreC, 'CloseCase'],
      ["another street's supervisor", zhenhua, 'SuperviseCase'],
      ["another street's dispatcher", otherStreetDispatcher, 'DispatchCase'],
      ['office staff of a unit it was not referred to', actors.otherOfficeStaff, 'CompleteReferral'],
      ['an admin', actors.admin, 'ReopenCase'],
    ] as const)('%s', (_who, caller: ActorRef, action: CaseAction) => {
      expectNotFound(() => authorize(action, caller, CASE_ID, stateOf(history.resolved)));
      expectNotFound(() => authorize(action, caller, CASE_ID, replay([])));
    });
  });

  describe('within the scope, only the relation the row names', () => {
    it('owner-only work: the owner yes, another cadre of the same community no (403, not 404)', () => {
      const state = stateOf(history.inHandling);
      const ownerOnly = [
        'ResolveCase',
        'RecordHandlingStep',
        'ReferStep',
        'HandOverCase',
        'WithdrawHandOver',
      ] as const;
      for (const action of ownerOnly) {
        expect(authorize(action, actors.cadreA, CASE_ID, state)).toBe(state);
        expect(refusal(() => authorize(action, actors.cadreB, CASE_ID, state))).toEqual({
          code: 'case.not_owner',
          kind: 'forbidden',
        });
      }
    });

    it('feedback from the resident who filed, never from the cadre who resolved it', () => {
      const state = stateOf(history.resolved);
      expect(authorize('RecordFeedback', actors.resident, CASE_ID, state)).toBe(state);
      for (const cadreOrSupervisor of [actors.cadreA, gucheng]) {
        expect(refusal(() => authorize('RecordFeedback', cadreOrSupervisor, CASE_ID, state))).toEqual({
          code: 'case.not_case_resident',
          kind: 'forbidden',
        });
      }
    });

    it('the channel that filed for the resident may withdraw and rate; the resident it filed for is unknown to it', () => {
      const filed = stateOf([ev.submitted({ by: hotline, channel: 'hotline' }), ev.dispatched()]);
      expect(authorize('WithdrawCase', hotline, CASE_ID, filed)).toBe(filed);
      expectNotFound(() => authorize('WithdrawCase', otherChannel, CASE_ID, filed));
      // A channel's id equal to a resident's id is not the resident.
      expectNotFound(() => authorize('WithdrawCase', { id: hotline.id, role: 'resident' }, CASE_ID, filed));
    });

    it('the full phone number: the owner and the channel that filed, no one else in scope (issue 10)', () => {
      const state = stateOf(history.inHandling);
      expect(authorize('RevealContact', actors.cadreA, CASE_ID, state)).toBe(state);
      // Another cadre of the community, the supervisor of the street, the resident: 403, not the number.
      expect(refusal(() => authorize('RevealContact', actors.cadreB, CASE_ID, state))).toEqual({
        code: 'case.not_owner',
        kind: 'forbidden',
      });
      for (const inScope of [gucheng, districtDispatcher, actors.resident]) {
        expect(refusal(() => authorize('RevealContact', inScope, CASE_ID, state)).kind).toBe('forbidden');
      }
      expectNotFound(() => authorize('RevealContact', zhenhua, CASE_ID, state));

      const filed = stateOf([
        ev.submitted({ by: hotline, channel: 'hotline' }),
        ev.dispatched(),
        ev.accepted(),
      ]);
      expect(authorize('RevealContact', hotline, CASE_ID, filed)).toBe(filed);
      expectNotFound(() => authorize('RevealContact', otherChannel, CASE_ID, filed));
    });

    it('accept only by the designated cadre, acting for the unit it was dispatched to', () => {
      const state = stateOf(history.dispatched);
      expect(authorize('AcceptCase', actors.cadreA, CASE_ID, state)).toBe(state);
      expect(refusal(() => authorize('AcceptCase', actors.cadreB, CASE_ID, state))).toEqual({
        code: 'case.not_owner',
        kind: 'forbidden',
      });
      // The same person acting for another community's unit: they see the case they were
      // designated, but cannot take it for a community it was not dispatched to.
      expect(
        refusal(() =>
          authorize('AcceptCase', { ...actors.cadreA, orgUnit: OTHER_COMMUNITY }, CASE_ID, state),
        ),
      ).toMatchObject({ code: 'case.not_owner' });
    });

    it('a hand-over target accepts the offer in the unit it was offered to', () => {
      const state = stateOf([
        ...history.inHandling,
        ev.handedOver({ toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY }),
      ]);
      expect(relationsOf(actors.cadreC, state)).toEqual(
        new Set(['cadre_in_scope', 'involved_cadre', 'hand_over_target']),
      );
      expect(authorize('AcceptCase', actors.cadreC, CASE_ID, state)).toBe(state);
      // Another cadre of the owner's community: the offer is not theirs.
      expect(refusal(() => authorize('AcceptCase', actors.cadreB, CASE_ID, state))).toEqual({
        code: 'case.not_offered_to_actor',
        kind: 'forbidden',
      });
    });

    it('supervision within the street or the district, not elsewhere', () => {
      const state = stateOf(history.inHandling);
      for (const action of ['SuperviseCase', 'GrantExtension', 'RuleUnreasonable', 'MergeCase'] as const) {
        expect(authorize(action, gucheng, CASE_ID, state)).toBe(state);
        expect(authorize(action, districtSupervisor, CASE_ID, state)).toBe(state);
        expectNotFound(() => authorize(action, zhenhua, CASE_ID, state));
      }
    });

    it('the history: dispatchers and supervisors in scope only', () => {
      const state = stateOf(history.inHandling);
      expect(authorize('ReadHistory', gucheng, CASE_ID, state)).toBe(state);
      expect(authorize('ReadHistory', districtDispatcher, CASE_ID, state)).toBe(state);
      expectNotFound(() => authorize('ReadHistory', zhenhua, CASE_ID, state));
      expect(() => authorize('ReadHistory', actors.cadreA, CASE_ID, state)).toThrow(
        CaseActionNotAllowedError,
      );
    });

    it('a referred step: staff of that unit complete it and see the case; other units do not', () => {
      const state = stateOf([...history.inHandling, ev.stepReferred()]);
      expect(authorize('CompleteReferral', actors.officeStaff, CASE_ID, state)).toBe(state);
      expectNotFound(() => authorize('CompleteReferral', actors.otherOfficeStaff, CASE_ID, state));
    });
  });

  describe('who may see a case, as the list queries must agree', () => {
    it('grows with every unit and cadre the case passes through, and never shrinks', () => {
      const handedOver = [
        ...history.inHandling,
        ev.handedOver({ toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY }),
        ev.accepted({
          by: actors.cadreC,
          ownerId: actors.cadreC.id,
          ownerOrgUnit: OTHER_COMMUNITY,
          viaHandOver: true,
        }),
      ];
      const state = stateOf(handedOver);
      expect([...state.involvedUnits].sort()).toEqual([COMMUNITY, OTHER_COMMUNITY].sort());
      expect([...state.involvedCadres].sort()).toEqual([actors.cadreA.id, actors.cadreC.id].sort());
      expect(canSee(actors.cadreB, state)).toBe(true);
      expect(canSee(zhenhua, state)).toBe(true);
      expect(canSee(actors.admin, state)).toBe(false);
    });

    it('a referral brings the referred unit into the scope', () => {
      const state = stateOf([...history.inHandling, ev.stepReferred()]);
      expect(state.involvedUnits.has(REFERRED_UNIT)).toBe(true);
    });
  });

  describe('merging', () => {
    it('only into an open case the caller can see', () => {
      expect(() => checkMergeTarget(gucheng, 'x', stateOf(history.inHandling))).not.toThrow();
      expect(() => checkMergeTarget(zhenhua, 'x', stateOf(history.inHandling))).toThrow(
        MergeTargetNotFoundError,
      );
      expect(() => checkMergeTarget(gucheng, 'x', replay([]))).toThrow(MergeTargetNotFoundError);
      for (const closed of [history.withdrawn, history.merged, history.closed]) {
        expect(() => checkMergeTarget(gucheng, 'x', stateOf(closed))).toThrow(MergeTargetNotOpenError);
      }
    });
  });
});
