import {
  evolveLifecycle,
  startLifecycle,
  type CaseEvent,
  type CaseLifecycle,
  type DueTime,
  type AlertClock,
  type Instant,
  type SlaClock,
} from '@tongban/cases';
import type { EpochMs } from '../calendar/local-date';
import { SLA_TARGETS } from '../policies/sla-policies';
import type { BusinessCalendar } from '../calendar/business-calendar';
import { clockEnded, usedAt, type CaseClocks } from './case-clocks';

/**
 * The clocks a case records warnings and breaches for (`AlertClock`: RaiseSlaWarning and
 * RecordSlaBreach name one of them). The feedback window is computed and shown, but nothing is
 * raised for it: it ends with the system's ExpireFeedbackWindow at its `dueAt` instead.
 */
export const RECORDED_CLOCKS = [
  'dispatch',
  'response',
  'resolution',
] as const satisfies readonly AlertClock[];

/** A warning or breach the watcher is to raise, with what its command carries. */
export type DueAction =
  | {
      readonly kind: 'warning';
      readonly clock: AlertClock;
      readonly round: number;
      readonly threshold: number;
      /** When it became due. */
      readonly at: EpochMs;
      /** The due time it announces (RaiseSlaWarning's `dueAt`). */
      readonly dueAt: Instant;
    }
  | {
      readonly kind: 'breach';
      readonly clock: AlertClock;
      readonly round: number;
      readonly at: EpochMs;
      /** RecordSlaBreach's `dueAt`: the instant of the breach. */
      readonly dueAt: Instant;
    };

/** A warning or breach recorded in a case's history, with the round it belongs to. */
export interface RecordedAlert {
  readonly kind: 'warning' | 'breach';
  readonly clock: AlertClock;
  readonly round: number;
  /** Null on warnings recorded before warnings named their threshold. */
  readonly threshold: number | null;
  readonly at: EpochMs;
  /** The due time the alert announced (a breach: the instant it breached). */
  readonly dueAt: Instant;
}

/**
 * The warnings and breaches recorded in a case's history (the whole history: the round of a
 * resolution alert is counted from the reopens before it).
 */
export function recordedAlerts(history: readonly CaseEvent[]): readonly RecordedAlert[] {
  const alerts: RecordedAlert[] = [];
  let lifecycle: CaseLifecycle | null = null;
  for (const event of history) {
    if (lifecycle === null) {
      if (event.type === 'case.submitted') lifecycle = startLifecycle(event);
      continue;
    }
    lifecycle = evolveLifecycle(lifecycle, event);
    if (event.type !== 'case.sla_warning_raised' && event.type !== 'case.sla_breached') continue;
    alerts.push({
      kind: event.type === 'case.sla_breached' ? 'breach' : 'warning',
      clock: event.clock,
      round: roundOf(event.clock, lifecycle.reopenCount),
      threshold: event.type === 'case.sla_warning_raised' ? (event.threshold ?? null) : null,
      at: Date.parse(event.at),
      dueAt: event.dueAt,
    });
  }
  return alerts;
}

/**
 * What is due at `now` and not yet recorded in the case's history (`recorded`: its events, or
 * `recordedAlerts` of them): each warning once per clock, threshold and round, each breach once
 * per clock and round — whatever restarts, extensions or pauses moved the due time meanwhile.
 * Only for clocks still counting or paused (the decider ignores alerts for a stopped clock).
 * Several may be due at once (a watcher that was down): all come, oldest first.
 */
export function dueActions(
  clocks: CaseClocks,
  recorded: readonly CaseEvent[] | readonly RecordedAlert[],
  now: EpochMs,
): readonly DueAction[] {
  return pendingActions(clocks, recorded).filter((a) => a.at <= now);
}

/** The earliest instant at which something is (or was already) due and unrecorded; null if none. */
export function nextDueInstant(
  clocks: CaseClocks,
  recorded: readonly CaseEvent[] | readonly RecordedAlert[],
): EpochMs | null {
  const pending = pendingActions(clocks, recorded);
  return pending.length === 0 ? null : pending[0]!.at;
}

function pendingActions(
  clocks: CaseClocks,
  recorded: readonly CaseEvent[] | readonly RecordedAlert[],
): readonly DueAction[] {
  const alerts = isAlertList(recorded) ? recorded : recordedAlerts(recorded);
  const actions: DueAction[] = [];
  for (const name of RECORDED_CLOCKS) {
    const clock = clocks.clocks[name];
    if (clock.status === 'not_started' || clockEnded(clock)) continue;
    const mine = alerts.filter((a) => a.clock === name && a.round === clock.round);
    for (const w of clock.warnings) {
      const done = mine.some(
        (a) =>
          a.kind === 'warning' && (a.threshold === w.threshold || (a.threshold === null && a.at >= w.at)),
      );
      if (!done)
        actions.push({
          kind: 'warning',
          clock: name,
          round: clock.round,
          threshold: w.threshold,
          at: w.at,
          dueAt: instantOf(w.dueAt),
        });
    }
    if (clock.breachAt !== null && !mine.some((a) => a.kind === 'breach'))
      actions.push({
        kind: 'breach',
        clock: name,
        round: clock.round,
        at: clock.breachAt,
        dueAt: instantOf(clock.breachAt),
      });
  }
  // Oldest first; at the same instant a warning before the breach, lower thresholds first.
  const rank = (a: DueAction): number => (a.kind === 'warning' ? a.threshold : 1);
  return actions.sort((a, b) => a.at - b.at || rank(a) - rank(b));
}

/**
 * The clocks' due times as `case.due_times_set` records them (ADR 0029): every clock started so
 * far, its due time (null while paused), budget and the time used by `at` (at or after the
 * clocks' `asOf`).
 */
export function dueTimesOf(clocks: CaseClocks, at: EpochMs, calendar: BusinessCalendar): DueTime[] {
  return SLA_TARGETS.flatMap((name): DueTime[] => {
    const clock = clocks.clocks[name];
    if (clock.status === 'not_started') return [];
    return [
      {
        clock: name,
        round: clock.round,
        dueAt: clock.dueAt === null ? null : instantOf(clock.dueAt),
        budgetMs: Math.max(0, Math.round(clock.budgetMs)),
        usedMs: Math.max(0, Math.round(usedAt(clock, at, calendar))),
        counting: clock.limit.unit === 'calendarTime' ? 'calendar' : 'business',
        running: clock.status === 'running' || clock.status === 'breached_running',
      },
    ];
  });
}

/** A breach to escalate to the street's supervisors once its grace period is over (ADR 0029). */
export interface DueEscalation {
  readonly clock: SlaClock;
  readonly round: number;
  /** The breached due time, as its breach recorded it (EscalateCase's `escalation.dueAt`). */
  readonly dueAt: Instant;
  /** When the escalation is due: the breached due time plus the grace period. */
  readonly at: EpochMs;
}

/**
 * The escalations a case waits for, due or not: each breach recorded in the clock's current
 * round while the clock still counts past it (not met, not stopped, not paused), not escalated
 * yet, due `graceMs` after the breached due time.
 */
export function pendingEscalations(
  clocks: CaseClocks,
  history: readonly CaseEvent[],
  graceMs: number,
): readonly DueEscalation[] {
  const escalated = new Set(
    history.flatMap((e) =>
      e.type === 'case.supervised' && e.escalation ? [`${e.escalation.clock}@${e.escalation.dueAt}`] : [],
    ),
  );
  // A dispatch breach is not escalated here: dispatchers see the queue it waits in.
  return recordedAlerts(history)
    .filter((a): a is RecordedAlert & { readonly clock: SlaClock } => {
      if (a.clock === 'dispatch') return false;
      const clock = clocks.clocks[a.clock];
      return (
        a.kind === 'breach' &&
        a.round === clock.round &&
        clock.status === 'breached_running' &&
        !escalated.has(`${a.clock}@${a.dueAt}`)
      );
    })
    .map((a) => ({ clock: a.clock, round: a.round, dueAt: a.dueAt, at: Date.parse(a.dueAt) + graceMs }))
    .sort((a, b) => a.at - b.at);
}

/** The instant as the commands carry it (one spelling, so the decider's key matches on a retry). */
export function instantOf(ms: EpochMs): Instant {
  return new Date(ms).toISOString();
}

function roundOf(clock: AlertClock, reopenCount: number): number {
  return clock === 'resolution' ? reopenCount + 1 : 1;
}

function isAlertList(
  list: readonly CaseEvent[] | readonly RecordedAlert[],
): list is readonly RecordedAlert[] {
  const first = list[0];
  return first === undefined || !('type' in first);
}
