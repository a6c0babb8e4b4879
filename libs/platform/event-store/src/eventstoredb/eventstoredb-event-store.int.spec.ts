import { eventStoreContract } from '../event-store.contract';
import { EventStoreDbEventStore } from './eventstoredb-event-store';

/**
 * The ONE contract suite against a real EventStoreDB, when EVENTSTORE_URL names one (README:
 * "Running the contract suite against a real EventStoreDB"). None can be installed on the
 * project's machines, so without it the suite is skipped and says so.
 */
const url = process.env['EVENTSTORE_URL'];
const SKIPPED = 'skipped: EventStoreDB not reachable (EVENTSTORE_URL unset)';

if (url === undefined || url === '') {
  process.stdout.write(`EventStore contract (eventstoredb): ${SKIPPED}\n`);
  describe('EventStore contract: eventstoredb', () => {
    it.skip(SKIPPED, () => undefined);
  });
} else {
  eventStoreContract(
    'eventstoredb',
    async () => {
      const store = new EventStoreDbEventStore({ connectionString: url, pollIntervalMs: 250 });
      return { store, close: () => store.close() };
    },
    { deliveryTimeoutMs: 20_000, writerRounds: 3, callerTransactions: false, idsAcrossStreams: false },
  );
}
