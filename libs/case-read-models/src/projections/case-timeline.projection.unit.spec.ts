import type { CaseEvent } from '@tongban/cases';
import { actors, COMMUNITY, ev, REFERRED_UNIT } from '@tongban/cases/testing';
import { formatPosition } from '@tongban/event-store';
import {
  CASE_TIMELINE_TABLE,
  caseTimelineProjection,
  timelineSummary,
  type CaseTimelineRow,
} from './case-timeline.projection';
import { applied, recordedOf } from './projection-test-kit';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const on = { caseId: CASE };

async function timelineOf(...events: CaseEvent[]): Promise<CaseTimelineRow[]> {
  const store = await applied(caseTimelineProjection, recordedOf(events));
  return (store.rows(CASE_TIMELINE_TABLE) as CaseTimelineRow[]).sort((a, b) => a.version - b.version);
}

/** One event of every type (the timeline records whatever the stream holds, valid order or not). */
const everyType: CaseEvent[] = [
  ev.submitted({ ...on, matterCode: 'property.elevator' }),
  ev.dispatched(on),
  ev.returned(on),
  ev.dispatched({ ...on, redispatch: true }),
  ev.accepted(on),
  ev.residentContacted(on),
  ev.stepRecorded({ ...on, attachments: [{ ref: 'att-1' }, { ref: 'att-2' }] }),
  ev.stepReferred(on),
  ev.referralCompleted(on),
  ev.suspended(on),
  ev.resumed(on),
  ev.handedOver(on),
  ev.handOverWithdrawn(on),
  ev.handedOver(on),
  ev.handOverExpired(on),
  ev.handedOver(on),
  ev.accepted({ ...on, by: actors.cadreB, ownerId: actors.cadreB.id, viaHandOver: true }),
  ev.supervised(on),
  ev.extensionGranted({ ...on, extraBusinessDays: 1 }),
  ev.slaWarningRaised(on),
  ev.slaBreached({ ...on, clock: 'resolution' }),
  ev.resolved({ ...on, by: actors.cadreB }),
  ev.feedbackWindowExpired(on),
  ev.closed({ ...on, by: actors.cadreB }),
  ev.reopened(on),
  ev.resolved({ ...on, by: actors.cadreB }),
  ev.feedbackRecorded({ ...on, satisfaction: 'basically_satisfied' }),
  ev.residentInfoSupplemented(on),
  ev.ruledUnreasonable(on),
  ev.contactRevealed(on),
  ev.mergedInto(on),
  ev.withdrawn(on),
];

describe('case_timeline', () => {
  it('writes one row per event, keyed by the stream version, with who did it and when', async () => {
    const events = recordedOf([
      ev.submitted({ ...on, at: '2026-11-27T09:30:00+08:00', channel: 'hotline', by: actors.hotlineAgent }),
      ev.dispatched({ ...on, at: '2026-11-27T10:00:00+08:00' }),
    ]);
    const store = await applied(caseTimelineProjection, events);
    expect(store.row(CASE_TIMELINE_TABLE, { case_id: CASE, version: 1 })).toMatchObject({
      case_id: CASE,
      version: 1,
      position: formatPosition(events[0]!.position),
      type: 'case.submitted',
      at: '2026-11-27T01:30:00.000Z',
      recorded_at: '2026-11-27T01:30:00.250Z',
      actor_id: actors.hotlineAgent.id,
      actor_role: 'channel',
      actor_org_unit: null,
      channel: 'hotline',
      summary: `Submitted via hotline by channel ${actors.hotlineAgent.id}`,
    });
    expect(store.row(CASE_TIMELINE_TABLE, { case_id: CASE, version: 2 })).toMatchObject({
      type: 'case.dispatched',
      actor_id: actors.dispatcher.id,
      actor_role: 'dispatcher',
      actor_org_unit: 'pc.gucheng',
      channel: null,
      summary: `Dispatched to cadre ${actors.cadreA.id} of ${COMMUNITY} (rule community-of-location, directory v7)`,
    });
  });

  it("keeps the event's own data as changes, with personal numbers masked and instants normalized", async () => {
    const [submitted, , resumed, breached] = await timelineOf(
      ev.submitted({
        ...on,
        resident: { name: '王芳', phone: '13800001234', idNumber: '110101199003071234' },
        description: '来电 13800001234',
      }),
      ev.suspended({ ...on, at: '2026-11-27T10:00:00+08:00' }),
      ev.resumed({ ...on, suspendedAt: '2026-11-27T10:00:00+08:00' }),
      ev.slaBreached({ ...on, dueAt: '2026-11-30T17:30:00+08:00' }),
    );
    expect(submitted!.changes).toMatchObject({
      caseNumber: 'PC-20261127-000001',
      resident: { name: '王芳', phone: '138****1234', idNumber: '110101********1234' },
      description: '来电 138****1234',
      location: { address: '迎宾广场 3 号楼', communityCode: COMMUNITY },
    });
    expect(submitted!.changes).not.toHaveProperty('caseId');
    expect(submitted!.changes).not.toHaveProperty('at');
    expect(submitted!.changes).not.toHaveProperty('by');
    expect(submitted!.changes).not.toHaveProperty('type');
    expect(resumed!.changes).toEqual({ reason: '居民已回家', suspendedAt: '2026-11-27T02:00:00.000Z' });
    expect(breached!.changes).toEqual({ clock: 'response', dueAt: '2026-11-30T09:30:00.000Z' });
  });

  it('summarizes every event type in one line', async () => {
    const rows = await timelineOf(...everyType);
    expect(rows.map((row) => [row.type, row.summary])).toEqual([
      ['case.submitted', `Submitted via app by resident ${actors.resident.id} (matter property.elevator)`],
      [
        'case.dispatched',
        `Dispatched to cadre cadre-zhang of ${COMMUNITY} (rule community-of-location, directory v7)`,
      ],
      ['case.returned', 'Returned to dispatch by cadre cadre-zhang'],
      [
        'case.dispatched',
        `Redispatched to cadre cadre-zhang of ${COMMUNITY} (rule community-of-location, directory v7)`,
      ],
      ['case.accepted', `Accepted by cadre cadre-zhang of ${COMMUNITY}`],
      ['case.resident_contacted', 'First contact with the resident (phone)'],
      ['case.handling_step_recorded', 'Handling step recorded with 2 attachments'],
      ['case.step_referred', 'Step referred to office pc.gucheng.public-service (referral ref-1)'],
      ['case.referral_completed', 'Referral ref-1 completed by pc.gucheng.public-service'],
      ['case.suspended', 'Handling suspended'],
      ['case.resumed', 'Handling resumed'],
      ['case.handed_over', `Hand-over offered by cadre cadre-zhang to cadre cadre-liu of ${COMMUNITY}`],
      ['case.hand_over_withdrawn', 'Hand-over to cadre cadre-liu withdrawn by cadre cadre-zhang'],
      ['case.handed_over', `Hand-over offered by cadre cadre-zhang to cadre cadre-liu of ${COMMUNITY}`],
      [
        'case.hand_over_expired',
        'Hand-over to cadre cadre-liu lapsed unanswered at 2026-11-29T01:30:00.000Z',
      ],
      ['case.handed_over', `Hand-over offered by cadre cadre-zhang to cadre cadre-liu of ${COMMUNITY}`],
      ['case.accepted', `Hand-over accepted by cadre cadre-liu of ${COMMUNITY}, now the owner`],
      ['case.supervised', 'Supervision instruction from supervisor-wu'],
      ['case.extension_granted', 'Resolution deadline extended by 1 business day'],
      ['case.sla_warning_raised', 'Response deadline near: due 2026-11-30T09:30:00.000Z'],
      ['case.sla_breached', 'Resolution deadline passed: was due 2026-11-30T09:30:00.000Z'],
      ['case.resolved', 'Resolved by cadre cadre-liu'],
      ['case.feedback_window_expired', 'Feedback window expired without feedback'],
      ['case.closed', 'Closed'],
      ['case.reopened', 'Reopened by supervisor supervisor-wu'],
      ['case.resolved', 'Resolved by cadre cadre-liu'],
      ['case.feedback_recorded', 'Feedback: basically satisfied, solved'],
      ['case.resident_info_supplemented', 'Resident supplemented information'],
      ['case.ruled_unreasonable', 'Ruled unreasonable: excluded from KPIs'],
      ['case.contact_revealed', "Resident's full phone number revealed to cadre cadre-zhang"],
      ['case.merged_into', 'Merged into case case-0000'],
      ['case.withdrawn', `Withdrawn by resident ${actors.resident.id}`],
    ]);
  });

  it('words every event for the resident by role, naming no staff member and no unit (issue 10)', () => {
    const staff = Object.values(actors).filter((a) => a.role !== 'resident' && a.role !== 'system');
    const named = (line: string): string[] =>
      [...staff.map((a) => a.id), COMMUNITY, REFERRED_UNIT, 'ref-1', 'case-0000'].filter((id) =>
        line.includes(id),
      );
    const lines = everyType.map((event) => [event.type, timelineSummary(event, 'resident')] as const);
    expect(lines.filter(([, line]) => named(line).length > 0)).toEqual([]);
    expect(Object.fromEntries(lines.slice(0, 5))).toMatchObject({
      'case.dispatched': 'Redispatched to a community cadre',
      'case.returned': 'Returned to dispatch by a community cadre',
      'case.accepted': 'Accepted by a community cadre',
    });
    // The staff's line is the projection's, with the ids.
    expect(timelineSummary(ev.dispatched(on), 'staff')).toContain('cadre cadre-zhang');
  });

  it('words a withdrawn or lapsed hand-over for the resident, and keeps its instants normalized', async () => {
    expect(timelineSummary(ev.handOverWithdrawn(on), 'resident')).toBe(
      'Hand-over withdrawn: the same community cadre keeps the case',
    );
    expect(timelineSummary(ev.handOverExpired(on), 'resident')).toBe(
      'Hand-over lapsed unanswered: the same community cadre keeps the case',
    );
    const [, offered, withdrawn, , expired] = await timelineOf(
      ev.submitted(on),
      ev.handedOver(on),
      ev.handOverWithdrawn(on),
      ev.handedOver(on),
      ev.handOverExpired(on),
    );
    expect(offered!.changes).toMatchObject({ expiresAt: '2026-11-29T01:30:00.000Z' });
    expect(withdrawn!.changes).toEqual({
      toCadreId: actors.cadreB.id,
      reason: '居民要求由原社区干部继续办理',
    });
    expect(expired!.changes).toEqual({ toCadreId: actors.cadreB.id, expiredAt: '2026-11-29T01:30:00.000Z' });
  });

  it('needs no rows to read: the history is only appended to', () => {
    for (const event of recordedOf(everyType)) {
      expect(caseTimelineProjection.reads(caseTimelineProjection.decode(event), event)).toEqual([]);
    }
  });
});
