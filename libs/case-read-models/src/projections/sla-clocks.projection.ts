import type { CaseEvent, CaseEventType, DueTime, TimedClock } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import {
  column,
  defineTable,
  toInstant,
  type Projection,
  type ProjectionContext,
  type RowOf,
  type RowRef,
} from '@tongban/projections';
import { decodeCaseEvent } from './case-event-decoding';
import { caseStreamsOf, handledTypes, type EventOf } from './case-projection';
import { millisBetween } from './view-values';

/**
 * A clock as the read model last knew it (the view derives more at the time it is asked):
 * - `running`: counting (past its due time or not: the query says `breached`);
 * - `paused`: the due times say it does not count (the case is suspended) and have no due time;
 * - `met`: ended by the event it waits for — dispatch, first contact, resolution, feedback;
 * - `stopped`: ended by anything else — closed, withdrawn, merged, the feedback window's expiry,
 *   a ruling of unreasonable, or a reopen (the last round's feedback window).
 */
export type SlaClockStatus = 'running' | 'paused' | 'met' | 'stopped';

/** How a clock counts (`DueTime.counting`): business hours on business days, or all the time. */
export type SlaCounting = DueTime['counting'];

/**
 * `rm_sla_clock`: one row per clock of a case that the SLA watcher's due times name
 * (`case.due_times_set`, ADR 0029) — dispatch, response, resolution, feedback window — in its
 * current round. The due time, budget, way of counting and time used come from the latest due
 * times; when a clock stops, pauses end, warnings, breaches and escalations come from the case's
 * own events. No calendar here: the query counts the time used since `used_at`.
 */
export const slaClockTable = defineTable({
  table: 'rm_sla_clock',
  key: ['case_id', 'clock'],
  columns: {
    /** The case whose detail lists the clock. */
    case_id: column.uuid().internal(),
    clock: column.text<TimedClock>(),
    /** 1, and one more per reopen for the resolution clock and the feedback window. */
    round: column.integer(),
    status: column.text<SlaClockStatus>(),
    /** When it runs out (after pauses and extensions); null while paused. Kept when it ends. */
    due_at: column.timestamptz().nullable(),
    /** Counted time the limit allows, extensions included. */
    budget_ms: column.bigint(),
    counting: column.text<SlaCounting>(),
    /** Counted time used as of `used_at` (then still counting if `running`). */
    used_ms: column.bigint(),
    used_at: column.timestamptz(),
    stopped_at: column.timestamptz().nullable(),
    /** When the suspension that pauses it began. */
    paused_since: column.timestamptz().nullable(),
    /** Wall-clock time of the pauses that ended (the current one not included). */
    paused_ms: column.bigint(),
    extension_days: column.integer(),
    /** The last warning of this round. */
    warned_at: column.timestamptz().nullable(),
    breached_at: column.timestamptz().nullable(),
    /** When the breach was escalated (a supervision with an escalation for this clock). */
    escalated_at: column.timestamptz().nullable(),
  },
});
export const SLA_CLOCK_TABLE = slaClockTable.table;
export type SlaClockRow = RowOf<typeof slaClockTable>;

/** A clock as the case's memory keeps it: a row's values, and whether due times named it yet. */
export type ClockMemory = Omit<SlaClockRow, 'case_id'> & {
  /** Due times listed it in this round: only then is it a row (the budget and counting are its). */
  readonly named: boolean;
};

/**
 * `rm_sla_clock_case`: what the projection remembers of a case between events (no query reads
 * it). A clock can end before the due times name it — routing at intake dispatches in the
 * submission's own append, so the dispatch clock is met before the watcher has seen the case —
 * and the end, its instant and kind, must wait here for the row.
 */
export const slaClockCaseTable = defineTable({
  table: 'rm_sla_clock_case',
  key: ['case_id'],
  columns: {
    case_id: column.uuid(),
    /** Every clock known in its current round, by name. */
    clocks: column.jsonb<Readonly<Partial<Record<TimedClock, ClockMemory>>>>(),
    /** Reopens so far: the round of the resolution clock and the feedback window is one more. */
    reopens: column.integer(),
    /** When the current suspension began; null when not suspended. */
    suspended_at: column.timestamptz().nullable(),
    /** When the case was closed, withdrawn or merged (every clock stopped); null while open. */
    ended_at: column.timestamptz().nullable(),
  },
});
export const SLA_CLOCK_CASE_TABLE = slaClockCaseTable.table;
export type SlaClockCaseRow = RowOf<typeof slaClockCaseTable>;

type Handlers = {
  readonly [T in CaseEventType]?: (memory: SlaClockCaseRow, event: EventOf<T>, at: string) => SlaClockCaseRow;
};

/** What the case's own events do to its clocks (`slaClocks` in libs/sla computes the same). */
const HANDLERS: Handlers = {
  'case.due_times_set': (m, event, at) => event.clocks.reduce((next, due) => withDueTime(next, due, at), m),
  'case.dispatched': (m, _event, at) => end(m, 'dispatch', 'met', at),
  'case.resident_contacted': (m, event, at) => (event.firstContact ? end(m, 'response', 'met', at) : m),
  'case.resolved': (m, _event, at) => end(m, 'resolution', 'met', at),
  'case.feedback_recorded': (m, _event, at) => end(m, 'feedbackWindow', 'met', at),
  'case.feedback_window_expired': (m, _event, at) => end(m, 'feedbackWindow', 'stopped', at),
  // Only a window of this round already known: a ruling while handling changes no clock.
  'case.ruled_unreasonable': (m, _event, at) => end(m, 'feedbackWindow', 'stopped', at, { create: false }),
  'case.closed': (m, _event, at) => endAll(m, at),
  'case.withdrawn': (m, _event, at) => endAll(m, at),
  'case.merged_into': (m, _event, at) => endAll(m, at),
  // A new round: the resolution clock's next due times name it; the last round's feedback window
  // no longer counts.
  'case.reopened': (m, _event, at) => {
    const reopened = end(m, 'feedbackWindow', 'stopped', at, { create: false });
    return { ...reopened, reopens: m.reopens + 1, ended_at: null };
  },
  'case.suspended': (m, _event, at) => ({ ...m, suspended_at: at }),
  'case.resumed': (m, _event, at) => ({
    ...m,
    suspended_at: null,
    clocks: mapClocks(m.clocks, (c) =>
      c.status === 'paused' ? { ...endPause(c, at), status: 'running' } : c,
    ),
  }),
  'case.extension_granted': (m, event) =>
    update(m, event.clock, (c) => ({ ...c, extension_days: c.extension_days + event.extraBusinessDays })),
  'case.sla_warning_raised': (m, event, at) => update(m, event.clock, (c) => ({ ...c, warned_at: at })),
  'case.sla_breached': (m, event, at) => update(m, event.clock, (c) => ({ ...c, breached_at: at })),
  'case.supervised': (m, event, at) =>
    event.escalation ? update(m, event.escalation.clock, (c) => ({ ...c, escalated_at: at })) : m,
};

/**
 * `sla_clocks`: each case's clocks as the SLA watcher's due times name them, kept current by the
 * case's own events (stops, pauses ending, warnings, breaches, escalations) in between.
 */
export const slaClocksProjection: Projection<CaseEvent> = {
  name: 'sla_clocks',
  tables: [slaClockTable, slaClockCaseTable],
  streamsTable: 'rm_sla_clock_streams',
  filter: caseStreamsOf(['case.submitted', ...handledTypes(HANDLERS)]),
  decode: decodeCaseEvent,

  reads(event: CaseEvent): readonly RowRef[] {
    return event.type === 'case.submitted'
      ? []
      : [{ table: SLA_CLOCK_CASE_TABLE, key: { case_id: event.caseId } }];
  },

  handle(event: CaseEvent, _recorded: RecordedEvent, context: ProjectionContext): void {
    if (event.type === 'case.submitted') {
      context.put(SLA_CLOCK_CASE_TABLE, {
        case_id: event.caseId,
        clocks: {},
        reopens: 0,
        suspended_at: null,
        ended_at: null,
      } satisfies SlaClockCaseRow);
      return;
    }
    const handler = HANDLERS[event.type] as
      ((memory: SlaClockCaseRow, event: CaseEvent, at: string) => SlaClockCaseRow) | undefined;
    const row = context.get(SLA_CLOCK_CASE_TABLE, { case_id: event.caseId }) as SlaClockCaseRow | undefined;
    // Like the domain's evolve, events of a case never submitted change nothing.
    if (handler === undefined || row === undefined) return;
    // The engine hands the row back as written: JSON, the instants inside normalized (`toInstant`).
    const before = row;
    const after = handler(before, event, toInstant(event.at));
    if (after === before) return;
    context.put(SLA_CLOCK_CASE_TABLE, after);
    for (const name of Object.keys(after.clocks) as TimedClock[]) {
      const clock = after.clocks[name]!;
      if (clock.named && clock !== before.clocks[name])
        context.put(SLA_CLOCK_TABLE, clockRow(event.caseId, clock));
    }
  },
};

/** The view row of a clock the due times named. */
export function clockRow(caseId: string, clock: ClockMemory): SlaClockRow {
  const { named: _named, ...values } = clock;
  return { case_id: caseId, ...values };
}

function withDueTime(m: SlaClockCaseRow, due: DueTime, at: string): SlaClockCaseRow {
  const known = m.clocks[due.clock];
  // Due times of an earlier round than the one this memory follows are history already.
  if (known !== undefined && due.round < known.round) return m;
  const current = known === undefined || due.round > known.round ? fresh(due.clock, due.round, at) : known;
  const timed: ClockMemory = {
    ...current,
    named: true,
    due_at: due.dueAt === null ? null : toInstant(due.dueAt),
    budget_ms: due.budgetMs,
    counting: due.counting,
    used_ms: due.usedMs,
    used_at: at,
  };
  return { ...m, clocks: { ...m.clocks, [due.clock]: withStatus(timed, due, m) } };
}

/**
 * The status after due times: an end the case's events recorded stays; otherwise counting, or
 * paused without a due time. Not counting but with a due time is a clock that ended in an event
 * recorded before it was first named: as the case's end, or when they were set.
 */
function withStatus(clock: ClockMemory, due: DueTime, m: SlaClockCaseRow): ClockMemory {
  if (clock.status === 'met' || clock.status === 'stopped') return clock;
  if (due.running)
    return clock.status === 'paused' ? { ...endPause(clock, clock.used_at), status: 'running' } : clock;
  if (due.dueAt === null) {
    return {
      ...clock,
      status: 'paused',
      paused_since: clock.paused_since ?? m.suspended_at ?? clock.used_at,
    };
  }
  return { ...endPause(clock, clock.used_at), status: 'stopped', stopped_at: m.ended_at ?? clock.used_at };
}

function fresh(clock: TimedClock, round: number, at: string): ClockMemory {
  return {
    clock,
    round,
    named: false,
    status: 'running',
    due_at: null,
    budget_ms: 0,
    counting: 'business',
    used_ms: 0,
    used_at: at,
    stopped_at: null,
    paused_since: null,
    paused_ms: 0,
    extension_days: 0,
    warned_at: null,
    breached_at: null,
    escalated_at: null,
  };
}

/** The round a clock is in now: the resolution clock and the feedback window count reopens. */
function roundOf(m: SlaClockCaseRow, clock: TimedClock): number {
  return clock === 'resolution' || clock === 'feedbackWindow' ? m.reopens + 1 : 1;
}

/**
 * The clock ends (`met` by its own event, else `stopped`); remembered even before due times name
 * it (`create`), so they find it ended. An ended clock stays as it ended.
 */
function end(
  m: SlaClockCaseRow,
  name: TimedClock,
  how: 'met' | 'stopped',
  at: string,
  options: { create: boolean } = { create: true },
): SlaClockCaseRow {
  const round = roundOf(m, name);
  const known = m.clocks[name];
  const clock =
    known !== undefined && known.round === round
      ? known
      : options.create
        ? fresh(name, round, at)
        : undefined;
  if (clock === undefined) return m;
  const ended = stop(clock, how, at);
  return ended === known ? m : { ...m, clocks: { ...m.clocks, [name]: ended } };
}

function endAll(m: SlaClockCaseRow, at: string): SlaClockCaseRow {
  return { ...m, ended_at: at, clocks: mapClocks(m.clocks, (c) => stop(c, 'stopped', at)) };
}

function stop(clock: ClockMemory, how: 'met' | 'stopped', at: string): ClockMemory {
  if (clock.status === 'met' || clock.status === 'stopped') return clock;
  // A paused clock counted nothing since `used_at`: its time used is final as it stands.
  const settled = clock.status === 'paused' ? { ...endPause(clock, at), used_at: at } : clock;
  return { ...settled, status: how, stopped_at: at };
}

/** A pause ends at `at`: its length is added up, and a paused clock's time used stands as of `at`. */
function endPause(clock: ClockMemory, at: string): ClockMemory {
  if (clock.paused_since === null) return clock;
  return {
    ...clock,
    paused_since: null,
    paused_ms: clock.paused_ms + millisBetween(clock.paused_since, at),
    used_at: clock.status === 'paused' && Date.parse(at) > Date.parse(clock.used_at) ? at : clock.used_at,
  };
}

/** A clock of the current round changes; one not known (or of another round) does not. */
function update(
  m: SlaClockCaseRow,
  name: TimedClock,
  change: (clock: ClockMemory) => ClockMemory,
): SlaClockCaseRow {
  const clock = m.clocks[name];
  if (clock === undefined || clock.round !== roundOf(m, name)) return m;
  return { ...m, clocks: { ...m.clocks, [name]: change(clock) } };
}

function mapClocks(
  clocks: SlaClockCaseRow['clocks'],
  change: (clock: ClockMemory) => ClockMemory,
): SlaClockCaseRow['clocks'] {
  let changed = false;
  const next: Partial<Record<TimedClock, ClockMemory>> = {};
  for (const name of Object.keys(clocks) as TimedClock[]) {
    const clock = clocks[name]!;
    next[name] = change(clock);
    if (next[name] !== clock) changed = true;
  }
  return changed ? next : clocks;
}
