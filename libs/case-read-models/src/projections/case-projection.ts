import {
  CASE_EVENT_TYPES,
  LIFECYCLE_EVENT_TYPES,
  clockRunning,
  evolveLifecycle,
  isTerminal,
  startLifecycle,
  type Assignment,
  type CaseEvent,
  type CaseEventType,
  type CaseLifecycle,
  type CaseSubmitted,
  type SlaClock,
} from '@tongban/cases';
import type { GlobalFilter, RecordedEvent } from '@tongban/event-store';
import {
  toInstant,
  type Projection,
  type ProjectionContext,
  type Row,
  type RowRef,
  type TableSpec,
} from '@tongban/projections';
import { CASE_STREAMS, decodeCaseEvent } from './case-event-decoding';
import { earliest } from './view-values';

/**
 * How the case projections declare what they handle (Emmett's `canHandle`): a map from event
 * type to handler. The declared types become the projection's filter, so an event of a type no
 * projection declares is never decoded or handed to it (the engine still records its stream
 * version: ADR 0017). The case lifecycle comes from the domain's one fold (ADR 0018).
 */

export type EventOf<T extends CaseEventType> = Extract<CaseEvent, { type: T }>;

/** Handlers by event type; `Args` are what every handler of the map receives after the event. */
export type CaseEventHandlers<Args extends unknown[], R> = {
  readonly [T in CaseEventType]?: (event: EventOf<T>, ...args: Args) => R;
};

/** The types a handler map declares, in the catalogue's order. */
export function handledTypes(handlers: { readonly [T in CaseEventType]?: unknown }): CaseEventType[] {
  return CASE_EVENT_TYPES.filter((type) => handlers[type] !== undefined);
}

/** Runs the handler declared for the event's type; undefined when none is. */
export function dispatchEvent<Args extends unknown[], R>(
  handlers: CaseEventHandlers<Args, R>,
  event: CaseEvent,
  ...args: Args
): R | undefined {
  const handler = handlers[event.type] as ((event: CaseEvent, ...args: Args) => R) | undefined;
  return handler === undefined ? undefined : handler(event, ...args);
}

/** The case streams, thinned to `types` (all types when undefined). */
export function caseStreamsOf(types?: readonly CaseEventType[]): GlobalFilter {
  return types === undefined || types.length === CASE_EVENT_TYPES.length
    ? CASE_STREAMS
    : { ...CASE_STREAMS, types };
}

// ---- projections that follow the lifecycle -------------------------------------------------------

/** One event with the case's lifecycle before and after it. */
export interface LifecycleStep<E extends CaseEvent = CaseEvent> {
  readonly event: E;
  readonly recorded: RecordedEvent;
  readonly before: CaseLifecycle;
  readonly after: CaseLifecycle;
}

/** The event moved the case to another status. */
export function moved(step: LifecycleStep): boolean {
  return step.after.status !== step.before.status;
}

/** A per-case row that keeps the case's lifecycle snapshot between batches. */
export type LifecycleRow = { readonly case_id: string; readonly lifecycle: CaseLifecycle | null };

export type LifecycleHandlers<R> = {
  readonly [T in CaseEventType]?: (row: R, step: LifecycleStep<EventOf<T>>, context: ProjectionContext) => R;
};

export interface LifecycleProjectionSpec<R extends LifecycleRow> {
  readonly name: string;
  readonly tables: readonly TableSpec[];
  readonly streamsTable: string;
  /** The per-case row whose `lifecycle` column keeps the case's lifecycle (one of `tables`). */
  readonly caseTable: string;
  /** The case's row at submission (its `lifecycle` included), or null when this view does not follow it. */
  start(
    event: CaseSubmitted,
    recorded: RecordedEvent,
    lifecycle: CaseLifecycle,
    context: ProjectionContext,
  ): R | null;
  /**
   * What this view does with the event types it cares about beyond the lifecycle: the row after
   * the event. Not called once the case is withdrawn or merged (they take no more changes).
   */
  readonly on: LifecycleHandlers<R>;
  /** Every handled event, after its handler: what the row derives from the lifecycle. */
  readonly each?: (row: R, step: LifecycleStep, context: ProjectionContext) => R;
  /** Every event type reaches the view (it stamps every event, e.g. the case version). */
  readonly everyEvent?: boolean;
}

/**
 * A projection that follows the case lifecycle. Between batches the lifecycle lives in the
 * projection's own per-case row (`lifecycle`, jsonb), committed with the row and the stream
 * version in one transaction, so it is exactly at the version the projection applied: rebuilds
 * and redeliveries fold it exactly once, and it costs no read the projection did not make
 * already. Per event: `before` is the row's lifecycle, `after` the domain's `evolveLifecycle` of
 * it; the declared handler (if any) and `each` make the row; the row is put when it or the
 * lifecycle changed. Handlers never derive a status themselves.
 */
export function lifecycleProjection<R extends LifecycleRow>(
  spec: LifecycleProjectionSpec<R>,
): Projection<CaseEvent> {
  const caseRow = (event: CaseEvent): RowRef => ({ table: spec.caseTable, key: { case_id: event.caseId } });
  const types = spec.everyEvent
    ? undefined
    : CASE_EVENT_TYPES.filter((type) => LIFECYCLE_EVENT_TYPES.includes(type) || spec.on[type] !== undefined);
  return {
    name: spec.name,
    tables: spec.tables,
    streamsTable: spec.streamsTable,
    filter: caseStreamsOf(types),
    decode: decodeCaseEvent,

    reads(event: CaseEvent): readonly RowRef[] {
      return event.type === 'case.submitted' ? [] : [caseRow(event)];
    },

    handle(event: CaseEvent, recorded: RecordedEvent, context: ProjectionContext): void {
      if (event.type === 'case.submitted') {
        // A submission starts the case's row (`decide` never submits a case twice).
        const row = spec.start(event, recorded, startLifecycle(event), context);
        if (row !== null) context.put(spec.caseTable, row as unknown as Row);
        return;
      }
      const row = context.get(spec.caseTable, caseRow(event).key) as unknown as R | undefined;
      // Like `evolve`, events of a case that was never submitted (or that this view does not
      // follow) change nothing.
      if (!row) return;
      const before = row.lifecycle;
      if (!before) {
        throw new Error(
          `${spec.name}: ${spec.caseTable} ${event.caseId} has no lifecycle (written before ADR 0018): rebuild ${spec.name}`,
        );
      }
      const step: LifecycleStep = { event, recorded, before, after: evolveLifecycle(before, event) };
      const handler = spec.on[event.type] as
        ((row: R, step: LifecycleStep, context: ProjectionContext) => R) | undefined;
      let next = handler === undefined || isTerminal(before.status) ? row : handler(row, step, context);
      if (spec.each) next = spec.each(next, step, context);
      if (next !== row || step.after !== before)
        context.put(spec.caseTable, { ...next, lifecycle: step.after } as unknown as Row);
    },
  };
}

// ---- what the views derive from a lifecycle ------------------------------------------------------

/**
 * Who had the case last: the accountable owner, or — once withdrawn or merged — the owner it had
 * then (`previous`, the row's), because "who had it last" is what a reader of a finished case asks.
 */
export function lastOwner<T>(lifecycle: CaseLifecycle, owner: T | null, previous: T | null): T | null {
  return owner ?? (isTerminal(lifecycle.status) ? previous : null);
}

export function assignment(cadreId: string | null, orgUnit: string | null): Assignment | null {
  return cadreId === null || orgUnit === null ? null : { cadreId, orgUnit };
}

/** A clock's deadline in the current round, as the engine stores instants. */
export function dueAt(lifecycle: CaseLifecycle, clock: SlaClock): string | null {
  const due = lifecycle.deadlines[clock].dueAt;
  return due === null ? null : toInstant(due);
}

export interface DueSummary {
  /** Earliest deadline of the clocks still running. */
  readonly nextDueAt: string | null;
  /** A breach was recorded on a clock that is still running. */
  readonly overdue: boolean;
}

export function summarizeDue(lifecycle: CaseLifecycle): DueSummary {
  const response = clockRunning(lifecycle, 'response');
  const resolution = clockRunning(lifecycle, 'resolution');
  return {
    nextDueAt: earliest([
      response ? dueAt(lifecycle, 'response') : null,
      resolution ? dueAt(lifecycle, 'resolution') : null,
    ]),
    overdue:
      (response && lifecycle.deadlines.response.breached) ||
      (resolution && lifecycle.deadlines.resolution.breached),
  };
}
