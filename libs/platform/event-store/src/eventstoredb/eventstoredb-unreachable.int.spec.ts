import { createServer, type Server } from 'node:net';
import { checkEventStoreDbAtStart } from '../event-store.module';
import { EventStoreUnavailableError } from './eventstoredb-errors';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * EVENT_STORE=eventstoredb with an EVENTSTORE_URL nothing answers at: readiness and start-up
 * fail with a clear, retryable error instead of hanging or half-working. Needs no server: a port
 * that was just free, on loopback.
 */
describe('EventStoreDB adapter with an unreachable EVENTSTORE_URL', () => {
  let url: string;

  beforeAll(async () => {
    // Take a free port and release it: nothing listens there afterwards.
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 1;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    url = `esdb://127.0.0.1:${port}?tls=false&defaultDeadline=3000`;
  });

  it('fails the write-path probe as unavailable (retryable), and start-up names EVENTSTORE_URL', async () => {
    const store = new EventStoreDbEventStore({ connectionString: url });
    try {
      await expect(store.checkWritePath()).rejects.toBeInstanceOf(EventStoreUnavailableError);
      await expect(checkEventStoreDbAtStart(store)).rejects.toThrow(
        /EVENT_STORE=eventstoredb, but the EventStoreDB at EVENTSTORE_URL does not take appends: EventStoreDB is unavailable/,
      );
      await expect(store.streamState('case-1')).rejects.toBeInstanceOf(EventStoreUnavailableError);
    } finally {
      await store.close();
    }
  }, 30_000);
});
