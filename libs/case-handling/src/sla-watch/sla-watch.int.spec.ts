import { Pool } from 'pg';
import { caseStreamId, type CaseEvent } from '@tongban/cases';
import { ev } from '@tongban/cases/testing';
import {
  PostgresEventStore,
  comparePositions,
  type EventStore,
  eventStorePoolConfig,
  migrateEventStore,
} from '@tongban/event-store';
import {
  BusinessCalendar,
  STATE_COUNCIL_YEARS,
  SLA_POLICIES,
  dueActions,
  dueTimesOf,
  slaClocks,
} from '@tongban/sla';
import {
  countingSubscriptions,
  createTestDatabase,
  eventually,
  lastCommittedPosition,
  migratedDataSource,
  type TestDatabase,
} from '@tongban/testing';
import { CaseWriter } from '../case-command/case-writer';
import { fromStoredEvent, toStoredEvent } from '../case-event-mapping';
import { EscalateCaseCommand, EscalateCaseHandler } from '../escalate-case/escalate-case.command';
import {
  ExpireFeedbackWindowCommand,
  ExpireFeedbackWindowHandler,
} from '../expire-feedback-window/expire-feedback-window.command';
import {
  RaiseSlaWarningCommand,
  RaiseSlaWarningHandler,
} from '../raise-sla-warning/raise-sla-warning.command';
import {
  RecordSlaBreachCommand,
  RecordSlaBreachHandler,
} from '../record-sla-breach/record-sla-breach.command';
import { SetDueTimesCommand, SetDueTimesHandler } from '../set-due-times/set-due-times.command';
import {
  SlaWatchRetime1765238400000,
  SlaWatchRulesVersions1764979200000,
  SlaWatchSchedule1764806400000,
} from './sla-watch.migration';
import { SlaWatcher, type SlaCommandSender } from './sla-watcher';

/**
 * The SLA watcher on the real PostgreSQL (ADR 0028), time in the test's hands: cases appended as
 * their events, the clock moved past 50 %, 80 % and 100 % of a 2-hour emergency clock. Two
 * watchers at once raise each warning and breach exactly once; a watcher that died after its
 * append but before giving the case back, and a feed stopped half-way, lose nothing and repeat
 * nothing when another watcher takes over the same tables.
 */

const iso = (local: string): string => `${local.replace(' ', 'T')}:00+08:00`;
const at = (local: string): number => Date.parse(iso(local));
const calendar = BusinessCalendar.create({ years: STATE_COUNCIL_YEARS });
/** The calendar the watchers time by, and its version: a test changes both as an admin would. */
let current = { calendar, version: 1 };
const EMERGENCY_MATTER = 'IT-EMERGENCY';
const LEASE_MS = 60_000;
/** Escalation after a breach: a month, so that only the escalation test (its own grace) meets one. */
const GRACE_MS = 30 * 24 * 3_600_000;

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;
let now = at('2025-10-04 22:50');
const clock = { now: () => new Date(now) };
const running: SlaWatcher[] = [];

beforeAll(async () => {
  db = await createTestDatabase('sla_watch');
  await (
    await migratedDataSource(db.url, [
      SlaWatchSchedule1764806400000,
      SlaWatchRulesVersions1764979200000,
      SlaWatchRetime1765238400000,
    ])
  ).destroy();
  pool = new Pool(eventStorePoolConfig(db.url, { max: 12 }));
  await migrateEventStore(pool);
  store = new PostgresEventStore({ pool });
}, 60_000);

afterAll(async () => {
  for (const w of running) await w.stop();
  await store?.close();
  await pool?.end();
  await db?.drop();
});

/** The system's use cases, as the command bus would run them. */
function sender(): SlaCommandSender {
  const writer = new CaseWriter(store);
  return (command, correlationId) => {
    const context = { correlationId };
    switch (command.type) {
      case 'RaiseSlaWarning':
        return new RaiseSlaWarningHandler(writer).execute(new RaiseSlaWarningCommand(command, context));
      case 'RecordSlaBreach':
        return new RecordSlaBreachHandler(writer).execute(new RecordSlaBreachCommand(command, context));
      case 'ExpireFeedbackWindow':
        return new ExpireFeedbackWindowHandler(writer).execute(
          new ExpireFeedbackWindowCommand(command, context),
        );
      case 'SetDueTimes':
        return new SetDueTimesHandler(writer).execute(new SetDueTimesCommand(command, context));
      case 'EscalateCase':
        return new EscalateCaseHandler(writer).execute(new EscalateCaseCommand(command, context));
      default: {
        const _exhaustive: never = command;
        return _exhaustive;
      }
    }
  };
}

function watcher(
  id: string,
  send: SlaCommandSender = sender(),
  options: {
    feed?: boolean;
    scanner?: boolean;
    escalationGraceMs?: number;
    batchSize?: number;
    concurrency?: number;
    intervalMs?: number;
    clock?: { now: () => Date };
    store?: EventStore;
  } = {},
): SlaWatcher {
  const w = new SlaWatcher(
    {
      store: options.store ?? store,
      db: pool,
      clock: options.clock ?? clock,
      policies: (code) => (code === EMERGENCY_MATTER ? 'emergency-2h' : undefined),
      calendar: () => current.calendar,
      calendarVersion: () => current.version,
      send,
    },
    {
      intervalMs: options.intervalMs ?? 5,
      leaseMs: LEASE_MS,
      batchSize: options.batchSize ?? 3,
      ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
      watcherId: id,
      escalationGraceMs: options.escalationGraceMs ?? GRACE_MS,
    },
  );
  w.start(options);
  running.push(w);
  return w;
}

/** An emergency case filed at `start`, dispatched 20 minutes later and contacted 20 after that (unless `contact` is false). */
async function fileCase(
  caseId: string,
  start: string | number,
  options: { contact?: boolean; matter?: boolean } = {},
) {
  const t0 = typeof start === 'number' ? start : at(start);
  const time = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();
  const events: CaseEvent[] = [
    ev.submitted({
      caseId,
      at: time(0),
      ...(options.matter === false ? {} : { matterCode: EMERGENCY_MATTER }),
    }),
    ev.dispatched({ caseId, at: time(20) }),
    ev.accepted({ caseId, at: time(25) }),
    ...(options.contact === false ? [] : [ev.residentContacted({ caseId, at: time(40) })]),
  ];
  await store.append(
    caseStreamId(caseId),
    events.map((e) => toStoredEvent(e, { correlationId: `it-${caseId}` })),
    'no_stream',
  );
}

async function history(caseId: string): Promise<CaseEvent[]> {
  return (await store.readStream(caseStreamId(caseId))).map(fromStoredEvent);
}

/** The alerts recorded on a case, one string each: `warning:resolution:0.5`, `breach:response`. */
async function alerts(caseId: string): Promise<string[]> {
  return (await history(caseId)).flatMap((e) =>
    e.type === 'case.sla_warning_raised'
      ? [`warning:${e.clock}:${e.threshold}`]
      : e.type === 'case.sla_breached'
        ? [`breach:${e.clock}`]
        : [],
  );
}

/** The escalations recorded on a case: the clock, the unit escalated to and who issued it. */
async function escalations(caseId: string): Promise<{ clock: string; toOrgUnit: string; by: string }[]> {
  return (await history(caseId)).flatMap((e) =>
    e.type === 'case.supervised' && e.escalation
      ? [{ clock: e.escalation.clock, toOrgUnit: e.escalation.toOrgUnit, by: e.by.id }]
      : [],
  );
}

/**
 * The watcher's feed took in every case event committed so far, and its lag says so. Waiting for
 * `lag()` alone is not enough: it counts only what readers can see yet, and a transaction open
 * anywhere in the cluster (another test file's) keeps events committed after it out of sight.
 * Nor can lag be asked to be 0: a scanner still running (this watcher's) appends due times and
 * warnings after `last`, and lag rightly counts those. It may count them and nothing else: never
 * more than the case events committed after `last`, counted after it answered.
 */
async function fedEverything(w: SlaWatcher): Promise<void> {
  const last = await lastCommittedPosition(pool);
  await eventually(async () =>
    expect(comparePositions(await w.tables.checkpoint(), last)).toBeGreaterThanOrEqual(0),
  );
  const lag = await w.lag();
  const { rows } = await pool.query<{ type: string; stream_id: string; tx: string; seq: string }>(
    `SELECT type, stream_id, tx::text AS tx, seq::text AS seq FROM tongban_es.events
      WHERE (tx, seq) > ($1::xid8, $2::bigint) AND starts_with(stream_id, 'case-') ORDER BY tx, seq`,
    [last.tx.toString(), last.seq.toString()],
  );
  if (lag > rows.length) {
    const since = rows.map((r) => `${r.type}@${r.stream_id} ${r.tx}/${r.seq}`).join(', ');
    throw new Error(`lag ${lag}, yet ${rows.length} case events after ${last.tx}/${last.seq}: ${since}`);
  }
}

/** Both scanners went round `n` more times: long enough for a duplicate to have shown up. */
async function afterScans(watchers: readonly SlaWatcher[], n = 3): Promise<void> {
  const marks = watchers.map((w) => w.scans);
  await eventually(() => {
    if (watchers.some((w, i) => w.scans < marks[i]! + n)) throw new Error('still scanning');
  });
}

async function rows(): Promise<Record<string, { policy: string; due: string | null; clocks: number }>> {
  const { rows } = await pool.query<{
    case_id: string;
    policy_id: string;
    next_due_at: Date | null;
    open_clocks: number;
  }>('SELECT case_id, policy_id, next_due_at, open_clocks FROM sla_watch_schedule');
  return Object.fromEntries(
    rows.map((r) => [
      r.case_id,
      { policy: r.policy_id, due: r.next_due_at?.toISOString() ?? null, clocks: r.open_clocks },
    ]),
  );
}

const contacted = Array.from(
  { length: 9 },
  (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
);
const uncontacted = Array.from(
  { length: 3 },
  (_, i) => `00000000-0000-4000-8001-${String(i).padStart(12, '0')}`,
);
const general = '00000000-0000-4000-8002-000000000000';

describe('SLA watcher', () => {
  let a: SlaWatcher;
  let b: SlaWatcher;

  it('follows the log into one schedule row per case with an open clock, on the case policy', async () => {
    for (const id of contacted) await fileCase(id, '2025-10-04 22:00');
    for (const id of uncontacted) await fileCase(id, '2025-10-04 22:00', { contact: false });
    await fileCase(general, '2025-10-04 22:00', { matter: false });
    a = watcher('watcher-a');
    b = watcher('watcher-b');
    // Once the due times are recorded (at once: they are due as soon as the case is seen), the
    // row waits for the next warning. Dispatched 22:20 on a 2-hour calendar-time clock: 50 % at 23:20.
    const schedule = await eventually(async () => {
      const r = await rows();
      if (Object.keys(r).length !== 13) throw new Error(`${Object.keys(r).length} rows`);
      if (r[contacted[0]!]?.due !== new Date(at('2025-10-04 23:20')).toISOString())
        throw new Error('due times not recorded yet');
      return r;
    });
    expect(schedule[contacted[0]!]).toEqual({
      policy: 'emergency-2h',
      due: new Date(at('2025-10-04 23:20')).toISOString(),
      clocks: 1,
    });
    expect(schedule[uncontacted[0]!]).toMatchObject({ policy: 'emergency-2h', clocks: 2 });
    // No matter: the default policy (the `general` tier).
    expect(schedule[general]).toMatchObject({ policy: 'standard-7d' });
    await fedEverything(a);
  });

  it('records each case’s due times once, with two watchers: the due time the pure function computes', async () => {
    for (const id of [...contacted, ...uncontacted, general]) {
      const events = await eventually(async () => {
        const h = await history(id);
        if (!h.some((e) => e.type === 'case.due_times_set')) throw new Error('no due times yet');
        return h;
      });
      await afterScans([a, b]);
      const set = (await history(id)).filter((e) => e.type === 'case.due_times_set');
      expect(set).toHaveLength(1);
      const original = events.filter((e) => e.type !== 'case.due_times_set');
      const policy = SLA_POLICIES[id === general ? 'standard-7d' : 'emergency-2h']!;
      const expected = dueTimesOf(slaClocks(original, policy, calendar), 0, calendar);
      expect(set[0]).toMatchObject({
        policyId: policy.id,
        calendarVersion: 1,
        cause: 'case',
        by: { id: 'sla-watcher', role: 'system' },
      });
      expect(set[0]!.clocks.map(({ usedMs: _used, ...rest }) => rest)).toEqual(
        expected.map(({ usedMs: _used, ...rest }) => rest),
      );
    }
    // Dispatched 22:20 on 2 calendar hours: the resolution clock is due at 00:20.
    const [first] = (await history(contacted[0]!)).filter((e) => e.type === 'case.due_times_set');
    expect(
      first?.type === 'case.due_times_set' && first.clocks.find((c) => c.clock === 'resolution'),
    ).toMatchObject({
      dueAt: new Date(at('2025-10-05 00:20')).toISOString(),
      counting: 'calendar',
      budgetMs: 2 * 3_600_000,
      running: true,
    });
  });

  it('raises each warning once at 50 % and 80 % and each breach once at 100 %, with two watchers scanning', async () => {
    const emergency = [...contacted, ...uncontacted];
    const steps: Array<[string, string]> = [
      ['2025-10-04 23:20', 'warning:resolution:0.5'],
      ['2025-10-04 23:56', 'warning:resolution:0.8'],
      ['2025-10-05 00:20', 'breach:resolution'],
    ];
    for (const [instant, expected] of steps) {
      now = at(instant);
      await eventually(async () => {
        for (const id of contacted) expect(await alerts(id)).toContain(expected);
      });
      await afterScans([a, b]);
    }
    for (const id of contacted) {
      expect(await alerts(id)).toEqual([
        'warning:resolution:0.5',
        'warning:resolution:0.8',
        'breach:resolution',
      ]);
    }
    // Uncontacted cases also warn and breach on the response clock: whatever the pure function says
    // is due by now, exactly once each.
    for (const id of emergency) {
      const recorded = await alerts(id);
      const original = (await history(id)).filter(
        (e) => e.type !== 'case.sla_warning_raised' && e.type !== 'case.sla_breached',
      );
      const expected = dueActions(
        slaClocks(original, SLA_POLICIES['emergency-2h']!, calendar),
        original,
        now,
      ).map((x) => (x.kind === 'warning' ? `warning:${x.clock}:${x.threshold}` : `breach:${x.clock}`));
      expect([...recorded].sort()).toEqual([...expected].sort());
      expect(new Set(recorded).size).toBe(recorded.length);
    }
    // Nothing left to raise on the resolution clock: breached at 00:20, the rows wait for the
    // escalation once the grace period is over.
    const schedule = await rows();
    for (const id of contacted) {
      expect(schedule[id]).toMatchObject({ due: new Date(at('2025-10-05 00:20') + GRACE_MS).toISOString() });
    }
    expect(await alerts(general)).toEqual([]);
  });

  it('a watcher that died after its append, before giving the case back: the next takes over after the lease, nothing twice', async () => {
    await a.stop();
    await b.stop();
    const caseId = '00000000-0000-4000-8003-000000000000';
    now = at('2025-10-06 10:00');
    await fileCase(caseId, '2025-10-06 09:00');
    // A feed alone brings the case into the schedule (dispatched 09:20: 50 % at 10:20, 80 % at 10:56).
    const feeder = watcher('feeder', sender(), { scanner: false });
    await eventually(async () => expect((await rows())[caseId]).toBeDefined());
    await feeder.stop();

    // At 11:00 both warnings are due. The dying watcher: its first command is stored, then it is gone (no release, no more commands).
    now = at('2025-10-06 11:00');
    const real = sender();
    const dying = new SlaWatcher(
      {
        store,
        db: pool,
        clock,
        policies: () => 'emergency-2h',
        calendar: () => calendar,
        // It records the due times, then dies right after storing its first alert.
        send: async (command, correlationId) => {
          const result = await real(command, correlationId);
          if (command.type === 'SetDueTimes') return result;
          throw new Error('killed');
        },
      },
      { intervalMs: 5, leaseMs: LEASE_MS, batchSize: 10, watcherId: 'dying', escalationGraceMs: GRACE_MS },
    );
    await dying.scanOnce();
    expect(await alerts(caseId)).toEqual(['warning:resolution:0.5']);
    const held = await pool.query<{ leased_by: string }>(
      'SELECT leased_by FROM sla_watch_schedule WHERE case_id = $1',
      [caseId],
    );
    expect(held.rows[0]!.leased_by).toBe('dying');

    // Another watcher leaves the case alone while the lease lasts …
    const next = watcher('next', sender(), { feed: false, scanner: false });
    now = at('2025-10-06 11:00') + LEASE_MS / 2;
    await next.scanOnce();
    await next.scanOnce();
    expect(await alerts(caseId)).toEqual(['warning:resolution:0.5']);
    // … and takes it over once the lease ran out: the 80 % warning (10:56) and the breach (11:20).
    now = at('2025-10-06 11:30');
    await next.scanOnce();
    expect(await alerts(caseId)).toEqual([
      'warning:resolution:0.5',
      'warning:resolution:0.8',
      'breach:resolution',
    ]);
    await next.scanOnce();
    expect(await alerts(caseId)).toHaveLength(3);
  });

  it('a feed stopped half-way: a new watcher carries on from the checkpoint, no case left out', async () => {
    now = at('2025-10-07 09:00');
    const ids = Array.from(
      { length: 30 },
      (_, i) => `00000000-0000-4000-8004-${String(i).padStart(12, '0')}`,
    );
    for (const id of ids) await fileCase(id, '2025-10-07 08:30');
    const first = watcher('first', sender(), { scanner: false });
    await eventually(async () => {
      const n =
        ids.filter((id) => id in {}).length +
        Object.keys(await rows()).filter((id) => ids.includes(id)).length;
      if (n === 0) throw new Error('nothing yet');
    });
    await first.stop();
    const checkpoint = await first.tables.checkpoint();
    expect(checkpoint.tx).toBeGreaterThan(0n);

    const second = watcher('second');
    await eventually(async () => {
      const r = await rows();
      for (const id of ids) expect(r[id]).toMatchObject({ policy: 'emergency-2h' });
    });
    await fedEverything(second);
    // Due at 09:50 (50 % of 09:00 → 11:00); the clock moved there, each case warned once.
    now = at('2025-10-07 09:50');
    await eventually(async () => {
      for (const id of ids) expect(await alerts(id)).toEqual(['warning:resolution:0.5']);
    });
    await afterScans([second]);
    for (const id of ids) expect(await alerts(id)).toEqual(['warning:resolution:0.5']);
  });

  it('expires the feedback window once at its due time, and the case leaves the schedule', async () => {
    const caseId = '00000000-0000-4000-8006-000000000000';
    now = at('2025-10-09 10:00');
    await fileCase(caseId, '2025-10-09 09:00');
    await store.append(
      caseStreamId(caseId),
      [toStoredEvent(ev.resolved({ caseId, at: iso('2025-10-09 09:50') }), { correlationId: 'it-resolve' })],
      4,
    );
    const fw = watcher('feedback');
    // Three business days after Thursday 9 October 2025 — Friday, the make-up Saturday 11th (调休)
    // and Monday: the close of Monday the 13th.
    // Due at once until its due times are recorded; then at the window's end.
    await eventually(async () =>
      expect((await rows())[caseId]?.due).toBe(new Date(at('2025-10-13 17:30')).toISOString()),
    );
    now = at('2025-10-13 17:29');
    await afterScans([fw]);
    expect((await history(caseId)).map((e) => e.type)).not.toContain('case.feedback_window_expired');
    now = at('2025-10-13 17:31');
    await eventually(async () => expect((await rows())[caseId]).toBeUndefined());
    await afterScans([fw]);
    const expired = (await history(caseId)).filter((e) => e.type === 'case.feedback_window_expired');
    expect(expired).toHaveLength(1);
  });

  it('escalates a breach still unmet after its grace period to the street, once per breach, with two watchers', async () => {
    for (const w of running) await w.stop();
    const caseId = '00000000-0000-4000-8007-000000000000';
    const grace = 30 * 60_000;
    now = at('2025-10-14 09:30');
    await fileCase(caseId, '2025-10-14 09:00', { contact: false });
    const e1 = watcher('escalate-1', sender(), { escalationGraceMs: grace });
    const e2 = watcher('escalate-2', sender(), { escalationGraceMs: grace });
    /** The breaches recorded whose grace period is over by `instant`: what must be escalated. */
    const owed = async (instant: number): Promise<string[]> =>
      (await history(caseId)).flatMap((e) =>
        e.type === 'case.sla_breached' && Date.parse(e.dueAt) + grace <= instant ? [e.clock] : [],
      );
    // The resolution clock (2 calendar hours from 09:20) breaches at 11:20: not escalated at 11:45 …
    now = at('2025-10-14 11:45');
    await eventually(async () => expect(await alerts(caseId)).toContain('breach:resolution'));
    await afterScans([e1, e2]);
    expect((await escalations(caseId)).map((e) => e.clock).sort()).toEqual((await owed(now)).sort());
    expect((await escalations(caseId)).map((e) => e.clock)).not.toContain('resolution');
    // … and escalated once its grace is over, once, whichever watcher got there.
    now = at('2025-10-14 12:00');
    await eventually(async () =>
      expect((await escalations(caseId)).map((e) => e.clock)).toContain('resolution'),
    );
    await afterScans([e1, e2]);
    const escalated = await escalations(caseId);
    expect(escalated.map((e) => e.clock).sort()).toEqual((await owed(now)).sort());
    expect(new Set(escalated.map((e) => e.clock)).size).toBe(escalated.length);
    for (const e of escalated) expect(e).toMatchObject({ toOrgUnit: 'pc.gucheng', by: 'sla-watcher' });
  });

  it('a calendar change re-times the open cases: exactly the due times that move are recorded again', async () => {
    for (const w of running) await w.stop();
    now = at('2025-12-29 11:00');
    // 7 business days from Monday 29 December 2025: over New Year (1–3 January 2026 off, Sunday
    // the 4th a make-up workday) on the State Council's calendar; a 2-hour clock counts every hour.
    const onBusinessDays = '00000000-0000-4000-8008-000000000000';
    const onCalendarTime = '00000000-0000-4000-8008-000000000001';
    await fileCase(onBusinessDays, '2025-12-29 10:00', { matter: false });
    await fileCase(onCalendarTime, '2025-12-29 10:00');
    const w1 = watcher('calendar-1');
    const w2 = watcher('calendar-2');
    const dueTimes = async (id: string) =>
      (await history(id)).flatMap((e) => (e.type === 'case.due_times_set' ? [e] : []));
    await eventually(async () => {
      expect(await dueTimes(onBusinessDays)).toHaveLength(1);
      expect(await dueTimes(onCalendarTime)).toHaveLength(1);
    });

    // An admin loads another calendar (here: none of the notices, Monday to Friday): version 2.
    const weekdaysOnly = BusinessCalendar.create({ years: [] });
    current = { calendar: weekdaysOnly, version: 2 };
    await eventually(async () => expect(await dueTimes(onBusinessDays)).toHaveLength(2));
    await afterScans([w1, w2]);
    const [before, after] = await dueTimes(onBusinessDays);
    expect(after).toMatchObject({ cause: 'calendar', calendarVersion: 2, policyId: 'standard-7d' });
    const resolution = (e: typeof before) => e?.clocks.find((c) => c.clock === 'resolution')?.dueAt;
    expect(resolution(before)).toBe(new Date(at('2026-01-08 17:30')).toISOString());
    expect(resolution(after)).toBe(new Date(at('2026-01-07 17:30')).toISOString());
    const original = (await history(onBusinessDays)).filter((e) => e.type !== 'case.due_times_set');
    expect(after!.clocks.map((c) => c.dueAt)).toEqual(
      dueTimesOf(slaClocks(original, SLA_POLICIES['standard-7d']!, weekdaysOnly), 0, weekdaysOnly).map(
        (c) => c.dueAt,
      ),
    );
    // A clock in calendar time does not move: nothing recorded.
    expect(await dueTimes(onCalendarTime)).toHaveLength(1);

    // A watcher started after the change (the same tables) re-times nothing again.
    const w3 = watcher('calendar-3');
    await afterScans([w1, w2, w3]);
    expect(await dueTimes(onBusinessDays)).toHaveLength(2);
    expect(await dueTimes(onCalendarTime)).toHaveLength(1);
    current = { calendar, version: 2 };
  });

  it('works a batch of cases at once, with two watchers: each warning and breach once, none left out', async () => {
    for (const w of running) await w.stop();
    now = at('2026-01-12 09:00');
    const ids = Array.from(
      { length: 24 },
      (_, i) => `00000000-0000-4000-8009-${String(i).padStart(12, '0')}`,
    );
    for (const id of ids) await fileCase(id, '2026-01-12 08:00');
    const c1 = watcher('concurrent-1', sender(), { batchSize: 10, concurrency: 4 });
    const c2 = watcher('concurrent-2', sender(), { batchSize: 10, concurrency: 4 });
    // Dispatched 08:20 on 2 calendar hours: at 10:30 both warnings and the breach are due on each.
    await eventually(async () => {
      const r = await rows();
      for (const id of ids) expect(r[id]?.due).toBe(new Date(at('2026-01-12 09:20')).toISOString());
    });
    now = at('2026-01-12 10:30');
    await eventually(async () => {
      for (const id of ids) expect(await alerts(id)).toContain('breach:resolution');
    });
    await afterScans([c1, c2]);
    for (const id of ids) {
      expect(await alerts(id)).toEqual([
        'warning:resolution:0.5',
        'warning:resolution:0.8',
        'breach:resolution',
      ]);
      expect((await history(id)).filter((e) => e.type === 'case.due_times_set')).toHaveLength(1);
    }
    const { rows: held } = await pool.query(
      'SELECT case_id FROM sla_watch_schedule WHERE leased_by IS NOT NULL OR retime_at IS NOT NULL',
    );
    expect(held).toEqual([]);
  });

  it('a re-timing backlog never holds back a case whose own due instant has come', async () => {
    for (const w of running) await w.stop();
    now = at('2026-01-13 09:57');
    const due = '00000000-0000-4000-8010-000000000000';
    const backlog = Array.from(
      { length: 12 },
      (_, i) => `00000000-0000-4000-8010-${String(i + 1).padStart(12, '0')}`,
    );
    // Dispatched 08:20: 50 % at 09:20, 80 % at 09:56, breached at 10:20. The backlog's first
    // warnings come at 11:10.
    await fileCase(due, '2026-01-13 08:00');
    for (const id of backlog) await fileCase(id, '2026-01-13 09:50');
    const prep = watcher('retime-prep', sender(), { scanner: false });
    await fedEverything(prep);
    await prep.stop();
    const manual = watcher('retime-manual', sender(), { feed: false, scanner: false, batchSize: 3 });
    while ((await manual.scanOnce()) > 0);
    expect(await alerts(due)).toEqual(['warning:resolution:0.5', 'warning:resolution:0.8']);

    // At 10:00 a calendar change (version 3): every open case is to be timed again; one scan
    // works five claims of three of them …
    current = { calendar, version: 3 };
    now = at('2026-01-13 10:00');
    expect(await manual.scanOnce()).toBe(15);
    const waiting = await pool.query('SELECT 1 FROM sla_watch_schedule WHERE retime_at IS NOT NULL');
    expect(waiting.rowCount).toBeGreaterThan(15);
    // … and at 10:21, more than a scan's worth of the backlog left, the next scan takes the case
    // whose breach is due (10:20) before any of it.
    now = at('2026-01-13 10:21');
    expect(await manual.scanOnce()).toBe(15);
    expect(await alerts(due)).toEqual([
      'warning:resolution:0.5',
      'warning:resolution:0.8',
      'breach:resolution',
    ]);
    // The backlog is worked off after it, each case once; nothing left marked.
    while ((await manual.scanOnce()) > 0);
    const left = await pool.query('SELECT 1 FROM sla_watch_schedule WHERE retime_at IS NOT NULL');
    expect(left.rowCount).toBe(0);
    expect(await alerts(due)).toHaveLength(3);
    for (const id of backlog) expect(await alerts(id)).toEqual([]);
  });

  it('an event someone else appends while a scan holds the case still reaches its schedule row', async () => {
    for (const w of running) await w.stop();
    now = at('2026-01-13 12:00');
    const caseId = '00000000-0000-4000-8012-000000000000';
    // Not contacted: response and resolution count (2 clocks); the response clock's warnings are due.
    await fileCase(caseId, '2026-01-13 11:00', { contact: false });
    const real = sender();
    let contacted = false;
    const w = watcher(
      'held',
      async (command, correlationId) => {
        const result = await real(command, correlationId);
        // Right after the watcher's own append, before it gives the case back: a cadre contacts
        // the resident (the response clock ends).
        if (command.caseId === caseId && command.type === 'RaiseSlaWarning' && !contacted) {
          contacted = true;
          await store.append(
            caseStreamId(caseId),
            [
              toStoredEvent(ev.residentContacted({ caseId, at: iso('2026-01-13 11:59') }), {
                correlationId: 'it-contact',
              }),
            ],
            result.version,
          );
        }
        return result;
      },
      { batchSize: 5 },
    );
    await eventually(async () => {
      expect(contacted).toBe(true);
      expect((await rows())[caseId]).toMatchObject({ clocks: 1 });
    });
    await afterScans([w]);
    expect((await rows())[caseId]).toMatchObject({ clocks: 1 });
    await w.stop();
  });

  it('scans at a due instant, not an interval later, and wakes for a case the feed records', async () => {
    for (const w of running) await w.stop();
    // Time runs here, from 2026-01-14 10:00; the scan interval is a minute.
    const base = Date.now();
    const start = at('2026-01-14 10:00');
    const running_clock = { now: () => new Date(start + Date.now() - base) };
    now = start;
    const caseId = '00000000-0000-4000-8011-000000000000';
    let breachedAt: number | undefined;
    const real = sender();
    const timed = watcher(
      'timed',
      async (command, correlationId) => {
        const result = await real(command, correlationId);
        if (command.type === 'RecordSlaBreach' && command.caseId === caseId) breachedAt ??= Date.now();
        return result;
      },
      { intervalMs: 60_000, clock: running_clock },
    );
    await fedEverything(timed);
    // Its resolution clock (2 calendar hours from the dispatch, 20 minutes after filing) runs out
    // 4 s from now: filed now, the feed wakes the scanner to record its due times (and the
    // warnings already due), then the scanner sleeps till the breach — not a minute.
    const dueAt = running_clock.now().getTime() + 4_000;
    await fileCase(caseId, dueAt - 2 * 3_600_000 - 20 * 60_000);
    await eventually(async () => expect(await alerts(caseId)).toContain('warning:resolution:0.8'));
    expect(breachedAt).toBeUndefined();
    await eventually(() => expect(breachedAt).toBeDefined(), { timeoutMs: 10_000 });
    const late = breachedAt! - (base + (dueAt - start));
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1_000);
    expect(await alerts(caseId)).toEqual([
      'warning:resolution:0.5',
      'warning:resolution:0.8',
      'breach:resolution',
    ]);
    await timed.stop();
    now = running_clock.now().getTime();
  });

  it('a watcher stopped while its feed opens leaves no subscription behind', async () => {
    for (const w of running) await w.stop();
    // The store as the watcher sees it, counting the subscriptions open on it.
    const counted = countingSubscriptions(store);
    // Stopped at once, while the feed reads its checkpoint …
    const brief = watcher('brief', sender(), { scanner: false, store: counted.store });
    await brief.stop();
    // (Its checkpoint read has come back by the time this one has.)
    await brief.tables.checkpoint();
    expect(counted.open()).toBe(0);
    // … and stopped once its feed is open: the subscription ends with it.
    const longer = watcher('longer', sender(), { scanner: false, store: counted.store });
    await eventually(() => expect(counted.open()).toBe(1));
    await longer.stop();
    await eventually(() => expect(counted.open()).toBe(0));
  });

  it('readiness turns red, naming why, when the feed meets a case event it cannot read', async () => {
    for (const w of running) await w.stop();
    const reader = watcher('reader', sender(), { scanner: false });
    await fedEverything(reader);
    await expect(reader.check()).resolves.toBeUndefined();
    await store.append(
      caseStreamId('00000000-0000-4000-8005-000000000000'),
      [{ id: '00000000-0000-4000-8005-00000000000a', type: 'case.from_the_future', data: {} }],
      'no_stream',
    );
    await eventually(() =>
      expect(reader.check()).rejects.toThrow(/SLA feed failing: .*case\.from_the_future/),
    );
  });
});
