import type { CaseEvent, CaseEventType, SlaClock } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import {
  column,
  defineTable,
  toInstant,
  type RowOf,
  type Projection,
  type ProjectionContext,
  type Row,
  type RowRef,
} from '@tongban/projections';
import { decodeCaseEvent } from './case-event-decoding';
import { caseStreamsOf, handledTypes, type EventOf } from './case-projection';
import { millisBetween } from './view-values';

export type SlaClockStatus = 'running' | 'paused' | 'stopped';

/**
 * `rm_sla_clock`: one of a case's two clocks. Calendar time only for now: the business-time
 * arithmetic (working days, holidays) arrives with the SLA rules and will fill
 * `business_ms_used`.
 */
export const slaClockTable = defineTable({
  table: 'rm_sla_clock',
  key: ['case_id', 'clock'],
  columns: {
    /** The case whose detail lists the clock. */
    case_id: column.uuid().internal(),
    clock: column.text<SlaClock>(),
    status: column.text<SlaClockStatus>(),
    started_at: column.timestamptz(),
    stopped_at: column.timestamptz().nullable(),
    /** Not in the API yet (`status` says paused). */
    paused_since: column.timestamptz().nullable().internal(),
    pause_count: column.integer(),
    paused_ms: column.bigint(),
    /** Filled by the SLA rules (issue 14); not in the API until then. */
    business_ms_used: column.bigint().nullable().internal(),
    due_at: column.timestamptz().nullable(),
    extension_days: column.integer(),
    warned_at: column.timestamptz().nullable(),
    breached_at: column.timestamptz().nullable(),
  },
});
export const SLA_CLOCK_TABLE = slaClockTable.table;
export type SlaClockRow = RowOf<typeof slaClockTable>;

const CLOCKS: readonly SlaClock[] = ['response', 'resolution'];

/** What an event does to a case's clocks: which it changes, and how (the clock itself when not). */
interface ClockHandler<E extends CaseEvent> {
  readonly clocks: (event: E) => readonly SlaClock[];
  readonly evolve: (clock: SlaClockRow, event: E, at: string) => SlaClockRow;
}

type ClockHandlers = { readonly [T in CaseEventType]?: ClockHandler<EventOf<T>> };

const stopping: ClockHandler<CaseEvent> = {
  clocks: () => CLOCKS,
  evolve: (clock, _event, at) => stop(clock, at),
};

/** The event types that change a clock; submission creates both (without reading them). */
const CLOCK_HANDLERS: ClockHandlers = {
  'case.resident_contacted': { clocks: () => ['response'], evolve: (clock, _event, at) => stop(clock, at) },
  'case.resolved': { clocks: () => ['resolution'], evolve: (clock, _event, at) => stop(clock, at) },
  'case.closed': stopping,
  'case.withdrawn': stopping,
  'case.merged_into': stopping,
  'case.reopened': {
    clocks: () => ['resolution'],
    // A new resolution round: last round's deadline, warning and breach are history (timeline,
    // KPIs); pauses and extensions stay, as they describe the case's whole handling.
    evolve: (clock) =>
      clock.status === 'stopped'
        ? { ...clock, status: 'running', stopped_at: null, due_at: null, warned_at: null, breached_at: null }
        : clock,
  },
  'case.suspended': {
    clocks: () => CLOCKS,
    evolve: (clock, _event, at) =>
      clock.status === 'running'
        ? { ...clock, status: 'paused', paused_since: at, pause_count: clock.pause_count + 1 }
        : clock,
  },
  'case.resumed': {
    clocks: () => CLOCKS,
    evolve: (clock, _event, at) =>
      clock.status === 'paused' ? { ...endPause(clock, at), status: 'running' } : clock,
  },
  'case.extension_granted': {
    clocks: (event) => [event.clock],
    evolve: (clock, event) => ({ ...clock, extension_days: clock.extension_days + event.extraBusinessDays }),
  },
  'case.sla_warning_raised': {
    clocks: (event) => [event.clock],
    evolve: (clock, event, at) => ({ ...clock, due_at: toInstant(event.dueAt), warned_at: at }),
  },
  'case.sla_breached': {
    clocks: (event) => [event.clock],
    evolve: (clock, event, at) => ({ ...clock, due_at: toInstant(event.dueAt), breached_at: at }),
  },
};

function handlerOf(event: CaseEvent): ClockHandler<CaseEvent> | undefined {
  return CLOCK_HANDLERS[event.type] as ClockHandler<CaseEvent> | undefined;
}

/**
 * `sla_clocks`: both clocks start at submission. Response stops at the first contact,
 * resolution at resolution (and runs again after a reopen); closing, withdrawing or merging stops
 * every clock; a suspension pauses the running ones until the case is resumed.
 */
export const slaClocksProjection: Projection<CaseEvent> = {
  name: 'sla_clocks',
  tables: [slaClockTable],
  streamsTable: 'rm_sla_clock_streams',
  filter: caseStreamsOf(['case.submitted', ...handledTypes(CLOCK_HANDLERS)]),
  decode: decodeCaseEvent,

  reads(event: CaseEvent): readonly RowRef[] {
    return (handlerOf(event)?.clocks(event) ?? []).map((clock) => ({
      table: SLA_CLOCK_TABLE,
      key: { case_id: event.caseId, clock },
    }));
  },

  handle(event: CaseEvent, _recorded: RecordedEvent, context: ProjectionContext): void {
    const at = toInstant(event.at);
    if (event.type === 'case.submitted') {
      for (const clock of CLOCKS) context.put(SLA_CLOCK_TABLE, startedClock(event.caseId, clock, at));
      return;
    }
    const handler = handlerOf(event);
    if (handler === undefined) return;
    for (const clock of handler.clocks(event)) {
      const row = context.get(SLA_CLOCK_TABLE, { case_id: event.caseId, clock });
      if (!row) continue;
      const before = clockOf(row);
      const after = handler.evolve(before, event, at);
      if (after !== before) context.put(SLA_CLOCK_TABLE, after);
    }
  },
};

function startedClock(caseId: string, clock: SlaClock, at: string): SlaClockRow {
  return {
    case_id: caseId,
    clock,
    status: 'running',
    started_at: at,
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
}

function stop(clock: SlaClockRow, at: string): SlaClockRow {
  if (clock.status === 'stopped') return clock;
  // A clock stopped while paused (a contact during a suspension) keeps the pause it had.
  return { ...endPause(clock, at), status: 'stopped', stopped_at: at };
}

function endPause(clock: SlaClockRow, at: string): SlaClockRow {
  if (clock.paused_since === null) return clock;
  return { ...clock, paused_since: null, paused_ms: clock.paused_ms + millisBetween(clock.paused_since, at) };
}

/** `bigint` columns come back from `pg` as strings; the handler works in numbers. */
function clockOf(row: Row): SlaClockRow {
  const clock = row as SlaClockRow;
  const used = row['business_ms_used'];
  return {
    ...clock,
    paused_ms: Number(row['paused_ms']),
    business_ms_used: used === null || used === undefined ? null : Number(used),
  };
}
