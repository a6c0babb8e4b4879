import { clockRunning, type CaseLifecycle, type DueTime, type SlaClock } from '@tongban/cases';
import { toInstant } from '@tongban/projections';
import { dueAt } from './case-projection';
import { earliest } from './view-values';

/**
 * The due times of a case's response and resolution clocks as the views that list cases keep
 * them (the worklist, the case detail): from the SLA watcher's `case.due_times_set` (ADR 0029),
 * stopped by the case's own events through the lifecycle. The clock rows themselves are
 * `sla_clocks`'.
 */

/** A clock as the due times last named it: its round, due time and whether it counted. */
export interface NamedDueTime {
  readonly round: number;
  readonly dueAt: string | null;
  readonly running: boolean;
}
export type CaseDueTimes = Readonly<Partial<Record<SlaClock, NamedDueTime>>>;

/**
 * The clocks a case's next due time is of: the dispatch clock has ended once a case is anyone's,
 * and the feedback window waits for the resident, not for the staff.
 */
const DUE_CLOCKS: readonly SlaClock[] = ['response', 'resolution'];

/** The due times of `clocks` kept over `previous`, as they were named (the round included). */
export function rememberDueTimes(previous: CaseDueTimes | null, clocks: readonly DueTime[]): CaseDueTimes {
  const next: Partial<Record<SlaClock, NamedDueTime>> = { ...previous };
  for (const due of clocks) {
    if (due.clock !== 'response' && due.clock !== 'resolution') continue;
    next[due.clock] = {
      round: due.round,
      dueAt: due.dueAt === null ? null : toInstant(due.dueAt),
      running: due.running,
    };
  }
  return next;
}

/**
 * A clock's due time in the current round: as the latest due times named it (null while paused,
 * and once it stopped — `clockRunning` — or before the due times of a new round come). A clock
 * never named (a case recorded before due times were) falls back to the deadline its warnings or
 * breach announced.
 */
export function dueTimeOf(
  lifecycle: CaseLifecycle,
  dueTimes: CaseDueTimes | null,
  clock: SlaClock,
): string | null {
  const named = dueTimes?.[clock];
  if (named === undefined) return dueAt(lifecycle, clock);
  const round = clock === 'resolution' ? lifecycle.reopenCount + 1 : 1;
  return named.round === round ? named.dueAt : null;
}

/** The nearest due time of the response and resolution clocks still counting. */
export function nextDueOf(lifecycle: CaseLifecycle, dueTimes: CaseDueTimes | null): string | null {
  return earliest(
    DUE_CLOCKS.map((clock) => {
      if (!clockRunning(lifecycle, clock)) return null;
      const named = dueTimes?.[clock];
      if (named !== undefined && !named.running) return null;
      return dueTimeOf(lifecycle, dueTimes, clock);
    }),
  );
}
