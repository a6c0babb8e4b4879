import { deterministicUuid, toStoredEvent } from '@tongban/case-handling';
import { caseStreamId } from '@tongban/cases';
import { generateCaseWorkload } from '@tongban/cases/testing';
import type { EventToAppend } from '@tongban/event-store';

/** One decided command's events as the store receives them, at the stream version it expects. */
export interface StoredAppend {
  readonly streamId: string;
  readonly expectedVersion: number;
  readonly events: readonly EventToAppend[];
}

/** One event as the floor table receives it: the same ids, stream, version and JSON. */
export interface FloorRow {
  readonly streamId: string;
  readonly version: number;
  readonly eventId: string;
  readonly type: string;
  readonly data: string;
  readonly metadata: string;
}

export interface CaseSeed {
  readonly appends: readonly StoredAppend[];
  readonly events: number;
  readonly cases: number;
  /** How many events of each type, for the report. */
  readonly types: Record<string, number>;
  readonly dataBytes: number;
  readonly metadataBytes: number;
}

/**
 * The deterministic case workload (every event out of the real decider, cases interleaved in
 * time order) as stored events, with the ids the case read models checksum test gives them.
 */
export function caseSeed(seed: number, events: number): CaseSeed {
  const workload = generateCaseWorkload({ seed, events });
  const appends: StoredAppend[] = [];
  const types: Record<string, number> = {};
  const cases = new Set<string>();
  let dataBytes = 0;
  let metadataBytes = 0;
  let n = 0;
  for (const append of workload.appends) {
    cases.add(append.caseId);
    const stored = append.events.map((event, i) =>
      toStoredEvent(
        event,
        { correlationId: `bench-${n}` },
        deterministicUuid(`bench:${append.caseId}:${append.expectedVersion + i + 1}`),
      ),
    );
    n += 1;
    for (const e of stored) {
      types[e.type] = (types[e.type] ?? 0) + 1;
      dataBytes += Buffer.byteLength(JSON.stringify(e.data), 'utf8');
      metadataBytes += Buffer.byteLength(JSON.stringify(e.metadata ?? {}), 'utf8');
    }
    appends.push({
      streamId: caseStreamId(append.caseId),
      expectedVersion: append.expectedVersion,
      events: stored,
    });
  }
  const total = appends.reduce((a, x) => a + x.events.length, 0);
  return { appends, events: total, cases: cases.size, types, dataBytes, metadataBytes };
}

/**
 * The appends cut into `shards` lists by stream, each in the workload's time order: one writer
 * per list keeps every stream's appends in order while the lists interleave in the global log
 * about as the live system would interleave cases.
 */
export function shardByStream(appends: readonly StoredAppend[], shards: number): StoredAppend[][] {
  const out: StoredAppend[][] = Array.from({ length: shards }, () => []);
  for (const a of appends) {
    let h = 0;
    for (let i = 0; i < a.streamId.length; i++) h = (h * 31 + a.streamId.charCodeAt(i)) >>> 0;
    out[h % shards]!.push(a);
  }
  return out;
}

/** Every event of the workload as a floor row (JSON serialized once, up front, untimed). */
export function floorRows(appends: readonly StoredAppend[]): FloorRow[] {
  const rows: FloorRow[] = [];
  for (const a of appends) {
    a.events.forEach((e, i) =>
      rows.push({
        streamId: a.streamId,
        version: a.expectedVersion + i + 1,
        eventId: e.id,
        type: e.type,
        data: JSON.stringify(e.data),
        metadata: JSON.stringify(e.metadata ?? {}),
      }),
    );
  }
  return rows;
}

/** The floor's table: the same shape as bench:store's floor (see bench/support/systems.ts). */
export const FLOOR_TABLE = `
CREATE TABLE events (
  id             bigserial PRIMARY KEY,
  stream_id      text   NOT NULL,
  stream_version bigint NOT NULL,
  event_id       uuid   NOT NULL UNIQUE,
  type           text   NOT NULL,
  data           jsonb  NOT NULL,
  metadata       jsonb  NOT NULL,
  UNIQUE (stream_id, stream_version)
)`;

const COLUMNS = 'stream_id, stream_version, event_id, type, data, metadata';

/** One autocommit single-row INSERT, one round trip. */
export const FLOOR_INSERT_ONE = `INSERT INTO events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`;

export const floorParams = (r: FloorRow): unknown[] => [
  r.streamId,
  r.version,
  r.eventId,
  r.type,
  r.data,
  r.metadata,
];

/** One multi-row INSERT of `rows` (at most 10,000: 6 parameters each, 65,535 at most). */
export function floorInsertMany(rows: readonly FloorRow[]): { text: string; values: unknown[] } {
  const tuples: string[] = [];
  const values: unknown[] = [];
  for (const r of rows) {
    const p = values.length;
    tuples.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`);
    values.push(...floorParams(r));
  }
  return { text: `INSERT INTO events (${COLUMNS}) VALUES ${tuples.join(', ')}`, values };
}
