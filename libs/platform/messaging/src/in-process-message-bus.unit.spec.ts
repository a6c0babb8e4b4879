import { InProcessMessageBus } from './in-process-message-bus';
import { messageBusContract } from './message-bus.contract';

messageBusContract('in-process', {
  create: async () => new InProcessMessageBus({ retryDelayMs: 5 }),
  deliveryTimeoutMs: 2_000,
});

describe('InProcessMessageBus', () => {
  it('refuses a second member in the same group, since it cannot split partitions', async () => {
    const bus = new InProcessMessageBus();
    const first = await bus.subscribe({ topic: 't', group: 'g' }, async () => undefined);
    await expect(bus.subscribe({ topic: 't', group: 'g' }, async () => undefined)).rejects.toThrow(
      /one member per group/,
    );
    await first.stop();
    await bus.close();
  });
});
