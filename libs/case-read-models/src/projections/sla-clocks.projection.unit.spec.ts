import type { CaseEvent, DueTime, TimedClock } from '@tongban/cases';
import { ev } from '@tongban/cases/testing';
import { applied, recordedOf, withReadsChecked } from './projection-test-kit';
import {
  SLA_CLOCK_CASE_TABLE,
  SLA_CLOCK_TABLE,
  slaClocksProjection,
  type SlaClockRow,
} from './sla-clocks.projection';

const CASE = 'a0000000-0000-4000-8000-000000000001';
const on = { caseId: CASE };
const HOUR = 3_600_000;
const BUSINESS_DAY = 7 * HOUR;

/** A clock in a `case.due_times_set`: running on business time, nothing used, unless told. */
function due(clock: TimedClock, o: Partial<DueTime> = {}): DueTime {
  return {
    clock,
    round: 1,
    dueAt: '2026-12-04T17:30:00+08:00',
    budgetMs: 5 * BUSINESS_DAY,
    usedMs: 0,
    counting: 'business',
    running: true,
    ...o,
  };
}

const dueTimes = (at: string, ...clocks: DueTime[]) => ev.dueTimesSet({ ...on, at, clocks });

async function clocksAfter(...events: CaseEvent[]): Promise<Partial<Record<TimedClock, SlaClockRow>>> {
  const { projection, mismatches } = withReadsChecked(slaClocksProjection);
  const store = await applied(projection, recordedOf(events));
  expect(mismatches).toEqual([]);
  return Object.fromEntries(
    store.rows(SLA_CLOCK_TABLE).map((row) => [row['clock'], row as SlaClockRow]),
  ) as Partial<Record<TimedClock, SlaClockRow>>;
}

const submitted = ev.submitted({ ...on, at: '2026-11-27T09:00:00+08:00' });
const dispatched = ev.dispatched({ ...on, at: '2026-11-27T09:30:00+08:00' });
const accepted = ev.accepted({ ...on, at: '2026-11-27T09:40:00+08:00' });
/** The watcher's due times right after the dispatch: dispatch met, response and resolution counting. */
const afterDispatch = dueTimes(
  '2026-11-27T09:30:01+08:00',
  due('dispatch', {
    dueAt: '2026-11-27T13:00:00+08:00',
    budgetMs: 2 * HOUR,
    usedMs: HOUR / 2,
    running: false,
  }),
  due('response', { dueAt: '2026-11-27T17:30:00+08:00', budgetMs: 7 * HOUR, counting: 'calendar' }),
  due('resolution'),
);
const handling = [submitted, dispatched, afterDispatch, accepted];

describe('sla_clocks', () => {
  describe('before the due times name a clock', () => {
    it('has no rows: a submission or an end alone names no clock', async () => {
      expect(await clocksAfter(submitted)).toEqual({});
      expect(await clocksAfter(submitted, dispatched)).toEqual({});
    });
  });

  describe('due times', () => {
    it('make one row per clock they name, with its round, due time, budget, counting and time used', async () => {
      const { dispatch, response, resolution, feedbackWindow } = await clocksAfter(...handling);
      expect(feedbackWindow).toBeUndefined();
      expect(resolution).toEqual({
        case_id: CASE,
        clock: 'resolution',
        round: 1,
        status: 'running',
        due_at: '2026-12-04T09:30:00.000Z',
        budget_ms: 5 * BUSINESS_DAY,
        counting: 'business',
        used_ms: 0,
        used_at: '2026-11-27T01:30:01.000Z',
        stopped_at: null,
        paused_since: null,
        paused_ms: 0,
        extension_days: 0,
        warned_at: null,
        breached_at: null,
        escalated_at: null,
      } satisfies SlaClockRow);
      expect(response).toMatchObject({ status: 'running', counting: 'calendar', budget_ms: 7 * HOUR });
      // Met by the dispatch recorded before the due times first named it: when the dispatch was.
      expect(dispatch).toMatchObject({
        status: 'met',
        stopped_at: '2026-11-27T01:30:00.000Z',
        due_at: '2026-11-27T05:00:00.000Z',
        used_ms: HOUR / 2,
      });
    });

    it('pause a clock with no due time from the suspension on, and the resume ends the pause', async () => {
      const suspended = ev.suspended({ ...on, at: '2026-11-27T10:00:00+08:00' });
      const paused = dueTimes(
        '2026-11-27T10:00:02+08:00',
        due('dispatch', { running: false, dueAt: '2026-11-27T13:00:00+08:00' }),
        due('response', { dueAt: '2026-11-27T17:30:00+08:00', counting: 'calendar', usedMs: HOUR / 2 }),
        due('resolution', { dueAt: null, usedMs: HOUR / 2, running: false }),
      );
      const whilePaused = await clocksAfter(...handling, suspended, paused);
      expect(whilePaused.resolution).toMatchObject({
        status: 'paused',
        due_at: null,
        paused_since: '2026-11-27T02:00:00.000Z',
        used_ms: HOUR / 2,
      });
      expect(whilePaused.response).toMatchObject({ status: 'running', due_at: '2026-11-27T09:30:00.000Z' });

      const resumed = ev.resumed({
        ...on,
        at: '2026-11-27T13:00:00+08:00',
        suspendedAt: '2026-11-27T10:00:00+08:00',
      });
      const afterResume = await clocksAfter(...handling, suspended, paused, resumed);
      // Counting again from the resume (nothing counted while paused); the due time comes with
      // the next due times.
      expect(afterResume.resolution).toMatchObject({
        status: 'running',
        paused_since: null,
        paused_ms: 3 * HOUR,
        used_ms: HOUR / 2,
        used_at: '2026-11-27T05:00:00.000Z',
        due_at: null,
      });
      const moved = dueTimes(
        '2026-11-27T13:00:01+08:00',
        due('resolution', { dueAt: '2026-12-04T20:30:00+08:00', usedMs: HOUR / 2 }),
      );
      expect((await clocksAfter(...handling, suspended, paused, resumed, moved)).resolution).toMatchObject({
        status: 'running',
        due_at: '2026-12-04T12:30:00.000Z',
        paused_ms: 3 * HOUR,
      });
    });

    it('of an earlier round than the clock is in change nothing', async () => {
      const resolved = ev.resolved({ ...on, at: '2026-11-28T10:00:00+08:00' });
      const reopened = ev.reopened({ ...on, at: '2026-11-29T10:00:00+08:00' });
      const round2 = dueTimes('2026-11-29T10:00:01+08:00', due('resolution', { round: 2 }));
      const stale = dueTimes('2026-11-29T11:00:00+08:00', due('resolution', { round: 1, dueAt: null }));
      const { resolution } = await clocksAfter(...handling, resolved, reopened, round2, stale);
      expect(resolution).toMatchObject({ round: 2, status: 'running', due_at: '2026-12-04T09:30:00.000Z' });
    });
  });

  describe('the case’s own events', () => {
    it('meet the response clock at the first contact only', async () => {
      const first = ev.residentContacted({ ...on, at: '2026-11-27T11:00:00+08:00' });
      const second = ev.residentContacted({ ...on, at: '2026-11-28T11:00:00+08:00', firstContact: false });
      const { response, resolution } = await clocksAfter(...handling, first, second);
      expect(response).toMatchObject({ status: 'met', stopped_at: '2026-11-27T03:00:00.000Z' });
      expect(resolution).toMatchObject({ status: 'running', stopped_at: null });
    });

    it('meet the resolution clock at resolution; a reopen starts its next round afresh', async () => {
      const warned = ev.slaWarningRaised({ ...on, clock: 'resolution', at: '2026-12-01T10:00:00+08:00' });
      const breached = ev.slaBreached({ ...on, clock: 'resolution', at: '2026-12-04T17:31:00+08:00' });
      const escalated = ev.escalated({
        ...on,
        at: '2026-12-05T09:00:00+08:00',
        escalation: { clock: 'resolution', dueAt: '2026-12-04T17:30:00+08:00', toOrgUnit: 'pc.gucheng' },
      });
      const resolved = ev.resolved({ ...on, at: '2026-12-07T10:00:00+08:00' });
      const window = dueTimes(
        '2026-12-07T10:00:01+08:00',
        due('resolution', { running: false, usedMs: 5 * BUSINESS_DAY + HOUR }),
        due('feedbackWindow', { dueAt: '2026-12-14T10:00:00+08:00', counting: 'calendar' }),
      );
      const round1 = await clocksAfter(...handling, warned, breached, escalated, resolved, window);
      expect(round1.resolution).toMatchObject({
        round: 1,
        status: 'met',
        stopped_at: '2026-12-07T02:00:00.000Z',
        warned_at: '2026-12-01T02:00:00.000Z',
        breached_at: '2026-12-04T09:31:00.000Z',
        escalated_at: '2026-12-05T01:00:00.000Z',
        used_ms: 5 * BUSINESS_DAY + HOUR,
      });
      expect(round1.feedbackWindow).toMatchObject({ round: 1, status: 'running', counting: 'calendar' });

      const reopened = ev.reopened({ ...on, at: '2026-12-08T10:00:00+08:00' });
      const round2 = dueTimes(
        '2026-12-08T10:00:01+08:00',
        due('resolution', { round: 2, dueAt: '2026-12-15T10:00:00+08:00' }),
      );
      const again = await clocksAfter(
        ...handling,
        warned,
        breached,
        escalated,
        resolved,
        window,
        reopened,
        round2,
      );
      expect(again.resolution).toMatchObject({
        round: 2,
        status: 'running',
        stopped_at: null,
        due_at: '2026-12-15T02:00:00.000Z',
        warned_at: null,
        breached_at: null,
        escalated_at: null,
      });
      // The last round's window no longer counts.
      expect(again.feedbackWindow).toMatchObject({
        round: 1,
        status: 'stopped',
        stopped_at: '2026-12-08T02:00:00.000Z',
      });
    });

    it('meet the feedback window at the rating, stop it at its expiry', async () => {
      const resolved = ev.resolved({ ...on, at: '2026-12-01T10:00:00+08:00' });
      const window = dueTimes('2026-12-01T10:00:01+08:00', due('feedbackWindow', { counting: 'calendar' }));
      const rated = await clocksAfter(
        ...handling,
        resolved,
        window,
        ev.feedbackRecorded({ ...on, at: '2026-12-02T10:00:00+08:00' }),
      );
      expect(rated.feedbackWindow).toMatchObject({ status: 'met', stopped_at: '2026-12-02T02:00:00.000Z' });
      const expired = await clocksAfter(
        ...handling,
        resolved,
        window,
        ev.feedbackWindowExpired({ ...on, at: '2026-12-04T17:30:00+08:00' }),
      );
      expect(expired.feedbackWindow).toMatchObject({
        status: 'stopped',
        stopped_at: '2026-12-04T09:30:00.000Z',
      });
    });

    it('stop every clock still counting or paused when the case is closed, withdrawn or merged', async () => {
      for (const end of [
        ev.withdrawn({ ...on, at: '2026-11-27T12:00:00+08:00' }),
        ev.mergedInto({ ...on, at: '2026-11-27T12:00:00+08:00' }),
      ]) {
        const clocks = await clocksAfter(...handling, end);
        expect(clocks.dispatch).toMatchObject({ status: 'met' });
        expect(clocks.response).toMatchObject({ status: 'stopped', stopped_at: '2026-11-27T04:00:00.000Z' });
        expect(clocks.resolution).toMatchObject({
          status: 'stopped',
          stopped_at: '2026-11-27T04:00:00.000Z',
        });
      }
    });

    it('end a pause when a paused clock stops: nothing counted after it paused', async () => {
      const suspended = ev.suspended({ ...on, at: '2026-11-27T10:00:00+08:00' });
      const paused = dueTimes(
        '2026-11-27T10:00:02+08:00',
        due('resolution', { dueAt: null, running: false, usedMs: 100 }),
      );
      const withdrawn = ev.withdrawn({ ...on, at: '2026-11-27T11:00:00+08:00' });
      const { resolution } = await clocksAfter(...handling, suspended, paused, withdrawn);
      expect(resolution).toMatchObject({
        status: 'stopped',
        paused_since: null,
        paused_ms: HOUR,
        used_ms: 100,
        used_at: '2026-11-27T03:00:00.000Z',
      });
    });

    it('a clock the due times first name after the case was withdrawn stopped at the withdrawal', async () => {
      const withdrawn = ev.withdrawn({ ...on, at: '2026-11-27T12:00:00+08:00' });
      const late = dueTimes('2026-11-27T12:00:01+08:00', due('resolution', { running: false }));
      const { resolution } = await clocksAfter(submitted, dispatched, withdrawn, late);
      expect(resolution).toMatchObject({ status: 'stopped', stopped_at: '2026-11-27T04:00:00.000Z' });
    });

    it('record warnings, breaches and extensions on their own clock', async () => {
      const { response, resolution } = await clocksAfter(
        ...handling,
        ev.slaWarningRaised({ ...on, at: '2026-11-27T15:00:00+08:00', dueAt: '2026-11-27T17:30:00+08:00' }),
        ev.slaBreached({ ...on, at: '2026-11-27T17:31:00+08:00', dueAt: '2026-11-27T17:30:00+08:00' }),
        ev.extensionGranted({ ...on, extraBusinessDays: 3 }),
        ev.extensionGranted({ ...on, extraBusinessDays: 2 }),
        ev.supervised(on),
      );
      expect(response).toMatchObject({
        warned_at: '2026-11-27T07:00:00.000Z',
        breached_at: '2026-11-27T09:31:00.000Z',
        escalated_at: null,
        extension_days: 0,
      });
      expect(resolution).toMatchObject({ warned_at: null, breached_at: null, extension_days: 5 });
    });
  });

  it('reads only the case’s memory', () => {
    const [, contact] = recordedOf([submitted, ev.residentContacted(on)]);
    expect(slaClocksProjection.reads(slaClocksProjection.decode(contact!), contact!)).toEqual([
      { table: SLA_CLOCK_CASE_TABLE, key: { case_id: CASE } },
    ]);
  });

  it('gives the same rows whatever the batches', async () => {
    const events = recordedOf([
      ...handling,
      ev.suspended({ ...on, at: '2026-11-27T10:00:00+08:00' }),
      dueTimes('2026-11-27T10:00:02+08:00', due('resolution', { dueAt: null, running: false })),
      ev.resumed({ ...on, at: '2026-11-27T13:00:00+08:00', suspendedAt: '2026-11-27T10:00:00+08:00' }),
      ev.residentContacted({ ...on, at: '2026-11-27T14:00:00+08:00' }),
      ev.resolved({ ...on, at: '2026-11-28T10:00:00+08:00' }),
    ]);
    const whole = await applied(slaClocksProjection, events);
    const oneByOne = await applied(slaClocksProjection, events, 1);
    expect(oneByOne.rows(SLA_CLOCK_TABLE)).toEqual(whole.rows(SLA_CLOCK_TABLE));
    expect(oneByOne.rows(SLA_CLOCK_CASE_TABLE)).toEqual(whole.rows(SLA_CLOCK_CASE_TABLE));
  });
});
