import type { CaseEvent } from '@tongban/cases';
import { actors, ev, OTHER_UNIT, REFERRED_UNIT } from '@tongban/cases/testing';
import { matchesFilter } from '@tongban/projections';
import { applied, recordedOf } from './projection-test-kit';
import {
  REFERRAL_CASE_TABLE,
  REFERRAL_TABLE,
  referralsProjection,
  type ReferralRow,
} from './referrals.projection';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const on = { caseId: CASE };

async function referralsAfter(...events: CaseEvent[]): Promise<ReferralRow[]> {
  const store = await applied(referralsProjection, recordedOf(events));
  return store.rows(REFERRAL_TABLE) as ReferralRow[];
}

const handling = [
  ev.submitted({ ...on, matterCode: 'property.elevator' }),
  ev.dispatched(on),
  ev.accepted(on),
];
const referred = ev.stepReferred({
  ...on,
  at: '2026-11-27T14:00:00+08:00',
  request: '请联系住户 13800001234 核实',
});
const toAgency = ev.stepReferred({
  ...on,
  at: '2026-11-27T15:00:00+08:00',
  referralId: 'ref-2',
  target: 'agency',
  toOrgUnit: OTHER_UNIT,
});

describe('referrals', () => {
  it('puts a referred step in the unit’s queue, open', async () => {
    expect(await referralsAfter(...handling, referred)).toEqual([
      {
        case_id: CASE,
        referral_id: 'ref-1',
        to_org_unit: REFERRED_UNIT,
        target: 'office',
        request: '请联系住户 138****1234 核实',
        referred_at: '2026-11-27T06:00:00.000Z',
        referred_by: actors.cadreA.id,
        status: 'open',
        completed_at: null,
        outcome: null,
        completed_by: null,
        case_number: 'PC-20261127-000001',
        title: '电梯停运三天',
        matter_code: 'property.elevator',
      },
    ]);
  });

  it('records who completed it, when and with what outcome', async () => {
    const completed = ev.referralCompleted({ ...on, at: '2026-11-28T09:00:00+08:00' });
    expect(await referralsAfter(...handling, referred, toAgency, completed)).toMatchObject([
      {
        referral_id: 'ref-1',
        status: 'completed',
        completed_at: '2026-11-28T01:00:00.000Z',
        completed_by: actors.officeStaff.id,
        outcome: '维保单位已更换控制板',
      },
      { referral_id: 'ref-2', target: 'agency', to_org_unit: OTHER_UNIT, status: 'open' },
    ]);
  });

  it('cancels the open referrals of a withdrawn case and leaves completed ones alone', async () => {
    const completed = ev.referralCompleted({ ...on, referralId: 'ref-2', by: actors.otherOfficeStaff });
    const rows = await referralsAfter(...handling, referred, toAgency, completed, ev.withdrawn(on));
    expect(rows.map((r) => [r.referral_id, r.status, r.completed_at])).toEqual([
      ['ref-1', 'cancelled', null],
      ['ref-2', 'completed', '2026-11-27T01:30:00.000Z'],
    ]);
  });

  it('cancels the open referrals of a merged case', async () => {
    const rows = await referralsAfter(...handling, referred, toAgency, ev.mergedInto(on));
    expect(rows.map((r) => [r.referral_id, r.status])).toEqual([
      ['ref-1', 'cancelled'],
      ['ref-2', 'cancelled'],
    ]);
  });

  it('remembers which referrals of the case are open', async () => {
    const store = await applied(
      referralsProjection,
      recordedOf([...handling, referred, toAgency, ev.referralCompleted(on)]),
    );
    expect(store.row(REFERRAL_CASE_TABLE, { case_id: CASE })).toMatchObject({ open_referral_ids: ['ref-2'] });
  });

  it('ignores the completion of a referral it does not know, as the decider state does', async () => {
    const rows = await referralsAfter(
      ...handling,
      referred,
      ev.referralCompleted({ ...on, referralId: 'ref-9' }),
    );
    expect(rows.map((r) => [r.referral_id, r.status])).toEqual([['ref-1', 'open']]);
  });

  it('is not handed events that cannot touch a referral, so it reads nothing for them', () => {
    // It declares the types it handles (its filter); the others never reach reads() or handle().
    const untouched = recordedOf([...handling, ev.suspended(on), ev.supervised(on)]).slice(1);
    for (const event of untouched) expect(matchesFilter(referralsProjection, event)).toBe(false);
    const [submission] = recordedOf(handling);
    expect(matchesFilter(referralsProjection, submission!)).toBe(true);
    expect(referralsProjection.reads(referralsProjection.decode(submission!), submission!)).toEqual([]);
  });
});
