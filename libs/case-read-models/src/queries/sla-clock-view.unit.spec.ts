import { BusinessCalendar, STATE_COUNCIL_YEARS } from '@tongban/sla';
import { slaClockView, type SlaClockViewRow } from './read-views';

const HOUR = 3_600_000;
const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });
/** Monday 2026-11-30, 10:00 in Beijing. */
const MONDAY_10 = Date.parse('2026-11-30T10:00:00+08:00');
const at = (now: number) => ({ now, calendar });

/** A resolution clock counted up to Friday 2026-11-27 16:30 (1 hour used), due the Friday after. */
const counting: SlaClockViewRow = {
  case_id: 'a0000000-0000-4000-8000-000000000001',
  clock: 'resolution',
  round: 1,
  status: 'running',
  due_at: '2026-12-04T09:30:00.000Z',
  budget_ms: 37 * HOUR,
  counting: 'business',
  used_ms: HOUR,
  used_at: '2026-11-27T08:30:00.000Z',
  stopped_at: null,
  paused_since: null,
  paused_ms: 0,
  extension_days: 0,
  warned_at: null,
  breached_at: null,
  escalated_at: null,
};

describe('a clock as the case views show it', () => {
  describe('running', () => {
    it('counts business time since the due times were set: Friday’s last hour and Monday’s first', () => {
      expect(slaClockView(counting, at(MONDAY_10))).toMatchObject({
        status: 'running',
        businessMsUsed: 3 * HOUR,
        remainingMs: 34 * HOUR,
        dueAt: '2026-12-04T09:30:00.000Z',
      });
      // Over the weekend nothing is counted.
      expect(slaClockView(counting, at(Date.parse('2026-11-29T12:00:00+08:00'))).businessMsUsed).toBe(
        2 * HOUR,
      );
    });

    it('counts every millisecond on a clock that counts calendar time', () => {
      const view = slaClockView({ ...counting, counting: 'calendar' }, at(MONDAY_10));
      expect(view.businessMsUsed).toBe(HOUR + 65.5 * HOUR);
    });

    it('is breached past its due time, or once a breach is recorded in the round', () => {
      const due = Date.parse(counting.due_at!);
      expect(slaClockView(counting, at(due - 1)).status).toBe('running');
      expect(slaClockView(counting, at(due))).toMatchObject({ status: 'breached', remainingMs: 0 });
      // Monday 09:30 after: half an hour of business time over.
      expect(slaClockView(counting, at(due + 64 * HOUR)).remainingMs).toBe(-HOUR / 2);
      expect(
        slaClockView({ ...counting, breached_at: '2026-11-29T00:00:00.000Z' }, at(MONDAY_10)).status,
      ).toBe('breached');
    });
  });

  it('paused: counts nothing, has no due time, and the pause grows', () => {
    const paused: SlaClockViewRow = {
      ...counting,
      status: 'paused',
      due_at: null,
      paused_since: '2026-11-27T08:00:00.000Z',
      paused_ms: HOUR,
    };
    expect(slaClockView(paused, at(MONDAY_10))).toMatchObject({
      status: 'paused',
      dueAt: null,
      businessMsUsed: HOUR,
      pausedSince: '2026-11-27T08:00:00.000Z',
      pausedMs: HOUR + 66 * HOUR,
    });
  });

  describe('ended', () => {
    it('is frozen at its stop: counted up to the stop, not to now', () => {
      const met: SlaClockViewRow = { ...counting, status: 'met', stopped_at: '2026-11-30T01:30:00.000Z' };
      expect(slaClockView(met, at(MONDAY_10))).toMatchObject({ status: 'met', businessMsUsed: 2.5 * HOUR });
      expect(slaClockView(met, at(MONDAY_10 + 48 * HOUR)).businessMsUsed).toBe(2.5 * HOUR);
    });

    it('keeps the time used the due times counted when they were set after the stop', () => {
      const stopped: SlaClockViewRow = {
        ...counting,
        status: 'stopped',
        stopped_at: '2026-11-27T08:00:00.000Z',
        used_ms: 7 * HOUR,
      };
      expect(slaClockView(stopped, at(MONDAY_10))).toMatchObject({
        status: 'stopped',
        businessMsUsed: 7 * HOUR,
      });
    });
  });
});
