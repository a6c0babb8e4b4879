import { eventStoreContract } from './event-store.contract';
import { InMemoryEventStore } from './in-memory-event-store';

eventStoreContract(
  'in-memory',
  async () => {
    const store = new InMemoryEventStore({ pollIntervalMs: 20 });
    return {
      store,
      openTransaction: async () => {
        const tx = store.begin();
        return {
          append: (streamId, events, expected) => tx.append(streamId, events, expected),
          commit: async () => tx.commit(),
          rollback: async () => tx.rollback(),
        };
      },
      close: () => store.close(),
    };
  },
  { deliveryTimeoutMs: 5_000, writerRounds: 5 },
);
