import { formatPosition, type RecordedEvent } from '@tongban/event-store';
import { InMemoryProjectionStore } from './in-memory-projection-store';
import type { Projection } from './projection';
import { ProjectionEventError } from './projection-event-error';

/**
 * An event a projection cannot decode, list reads for, or handle stops the batch (nothing is
 * skipped); the error names the projection and the event, so the runner's log, its status and a
 * failed rebuild all say where the store needs a look.
 */
interface Note {
  readonly text: string;
}

const notes: Projection<Note> = {
  name: 'notes',
  tables: [{ table: 'n_doc', key: ['stream_id'], kind: 'document' }],
  streamsTable: 'n_streams',
  filter: { streamPrefix: 'note-' },
  decode: (recorded) => {
    if (recorded.type === 'note.from_the_future') throw new Error('No upcaster for note v2');
    return { text: recorded.data['text'] as string };
  },
  reads: (_event, recorded) => {
    if (recorded.type === 'note.unreadable') throw new Error('cannot tell which rows');
    return [];
  },
  handle: (event, recorded, context) => {
    context.put('n_doc', { stream_id: recorded.streamId, text: event.text.toUpperCase() });
  },
};

let position = 0n;
const recorded = (type: string, data: RecordedEvent['data']): RecordedEvent => {
  position += 1n;
  return {
    id: `00000000-0000-4000-8000-${position.toString().padStart(12, '0')}`,
    type,
    streamId: `note-${position}`,
    version: 1,
    position: { tx: 7000n + position, seq: 2n },
    data,
    metadata: {},
    schemaVersion: 1,
    recordedAt: new Date('2026-11-27T01:30:00Z'),
  };
};

async function failureOf(events: readonly RecordedEvent[]): Promise<unknown> {
  const store = new InMemoryProjectionStore(notes);
  return store.apply(events).then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('ProjectionEventError', () => {
  it.each([
    ['decoding', 'note.from_the_future', { text: 'x' }, 'No upcaster for note v2'],
    ['listing the reads', 'note.unreadable', { text: 'x' }, 'cannot tell which rows'],
    ['handling', 'note.written', {}, "Cannot read properties of undefined (reading 'toUpperCase')"],
  ] as const)(
    'names the projection and the event that failed while %s',
    async (_while, type, data, reason) => {
      const good = recorded('note.written', { text: 'fine' });
      const bad = recorded(type, data);
      const error = await failureOf([good, bad]);
      expect(error).toBeInstanceOf(ProjectionEventError);
      expect(error).toMatchObject({
        projection: 'notes',
        streamId: bad.streamId,
        version: 1,
        eventType: type,
        position: formatPosition(bad.position),
        message: `notes cannot apply ${type} ${bad.streamId}@1 at position ${formatPosition(bad.position)}: ${reason}`,
      });
      expect((error as Error).cause).toBeInstanceOf(Error);
    },
  );

  it('leaves batches without such an event alone', async () => {
    expect(await failureOf([recorded('note.written', { text: 'fine' })])).toBeUndefined();
  });
});
