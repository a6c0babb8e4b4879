import type { CaseCommandType } from './case.commands';
import { given } from './testing/case.given-when-then';
import {
  AT,
  HAND_OVER_EXPIRES,
  LATER,
  OTHER_COMMUNITY,
  REFERRED_UNIT,
  actors,
  anyCommand,
  cmd,
  ev,
  history,
} from './testing/case.fixtures';

const OWNER_ONLY: readonly CaseCommandType[] = [
  'RecordResidentContact',
  'RecordHandlingStep',
  'ReferStep',
  'SuspendCase',
  'ResumeCase',
  'HandOverCase',
  'WithdrawHandOver',
  'ResolveCase',
];

const inHandling = history.inHandling;
const suspended = [...inHandling, ev.suspended({ at: AT })];
const referred = [...inHandling, ev.stepReferred()];
const handOverOffered = [...inHandling, ev.handedOver()];

describe('case decider: handling', () => {
  describe('in status in_handling', () => {
    describe('owner-only actions', () => {
      it.each(OWNER_ONLY)('%s by someone other than the owner → case.not_owner', (type) => {
        given(...suspended)
          .when({ ...anyCommand[type](), actor: actors.cadreB })
          .thenFails('case.not_owner');
      });

      it('a dispatcher is not the owner either', () => {
        given(...inHandling)
          .when(cmd.step({ actor: actors.dispatcher }))
          .thenFails('case.not_owner');
      });
    });

    describe('RecordResidentContact', () => {
      it('the first contact stops the response clock', () => {
        given(...inHandling)
          .when(cmd.contact())
          .then(ev.residentContacted({ firstContact: true }));
      });

      it('a later contact is not the first', () => {
        given(...inHandling, ev.residentContacted())
          .when(cmd.contact({ method: 'visit', note: '上门查看' }))
          .then(ev.residentContacted({ method: 'visit', note: '上门查看', firstContact: false }));
      });

      it('is allowed while suspended', () => {
        given(...suspended)
          .when(cmd.contact())
          .then(ev.residentContacted());
      });

      it('without a note → case.missing_text', () => {
        given(...inHandling)
          .when(cmd.contact({ note: ' ' }))
          .thenFails('case.missing_text');
      });
    });

    describe('RecordHandlingStep', () => {
      it('records the step', () => {
        given(...inHandling)
          .when(cmd.step())
          .then(ev.stepRecorded());
      });

      it('is allowed while suspended', () => {
        given(...suspended)
          .when(cmd.step())
          .then(ev.stepRecorded());
      });

      it('a photo alone is enough', () => {
        const attachments = [{ ref: 'att-9', contentType: 'image/jpeg' }];
        given(...inHandling)
          .when(cmd.step({ note: '', attachments }))
          .then(ev.stepRecorded({ note: '', attachments }));
      });

      it('neither note nor attachment → case.missing_text', () => {
        given(...inHandling)
          .when(cmd.step({ note: '  ', attachments: [] }))
          .thenFails('case.missing_text');
      });
    });

    describe('ReferStep', () => {
      it('refers a step to an office', () => {
        given(...inHandling)
          .when(cmd.refer())
          .then(ev.stepReferred());
      });

      it('a second referral with a new id is fine', () => {
        given(...referred)
          .when(cmd.refer({ referralId: 'ref-2', target: 'agency', toOrgUnit: 'pc.gucheng.police' }))
          .then(ev.stepReferred({ referralId: 'ref-2', target: 'agency', toOrgUnit: 'pc.gucheng.police' }));
      });

      it('a referral id already used → case.referral_exists', () => {
        given(...referred)
          .when(cmd.refer())
          .thenFails('case.referral_exists');
      });

      it('a referral id already used and completed → case.referral_exists', () => {
        given(...referred, ev.referralCompleted())
          .when(cmd.refer())
          .thenFails('case.referral_exists');
      });

      it('while suspended → case.suspended', () => {
        given(...suspended)
          .when(cmd.refer())
          .thenFails('case.suspended');
      });

      it('without a request → case.missing_text', () => {
        given(...inHandling)
          .when(cmd.refer({ request: '' }))
          .thenFails('case.missing_text');
      });
    });

    describe('CompleteReferral', () => {
      it('by staff of the referred unit', () => {
        given(...referred)
          .when(cmd.completeReferral())
          .then(ev.referralCompleted());
      });

      it('by the owner', () => {
        given(...referred)
          .when(cmd.completeReferral({ actor: actors.cadreA }))
          .then(ev.referralCompleted({ by: actors.cadreA }));
      });

      it('while suspended (the office does not wait for the resident)', () => {
        given(...referred, ev.suspended())
          .when(cmd.completeReferral())
          .then(ev.referralCompleted());
      });

      it('by staff of another unit → case.not_referral_unit', () => {
        given(...referred)
          .when(cmd.completeReferral({ actor: actors.otherOfficeStaff }))
          .thenFails('case.not_referral_unit');
      });

      it('by a cadre of the referred unit’s org code who is not office staff → case.not_referral_unit', () => {
        given(...referred)
          .when(cmd.completeReferral({ actor: { id: 'cadre-x', role: 'cadre', orgUnit: REFERRED_UNIT } }))
          .thenFails('case.not_referral_unit');
      });

      it('by another cadre → case.not_referral_unit', () => {
        given(...referred)
          .when(cmd.completeReferral({ actor: actors.cadreB }))
          .thenFails('case.not_referral_unit');
      });

      it('of an unknown referral → case.unknown_referral', () => {
        given(...referred)
          .when(cmd.completeReferral({ referralId: 'ref-404' }))
          .thenFails('case.unknown_referral');
      });

      it('twice → case.referral_completed', () => {
        given(...referred, ev.referralCompleted())
          .when(cmd.completeReferral())
          .thenFails('case.referral_completed');
      });

      it('without an outcome → case.missing_text', () => {
        given(...referred)
          .when(cmd.completeReferral({ outcome: '\t' }))
          .thenFails('case.missing_text');
      });
    });

    describe('SuspendCase and ResumeCase', () => {
      it('SuspendCase pauses the case', () => {
        given(...inHandling)
          .when(cmd.suspend())
          .then(ev.suspended());
      });

      it('SuspendCase when already suspended → case.suspended', () => {
        given(...suspended)
          .when(cmd.suspend())
          .thenFails('case.suspended');
      });

      it('SuspendCase without a reason → case.missing_text', () => {
        given(...inHandling)
          .when(cmd.suspend({ reason: '' }))
          .thenFails('case.missing_text');
      });

      it('ResumeCase says when the suspension began', () => {
        given(...suspended)
          .when(cmd.resume({ at: LATER }))
          .then(ev.resumed({ at: LATER, suspendedAt: AT }));
      });

      it('ResumeCase when not suspended → case.not_suspended', () => {
        given(...inHandling)
          .when(cmd.resume())
          .thenFails('case.not_suspended');
      });

      it('ResumeCase after a resume → case.not_suspended', () => {
        given(...suspended, ev.resumed())
          .when(cmd.resume())
          .thenFails('case.not_suspended');
      });

      it('ResumeCase without a reason → case.missing_text', () => {
        given(...suspended)
          .when(cmd.resume({ reason: ' ' }))
          .thenFails('case.missing_text');
      });

      it('a second suspension carries its own start', () => {
        given(...suspended, ev.resumed(), ev.suspended({ at: LATER }))
          .when(cmd.resume({ at: LATER }))
          .then(ev.resumed({ at: LATER, suspendedAt: LATER }));
      });
    });

    describe('HandOverCase and its answer', () => {
      it('HandOverCase offers the case to another cadre', () => {
        given(...inHandling)
          .when(cmd.handOver())
          .then(ev.handedOver({ fromCadreId: actors.cadreA.id, toCadreId: actors.cadreB.id }));
      });

      it('HandOverCase is allowed while suspended', () => {
        given(...suspended)
          .when(cmd.handOver())
          .then(ev.handedOver());
      });

      it('HandOverCase to the owner → case.hand_over_to_self', () => {
        given(...inHandling)
          .when(cmd.handOver({ toCadreId: actors.cadreA.id }))
          .thenFails('case.hand_over_to_self');
      });

      it('HandOverCase while one is pending → case.hand_over_pending', () => {
        given(...handOverOffered)
          .when(cmd.handOver({ toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY }))
          .thenFails('case.hand_over_pending');
      });

      it('HandOverCase without a reason → case.missing_text', () => {
        given(...inHandling)
          .when(cmd.handOver({ reason: '' }))
          .thenFails('case.missing_text');
      });

      it('AcceptCase by the offered cadre completes the hand-over', () => {
        given(...handOverOffered)
          .when(cmd.accept({ actor: actors.cadreB }))
          .then(ev.accepted({ by: actors.cadreB, ownerId: actors.cadreB.id, viaHandOver: true }));
      });

      it('after the hand-over the new owner acts and the old owner no longer does', () => {
        const handedOver = [
          ...handOverOffered,
          ev.accepted({ by: actors.cadreB, ownerId: actors.cadreB.id, viaHandOver: true }),
        ];
        given(...handedOver)
          .when(cmd.step({ actor: actors.cadreB }))
          .then(ev.stepRecorded({ by: actors.cadreB }));
        given(...handedOver)
          .when(cmd.step())
          .thenFails('case.not_owner');
        given(...handedOver)
          .when(cmd.handOver({ actor: actors.cadreB, toCadreId: actors.cadreA.id }))
          .then(
            ev.handedOver({ by: actors.cadreB, fromCadreId: actors.cadreB.id, toCadreId: actors.cadreA.id }),
          );
      });

      it('AcceptCase by someone the case was not offered to → case.not_offered_to_actor', () => {
        given(...handOverOffered)
          .when(cmd.accept({ actor: actors.cadreC }))
          .thenFails('case.not_offered_to_actor');
      });

      it('AcceptCase by the owner, while their hand-over is on offer → case.invalid_transition', () => {
        given(...handOverOffered)
          .when(cmd.accept())
          .thenFails('case.invalid_transition');
      });

      it('AcceptCase again by the owner (re-accepting) → case.invalid_transition', () => {
        given(...inHandling)
          .when(cmd.accept())
          .thenFails('case.invalid_transition');
      });

      it('AcceptCase with no hand-over pending → case.invalid_transition (accepted already)', () => {
        given(...inHandling)
          .when(cmd.accept({ actor: actors.cadreB }))
          .thenFails('case.invalid_transition');
      });

      it('ReturnCase by the offered cadre refuses the hand-over; the owner keeps the case', () => {
        given(...handOverOffered)
          .when(cmd.return({ actor: actors.cadreB, reason: '不在本人职责范围' }))
          .then(ev.returned({ by: actors.cadreB, reason: '不在本人职责范围', handOverRefused: true }));
      });

      it('after a refusal the owner still acts and may offer the case again', () => {
        const refused = [...handOverOffered, ev.returned({ by: actors.cadreB, handOverRefused: true })];
        given(...refused)
          .when(cmd.step())
          .then(ev.stepRecorded());
        given(...refused)
          .when(cmd.accept({ actor: actors.cadreB }))
          .thenFails('case.invalid_transition');
        given(...refused)
          .when(cmd.handOver({ toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY }))
          .then(ev.handedOver({ toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY }));
      });

      it('ReturnCase refusing without a reason → case.missing_text', () => {
        given(...handOverOffered)
          .when(cmd.return({ actor: actors.cadreB, reason: '' }))
          .thenFails('case.missing_text');
      });

      it('ReturnCase by someone the case was not offered to → case.not_offered_to_actor', () => {
        given(...handOverOffered)
          .when(cmd.return({ actor: actors.cadreC }))
          .thenFails('case.not_offered_to_actor');
      });

      it('ReturnCase by the owner (an accepted case is handed over, not returned) → case.invalid_transition', () => {
        given(...inHandling)
          .when(cmd.return())
          .thenFails('case.invalid_transition');
      });

      it('the owner keeps acting while the offer is pending', () => {
        given(...handOverOffered)
          .when(cmd.contact())
          .then(ev.residentContacted());
      });
    });

    describe('WithdrawHandOver (撤回移交)', () => {
      it('the owner takes back the pending hand-over and keeps the case', () => {
        given(...handOverOffered)
          .when(cmd.withdrawHandOver())
          .then(ev.handOverWithdrawn());
      });

      it('after a withdrawal the offered cadre cannot accept, and the owner resolves or offers again', () => {
        const withdrawn = [...handOverOffered, ev.handOverWithdrawn()];
        given(...withdrawn)
          .when(cmd.accept({ actor: actors.cadreB }))
          .thenFails('case.invalid_transition');
        given(...withdrawn)
          .when(cmd.resolve())
          .then(ev.resolved());
        given(...withdrawn)
          .when(cmd.handOver({ toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY }))
          .then(ev.handedOver({ toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY }));
      });

      it('with no hand-over pending → case.no_hand_over_pending', () => {
        given(...inHandling)
          .when(cmd.withdrawHandOver())
          .thenFails('case.no_hand_over_pending');
      });

      it('once the hand-over was accepted or refused → case.no_hand_over_pending', () => {
        given(...handOverOffered, ev.returned({ by: actors.cadreB, handOverRefused: true }))
          .when(cmd.withdrawHandOver())
          .thenFails('case.no_hand_over_pending');
        const accepted = ev.accepted({ by: actors.cadreB, ownerId: actors.cadreB.id, viaHandOver: true });
        given(...handOverOffered, accepted)
          .when(cmd.withdrawHandOver({ actor: actors.cadreB }))
          .thenFails('case.no_hand_over_pending');
      });

      it('by the cadre it was offered to (they refuse with a return instead) → case.not_owner', () => {
        given(...handOverOffered)
          .when(cmd.withdrawHandOver({ actor: actors.cadreB }))
          .thenFails('case.not_owner');
      });

      it('without a reason → case.missing_text', () => {
        given(...handOverOffered)
          .when(cmd.withdrawHandOver({ reason: '  ' }))
          .thenFails('case.missing_text');
      });

      it('a lapsed hand-over is no longer pending → case.no_hand_over_pending, nothing recorded', () => {
        given(...handOverOffered)
          .when(cmd.withdrawHandOver({ at: HAND_OVER_EXPIRES }))
          .thenFails('case.no_hand_over_pending');
      });
    });

    describe('a hand-over that lapsed unanswered', () => {
      const AFTER = '2026-11-29T10:00:00+08:00';
      const lapse = (o: Parameters<typeof ev.handOverExpired>[0] = {}) =>
        ev.handOverExpired({ by: actors.cadreA, at: AFTER, ...o });

      it('HandOverCase offers with the expiry the application set', () => {
        given(...inHandling)
          .when(cmd.handOver({ expiresAt: '2026-11-27T10:30:00+08:00' }))
          .then(ev.handedOver({ expiresAt: '2026-11-27T10:30:00+08:00' }));
      });

      it('the offered cadre accepting it → case.hand_over_expired', () => {
        given(...handOverOffered)
          .when(cmd.accept({ actor: actors.cadreB, at: AFTER }))
          .thenFails('case.hand_over_expired');
      });

      it('lapses at its expiry exactly; a moment before, it is accepted', () => {
        given(...handOverOffered)
          .when(cmd.accept({ actor: actors.cadreB, at: HAND_OVER_EXPIRES }))
          .thenFails('case.hand_over_expired');
        given(...handOverOffered)
          .when(cmd.accept({ actor: actors.cadreB, at: '2026-11-29T09:29:59+08:00' }))
          .then(
            ev.accepted({
              by: actors.cadreB,
              at: '2026-11-29T09:29:59+08:00',
              ownerId: actors.cadreB.id,
              viaHandOver: true,
            }),
          );
      });

      it('expiry is compared as instants, whatever the offset they are written in', () => {
        given(...handOverOffered)
          .when(cmd.accept({ actor: actors.cadreB, at: '2026-11-29T01:30:00.000Z' }))
          .thenFails('case.hand_over_expired');
      });

      it('the offered cadre refusing it → case.hand_over_expired', () => {
        given(...handOverOffered)
          .when(cmd.return({ actor: actors.cadreB, at: AFTER }))
          .thenFails('case.hand_over_expired');
      });

      it('someone it was not offered to still hears case.not_offered_to_actor', () => {
        given(...handOverOffered)
          .when(cmd.accept({ actor: actors.cadreC, at: AFTER }))
          .thenFails('case.not_offered_to_actor');
      });

      it('the owner resolves: the lapse is recorded first, then the resolution', () => {
        given(...handOverOffered)
          .when(cmd.resolve({ at: AFTER }))
          .then(lapse(), ev.resolved({ at: AFTER }));
      });

      it('the owner offers the case again: the lapse first, then the new offer', () => {
        const next = { toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY };
        given(...handOverOffered)
          .when(cmd.handOver({ ...next, at: AFTER, expiresAt: '2026-12-01T10:00:00+08:00' }))
          .then(lapse(), ev.handedOver({ ...next, at: AFTER, expiresAt: '2026-12-01T10:00:00+08:00' }));
      });

      it.each([
        ['RecordResidentContact', cmd.contact({ at: AFTER }), ev.residentContacted({ at: AFTER })],
        ['RecordHandlingStep', cmd.step({ at: AFTER }), ev.stepRecorded({ at: AFTER })],
        ['SuspendCase', cmd.suspend({ at: AFTER }), ev.suspended({ at: AFTER })],
      ] as const)('%s by the owner records the lapse first', (_type, command, event) => {
        given(...handOverOffered)
          .when(command)
          .then(lapse(), event);
      });

      it('the lapse is recorded once: the next command of the owner records only itself', () => {
        given(...handOverOffered, lapse())
          .when(cmd.step({ at: AFTER }))
          .then(ev.stepRecorded({ at: AFTER }));
        given(...handOverOffered, lapse())
          .when(cmd.expireHandOver({ at: AFTER }))
          .thenNothing();
      });

      it('an owner command refused for its own reason records nothing, the lapse included', () => {
        given(...handOverOffered)
          .when(cmd.resolve({ at: AFTER, summary: ' ' }))
          .thenFails('case.missing_text');
      });

      it('someone other than the owner records no lapse: their command is refused as before', () => {
        given(...handOverOffered)
          .when(cmd.step({ actor: actors.cadreB, at: AFTER }))
          .thenFails('case.not_owner');
      });

      it('after the lapse the offered cadre is an outsider again', () => {
        given(...handOverOffered, lapse())
          .when(cmd.accept({ actor: actors.cadreB, at: AFTER }))
          .thenFails('case.invalid_transition');
      });

      describe('recorded before hand-overs expired (no expiresAt)', () => {
        const { expiresAt: _expiresAt, ...withoutExpiry } = ev.handedOver();
        const oldOffer = [...inHandling, withoutExpiry];
        const MUCH_LATER = '2027-06-01T09:00:00+08:00';

        it('never lapses: the offered cadre accepts it months later', () => {
          given(...oldOffer)
            .when(cmd.accept({ actor: actors.cadreB, at: MUCH_LATER }))
            .then(
              ev.accepted({
                by: actors.cadreB,
                at: MUCH_LATER,
                ownerId: actors.cadreB.id,
                viaHandOver: true,
              }),
            );
        });

        it('still blocks the owner’s resolution, who may withdraw it', () => {
          given(...oldOffer)
            .when(cmd.resolve({ at: MUCH_LATER }))
            .thenFails('case.hand_over_pending');
          given(...oldOffer)
            .when(cmd.withdrawHandOver({ at: MUCH_LATER }))
            .then(ev.handOverWithdrawn({ at: MUCH_LATER }));
        });

        it('the system does not expire it → case.hand_over_not_expired', () => {
          given(...oldOffer)
            .when(cmd.expireHandOver({ at: MUCH_LATER }))
            .thenFails('case.hand_over_not_expired');
        });
      });
    });

    describe('ExpireHandOver (the system’s timer)', () => {
      it('records the lapse when due', () => {
        given(...handOverOffered)
          .when(cmd.expireHandOver({ at: HAND_OVER_EXPIRES }))
          .then(ev.handOverExpired({ at: HAND_OVER_EXPIRES }));
      });

      it('after the lapse the owner acts as if no hand-over were pending', () => {
        const lapsed = [...handOverOffered, ev.handOverExpired({ at: HAND_OVER_EXPIRES })];
        given(...lapsed)
          .when(cmd.resolve({ at: HAND_OVER_EXPIRES }))
          .then(ev.resolved({ at: HAND_OVER_EXPIRES }));
      });

      it('before the offer lapses → case.hand_over_not_expired', () => {
        given(...handOverOffered)
          .when(cmd.expireHandOver({ at: LATER }))
          .thenFails('case.hand_over_not_expired');
      });

      it('a late or repeated timer (answered, withdrawn, lapsed, none offered) does nothing', () => {
        const at = HAND_OVER_EXPIRES;
        given(...handOverOffered, ev.handOverWithdrawn())
          .when(cmd.expireHandOver({ at }))
          .thenNothing();
        given(...handOverOffered, ev.returned({ by: actors.cadreB, handOverRefused: true }))
          .when(cmd.expireHandOver({ at }))
          .thenNothing();
        given(...handOverOffered, ev.handOverExpired())
          .when(cmd.expireHandOver({ at }))
          .thenNothing();
        given(...inHandling)
          .when(cmd.expireHandOver({ at }))
          .thenNothing();
      });

      it('by anyone but the system → case.role_not_allowed', () => {
        given(...handOverOffered)
          .when(cmd.expireHandOver({ actor: actors.cadreA, at: HAND_OVER_EXPIRES }))
          .thenFails('case.role_not_allowed');
      });
    });

    describe('ResolveCase', () => {
      it('resolves the case', () => {
        given(...inHandling, ev.residentContacted())
          .when(cmd.resolve())
          .then(ev.resolved());
      });

      it('once every referral is completed', () => {
        given(...referred, ev.referralCompleted())
          .when(cmd.resolve())
          .then(ev.resolved());
      });

      it('while suspended → case.suspended', () => {
        given(...suspended)
          .when(cmd.resolve())
          .thenFails('case.suspended');
      });

      it('with an open referral → case.open_referrals', () => {
        given(...referred, ev.stepReferred({ referralId: 'ref-2' }), ev.referralCompleted())
          .when(cmd.resolve())
          .thenFails('case.open_referrals');
      });

      it('with a hand-over pending → case.hand_over_pending', () => {
        given(...handOverOffered)
          .when(cmd.resolve())
          .thenFails('case.hand_over_pending');
      });

      it('without a summary → case.missing_text', () => {
        given(...inHandling)
          .when(cmd.resolve({ summary: '  ' }))
          .thenFails('case.missing_text');
      });
    });

    describe('routing commands', () => {
      it('DispatchCase → case.invalid_transition (hand over instead)', () => {
        given(...inHandling)
          .when(cmd.dispatch({ ownerId: actors.cadreB.id }))
          .thenFails('case.invalid_transition');
      });

      it('SubmitCase again → case.already_exists', () => {
        given(...inHandling)
          .when(cmd.submit())
          .thenFails('case.already_exists');
      });
    });

    it.each(['RecordFeedback', 'ExpireFeedbackWindow', 'CloseCase', 'ReopenCase'] as const)(
      '%s before resolution → case.invalid_transition',
      (type) => {
        given(...inHandling)
          .when(anyCommand[type]())
          .thenFails('case.invalid_transition');
      },
    );
  });
});
