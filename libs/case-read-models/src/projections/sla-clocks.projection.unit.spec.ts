import type { CaseEvent } from '@tongban/cases';
import { ev } from '@tongban/cases/testing';
import { applied, recordedOf } from './projection-test-kit';
import { SLA_CLOCK_TABLE, slaClocksProjection, type SlaClockRow } from './sla-clocks.projection';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const on = { caseId: CASE };

async function clocksAfter(
  ...events: CaseEvent[]
): Promise<{ response: SlaClockRow; resolution: SlaClockRow }> {
  const store = await applied(slaClocksProjection, recordedOf(events));
  const clock = (name: string): SlaClockRow => {
    const row = store.row(SLA_CLOCK_TABLE, { case_id: CASE, clock: name });
    if (!row) throw new Error(`no ${name} clock`);
    return row as SlaClockRow;
  };
  return { response: clock('response'), resolution: clock('resolution') };
}

const submitted = ev.submitted({ ...on, at: '2026-11-27T09:00:00+08:00' });
const handling = [submitted, ev.dispatched(on), ev.accepted(on)];
const HOUR = 3_600_000;

describe('sla_clocks', () => {
  it('starts both clocks at submission', async () => {
    const { response, resolution } = await clocksAfter(submitted);
    const started: SlaClockRow = {
      case_id: CASE,
      clock: 'response',
      status: 'running',
      started_at: '2026-11-27T01:00:00.000Z',
      stopped_at: null,
      paused_since: null,
      pause_count: 0,
      paused_ms: 0,
      business_ms_used: null,
      due_at: null,
      extension_days: 0,
      warned_at: null,
      breached_at: null,
    };
    expect(response).toEqual(started);
    expect(resolution).toEqual({ ...started, clock: 'resolution' });
  });

  it('stops the response clock at the first contact only', async () => {
    const first = ev.residentContacted({ ...on, at: '2026-11-27T11:00:00+08:00' });
    const second = ev.residentContacted({ ...on, at: '2026-11-28T11:00:00+08:00', firstContact: false });
    const { response, resolution } = await clocksAfter(...handling, first, second);
    expect(response).toMatchObject({ status: 'stopped', stopped_at: '2026-11-27T03:00:00.000Z' });
    expect(resolution).toMatchObject({ status: 'running', stopped_at: null });
  });

  it('pauses the running clocks while suspended and adds up the pause', async () => {
    const suspendedAt = '2026-11-27T10:00:00+08:00';
    const suspended = ev.suspended({ ...on, at: suspendedAt });
    expect((await clocksAfter(...handling, suspended)).resolution).toMatchObject({
      status: 'paused',
      paused_since: '2026-11-27T02:00:00.000Z',
      pause_count: 1,
    });

    const resumed = ev.resumed({ ...on, at: '2026-11-27T13:00:00+08:00', suspendedAt });
    const again = ev.suspended({ ...on, at: '2026-11-28T09:00:00+08:00' });
    const resumedAgain = ev.resumed({
      ...on,
      at: '2026-11-28T09:30:00+08:00',
      suspendedAt: '2026-11-28T09:00:00+08:00',
    });
    const { response, resolution } = await clocksAfter(...handling, suspended, resumed, again, resumedAgain);
    for (const clock of [response, resolution]) {
      expect(clock).toMatchObject({
        status: 'running',
        paused_since: null,
        pause_count: 2,
        paused_ms: 3.5 * HOUR,
      });
    }
  });

  it('stops a paused response clock at a contact during the suspension, keeping the pause so far', async () => {
    const suspended = ev.suspended({ ...on, at: '2026-11-27T10:00:00+08:00' });
    const contacted = ev.residentContacted({ ...on, at: '2026-11-27T12:00:00+08:00' });
    const resumed = ev.resumed({
      ...on,
      at: '2026-11-27T15:00:00+08:00',
      suspendedAt: '2026-11-27T10:00:00+08:00',
    });
    const { response, resolution } = await clocksAfter(...handling, suspended, contacted, resumed);
    expect(response).toMatchObject({
      status: 'stopped',
      stopped_at: '2026-11-27T04:00:00.000Z',
      paused_since: null,
      paused_ms: 2 * HOUR,
    });
    expect(resolution).toMatchObject({ status: 'running', paused_ms: 5 * HOUR, pause_count: 1 });
  });

  it('stops the resolution clock at resolution and runs it again, afresh, after a reopen', async () => {
    const breach = ev.slaBreached({ ...on, clock: 'resolution', at: '2026-11-30T17:31:00+08:00' });
    const resolved = ev.resolved({ ...on, at: '2026-12-01T10:00:00+08:00' });
    const stopped = await clocksAfter(...handling, ev.residentContacted(on), breach, resolved);
    expect(stopped.resolution).toMatchObject({
      status: 'stopped',
      stopped_at: '2026-12-01T02:00:00.000Z',
      due_at: '2026-11-30T09:30:00.000Z',
      breached_at: '2026-11-30T09:31:00.000Z',
    });

    const reopened = ev.reopened({ ...on, at: '2026-12-02T10:00:00+08:00' });
    expect(
      (await clocksAfter(...handling, ev.residentContacted(on), breach, resolved, reopened)).resolution,
    ).toMatchObject({
      status: 'running',
      started_at: '2026-11-27T01:00:00.000Z',
      stopped_at: null,
      due_at: null,
      breached_at: null,
    });
  });

  it('stops every clock when the case is closed, withdrawn or merged', async () => {
    const withdrawn = ev.withdrawn({ ...on, at: '2026-11-27T12:00:00+08:00' });
    for (const clock of Object.values(await clocksAfter(...handling, withdrawn))) {
      expect(clock).toMatchObject({ status: 'stopped', stopped_at: '2026-11-27T04:00:00.000Z' });
    }
    const merged = ev.mergedInto({ ...on, at: '2026-11-27T12:00:00+08:00' });
    for (const clock of Object.values(await clocksAfter(submitted, merged))) {
      expect(clock).toMatchObject({ status: 'stopped', stopped_at: '2026-11-27T04:00:00.000Z' });
    }
    // Resolved without ever contacting the resident: the response clock runs until closure.
    const closed = ev.closed({ ...on, at: '2026-12-03T09:00:00+08:00' });
    const { response } = await clocksAfter(...handling, ev.resolved(on), ev.feedbackRecorded(on), closed);
    expect(response).toMatchObject({ status: 'stopped', stopped_at: '2026-12-03T01:00:00.000Z' });
  });

  it('closes the pause of a clock stopped while suspended', async () => {
    const suspended = ev.suspended({ ...on, at: '2026-11-27T10:00:00+08:00' });
    const withdrawn = ev.withdrawn({ ...on, at: '2026-11-27T11:00:00+08:00' });
    const { resolution } = await clocksAfter(...handling, suspended, withdrawn);
    expect(resolution).toMatchObject({ status: 'stopped', paused_since: null, paused_ms: HOUR });
  });

  it('records warnings, breaches and extensions on their own clock', async () => {
    const { response, resolution } = await clocksAfter(
      ...handling,
      ev.slaWarningRaised({ ...on, at: '2026-11-27T15:00:00+08:00', dueAt: '2026-11-27T17:30:00+08:00' }),
      ev.slaBreached({ ...on, at: '2026-11-27T17:31:00+08:00', dueAt: '2026-11-27T17:30:00+08:00' }),
      ev.extensionGranted({ ...on, extraBusinessDays: 3 }),
      ev.extensionGranted({ ...on, extraBusinessDays: 2 }),
    );
    expect(response).toMatchObject({
      due_at: '2026-11-27T09:30:00.000Z',
      warned_at: '2026-11-27T07:00:00.000Z',
      breached_at: '2026-11-27T09:31:00.000Z',
      extension_days: 0,
    });
    expect(resolution).toMatchObject({ due_at: null, warned_at: null, extension_days: 5 });
  });

  it('reads only the clocks an event can change', () => {
    const [contact, warning] = recordedOf([
      ev.residentContacted(on),
      ev.slaWarningRaised({ ...on, clock: 'resolution' }),
    ]);
    expect(slaClocksProjection.reads(slaClocksProjection.decode(contact!), contact!)).toEqual([
      { table: SLA_CLOCK_TABLE, key: { case_id: CASE, clock: 'response' } },
    ]);
    expect(slaClocksProjection.reads(slaClocksProjection.decode(warning!), warning!)).toEqual([
      { table: SLA_CLOCK_TABLE, key: { case_id: CASE, clock: 'resolution' } },
    ]);
  });
});
