import { foldLifecycle, type CaseEvent } from '@tongban/cases';
import { actors, COMMUNITY, ev, OTHER_COMMUNITY, OTHER_UNIT, REFERRED_UNIT } from '@tongban/cases/testing';
import { CASE_DETAIL_TABLE, caseDetailProjection, type CaseDetailRow } from './case-detail.projection';
import { applied, recordedOf } from './projection-test-kit';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const OTHER_CASE = 'a0000000-0000-4000-8000-000000000002';
const on = { caseId: CASE };

async function detailAfter(...events: CaseEvent[]): Promise<CaseDetailRow> {
  const store = await applied(caseDetailProjection, recordedOf(events));
  const row = store.row(CASE_DETAIL_TABLE, { case_id: CASE });
  if (!row) throw new Error('no case detail row');
  return row as CaseDetailRow;
}

const submitted = ev.submitted({
  ...on,
  at: '2026-11-27T09:30:00+08:00',
  matterCode: 'property.elevator',
  resident: { name: '王芳', phone: '13800001234', idNumber: '110101199003071234' },
  location: {
    address: '迎宾广场 3 号楼',
    communityCode: COMMUNITY,
    gridCode: 'g-07',
    latitude: 40.09,
    longitude: 113.3,
  },
  attachments: [{ ref: 'att-1', name: 'lift.jpg', contentType: 'image/jpeg' }],
});
const dispatched = ev.dispatched({ ...on, at: '2026-11-27T10:00:00+08:00' });
const accepted = ev.accepted({ ...on, at: '2026-11-27T10:30:00+08:00' });

describe('case_detail', () => {
  it('shows a submitted case with the contact masked and its community in scope', async () => {
    expect(await detailAfter(submitted)).toEqual({
      case_id: CASE,
      case_number: 'PC-20261127-000001',
      status: 'submitted',
      channel: 'app',
      title: '电梯停运三天',
      description: '3 号楼电梯停运三天，老人无法下楼。',
      matter_code: 'property.elevator',
      category: 'property',
      resident_name: '王芳',
      resident_phone_masked: '138****1234',
      resident_id_number_masked: '110101********1234',
      address: '迎宾广场 3 号楼',
      community_code: COMMUNITY,
      grid_code: 'g-07',
      latitude: 40.09,
      longitude: 113.3,
      attachments: [
        {
          ref: 'att-1',
          name: 'lift.jpg',
          contentType: 'image/jpeg',
          source: 'submitted',
          addedAt: '2026-11-27T01:30:00.000Z',
        },
      ],
      submitter_id: actors.resident.id,
      submitter_role: 'resident',
      submitted_at: '2026-11-27T01:30:00.000Z',
      owner_id: null,
      owner_org_unit: null,
      designated_owner_id: null,
      designated_org_unit: null,
      handover_to_id: null,
      handover_to_org_unit: null,
      street_code: 'pc.gucheng',
      suspended: false,
      open_referrals: 0,
      response_due_at: null,
      resolution_due_at: null,
      next_due_at: null,
      overdue: false,
      response_breached: false,
      resolution_breached: false,
      due_times: null,
      first_contact_at: null,
      resolved_at: null,
      closed_at: null,
      satisfaction: null,
      solved: null,
      return_count: 0,
      reopen_count: 0,
      supervision_count: 0,
      extension_days: 0,
      ruled_unreasonable: false,
      merged_into: null,
      scope_units: ['pc', 'pc.gucheng', COMMUNITY],
      participant_ids: [],
      referral_units: [],
      version: 1,
      last_event_at: '2026-11-27T01:30:00.000Z',
      // The domain's lifecycle, kept with the row for the next event (ADR 0018).
      lifecycle: foldLifecycle([submitted]),
    });
  });

  it('masks phone and ID numbers typed into free text', async () => {
    const row = await detailAfter(
      ev.submitted({
        ...on,
        title: '请回电 13912345678',
        description: '身份证 110101199003071234，电话 139-1234-5678',
      }),
    );
    expect(row.title).toBe('请回电 139****5678');
    expect(row.description).toBe('身份证 110101********1234，电话 139****5678');
  });

  it('follows dispatch, return and redispatch, keeping everyone once involved in scope', async () => {
    const row = await detailAfter(
      submitted,
      ev.dispatched({ ...on, ownerId: actors.cadreC.id, ownerOrgUnit: OTHER_COMMUNITY }),
    );
    expect(row).toMatchObject({
      status: 'dispatched',
      designated_owner_id: actors.cadreC.id,
      designated_org_unit: OTHER_COMMUNITY,
      owner_id: null,
      street_code: 'pc.zhenhua',
    });

    const again = await detailAfter(
      submitted,
      ev.dispatched({ ...on, ownerId: actors.cadreC.id, ownerOrgUnit: OTHER_COMMUNITY }),
      ev.returned({ ...on, by: actors.cadreC }),
    );
    expect(again).toMatchObject({
      status: 'returned',
      designated_owner_id: null,
      designated_org_unit: null,
      return_count: 1,
      street_code: 'pc.gucheng',
      participant_ids: [actors.cadreC.id],
      scope_units: ['pc', 'pc.gucheng', COMMUNITY, 'pc.zhenhua', OTHER_COMMUNITY],
    });

    const redispatched = await detailAfter(
      submitted,
      ev.dispatched({ ...on, ownerId: actors.cadreC.id, ownerOrgUnit: OTHER_COMMUNITY }),
      ev.returned({ ...on, by: actors.cadreC }),
      ev.dispatched({ ...on, redispatch: true }),
    );
    expect(redispatched).toMatchObject({
      status: 'dispatched',
      designated_owner_id: actors.cadreA.id,
      participant_ids: [actors.cadreA.id, actors.cadreC.id],
      version: 4,
    });
  });

  it('makes the designated cadre the accountable owner on acceptance', async () => {
    expect(await detailAfter(submitted, dispatched, accepted)).toMatchObject({
      status: 'in_handling',
      owner_id: actors.cadreA.id,
      owner_org_unit: COMMUNITY,
      designated_owner_id: null,
      designated_org_unit: null,
      street_code: 'pc.gucheng',
    });
  });

  it('keeps the owner during a hand-over offer and changes it only when the offer is accepted', async () => {
    const offered = ev.handedOver({ ...on, toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY });
    expect(await detailAfter(submitted, dispatched, accepted, offered)).toMatchObject({
      owner_id: actors.cadreA.id,
      handover_to_id: actors.cadreC.id,
      handover_to_org_unit: OTHER_COMMUNITY,
      participant_ids: [actors.cadreA.id, actors.cadreC.id],
    });

    const refused = ev.returned({ ...on, by: actors.cadreC, handOverRefused: true });
    expect(await detailAfter(submitted, dispatched, accepted, offered, refused)).toMatchObject({
      status: 'in_handling',
      owner_id: actors.cadreA.id,
      handover_to_id: null,
      return_count: 0,
    });

    const taken = ev.accepted({
      ...on,
      by: actors.cadreC,
      ownerId: actors.cadreC.id,
      ownerOrgUnit: OTHER_COMMUNITY,
      viaHandOver: true,
    });
    expect(await detailAfter(submitted, dispatched, accepted, offered, taken)).toMatchObject({
      owner_id: actors.cadreC.id,
      owner_org_unit: OTHER_COMMUNITY,
      handover_to_id: null,
      street_code: 'pc.zhenhua',
    });
  });

  it('shows no pending hand-over once the owner withdraws it or it lapses; the owner keeps the case', async () => {
    const offered = ev.handedOver({ ...on, toCadreId: actors.cadreC.id, toOrgUnit: OTHER_COMMUNITY });
    for (const ended of [
      ev.handOverWithdrawn({ ...on, toCadreId: actors.cadreC.id }),
      ev.handOverExpired({ ...on, toCadreId: actors.cadreC.id }),
    ]) {
      expect(await detailAfter(submitted, dispatched, accepted, offered, ended)).toMatchObject({
        status: 'in_handling',
        owner_id: actors.cadreA.id,
        handover_to_id: null,
        handover_to_org_unit: null,
        return_count: 0,
      });
    }
  });

  it('shows suspension', async () => {
    const suspended = ev.suspended({ ...on, at: '2026-11-27T11:00:00+08:00' });
    expect((await detailAfter(submitted, dispatched, accepted, suspended)).suspended).toBe(true);
    const resumed = ev.resumed({
      ...on,
      at: '2026-11-27T12:00:00+08:00',
      suspendedAt: '2026-11-27T11:00:00+08:00',
    });
    expect((await detailAfter(submitted, dispatched, accepted, suspended, resumed)).suspended).toBe(false);
  });

  describe('deadlines', () => {
    const responseWarning = ev.slaWarningRaised({
      ...on,
      clock: 'response',
      dueAt: '2026-11-27T17:30:00+08:00',
    });
    const resolutionWarning = ev.slaWarningRaised({
      ...on,
      clock: 'resolution',
      dueAt: '2026-12-04T17:30:00+08:00',
    });

    it('shows the earliest deadline of the clocks still running', async () => {
      expect(await detailAfter(submitted, responseWarning, resolutionWarning)).toMatchObject({
        response_due_at: '2026-11-27T09:30:00.000Z',
        resolution_due_at: '2026-12-04T09:30:00.000Z',
        next_due_at: '2026-11-27T09:30:00.000Z',
        overdue: false,
      });
    });

    it('drops the response deadline from next_due_at at the first contact', async () => {
      const contacted = ev.residentContacted({ ...on, at: '2026-11-27T12:00:00+08:00' });
      expect(
        await detailAfter(submitted, dispatched, accepted, responseWarning, resolutionWarning, contacted),
      ).toMatchObject({
        first_contact_at: '2026-11-27T04:00:00.000Z',
        response_due_at: '2026-11-27T09:30:00.000Z',
        next_due_at: '2026-12-04T09:30:00.000Z',
      });
    });

    it('is overdue while a breached clock runs, and no longer once it stops', async () => {
      const breach = ev.slaBreached({ ...on, clock: 'response', dueAt: '2026-11-27T17:30:00+08:00' });
      expect(await detailAfter(submitted, dispatched, accepted, breach)).toMatchObject({
        overdue: true,
        response_breached: true,
        next_due_at: '2026-11-27T09:30:00.000Z',
      });
      const contacted = ev.residentContacted({ ...on, at: '2026-11-28T09:00:00+08:00' });
      expect(await detailAfter(submitted, dispatched, accepted, breach, contacted)).toMatchObject({
        overdue: false,
        next_due_at: null,
      });
    });

    it('starts a new resolution round on reopen', async () => {
      const breach = ev.slaBreached({ ...on, clock: 'resolution', dueAt: '2026-12-04T17:30:00+08:00' });
      const row = await detailAfter(
        submitted,
        dispatched,
        accepted,
        ev.residentContacted(on),
        breach,
        ev.resolved(on),
        ev.reopened(on),
      );
      expect(row).toMatchObject({ overdue: false, resolution_due_at: null, resolution_breached: false });
    });

    it('come from the SLA watcher’s due times once set: paused without one, stopped by the case', async () => {
      const timed = ev.dueTimesSet({
        ...on,
        at: '2026-11-27T10:00:01+08:00',
        clocks: [
          {
            clock: 'response',
            round: 1,
            dueAt: '2026-11-28T17:30:00+08:00',
            budgetMs: 7 * 3_600_000,
            usedMs: 0,
            counting: 'business',
            running: true,
          },
          {
            clock: 'resolution',
            round: 1,
            dueAt: '2026-12-08T17:30:00+08:00',
            budgetMs: 49 * 3_600_000,
            usedMs: 0,
            counting: 'business',
            running: true,
          },
        ],
      });
      // The due times win over what an earlier warning announced.
      expect(await detailAfter(submitted, dispatched, responseWarning, timed)).toMatchObject({
        response_due_at: '2026-11-28T09:30:00.000Z',
        resolution_due_at: '2026-12-08T09:30:00.000Z',
        next_due_at: '2026-11-28T09:30:00.000Z',
      });
      const contacted = ev.residentContacted({ ...on, at: '2026-11-27T12:00:00+08:00' });
      const paused = ev.dueTimesSet({
        ...on,
        at: '2026-11-27T13:00:01+08:00',
        clocks: [
          {
            clock: 'resolution',
            round: 1,
            dueAt: null,
            budgetMs: 49 * 3_600_000,
            usedMs: 3_600_000,
            counting: 'business',
            running: false,
          },
        ],
      });
      expect(
        await detailAfter(submitted, dispatched, accepted, timed, contacted, ev.suspended(on), paused),
      ).toMatchObject({ resolution_due_at: null, next_due_at: null, suspended: true });
    });
  });

  it('follows resolution, feedback, reopen and closure', async () => {
    const handled = [submitted, dispatched, accepted, ev.residentContacted(on)];
    const resolved = ev.resolved({ ...on, at: '2026-11-28T10:00:00+08:00' });
    const rated = ev.feedbackRecorded({ ...on, satisfaction: 'unsatisfied', solved: false });
    expect(await detailAfter(...handled, resolved, rated)).toMatchObject({
      status: 'resolved',
      resolved_at: '2026-11-28T02:00:00.000Z',
      satisfaction: 'unsatisfied',
      solved: false,
      owner_id: actors.cadreA.id,
      next_due_at: null,
    });

    const reopened = ev.reopened({ ...on, at: '2026-11-28T12:00:00+08:00' });
    expect(await detailAfter(...handled, resolved, rated, reopened)).toMatchObject({
      status: 'in_handling',
      owner_id: actors.cadreA.id,
      reopen_count: 1,
      resolved_at: null,
      satisfaction: null,
      solved: null,
    });

    const closed = ev.closed({ ...on, at: '2026-11-30T10:00:00+08:00' });
    expect(
      await detailAfter(
        ...handled,
        resolved,
        rated,
        reopened,
        ev.resolved({ ...on, at: '2026-11-29T10:00:00+08:00' }),
        ev.feedbackRecorded(on),
        closed,
      ),
    ).toMatchObject({
      status: 'closed',
      resolved_at: '2026-11-29T02:00:00.000Z',
      closed_at: '2026-11-30T02:00:00.000Z',
      satisfaction: 'satisfied',
      solved: true,
      owner_id: actors.cadreA.id,
      reopen_count: 1,
      version: 10,
      last_event_at: '2026-11-30T02:00:00.000Z',
    });
  });

  it('counts open referrals and puts their units in scope', async () => {
    const referred = ev.stepReferred(on);
    const other = ev.stepReferred({ ...on, referralId: 'ref-2', target: 'agency', toOrgUnit: OTHER_UNIT });
    expect(await detailAfter(submitted, dispatched, accepted, referred, other)).toMatchObject({
      open_referrals: 2,
      referral_units: [OTHER_UNIT, REFERRED_UNIT],
      scope_units: ['pc', 'pc.gucheng', OTHER_UNIT, REFERRED_UNIT, COMMUNITY],
    });
    expect(
      await detailAfter(submitted, dispatched, accepted, referred, other, ev.referralCompleted(on)),
    ).toMatchObject({ open_referrals: 1 });
    // A withdrawal cancels what is still open.
    expect(
      await detailAfter(submitted, dispatched, accepted, referred, other, ev.withdrawn(on)),
    ).toMatchObject({ status: 'withdrawn', open_referrals: 0, owner_id: actors.cadreA.id });
  });

  it('keeps attachments of the submission, handling steps and supplements', async () => {
    const row = await detailAfter(
      submitted,
      dispatched,
      accepted,
      ev.stepRecorded({ ...on, at: '2026-11-28T09:00:00+08:00', attachments: [{ ref: 'att-2' }] }),
      ev.residentInfoSupplemented({
        ...on,
        at: '2026-11-28T10:00:00+08:00',
        attachments: [{ ref: 'att-3' }],
      }),
    );
    expect(row.attachments.map((a) => [a.ref, a.source, a.addedAt])).toEqual([
      ['att-1', 'submitted', '2026-11-27T01:30:00.000Z'],
      ['att-2', 'step', '2026-11-28T01:00:00.000Z'],
      ['att-3', 'supplement', '2026-11-28T02:00:00.000Z'],
    ]);
  });

  it('counts supervision and extension days, and records the ruling', async () => {
    expect(
      await detailAfter(
        submitted,
        ev.supervised(on),
        ev.supervised(on),
        ev.extensionGranted({ ...on, extraBusinessDays: 3 }),
        ev.extensionGranted({ ...on, clock: 'response', extraBusinessDays: 1 }),
        ev.ruledUnreasonable(on),
      ),
    ).toMatchObject({ supervision_count: 2, extension_days: 4, ruled_unreasonable: true });
  });

  it('records a merge and leaves nothing pending', async () => {
    expect(
      await detailAfter(submitted, dispatched, ev.mergedInto({ ...on, intoCaseId: OTHER_CASE })),
    ).toMatchObject({
      status: 'merged',
      merged_into: OTHER_CASE,
      designated_owner_id: null,
      street_code: 'pc.gucheng',
    });
  });

  it('takes no more changes after a withdrawal, like the decider state', async () => {
    const row = await detailAfter(submitted, ev.withdrawn(on), ev.supervised(on), ev.dispatched(on));
    expect(row).toMatchObject({
      status: 'withdrawn',
      supervision_count: 0,
      designated_owner_id: null,
      version: 4,
    });
  });

  it('ignores events of a case it never saw submitted', async () => {
    const store = await applied(caseDetailProjection, recordedOf([dispatched, accepted]));
    expect(store.rows(CASE_DETAIL_TABLE)).toEqual([]);
  });
});
