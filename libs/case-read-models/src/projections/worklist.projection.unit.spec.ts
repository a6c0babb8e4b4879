import type { CaseEvent, DueTime, TimedClock } from '@tongban/cases';
import { actors, COMMUNITY, ev, OTHER_COMMUNITY } from '@tongban/cases/testing';
import { applied, recordedOf } from './projection-test-kit';
import { WORKLIST_TABLE, worklistProjection, type WorklistRow } from './worklist.projection';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const on = { caseId: CASE };

/** The case's worklist as (cadre, reason, since) — what a cadre's list shows. */
async function worklistAfter(...events: CaseEvent[]): Promise<Array<[string, string, string]>> {
  const store = await applied(worklistProjection, recordedOf(events));
  return (store.rows(WORKLIST_TABLE) as WorklistRow[]).map((row) => [row.cadre_id, row.reason, row.since]);
}

async function rowsAfter(...events: CaseEvent[]): Promise<WorklistRow[]> {
  const store = await applied(worklistProjection, recordedOf(events));
  return store.rows(WORKLIST_TABLE) as WorklistRow[];
}

const submitted = ev.submitted({ ...on, at: '2026-11-27T09:00:00+08:00', matterCode: 'property.elevator' });
const dispatched = ev.dispatched({ ...on, at: '2026-11-27T10:00:00+08:00' });
const accepted = ev.accepted({ ...on, at: '2026-11-27T11:00:00+08:00' });
const contacted = ev.residentContacted({ ...on, at: '2026-11-27T12:00:00+08:00' });
const resolved = ev.resolved({ ...on, at: '2026-11-28T10:00:00+08:00' });
const rated = ev.feedbackRecorded({ ...on, at: '2026-11-28T12:00:00+08:00' });

describe('worklist', () => {
  it('has nothing for anyone before dispatch', async () => {
    expect(await worklistAfter(submitted)).toEqual([]);
  });

  it('puts a dispatched case on the designated cadre’s list, with what the list shows', async () => {
    expect(await rowsAfter(submitted, dispatched)).toEqual([
      {
        case_id: CASE,
        cadre_id: actors.cadreA.id,
        org_unit: COMMUNITY,
        reason: 'designated',
        case_number: 'PC-20261127-000001',
        title: '电梯停运三天',
        status: 'dispatched',
        matter_code: 'property.elevator',
        suspended: false,
        next_due_at: null,
        overdue: false,
        submitted_at: '2026-11-27T01:00:00.000Z',
        since: '2026-11-27T02:00:00.000Z',
        version: 2,
      },
    ]);
  });

  it('moves the row on a reassignment and removes it on a return', async () => {
    const reassigned = ev.dispatched({
      ...on,
      at: '2026-11-27T10:30:00+08:00',
      ownerId: actors.cadreC.id,
      ownerOrgUnit: OTHER_COMMUNITY,
      redispatch: true,
    });
    expect(await worklistAfter(submitted, dispatched, reassigned)).toEqual([
      [actors.cadreC.id, 'designated', '2026-11-27T02:30:00.000Z'],
    ]);
    expect(
      await worklistAfter(submitted, dispatched, reassigned, ev.returned({ ...on, by: actors.cadreC })),
    ).toEqual([]);
  });

  it('keeps the case on the owner’s list while in handling and resolved, not after closure', async () => {
    const ownerSince = '2026-11-27T03:00:00.000Z';
    expect(await worklistAfter(submitted, dispatched, accepted)).toEqual([
      [actors.cadreA.id, 'owner', ownerSince],
    ]);
    expect(await worklistAfter(submitted, dispatched, accepted, contacted, resolved)).toEqual([
      [actors.cadreA.id, 'owner', ownerSince],
    ]);
    expect(
      await worklistAfter(submitted, dispatched, accepted, contacted, resolved, rated, ev.closed(on)),
    ).toEqual([]);
  });

  it('brings a reopened case back to its owner, since the reopen', async () => {
    const reopened = ev.reopened({ ...on, at: '2026-11-29T09:00:00+08:00' });
    expect(
      await worklistAfter(
        submitted,
        dispatched,
        accepted,
        contacted,
        resolved,
        rated,
        ev.closed(on),
        reopened,
      ),
    ).toEqual([[actors.cadreA.id, 'owner', '2026-11-29T01:00:00.000Z']]);
  });

  it('offers a hand-over on the named cadre’s list until it is answered', async () => {
    const offered = ev.handedOver({ ...on, at: '2026-11-27T13:00:00+08:00' });
    const ownerSince = '2026-11-27T03:00:00.000Z';
    expect(await worklistAfter(submitted, dispatched, accepted, offered)).toEqual([
      [actors.cadreB.id, 'handover_offered', '2026-11-27T05:00:00.000Z'],
      [actors.cadreA.id, 'owner', ownerSince],
    ]);
    const refused = ev.returned({ ...on, by: actors.cadreB, handOverRefused: true });
    expect(await worklistAfter(submitted, dispatched, accepted, offered, refused)).toEqual([
      [actors.cadreA.id, 'owner', ownerSince],
    ]);
    const taken = ev.accepted({
      ...on,
      at: '2026-11-27T14:00:00+08:00',
      by: actors.cadreB,
      ownerId: actors.cadreB.id,
      viaHandOver: true,
    });
    expect(await worklistAfter(submitted, dispatched, accepted, offered, taken)).toEqual([
      [actors.cadreB.id, 'owner', '2026-11-27T06:00:00.000Z'],
    ]);
  });

  it('takes a withdrawn or lapsed hand-over off the named cadre’s list', async () => {
    const offered = ev.handedOver({ ...on, at: '2026-11-27T13:00:00+08:00' });
    for (const ended of [ev.handOverWithdrawn(on), ev.handOverExpired(on)]) {
      expect(await worklistAfter(submitted, dispatched, accepted, offered, ended)).toEqual([
        [actors.cadreA.id, 'owner', '2026-11-27T03:00:00.000Z'],
      ]);
    }
  });

  it('shows suspension, the next deadline and overdue on every row of the case', async () => {
    const offered = ev.handedOver(on);
    const breach = ev.slaBreached({ ...on, clock: 'response', dueAt: '2026-11-27T17:30:00+08:00' });
    const rows = await rowsAfter(submitted, dispatched, accepted, ev.suspended(on), offered, breach);
    expect(rows.map((r) => [r.cadre_id, r.status, r.suspended, r.next_due_at, r.overdue, r.version])).toEqual(
      [
        [actors.cadreB.id, 'in_handling', true, '2026-11-27T09:30:00.000Z', true, 6],
        [actors.cadreA.id, 'in_handling', true, '2026-11-27T09:30:00.000Z', true, 6],
      ],
    );
  });

  describe('the next due time, from the SLA watcher’s due times', () => {
    const due = (clock: TimedClock, dueAt: string | null, o: Partial<DueTime> = {}): DueTime => ({
      clock,
      round: 1,
      dueAt,
      budgetMs: 7 * 3_600_000,
      usedMs: 0,
      counting: 'business',
      running: dueAt !== null,
      ...o,
    });
    const set = (...clocks: DueTime[]) => ev.dueTimesSet({ ...on, clocks });
    const timed = set(
      due('dispatch', '2026-11-27T11:00:00+08:00', { running: false }),
      due('response', '2026-11-27T14:00:00+08:00'),
      due('resolution', '2026-12-04T17:30:00+08:00'),
    );
    const nextDue = async (...events: CaseEvent[]) =>
      (await rowsAfter(submitted, dispatched, timed, ...events)).map((r) => r.next_due_at);

    it('is the nearest of the response and resolution clocks still counting', async () => {
      expect(await nextDue()).toEqual(['2026-11-27T06:00:00.000Z']);
      // The contact stops the response clock before the watcher says so.
      expect(await nextDue(accepted, contacted)).toEqual(['2026-12-04T09:30:00.000Z']);
    });

    it('has none while the resolution clock is paused and the response clock has stopped', async () => {
      const paused = set(
        due('response', '2026-11-27T14:00:00+08:00', { running: false }),
        due('resolution', null),
      );
      expect(await nextDue(accepted, contacted, ev.suspended(on), paused)).toEqual([null]);
    });

    it('follows the resolution clock into its next round after a reopen', async () => {
      const events = [accepted, contacted, resolved, ev.reopened({ ...on, at: '2026-11-29T10:00:00+08:00' })];
      // The last round's due times no longer count; the next round's do once the watcher sets them.
      expect(await nextDue(...events)).toEqual([null]);
      const round2 = set(due('resolution', '2026-12-08T17:30:00+08:00', { round: 2 }));
      expect(await nextDue(...events, round2)).toEqual(['2026-12-08T09:30:00.000Z']);
    });
  });

  it('clears every row when the case is withdrawn or merged', async () => {
    expect(await worklistAfter(submitted, dispatched, ev.withdrawn(on))).toEqual([]);
    expect(
      await worklistAfter(submitted, dispatched, accepted, ev.handedOver(on), ev.mergedInto(on)),
    ).toEqual([]);
  });
});
