import { formatPosition, type RecordedEvent } from '@tongban/event-store';
import { InMemoryProjectionStore } from './in-memory-projection-store';
import type { Projection } from './projection';
import { ProjectionEventError, ProjectionGapError } from './projection-event-error';

/**
 * The stream-version guard (issue 11, item 6): an event at or below its stream's recorded version
 * is a redelivery and is skipped, but one more than one past it means an event went missing or
 * came out of order — it stops the projection, naming the projection, the stream and both
 * versions, instead of being applied over a hole. Under a type filter the guard still sees every
 * event of the streams the projection watches, so a filtered-out type is no false gap and a
 * missing one is still caught.
 */
interface Seen {
  readonly type: string;
}

const counting = (types?: readonly string[]): Projection<Seen> => ({
  name: types ? 'only_b' : 'everything',
  tables: [{ table: 'g_doc', key: ['stream_id'], kind: 'document' }],
  streamsTable: 'g_streams',
  filter: { streamPrefix: 'gap-', ...(types ? { types } : {}) },
  decode: (recorded) => ({ type: recorded.type }),
  reads: (_event, recorded) => [{ table: 'g_doc', key: { stream_id: recorded.streamId } }],
  handle: (event, recorded, context) => {
    const doc = context.get('g_doc', { stream_id: recorded.streamId });
    const seen = (doc?.['seen'] as string[] | undefined) ?? [];
    context.put('g_doc', {
      stream_id: recorded.streamId,
      seen: [...seen, `${event.type}@${recorded.version}`],
    });
  },
});

let position = 0n;
function event(streamId: string, version: number, type = 'a'): RecordedEvent {
  position += 1n;
  return {
    id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
    type,
    streamId,
    version,
    position: { tx: 9000n + position, seq: 1n },
    data: {},
    metadata: {},
    schemaVersion: 1,
    recordedAt: new Date('2026-11-27T01:30:00Z'),
  };
}

async function failureOf(store: InMemoryProjectionStore, events: readonly RecordedEvent[]): Promise<unknown> {
  return store.apply(events).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('the stream-version guard', () => {
  it('refuses an event more than one version past the recorded one, naming projection, stream and versions', async () => {
    const store = new InMemoryProjectionStore(counting());
    await store.apply([event('gap-1', 1), event('gap-1', 2), event('gap-1', 3)]);
    const five = event('gap-1', 5);
    const error = await failureOf(store, [five]);
    expect(error).toBeInstanceOf(ProjectionGapError);
    expect(error).toBeInstanceOf(ProjectionEventError);
    expect(error).toMatchObject({
      projection: 'everything',
      streamId: 'gap-1',
      recordedVersion: 3,
      seenVersion: 5,
    });
    expect((error as Error).message).toBe(
      `everything cannot apply a gap-1@5 at position ${formatPosition(five.position)}: ` +
        'stream gap in gap-1: recorded version 3, next seen 5 (version 4 is missing or out of order)',
    );
    // Nothing of the refused batch was written; the stream stays where it was.
    expect(store.streamVersion('gap-1')).toBe(3);
  });

  it('refuses a gap inside one batch, and a stream first seen past version 1', async () => {
    const inBatch = new InMemoryProjectionStore(counting());
    expect(await failureOf(inBatch, [event('gap-2', 1), event('gap-2', 3)])).toMatchObject({
      recordedVersion: 1,
      seenVersion: 3,
    });
    const firstSeenLate = new InMemoryProjectionStore(counting());
    expect(await failureOf(firstSeenLate, [event('gap-3', 2)])).toMatchObject({
      streamId: 'gap-3',
      recordedVersion: 0,
      seenVersion: 2,
    });
  });

  it('still skips redeliveries, and applies the next version after one', async () => {
    const store = new InMemoryProjectionStore(counting());
    const [one, two, three] = [event('gap-4', 1), event('gap-4', 2), event('gap-4', 3)];
    await store.apply([one, two]);
    await store.apply([one, two, two, three]);
    expect(store.rows('g_doc')).toEqual([{ stream_id: 'gap-4', seen: ['a@1', 'a@2', 'a@3'] }]);
  });

  it('under a type filter, tracks every event of the watched streams: filtered-out types are no gap', async () => {
    const store = new InMemoryProjectionStore(counting(['b']));
    await store.apply([event('gap-5', 1, 'a'), event('gap-5', 2, 'b')]);
    await store.apply([event('gap-5', 3, 'a'), event('gap-5', 4, 'a')]);
    await store.apply([event('gap-5', 5, 'b'), event('other-1', 9, 'b')]);
    expect(store.rows('g_doc')).toEqual([{ stream_id: 'gap-5', seen: ['b@2', 'b@5'] }]);
    expect(store.streamVersion('gap-5')).toBe(5);
    // Streams outside the prefix are not watched at all.
    expect(store.streamVersion('other-1')).toBe(0);
  });

  it('under a type filter, still refuses a missing event, whatever its type', async () => {
    const store = new InMemoryProjectionStore(counting(['b']));
    await store.apply([event('gap-6', 1, 'a'), event('gap-6', 2, 'b')]);
    // Version 3 (an `a` the projection does not handle) never arrives.
    expect(await failureOf(store, [event('gap-6', 4, 'b')])).toMatchObject({
      projection: 'only_b',
      recordedVersion: 2,
      seenVersion: 4,
    });
    expect(await failureOf(store, [event('gap-6', 4, 'a')])).toBeInstanceOf(ProjectionGapError);
  });
});
