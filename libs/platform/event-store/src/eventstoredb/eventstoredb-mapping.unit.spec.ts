import { randomUUID } from 'node:crypto';
import {
  ANY,
  AccessDeniedError,
  DeadlineExceededError,
  ErrorType,
  EVENT_TYPE,
  MaxAppendSizeExceededError,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  STREAM_NAME,
  UnavailableError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type JSONEventData,
} from '@eventstore/db-client';
import { validateEnvironment } from '@tongban/config';
import {
  EventTooLargeError,
  IdempotencyConflictError,
  InvalidEventError,
  WrongExpectedVersionError,
} from '../errors';
import { canonicalJson } from '../canonical-json';
import { formatPosition, parsePosition } from '../position';
import { validateAppend, type ValidatedEvent } from '../validation';
import type { EventToAppend } from '../event-store';
import { EventStoreAccessDeniedError, EventStoreUnavailableError } from './eventstoredb-errors';
import {
  fromEsdbPosition,
  fromEsdbRecorded,
  judgeRetry,
  mapClientError,
  planFilter,
  readPositionAfter,
  toEsdbPosition,
  toEventData,
  toExpectedRevision,
  versionOfCurrent,
  type EsdbRecorded,
  type MappedEvent,
} from './eventstoredb-mapping';

const event = (type = 'case.submitted', data: Record<string, unknown> = {}): EventToAppend => ({
  id: randomUUID(),
  type,
  data: data as EventToAppend['data'],
  metadata: { correlationId: randomUUID(), actor: { id: 'cadre-0001', role: 'cadre' } },
});

/** What the client hands back for events the adapter wrote: its JSON event, recorded. */
function recorded(
  streamId: string,
  written: readonly JSONEventData[],
  firstRevision: bigint,
  commit = 1000n,
): EsdbRecorded[] {
  return written.map((e, i) => ({
    streamId,
    id: e.id,
    type: e.type,
    revision: firstRevision + BigInt(i),
    created: new Date('2026-11-30T08:00:00Z'),
    isJson: true,
    // Through JSON, as the server stores and returns it.
    data: JSON.parse(JSON.stringify(e.data)) as EsdbRecorded['data'],
    metadata: JSON.parse(JSON.stringify(e.metadata)) as EsdbRecorded['metadata'],
    position: { commit: commit + BigInt(i) * 100n, prepare: commit + BigInt(i) * 100n },
  }));
}

function stored(
  streamId: string,
  valid: readonly ValidatedEvent[],
  firstRevision = 0n,
  commit = 1000n,
): MappedEvent[] {
  return recorded(streamId, toEventData(valid), firstRevision, commit).map(fromEsdbRecorded);
}

describe('expected versions as EventStoreDB revisions', () => {
  it('maps the port’s 1-based versions onto 0-based revisions, and the named expectations', () => {
    expect(toExpectedRevision(0)).toBe(NO_STREAM);
    expect(toExpectedRevision(1)).toBe(0n);
    expect(toExpectedRevision(42)).toBe(41n);
    expect(toExpectedRevision('no_stream')).toBe(NO_STREAM);
    expect(toExpectedRevision('stream_exists')).toBe(STREAM_EXISTS);
    expect(toExpectedRevision('any')).toBe(ANY);
  });

  it('reads a current revision back as the stream’s version', () => {
    expect(versionOfCurrent(NO_STREAM)).toBe(0);
    expect(versionOfCurrent(0n)).toBe(1);
    expect(versionOfCurrent(9n)).toBe(10);
  });
});

describe('positions', () => {
  it('maps commit to tx and prepare to seq, both ways, and through the opaque token', () => {
    const esdb = { commit: 123_456_789_012n, prepare: 123_456_789_000n };
    const position = fromEsdbPosition(esdb);
    expect(position).toEqual({ tx: 123_456_789_012n, seq: 123_456_789_000n });
    expect(toEsdbPosition(position)).toEqual(esdb);
    expect(parsePosition(formatPosition(position))).toEqual(position);
  });

  it('starts a read of $all at the beginning, or at the checkpoint', () => {
    expect(readPositionAfter(undefined)).toBe(START);
    expect(readPositionAfter({ tx: 0n, seq: 0n })).toBe(START);
    expect(readPositionAfter({ tx: 5n, seq: 4n })).toEqual({ commit: 5n, prepare: 4n });
  });
});

describe('events and metadata', () => {
  it('writes JSON events carrying the schema version, the append marker and EventStoreDB’s correlation names', () => {
    const a = { ...event(), schemaVersion: 3, metadata: { correlationId: 'c-1', causationId: 'k-1' } };
    const b = event('case.dispatched');
    const [first, second] = toEventData(validateAppend('case-1', [a, b], 'no_stream'));
    expect(first).toMatchObject({ id: a.id, type: 'case.submitted', contentType: 'application/json' });
    expect(first!.metadata).toEqual({
      correlationId: 'c-1',
      causationId: 'k-1',
      $correlationId: 'c-1',
      $causationId: 'k-1',
      $tongban: { schemaVersion: 3, append: { first: a.id, index: 0, size: 2 } },
    });
    expect(second!.metadata).toMatchObject({
      $tongban: { schemaVersion: 1, append: { first: a.id, index: 1, size: 2 } },
    });
  });

  it('reads them back as the caller wrote them: metadata unchanged, schema version and version restored', () => {
    const sent = { ...event('case.submitted', { 描述: '楼道灯不亮', n: [1, 2.5, null] }), schemaVersion: 2 };
    const [mapped] = stored('case-1', validateAppend('case-1', [sent], 'no_stream'), 4n);
    expect(mapped!.event).toEqual({
      id: sent.id,
      type: 'case.submitted',
      streamId: 'case-1',
      version: 5,
      position: { tx: 1000n, seq: 1000n },
      data: { 描述: '楼道灯不亮', n: [1, 2.5, null] },
      metadata: sent.metadata,
      schemaVersion: 2,
      recordedAt: new Date('2026-11-30T08:00:00Z'),
    });
  });

  it('reads an event another writer put in the store with schema version 1 and no marker', () => {
    const mapped = fromEsdbRecorded({
      streamId: 'other-1',
      id: randomUUID(),
      type: 'other.thing',
      revision: 0n,
      created: new Date(),
      isJson: false,
      data: Buffer.from('{"x":1}'),
      metadata: undefined,
      position: { commit: 7n, prepare: 7n },
    });
    expect(mapped.event).toMatchObject({ data: { x: 1 }, metadata: {}, schemaVersion: 1, version: 1 });
    expect(mapped.append).toBeUndefined();
  });

  it('refuses caller metadata under the keys the adapter reserves', () => {
    const valid = validateAppend('case-1', [{ ...event(), metadata: { $tongban: 'mine' } }], 'any');
    expect(() => toEventData(valid)).toThrow(InvalidEventError);
  });
});

describe('filters on $all', () => {
  const caseEvent = { streamId: 'case-1', type: 'case.submitted' };
  const directoryEvent = { streamId: 'directory-1', type: 'directory.cadre_added' };
  const systemEvent = { streamId: '$stats-127.0.0.1:2113', type: '$statsCollected' };

  it('sends event types to the server, checks the prefix again here, and leaves system events out', () => {
    const plan = planFilter({ types: ['case.submitted', 'a.b+c'], streamPrefix: 'case-' });
    expect(plan.server).toMatchObject({
      filterOn: EVENT_TYPE,
      regex: '^(?:case\\.submitted|a\\.b\\+c)$',
      checkpointInterval: 1,
    });
    expect(new RegExp((plan.server as { regex: string }).regex).test('case.submitted')).toBe(true);
    expect(new RegExp((plan.server as { regex: string }).regex).test('caseXsubmitted')).toBe(false);
    expect(plan.accepts(caseEvent)).toBe(true);
    expect(plan.accepts({ ...caseEvent, streamId: 'directory-1' })).toBe(false);
    expect(plan.accepts(systemEvent)).toBe(false);
  });

  it('sends a stream prefix alone as a prefix filter on stream names', () => {
    const plan = planFilter({ streamPrefix: 'directory-' });
    expect(plan.server).toMatchObject({
      filterOn: STREAM_NAME,
      prefixes: ['directory-'],
      checkpointInterval: 1,
    });
    expect(plan.accepts(directoryEvent)).toBe(true);
    expect(plan.accepts(caseEvent)).toBe(false);
  });

  it('matches nothing for an empty type list, as the other adapters do', () => {
    const plan = planFilter({ types: [] });
    expect(new RegExp((plan.server as { regex: string }).regex).test('case.submitted')).toBe(false);
    expect(plan.accepts(caseEvent)).toBe(false);
  });

  it('without a filter, only leaves system events out', () => {
    const plan = planFilter(undefined);
    expect(plan.server).toMatchObject({ filterOn: EVENT_TYPE });
    expect(plan.accepts(caseEvent)).toBe(true);
    expect(plan.accepts(systemEvent)).toBe(false);
  });
});

describe('client errors as the port’s', () => {
  it('maps a wrong expected version with the stream’s actual version', () => {
    const error = new EsdbWrongExpectedVersionError(undefined, {
      streamName: 'case-1',
      expected: 0n,
      current: 2n,
    });
    const mapped = mapClientError(error, { streamId: 'case-1', expected: 1 });
    expect(mapped).toBeInstanceOf(WrongExpectedVersionError);
    expect(mapped).toMatchObject({ streamId: 'case-1', expected: '1', actual: 3 });
    const none = new EsdbWrongExpectedVersionError(undefined, {
      streamName: 's',
      expected: STREAM_EXISTS,
      current: NO_STREAM,
    });
    expect(mapClientError(none, { streamId: 's', expected: 'stream_exists' })).toMatchObject({ actual: 0 });
  });

  it('maps no leader, unavailable and deadline to the retryable unavailable error', () => {
    const notLeader = Object.assign(new Error('Not leader'), {
      type: ErrorType.NOT_LEADER,
      leader: { address: '10.0.0.2', port: 2113 },
    });
    expect(mapClientError(notLeader)).toBeInstanceOf(EventStoreUnavailableError);
    expect((mapClientError(notLeader) as Error).message).toContain('10.0.0.2:2113');
    expect(mapClientError(new UnavailableError())).toMatchObject({
      code: 'event_store.unavailable',
      kind: 'unavailable',
    });
    expect(mapClientError(new DeadlineExceededError())).toBeInstanceOf(EventStoreUnavailableError);
  });

  it('maps connection failures the client passes on unconverted (raw gRPC status, failed discovery)', () => {
    const raw = Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 });
    expect(mapClientError(raw)).toBeInstanceOf(EventStoreUnavailableError);
    expect(mapClientError(Object.assign(new Error('4 DEADLINE_EXCEEDED'), { code: 4 }))).toBeInstanceOf(
      EventStoreUnavailableError,
    );
    expect(mapClientError(Object.assign(new Error('16 UNAUTHENTICATED'), { code: 16 }))).toBeInstanceOf(
      EventStoreAccessDeniedError,
    );
    expect(mapClientError(new Error('Failed to discover after 10 attempts.'))).toBeInstanceOf(
      EventStoreUnavailableError,
    );
  });

  it('maps refused credentials to a configuration error naming EVENTSTORE_URL', () => {
    const mapped = mapClientError(new AccessDeniedError());
    expect(mapped).toBeInstanceOf(EventStoreAccessDeniedError);
    expect((mapped as Error).message).toContain('EVENTSTORE_URL');
  });

  it('maps an oversized append to EventTooLargeError and leaves anything else as it came', () => {
    expect(mapClientError(new MaxAppendSizeExceededError(undefined, 1024))).toBeInstanceOf(
      EventTooLargeError,
    );
    const other = new Error('boom');
    expect(mapClientError(other)).toBe(other);
    expect(mapClientError('not an error')).toBe('not an error');
  });
});

describe('recognising a retried append by its content', () => {
  const stream = 'case-1';
  const a = event('case.submitted', { title: '楼道灯不亮', n: 1 });
  const b = event('case.dispatched', { ownerId: 'cadre-0001' });
  const inStore = stored(stream, validateAppend(stream, [a, b], 'no_stream'));
  const judge = (events: EventToAppend[], existing = inStore) =>
    judgeRetry(validateAppend(stream, events, 'any'), existing);

  it('answers the original result for the same events, key order and metadata aside', () => {
    const verdict = judge([
      { ...a, data: { n: 1, title: '楼道灯不亮' }, metadata: { correlationId: randomUUID() } },
      { ...b, metadata: {} },
    ]);
    expect(verdict).toEqual({
      kind: 'retried',
      result: { nextExpectedVersion: 2, position: { tx: 1100n, seq: 1100n } },
    });
  });

  it('finds nothing for new ids', () => {
    expect(judge([event()])).toEqual({ kind: 'none' });
  });

  it.each<[string, () => EventToAppend[]]>([
    ['other data', () => [{ ...a, data: { title: '楼道灯不亮', n: 2 } }, b]],
    ['another type', () => [{ ...a, type: 'case.withdrawn' }, b]],
    ['another schema version', () => [{ ...a, schemaVersion: 2 }, b]],
    ['another order', () => [b, a]],
    ['fewer events', () => [a]],
    ['one more event', () => [a, b, event()]],
  ])('refuses %s', (_what, events) => {
    expect(judge(events()).kind).toBe('conflict');
  });

  it('does not take the events of two earlier appends for one retry', () => {
    const c = event();
    const d = event();
    const twoAppends = [
      ...stored(stream, validateAppend(stream, [c], 'no_stream'), 0n),
      ...stored(stream, validateAppend(stream, [d], 1), 1n, 2000n),
    ];
    expect(judge([c, d], twoAppends).kind).toBe('conflict');
    expect(judge([c], twoAppends).kind).toBe('retried');
  });

  it('is what the adapter turns into IdempotencyConflictError (the port’s code)', () => {
    expect(new IdempotencyConflictError('x').code).toBe('event_store.idempotency_conflict');
  });

  it('compares data as JSON values, whatever the key order', () => {
    expect(canonicalJson({ b: [1, { d: 1, c: 2 }], a: '通' })).toBe(
      canonicalJson({ a: '通', b: [1, { c: 2, d: 1 }] }),
    );
  });
});

describe('configuration', () => {
  const base = { AUTH_MODE: 'dev', NODE_ENV: 'test' };

  it('defaults to PostgreSQL', () => {
    expect(validateEnvironment(base).EVENT_STORE).toBe('postgres');
  });

  it('needs EVENTSTORE_URL with EVENT_STORE=eventstoredb, and an esdb:// or esdb+discover:// one', () => {
    expect(() => validateEnvironment({ ...base, EVENT_STORE: 'eventstoredb' })).toThrow(/EVENTSTORE_URL/);
    expect(() =>
      validateEnvironment({ ...base, EVENT_STORE: 'eventstoredb', EVENTSTORE_URL: 'https://es:2113' }),
    ).toThrow(/EVENTSTORE_URL must be an esdb:\/\/ or esdb\+discover:\/\//);
    expect(() => validateEnvironment({ ...base, EVENT_STORE: 'kurrent' })).toThrow(/EVENT_STORE/);
    const env = validateEnvironment({
      ...base,
      EVENT_STORE: 'eventstoredb',
      EVENTSTORE_URL: 'esdb+discover://admin:changeit@es.example:2113?tls=true',
    });
    expect(env.EVENT_STORE).toBe('eventstoredb');
  });
});
