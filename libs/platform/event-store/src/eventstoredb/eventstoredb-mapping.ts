/**
 * Pure translations between the port and @eventstore/db-client: revisions, positions, metadata,
 * filters, errors and the content check that recognises a retried append. No I/O here, so all of
 * it is unit-tested without a server (eventstoredb-mapping.unit.spec.ts).
 */
import {
  ANY,
  ErrorType,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  eventTypeFilter,
  excludeSystemEvents,
  streamNameFilter,
  type AppendExpectedRevision,
  type CurrentRevision,
  type Filter,
  type JSONEventData,
  type JSONType,
  type MetadataType,
  type Position,
  type ReadPosition,
} from '@eventstore/db-client';
import {
  START as PORT_START,
  type AppendResult,
  type ExpectedVersion,
  type GlobalFilter,
  type GlobalPosition,
  type JsonObject,
  type JsonValue,
  type RecordedEvent,
} from '../event-store';
import { canonicalJson } from '../canonical-json';
import { EventTooLargeError, InvalidEventError, WrongExpectedVersionError } from '../errors';
import { describeExpected, type ValidatedEvent } from '../validation';
import { EventStoreAccessDeniedError, EventStoreUnavailableError } from './eventstoredb-errors';

// ---------------------------------------------------------------------------------------------
// Versions and revisions

/**
 * The port counts versions from 1 (0 = no stream); EventStoreDB counts revisions from 0 and says
 * `no_stream` for a stream without events. So port version n is revision n - 1.
 */
export function toExpectedRevision(expected: ExpectedVersion): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      return expected === 0 ? NO_STREAM : BigInt(expected - 1);
  }
}

/** The port's version of the event at `revision`. */
export function versionOfRevision(revision: bigint): number {
  return Number(revision + 1n);
}

/** The stream's version from EventStoreDB's current revision (`no_stream` = 0). */
export function versionOfCurrent(current: CurrentRevision): number {
  return current === NO_STREAM ? 0 : versionOfRevision(current);
}

// ---------------------------------------------------------------------------------------------
// Positions

/**
 * EventStoreDB's `$all` position is (commit, prepare), ordered by commit then prepare — the same
 * lexicographic order as the port's (tx, seq). So commit → tx and prepare → seq, and tokens,
 * checkpoints and comparisons work unchanged.
 */
export function fromEsdbPosition(position: Position): GlobalPosition {
  return { tx: position.commit, seq: position.prepare };
}

export function toEsdbPosition(position: GlobalPosition): Position {
  return { commit: position.tx, prepare: position.seq };
}

/** Where a read of `$all` after `after` (exclusive) starts: the beginning, or that position. */
export function readPositionAfter(after: GlobalPosition | undefined): ReadPosition {
  return after === undefined || (after.tx === PORT_START.tx && after.seq === PORT_START.seq)
    ? START
    : toEsdbPosition(after);
}

// ---------------------------------------------------------------------------------------------
// Events and metadata

/**
 * What the adapter keeps in each event's metadata beside the caller's, under one reserved key:
 * the schema version, and which append wrote the event (the id of that append's first event, the
 * event's index in it and the append's size). EventStoreDB records no append boundaries, and a
 * retry must carry ALL of ONE earlier append (issue 11): this is how it is told apart from a
 * batch made of the events of two appends.
 */
export const ADAPTER_METADATA_KEY = '$tongban';
/** EventStoreDB's own names, read by its system projections (`$by_correlation_id`). */
export const ESDB_CORRELATION_KEY = '$correlationId';
export const ESDB_CAUSATION_KEY = '$causationId';
const RESERVED_KEYS: readonly string[] = [ADAPTER_METADATA_KEY, ESDB_CORRELATION_KEY, ESDB_CAUSATION_KEY];

export interface AppendMarker {
  /** Id of the first event of the append that wrote this event. */
  readonly first: string;
  readonly index: number;
  readonly size: number;
}

interface AdapterMetadata {
  readonly schemaVersion: number;
  readonly append: AppendMarker;
}

/** One validated event as EventStoreDB's JSON event, the adapter's metadata added. */
export function toEventData(events: readonly ValidatedEvent[]): JSONEventData[] {
  const first = events[0]?.id ?? '';
  return events.map((event, index) => {
    const metadata = JSON.parse(event.metadata) as JsonObject;
    for (const key of RESERVED_KEYS) {
      if (key in metadata) {
        throw new InvalidEventError(
          `Event ${index} metadata uses ${key}, which the EventStoreDB adapter reserves.`,
        );
      }
    }
    const adapter: AdapterMetadata = {
      schemaVersion: event.schemaVersion,
      append: { first, index, size: events.length },
    };
    const stored: Record<string, JsonValue> = {
      ...metadata,
      [ADAPTER_METADATA_KEY]: { ...adapter, append: { ...adapter.append } },
    };
    if (typeof metadata['correlationId'] === 'string')
      stored[ESDB_CORRELATION_KEY] = metadata['correlationId'];
    if (typeof metadata['causationId'] === 'string') stored[ESDB_CAUSATION_KEY] = metadata['causationId'];
    return {
      id: event.id,
      contentType: 'application/json',
      type: event.type,
      data: JSON.parse(event.data) as JSONType,
      metadata: stored,
    };
  });
}

/** The shape of the client's recorded event the adapter reads (stream reads and `$all` alike). */
export interface EsdbRecorded {
  readonly streamId: string;
  readonly id: string;
  readonly type: string;
  readonly revision: bigint;
  readonly created: Date;
  readonly isJson: boolean;
  readonly data: JSONType | Uint8Array;
  readonly metadata: MetadataType | undefined;
  readonly position?: Position;
}

export interface MappedEvent {
  readonly event: RecordedEvent;
  /** Which append wrote it; undefined for an event another writer put in the store. */
  readonly append: AppendMarker | undefined;
}

/** A recorded event as the port's, and the append marker it carries. */
export function fromEsdbRecorded(recorded: EsdbRecorded): MappedEvent {
  if (!recorded.position) {
    throw new Error(`EventStoreDB returned ${recorded.streamId}@${recorded.revision} without a position.`);
  }
  const data = asJsonObject(recorded.data, `${recorded.streamId}@${recorded.revision} data`);
  const raw =
    recorded.metadata === undefined
      ? {}
      : asJsonObject(recorded.metadata, `${recorded.streamId}@${recorded.revision} metadata`);
  const adapter = readAdapterMetadata(raw[ADAPTER_METADATA_KEY]);
  const metadata: Record<string, JsonValue> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!RESERVED_KEYS.includes(key)) metadata[key] = value;
  }
  return {
    event: {
      id: recorded.id,
      type: recorded.type,
      streamId: recorded.streamId,
      version: versionOfRevision(recorded.revision),
      position: fromEsdbPosition(recorded.position),
      data,
      metadata,
      schemaVersion: adapter?.schemaVersion ?? 1,
      recordedAt: recorded.created,
    },
    append: adapter?.append,
  };
}

function asJsonObject(value: JSONType | MetadataType, what: string): JsonObject {
  let parsed: unknown = value;
  if (value instanceof Uint8Array) {
    try {
      parsed = JSON.parse(Buffer.from(value).toString('utf8'));
    } catch {
      throw new Error(`${what} is not JSON.`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${what} is not a JSON object.`);
  }
  return parsed as JsonObject;
}

function readAdapterMetadata(value: JsonValue | undefined): AdapterMetadata | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const schemaVersion = value['schemaVersion'];
  const append = value['append'];
  if (typeof schemaVersion !== 'number') return undefined;
  if (typeof append !== 'object' || append === null || Array.isArray(append)) return undefined;
  const { first, index, size } = append;
  if (typeof first !== 'string' || typeof index !== 'number' || typeof size !== 'number') {
    return { schemaVersion, append: { first: '', index: -1, size: -1 } };
  }
  return { schemaVersion, append: { first, index, size } };
}

/** Events of EventStoreDB itself (`$`-types, `$`-streams: stats, metadata, links, projections). */
export function isSystemEvent(event: { readonly streamId: string; readonly type: string }): boolean {
  return event.type.startsWith('$') || event.streamId.startsWith('$');
}

// ---------------------------------------------------------------------------------------------
// Filters

export interface FilterPlan {
  /** The filter the server applies; it still sends checkpoints past what it filtered out. */
  readonly server: Filter;
  /** The whole filter, applied again to what arrives (EventStoreDB filters on ONE of name or type). */
  readonly accepts: (event: { readonly streamId: string; readonly type: string }) => boolean;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A server-side filter for `$all`. EventStoreDB filters either on the event type or on the stream
 * name, not both: types go to the server when given (a narrow list is the usual, selective case)
 * and the stream prefix is then checked here; otherwise the prefix goes to the server. System
 * events are always left out. `checkpointInterval` 1 asks for a checkpoint after every search
 * window, so a reader with a narrow filter advances past what it did not want.
 */
export function planFilter(filter: GlobalFilter | undefined): FilterPlan {
  const types = filter?.types;
  const prefix = filter?.streamPrefix;
  const wanted = types === undefined ? undefined : new Set(types);
  const accepts = (event: { readonly streamId: string; readonly type: string }): boolean =>
    !isSystemEvent(event) &&
    (wanted === undefined || wanted.has(event.type)) &&
    (prefix === undefined || event.streamId.startsWith(prefix));
  let server: Filter;
  if (types !== undefined) {
    // An empty list matches nothing, as on the other adapters: `(?!)` never matches.
    const regex = types.length === 0 ? '(?!)' : `^(?:${types.map(escapeRegex).join('|')})$`;
    server = eventTypeFilter({ regex, checkpointInterval: 1 });
  } else if (prefix !== undefined) {
    server = streamNameFilter({ prefixes: [prefix], checkpointInterval: 1 });
  } else {
    server = excludeSystemEvents({ checkpointInterval: 1 });
  }
  return { server, accepts };
}

// ---------------------------------------------------------------------------------------------
// Errors

/** What the adapter knows about the call that failed, to word the port's error. */
export interface ErrorContext {
  readonly streamId?: string;
  readonly expected?: ExpectedVersion;
}

/** The client's error classes carry a `type` from ErrorType; matched by shape, not by class. */
function clientErrorType(error: unknown): ErrorType | undefined {
  if (!(error instanceof Error)) return undefined;
  const type = (error as { type?: unknown }).type;
  return typeof type === 'string' && (Object.values(ErrorType) as string[]).includes(type)
    ? (type as ErrorType)
    : undefined;
}

/**
 * gRPC status codes (grpc/doc/statuscodes.md) of errors the client passes on unconverted: those
 * raised while it connects — its first call asks the server for its features — before a command
 * runs.
 */
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAVAILABLE = 14;
const GRPC_UNAUTHENTICATED = 16;

/** A connection failure the client did not turn into one of its typed errors. */
function transportErrorType(error: unknown): ErrorType | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case GRPC_UNAVAILABLE:
      return ErrorType.UNAVAILABLE;
    case GRPC_DEADLINE_EXCEEDED:
      return ErrorType.DEADLINE_EXCEEDED;
    case GRPC_UNAUTHENTICATED:
    case GRPC_PERMISSION_DENIED:
      return ErrorType.ACCESS_DENIED;
    default:
      // Gossip discovery (esdb+discover://) that found no node to talk to.
      return /^Failed to discover after \d+ attempts/.test(error.message) ? ErrorType.UNAVAILABLE : undefined;
  }
}

/**
 * The client's errors as the port's: a wrong expected version as WrongExpectedVersionError (with
 * the stream's actual version); no leader, unavailable, deadline or timeout as the retryable
 * EventStoreUnavailableError; refused credentials as EventStoreAccessDeniedError, naming the
 * setting to fix; an oversized append as EventTooLargeError. Anything else as it came.
 */
export function mapClientError(error: unknown, context: ErrorContext = {}): unknown {
  const type = clientErrorType(error) ?? transportErrorType(error);
  if (type === undefined) return error;
  const detail = (error as Error).message;
  switch (type) {
    case ErrorType.WRONG_EXPECTED_VERSION: {
      const actual = (error as { actualVersion?: CurrentRevision }).actualVersion ?? NO_STREAM;
      return new WrongExpectedVersionError(
        context.streamId ?? (error as { streamName?: string }).streamName ?? '?',
        context.expected === undefined ? '?' : describeExpected(context.expected),
        versionOfCurrent(actual),
      );
    }
    case ErrorType.NOT_LEADER: {
      const leader = (error as { leader?: { address?: string; port?: number } }).leader;
      const where = leader?.address ? ` (the leader is ${leader.address}:${leader.port ?? '?'})` : '';
      return new EventStoreUnavailableError(
        `EventStoreDB: the node is not the leader${where}; the client reconnects to the leader, retry. ${detail}`,
      );
    }
    case ErrorType.UNAVAILABLE:
    case ErrorType.DEADLINE_EXCEEDED:
    case ErrorType.TIMEOUT:
    case ErrorType.CANCELLED:
      return new EventStoreUnavailableError(`EventStoreDB is unavailable (${type}): ${detail}`);
    case ErrorType.ACCESS_DENIED:
      return new EventStoreAccessDeniedError(
        'EventStoreDB refused access: check the user and password in EVENTSTORE_URL and that the user may ' +
          `append and read its streams and read $all (ACLs). ${detail}`,
      );
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
      return new EventTooLargeError(`EventStoreDB refused the append as too large: ${detail}`);
    // Nothing the port names: as it came (a missing stream reads empty where the adapter reads).
    case ErrorType.STREAM_NOT_FOUND:
    case ErrorType.NO_STREAM:
    case ErrorType.NOT_FOUND:
    case ErrorType.STREAM_DELETED:
    case ErrorType.INVALID_ARGUMENT:
    case ErrorType.INVALID_TRANSACTION:
    case ErrorType.MISSING_REQUIRED_METADATA_PROPERTY:
    case ErrorType.SCAVENGE_NOT_FOUND:
    case ErrorType.PERSISTENT_SUBSCRIPTION_FAILED:
    case ErrorType.PERSISTENT_SUBSCRIPTION_DOES_NOT_EXIST:
    case ErrorType.PERSISTENT_SUBSCRIPTION_EXISTS:
    case ErrorType.PERSISTENT_SUBSCRIPTION_DROPPED:
    case ErrorType.MAXIMUM_SUBSCRIBERS_REACHED:
    case ErrorType.USER_NOT_FOUND:
    case ErrorType.USER_CONFLICT:
    case ErrorType.UNSUPPORTED:
    case ErrorType.UNKNOWN:
      return error;
  }
}

// ---------------------------------------------------------------------------------------------
// Idempotency: is this append a retry of one already in the stream?

export type RetryVerdict =
  | { readonly kind: 'none' }
  | { readonly kind: 'conflict'; readonly reason: string }
  | { readonly kind: 'retried'; readonly result: AppendResult };

/**
 * The PostgreSQL adapter's `find_retried`, over events of ONE stream read from EventStoreDB: the
 * same events — ids, types, schema versions, data — in the same order, at consecutive versions,
 * all of ONE earlier append (the append marker) and nothing else of it. Metadata and recorded-at
 * are not compared. `stored` may be any part of the stream; ids not found in it count as absent.
 */
export function judgeRetry(
  proposed: readonly ValidatedEvent[],
  stored: readonly MappedEvent[],
): RetryVerdict {
  const byId = new Map(stored.map((s) => [s.event.id.toLowerCase(), s]));
  const found = proposed.map((p) => byId.get(p.id));
  if (found.every((f) => f === undefined)) return { kind: 'none' };
  const conflict = (reason: string): RetryVerdict => ({ kind: 'conflict', reason });
  if (found.some((f) => f === undefined)) return conflict('only some of its event ids are in the stream');
  const first = proposed[0]!.id;
  for (let i = 0; i < proposed.length; i++) {
    const p = proposed[i]!;
    const s = found[i]!;
    if (s.event.type !== p.type) return conflict(`event ${i} has another type`);
    if (s.event.schemaVersion !== p.schemaVersion) return conflict(`event ${i} has another schema version`);
    if (canonicalJson(s.event.data) !== canonicalJson(JSON.parse(p.data))) {
      return conflict(`event ${i} has other data`);
    }
    if (s.event.version !== found[0]!.event.version + i) return conflict('the events are in another order');
    const marker = s.append;
    if (
      !marker ||
      marker.first.toLowerCase() !== first ||
      marker.index !== i ||
      marker.size !== proposed.length
    ) {
      return conflict('the events are not all of one earlier append');
    }
  }
  const last = found[found.length - 1]!.event;
  return { kind: 'retried', result: { nextExpectedVersion: last.version, position: last.position } };
}
