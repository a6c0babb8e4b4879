import { foldLifecycle, type CaseEvent } from '@tongban/cases';
import { actors, ev } from '@tongban/cases/testing';
import { applied, recordedOf } from './projection-test-kit';
import {
  RESIDENT_CASE_TABLE,
  residentCasesProjection,
  type ResidentCaseRow,
} from './resident-cases.projection';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const on = { caseId: CASE };

async function residentCaseAfter(...events: CaseEvent[]): Promise<ResidentCaseRow | undefined> {
  const store = await applied(residentCasesProjection, recordedOf(events));
  return store.row(RESIDENT_CASE_TABLE, { case_id: CASE }) as ResidentCaseRow | undefined;
}

const submitted = ev.submitted({ ...on, at: '2026-11-27T09:30:00+08:00', matterCode: 'property.elevator' });
const handled = [submitted, ev.dispatched(on), ev.accepted(on), ev.residentContacted(on)];
const resolved = ev.resolved({ ...on, at: '2026-11-28T10:00:00+08:00' });

describe('resident_cases', () => {
  it('lists a case under the resident who filed it', async () => {
    expect(await residentCaseAfter(submitted)).toEqual({
      case_id: CASE,
      submitter_id: actors.resident.id,
      case_number: 'PC-20261127-000001',
      title: '电梯停运三天',
      channel: 'app',
      status: 'submitted',
      matter_code: 'property.elevator',
      submitted_at: '2026-11-27T01:30:00.000Z',
      last_event_at: '2026-11-27T01:30:00.000Z',
      resolved_at: null,
      closed_at: null,
      awaiting_feedback: false,
      satisfaction: null,
      version: 1,
      // The domain's lifecycle, kept with the row for the next event (ADR 0018).
      lifecycle: foldLifecycle([submitted]),
    });
  });

  it('has no row for cases filed by a hotline agent or anyone but the resident', async () => {
    expect(
      await residentCaseAfter(
        ev.submitted({ ...on, by: actors.hotlineAgent, channel: 'hotline' }),
        ev.dispatched(on),
      ),
    ).toBeUndefined();
    expect(
      await residentCaseAfter(ev.submitted({ ...on, by: actors.cadreA, channel: 'grid_patrol' })),
    ).toBeUndefined();
  });

  it('waits for feedback once resolved, until the resident rates it', async () => {
    expect(await residentCaseAfter(...handled, resolved)).toMatchObject({
      status: 'resolved',
      resolved_at: '2026-11-28T02:00:00.000Z',
      awaiting_feedback: true,
      version: 5,
    });
    expect(
      await residentCaseAfter(
        ...handled,
        resolved,
        ev.feedbackRecorded({ ...on, satisfaction: 'basically_satisfied' }),
      ),
    ).toMatchObject({ status: 'resolved', awaiting_feedback: false, satisfaction: 'basically_satisfied' });
  });

  it('stops waiting when the feedback window expires, and shows the closure', async () => {
    const closed = ev.closed({ ...on, at: '2026-12-02T10:00:00+08:00' });
    expect(await residentCaseAfter(...handled, resolved, ev.feedbackWindowExpired(on), closed)).toMatchObject(
      {
        status: 'closed',
        awaiting_feedback: false,
        satisfaction: null,
        closed_at: '2026-12-02T02:00:00.000Z',
        last_event_at: '2026-12-02T02:00:00.000Z',
      },
    );
  });

  it('starts a new round on reopen: the last resolution and rating are cleared', async () => {
    const rated = ev.feedbackRecorded({ ...on, satisfaction: 'unsatisfied', solved: false });
    const reopened = ev.reopened({ ...on, at: '2026-11-29T09:00:00+08:00' });
    expect(await residentCaseAfter(...handled, resolved, rated, reopened)).toMatchObject({
      status: 'in_handling',
      resolved_at: null,
      satisfaction: null,
      awaiting_feedback: false,
    });
    expect(
      await residentCaseAfter(
        ...handled,
        resolved,
        rated,
        reopened,
        ev.resolved({ ...on, at: '2026-11-30T09:00:00+08:00' }),
      ),
    ).toMatchObject({ status: 'resolved', resolved_at: '2026-11-30T01:00:00.000Z', awaiting_feedback: true });
  });

  it('shows a withdrawal and a merge', async () => {
    expect(await residentCaseAfter(submitted, ev.withdrawn(on))).toMatchObject({ status: 'withdrawn' });
    expect(await residentCaseAfter(...handled, resolved, ev.mergedInto(on))).toMatchObject({
      status: 'merged',
      awaiting_feedback: false,
    });
  });
});
