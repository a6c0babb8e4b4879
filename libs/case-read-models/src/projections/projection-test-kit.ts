import { caseStreamId, type CaseEvent } from '@tongban/cases';
import type { RecordedEvent } from '@tongban/event-store';
import {
  InMemoryProjectionStore,
  keyOf,
  type AnyProjection,
  type Projection,
  type ProjectionContext,
  type Row,
} from '@tongban/projections';

/**
 * Helpers for the projections' specs (imported by *.spec.ts only): recorded events the way the
 * store would hand them over, stores applied in batches, and whole-table snapshots.
 */

/**
 * Records case events as the store does: stream `case-<caseId>`, versions from 1 per stream,
 * increasing global positions, the actor (and the channel at submission) in the metadata, as
 * `toStoredEvent` writes them. One log keeps numbering across calls, so a spec can record more
 * of the same streams later.
 */
export class EventLog {
  private readonly versions = new Map<string, number>();
  private position = 0n;
  readonly all: RecordedEvent[] = [];

  record(...events: readonly CaseEvent[]): RecordedEvent[] {
    const recorded = events.map((event) => {
      const streamId = caseStreamId(event.caseId);
      const version = (this.versions.get(streamId) ?? 0) + 1;
      this.versions.set(streamId, version);
      this.position += 1n;
      const { type, ...data } = event;
      const result: RecordedEvent = {
        id: `00000000-0000-4000-8000-${this.position.toString().padStart(12, '0')}`,
        type,
        streamId,
        version,
        position: { tx: this.position, seq: 0n },
        data: JSON.parse(JSON.stringify(data)) as RecordedEvent['data'],
        metadata: {
          correlationId: `request-${this.position}`,
          actor: {
            id: event.by.id,
            role: event.by.role,
            ...(event.by.orgUnit ? { orgUnit: event.by.orgUnit } : {}),
          },
          ...(event.type === 'case.submitted' ? { channel: event.channel } : {}),
        },
        schemaVersion: 1,
        // The store's clock, a moment after the command's time.
        recordedAt: new Date(Date.parse(event.at) + 250),
      };
      return result;
    });
    this.all.push(...recorded);
    return recorded;
  }
}

/** Recorded events of one log (streams numbered from version 1). */
export function recordedOf(events: readonly CaseEvent[]): RecordedEvent[] {
  return new EventLog().record(...events);
}

/** The same events for another case id (fixtures default to one case). */
export function forCase<E extends CaseEvent>(caseId: string, events: readonly E[]): E[] {
  return events.map((event) => ({ ...event, caseId }));
}

/**
 * Successive instants in China Standard Time (`2026-11-27T09:30:00+08:00`, then +`stepMinutes`),
 * written with the offset the way commands carry them, so specs also exercise normalization.
 */
export function instants(start: string, stepMinutes = 30): () => string {
  let next = Date.parse(start);
  return () => {
    const value = chinaTime(next);
    next += stepMinutes * 60_000;
    return value;
  };
}

export function chinaTime(epochMs: number): string {
  return new Date(epochMs + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
}

/** A store with the events applied in batches of `batchSize` (default: one batch). */
export async function applied(
  projection: AnyProjection,
  events: readonly RecordedEvent[],
  batchSize?: number,
): Promise<InMemoryProjectionStore> {
  const store = new InMemoryProjectionStore(projection);
  await store.apply(events, batchSize === undefined ? {} : { batchSize });
  return store;
}

/** Every table of the store's projection, rows ordered by key. */
export function snapshot(store: InMemoryProjectionStore): Record<string, Row[]> {
  return Object.fromEntries(store.projection.tables.map((spec) => [spec.table, store.rows(spec.table)]));
}

/** Each event twice in a row, as an at-least-once transport may deliver them. */
export function redelivered(events: readonly RecordedEvent[]): RecordedEvent[] {
  return events.flatMap((event) => [event, event]);
}

/**
 * The projection with its reads checked: for every event, the rows `handle` asked for must be
 * exactly the rows `reads` listed (the engine only enforces "no more"; loading rows nobody reads
 * costs queries). Differences are collected in `mismatches`.
 */
export function withReadsChecked<E>(projection: Projection<E>): {
  projection: Projection<E>;
  mismatches: string[];
} {
  const mismatches: string[] = [];
  const specs = new Map(projection.tables.map((spec) => [spec.table, spec]));
  const id = (table: string, key: Row): string => `${table} ${keyOf(specs.get(table)!, key)}`;
  const checked: Projection<E> = {
    ...projection,
    handle(event: E, recorded: RecordedEvent, context: ProjectionContext): void {
      const listed = new Set(projection.reads(event, recorded).map((ref) => id(ref.table, ref.key)));
      const got = new Set<string>();
      projection.handle(event, recorded, {
        ...context,
        get: (table, key) => {
          got.add(id(table, key));
          return context.get(table, key);
        },
      });
      const missing = [...listed].filter((ref) => !got.has(ref));
      if (missing.length > 0) {
        mismatches.push(
          `${recorded.type}@${recorded.streamId}/${recorded.version} listed but never read: ${missing.join(', ')}`,
        );
      }
    },
  };
  return { projection: checked, mismatches };
}

/** Round-robin merge of several cases' events, as concurrent cases reach the store. */
export function interleave<T>(...lists: ReadonlyArray<readonly T[]>): T[] {
  const out: T[] = [];
  const longest = Math.max(0, ...lists.map((list) => list.length));
  for (let i = 0; i < longest; i += 1) {
    for (const list of lists) {
      const item = list[i];
      if (item !== undefined) out.push(item);
    }
  }
  return out;
}
