import {
  designatedOf,
  evolveLifecycle,
  isSuspended,
  ownerOf,
  startLifecycle,
  type CaseEvent,
  type CaseLifecycle,
} from '@tongban/cases';
import type { BusinessCalendar } from '../calendar/business-calendar';
import type { EpochMs } from '../calendar/local-date';
import { SLA_TARGETS, type SlaPolicy, type SlaTarget } from '../policies/sla-policies';
import { countedTime, dueAt as limitDueAt, type TimeLimit } from '../policies/time-limit';

/**
 * - `not_started`: the event that starts it has not happened (dispatch, resolution);
 * - `running` / `paused`: counting, or suspended (the resolution clock only);
 * - `met`: stopped by the event it waits for, on time; `breached_met`: the same, late;
 * - `breached_running`: still counting past its due time;
 * - `stopped`: ended by something else (closed, withdrawn, merged, the feedback window's expiry
 *   or a ruling), whether it was breached or not (`breachAt` says).
 */
export type ClockStatus =
  'not_started' | 'running' | 'paused' | 'met' | 'breached_running' | 'breached_met' | 'stopped';

/** Who had the case while a clock ran: the queue it waited in, the designated cadre, the owner. */
export interface ClockHolder {
  readonly kind: 'unassigned' | 'queue' | 'designated' | 'owner';
  /** The cadre (designated, owner); null otherwise. */
  readonly cadreId: string | null;
  /** The cadre's org unit, or the queue (a community, a street, the district); null when unassigned. */
  readonly orgUnit: string | null;
}

/** One stretch of a clock under one holder: the time it counted then is held against them. */
export interface OwnerInterval {
  readonly holder: ClockHolder;
  readonly from: EpochMs;
  /** Null while it lasts. */
  readonly to: EpochMs | null;
  /** Counted time in the stretch (pauses excluded), up to `to` or the clocks' `asOf`. */
  readonly usedMs: number;
}

/** A threshold crossed (or, for a running clock, when it will be if the clock runs on). */
export interface ClockCrossing {
  readonly threshold: number;
  readonly at: EpochMs;
  /** The due time as it stood when crossed: what a warning announces. */
  readonly dueAt: EpochMs;
}

export interface CaseClock {
  readonly clock: SlaTarget;
  readonly limit: TimeLimit;
  /** 1, and for `resolution` and `feedbackWindow` one more per reopen (a fresh clock each round). */
  readonly round: number;
  /** As of the clocks' `asOf` (see `clockStatusAt` for another instant). */
  readonly status: ClockStatus;
  readonly startedAt: EpochMs | null;
  /** When it met its event or stopped; null otherwise. */
  readonly endedAt: EpochMs | null;
  /**
   * When it runs out, after pauses and extensions; null before it starts and while paused (then
   * `remainingMs` says what is left). Kept when the clock ends.
   */
  readonly dueAt: EpochMs | null;
  /** Counted time the limit allows, extensions included. */
  readonly budgetMs: number;
  /** Counted time left at `asOf` (negative when overdue). */
  readonly remainingMs: number;
  readonly extensionDays: number;
  /** Wall-clock time spent suspended (completed pauses and the current one up to `asOf`). */
  readonly pausedMs: number;
  readonly pausedSince: EpochMs | null;
  /**
   * Counted time used up to `asOf` (business milliseconds, or calendar milliseconds for a limit in
   * calendar time): what `business_ms_used` holds. `usedAt(clock, now, calendar)` for later.
   */
  readonly businessMsUsed: number;
  /** Running since (the start or the last resume); null unless counting. */
  readonly runningSince: EpochMs | null;
  /**
   * Each warning threshold crossed, in threshold order; for a counting clock also those still to
   * come, at the instant they will be crossed if it runs on (after `asOf`: the next event may
   * move them).
   */
  readonly warnings: readonly ClockCrossing[];
  /** When it breached (or, counting, will breach); null when it ended or paused before. */
  readonly breachAt: EpochMs | null;
  readonly intervals: readonly OwnerInterval[];
}

export interface CaseClocks {
  readonly policyId: string;
  /** The warning thresholds, ascending. */
  readonly thresholds: readonly number[];
  /** The instant of the last event (null without a submission): what the clocks are as of. */
  readonly asOf: EpochMs | null;
  readonly clocks: Readonly<Record<SlaTarget, CaseClock>>;
}

export interface SlaClockOptions {
  /** Shares of the time limit at which a warning is due, each in (0, 1). Default 0.5 and 0.8. */
  readonly warnAt?: readonly number[];
}

export const DEFAULT_WARNING_THRESHOLDS: readonly number[] = Object.freeze([0.5, 0.8]);

/**
 * The case's SLA clocks, computed from its events alone: ONE pure function for the watcher (which
 * raises warnings and breaches from it, `dueActions`) and the read model (which shows it).
 *
 * - `dispatch`: from submission to the first dispatch to a cadre (a queue is not a dispatch);
 * - `response`: from the first dispatch to the first contact with the resident;
 * - `resolution`: from the first dispatch to resolution. A suspension pauses it; a return (退单)
 *   does not restart it (the case's clock runs on, and each holder's stretch is in `intervals`);
 *   a reopen starts a fresh one (the next round);
 * - `feedbackWindow`: from resolution to feedback (met), or the window's expiry or a ruling
 *   (stopped); each resolution round has its own.
 * Closing, withdrawing or merging stops every clock still counting. An extension moves the named
 * clock's due time by its business days (of business time, also on a calendar-time clock).
 * Events out of time order count at the latest instant seen so far.
 */
export function slaClocks(
  history: readonly CaseEvent[],
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  options: SlaClockOptions = {},
): CaseClocks {
  const thresholds = checkThresholds(options.warnAt ?? DEFAULT_WARNING_THRESHOLDS);
  const clocks = Object.fromEntries(
    SLA_TARGETS.map((name) => [name, newClock(name, policy.targets[name], 1)]),
  ) as Record<SlaTarget, MutableClock>;
  const run = { calendar, thresholds };
  let lifecycle: CaseLifecycle | null = null;
  let queue: string | null = null;
  let holder: ClockHolder = UNASSIGNED;
  let asOf: EpochMs | null = null;

  for (const event of history) {
    if (lifecycle === null && event.type !== 'case.submitted') continue;
    const t: EpochMs = asOf === null ? Date.parse(event.at) : Math.max(asOf, Date.parse(event.at));
    asOf = t;
    for (const c of Object.values(clocks)) advance(c, t, run);

    if (lifecycle === null) {
      if (event.type !== 'case.submitted') continue;
      lifecycle = startLifecycle(event);
      start(clocks.dispatch, t, holder, run);
      continue;
    }
    const before: CaseLifecycle = lifecycle;
    const after = evolveLifecycle(before, event);
    lifecycle = after;

    // Who has the case: the lifecycle's designated cadre or owner, else the queue it waits in.
    if (event.type === 'case.routed') queue = event.queue;
    if (event.type === 'case.dispatched' || (after.status === 'returned' && before.status !== 'returned'))
      queue = null;
    const next = holderOf(after, queue);
    if (!sameHolder(next, holder)) {
      holder = next;
      for (const c of Object.values(clocks)) handTo(c, holder, t);
    }

    switch (event.type) {
      case 'case.dispatched':
        if (after !== before && clocks.dispatch.phase === 'running') {
          end(clocks.dispatch, t, 'met');
          start(clocks.response, t, holder, run);
          start(clocks.resolution, t, holder, run);
        }
        break;
      case 'case.resident_contacted':
        end(clocks.response, t, 'met');
        break;
      case 'case.suspended':
        if (!isSuspended(before) && isSuspended(after)) pause(clocks.resolution, t);
        break;
      case 'case.resumed':
        if (isSuspended(before) && !isSuspended(after)) resume(clocks.resolution, t, run);
        break;
      case 'case.extension_granted':
        if (before.status !== 'resolved') extend(clocks[event.clock], event.extraBusinessDays, run);
        break;
      case 'case.resolved':
        if (after.status === 'resolved' && before.status !== 'resolved') {
          end(clocks.resolution, t, 'met');
          clocks.feedbackWindow = newClock(
            'feedbackWindow',
            policy.targets.feedbackWindow,
            after.reopenCount + 1,
          );
          start(clocks.feedbackWindow, t, holder, run);
        }
        break;
      case 'case.feedback_recorded':
        if (after !== before) end(clocks.feedbackWindow, t, 'met');
        break;
      case 'case.feedback_window_expired':
        if (after !== before) end(clocks.feedbackWindow, t, 'stopped');
        break;
      // A case ruled unreasonable while its rating is awaited: the window no longer counts.
      case 'case.ruled_unreasonable':
        if (after !== before && before.status === 'resolved') end(clocks.feedbackWindow, t, 'stopped');
        break;
      case 'case.reopened': {
        if (after.status === 'in_handling' && before.status !== 'in_handling') {
          // A new round: fresh resolution and feedback clocks; the last round's are history.
          const round = after.reopenCount + 1;
          clocks.feedbackWindow = newClock('feedbackWindow', policy.targets.feedbackWindow, round);
          clocks.resolution = newClock('resolution', policy.targets.resolution, round);
          start(clocks.resolution, t, holder, run);
        }
        break;
      }
      case 'case.closed':
      case 'case.withdrawn':
      case 'case.merged_into':
        if (after.status !== before.status) for (const c of Object.values(clocks)) end(c, t, 'stopped');
        break;
      // Nothing in them starts, stops, pauses or moves a clock (the holder was handled above).
      case 'case.submitted':
      case 'case.routed':
      case 'case.accepted':
      case 'case.returned':
      case 'case.handling_step_recorded':
      case 'case.step_referred':
      case 'case.referral_completed':
      case 'case.handed_over':
      case 'case.hand_over_withdrawn':
      case 'case.hand_over_expired':
      case 'case.supervised':
      case 'case.sla_warning_raised':
      case 'case.sla_breached':
      case 'case.due_times_set':
      case 'case.resident_info_supplemented':
      case 'case.contact_revealed':
        break;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }
  }

  const result = Object.fromEntries(
    SLA_TARGETS.map((name) => [name, freeze(clocks[name], asOf, run)]),
  ) as Record<SlaTarget, CaseClock>;
  return { policyId: policy.id, thresholds, asOf, clocks: result };
}

/** Counted time a clock has used by `now` (at or after its `asOf`: it goes on counting while it runs). */
export function usedAt(clock: CaseClock, now: EpochMs, calendar: BusinessCalendar): number {
  if (clock.runningSince === null || now <= clock.runningSince) return clock.businessMsUsed;
  const asOf = clock.runningSince;
  return clock.businessMsUsed + countedTime(clock.limit, asOf, now, calendar);
}

/** The clock's status at `now` (at or after its `asOf`): a counting clock breaches at `breachAt`. */
export function clockStatusAt(clock: CaseClock, now: EpochMs): ClockStatus {
  if (clock.status !== 'running' && clock.status !== 'breached_running') return clock.status;
  return clock.breachAt !== null && clock.breachAt <= now ? 'breached_running' : 'running';
}

/** Ended: met (on time or late) or stopped. Warnings and breaches are no longer raised for it. */
export function clockEnded(clock: CaseClock): boolean {
  return clock.status === 'met' || clock.status === 'breached_met' || clock.status === 'stopped';
}

// ---- the fold's working state ------------------------------------------------------------------

const UNASSIGNED: ClockHolder = { kind: 'unassigned', cadreId: null, orgUnit: null };

interface Run {
  readonly calendar: BusinessCalendar;
  readonly thresholds: readonly number[];
}

interface MutableInterval {
  holder: ClockHolder;
  from: EpochMs;
  to: EpochMs | null;
  usedMs: number;
}

interface MutableClock {
  readonly clock: SlaTarget;
  readonly limit: TimeLimit;
  readonly round: number;
  phase: 'not_started' | 'running' | 'paused' | 'met' | 'stopped';
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
  budgetMs: number;
  extensionDays: number;
  /** Extensions granted before the clock started: applied when it starts. */
  pendingDays: number;
  /** Counted time used up to `since` (running) or in all (otherwise). */
  used: number;
  since: EpochMs | null;
  dueAt: EpochMs | null;
  pausedSince: EpochMs | null;
  pausedMs: number;
  warnings: ClockCrossing[];
  breachAt: EpochMs | null;
  intervals: MutableInterval[];
}

function newClock(clock: SlaTarget, limit: TimeLimit, round: number): MutableClock {
  return {
    clock,
    limit,
    round,
    phase: 'not_started',
    startedAt: null,
    endedAt: null,
    budgetMs: 0,
    extensionDays: 0,
    pendingDays: 0,
    used: 0,
    since: null,
    dueAt: null,
    pausedSince: null,
    pausedMs: 0,
    warnings: [],
    breachAt: null,
    intervals: [],
  };
}

function checkThresholds(warnAt: readonly number[]): readonly number[] {
  for (const f of warnAt)
    if (typeof f !== 'number' || !(f > 0 && f < 1))
      throw new RangeError(`a warning threshold is a share of the time limit in (0, 1), not ${f}`);
  return Object.freeze([...new Set(warnAt)].sort((a, b) => a - b));
}

/** The instant `ms` of counted time after `from` on the limit's clock. */
function addCounted(limit: TimeLimit, from: EpochMs, ms: number, calendar: BusinessCalendar): EpochMs {
  return limit.unit === 'calendarTime'
    ? calendar.addCalendarTime(from, ms)
    : calendar.addBusinessTime(from, ms);
}

/** The counted time used when a threshold is crossed (whole milliseconds). */
const targetOf = (budget: number, threshold: number): number => Math.round(budget * threshold);

function start(c: MutableClock, t: EpochMs, holder: ClockHolder, run: Run): void {
  if (c.phase !== 'not_started') return;
  const base = limitDueAt(c.limit, t, run.calendar);
  c.phase = 'running';
  c.startedAt = t;
  c.since = t;
  c.budgetMs = countedTime(c.limit, t, base, run.calendar);
  c.dueAt = addCounted(c.limit, t, c.budgetMs, run.calendar);
  c.intervals.push({ holder, from: t, to: null, usedMs: 0 });
  if (c.pendingDays > 0) {
    const days = c.pendingDays;
    c.pendingDays = 0;
    extend(c, days, run);
  }
}

/**
 * Brings a counting clock to `t`: the thresholds crossed before `t` (an event at the very instant
 * of a crossing is applied first), the time used, the current holder's share of it.
 */
function advance(c: MutableClock, t: EpochMs, run: Run): void {
  if (c.phase !== 'running' || c.since === null || t <= c.since) return;
  const since = c.since;
  const due = c.dueAt!;
  for (const threshold of run.thresholds) {
    if (c.warnings.some((w) => w.threshold === threshold)) continue;
    const at = crossing(c, targetOf(c.budgetMs, threshold), run);
    if (at < t) c.warnings.push({ threshold, at, dueAt: due });
  }
  if (c.breachAt === null) {
    const at = crossing(c, c.budgetMs, run);
    if (at < t) c.breachAt = at;
  }
  const counted = countedTime(c.limit, since, t, run.calendar);
  c.used += counted;
  c.since = t;
  const current = c.intervals.at(-1);
  if (current) current.usedMs += counted;
}

/** When a counting clock's used time reaches `target` (its start of counting, if already there). */
function crossing(c: MutableClock, target: number, run: Run): EpochMs {
  const left = target - c.used;
  return left <= 0 ? c.since! : addCounted(c.limit, c.since!, left, run.calendar);
}

function end(c: MutableClock, t: EpochMs, how: 'met' | 'stopped'): void {
  if (c.phase !== 'running' && c.phase !== 'paused') return;
  if (c.phase === 'paused') c.pausedMs += t - c.pausedSince!;
  c.phase = how;
  c.endedAt = t;
  c.since = null;
  c.pausedSince = null;
  // The event that ends the clock may also have changed the holder (the dispatch that meets the
  // dispatch clock): a stretch that starts as the clock ends is no stretch.
  if (c.intervals.length > 1 && c.intervals.at(-1)!.from === t) c.intervals.pop();
  const current = c.intervals.at(-1);
  if (current) current.to = t;
}

function pause(c: MutableClock, t: EpochMs): void {
  if (c.phase !== 'running') return;
  c.phase = 'paused';
  c.pausedSince = t;
  c.since = null;
  c.dueAt = null;
}

function resume(c: MutableClock, t: EpochMs, run: Run): void {
  if (c.phase !== 'paused') return;
  c.pausedMs += t - c.pausedSince!;
  c.pausedSince = null;
  c.phase = 'running';
  c.since = t;
  c.dueAt = dueFrom(c, t, run);
}

/** The due time of a clock counting from `t` with what it has left; an overdue clock keeps its breach. */
function dueFrom(c: MutableClock, t: EpochMs, run: Run): EpochMs {
  const left = c.budgetMs - c.used;
  return left > 0 ? addCounted(c.limit, t, left, run.calendar) : (c.breachAt ?? t);
}

/**
 * The due time moves by `days` business days of business time from where it stood (for a paused
 * clock: from where it would stand if resumed at the pause), and the budget grows by the counted
 * time between — exactly `days` business days on a business-time clock.
 */
function extend(c: MutableClock, days: number, run: Run): void {
  if (c.phase === 'not_started') {
    c.pendingDays += days;
    return;
  }
  if (c.phase !== 'running' && c.phase !== 'paused') return;
  const from = c.phase === 'running' ? c.since! : c.pausedSince!;
  const due = dueFrom(c, from, run);
  const moved = run.calendar.addBusinessTime(due, days * run.calendar.businessDayMs);
  c.budgetMs += countedTime(c.limit, due, moved, run.calendar);
  c.extensionDays += days;
  if (c.phase === 'running') c.dueAt = dueFrom(c, c.since!, run);
}

function handTo(c: MutableClock, holder: ClockHolder, t: EpochMs): void {
  if (c.phase !== 'running' && c.phase !== 'paused') return;
  const current = c.intervals.at(-1);
  if (current && current.from === t && current.usedMs === 0) {
    current.holder = holder;
    return;
  }
  if (current) current.to = t;
  c.intervals.push({ holder, from: t, to: null, usedMs: 0 });
}

function holderOf(lifecycle: CaseLifecycle, queue: string | null): ClockHolder {
  const designated = designatedOf(lifecycle);
  if (designated) return { kind: 'designated', cadreId: designated.cadreId, orgUnit: designated.orgUnit };
  const owner = ownerOf(lifecycle);
  if (owner) return { kind: 'owner', cadreId: owner.cadreId, orgUnit: owner.orgUnit };
  return queue === null ? UNASSIGNED : { kind: 'queue', cadreId: null, orgUnit: queue };
}

function sameHolder(a: ClockHolder, b: ClockHolder): boolean {
  return a.kind === b.kind && a.cadreId === b.cadreId && a.orgUnit === b.orgUnit;
}

/** The clock as data at `asOf`, with a counting clock's crossings still to come projected. */
function freeze(c: MutableClock, asOf: EpochMs | null, run: Run): CaseClock {
  const warnings = [...c.warnings];
  let breachAt = c.breachAt;
  if (c.phase === 'running') {
    for (const threshold of run.thresholds) {
      if (warnings.some((w) => w.threshold === threshold)) continue;
      warnings.push({ threshold, at: crossing(c, targetOf(c.budgetMs, threshold), run), dueAt: c.dueAt! });
    }
    breachAt ??= crossing(c, c.budgetMs, run);
  }
  warnings.sort((a, b) => a.threshold - b.threshold);
  const breached = breachAt !== null && asOf !== null && breachAt <= asOf;
  const status: ClockStatus =
    c.phase === 'running'
      ? breached
        ? 'breached_running'
        : 'running'
      : c.phase === 'met'
        ? c.breachAt !== null
          ? 'breached_met'
          : 'met'
        : c.phase;
  const pausedMs = c.pausedMs + (c.pausedSince !== null && asOf !== null ? asOf - c.pausedSince : 0);
  return {
    clock: c.clock,
    limit: c.limit,
    round: c.round,
    status,
    startedAt: c.startedAt,
    endedAt: c.endedAt,
    dueAt: c.dueAt,
    budgetMs: c.budgetMs,
    remainingMs: c.budgetMs - c.used,
    extensionDays: c.extensionDays,
    pausedMs,
    pausedSince: c.pausedSince,
    businessMsUsed: c.used,
    runningSince: c.phase === 'running' ? c.since : null,
    warnings: Object.freeze(warnings.map((w) => Object.freeze({ ...w }))),
    breachAt,
    intervals: Object.freeze(c.intervals.map((i) => Object.freeze({ ...i }))),
  };
}
