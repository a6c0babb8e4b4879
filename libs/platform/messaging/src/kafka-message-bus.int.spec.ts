import { kafkaBrokers } from '@tongban/testing';
import { KafkaMessageBus } from './kafka-message-bus';
import { messageBusContract } from './message-bus.contract';

messageBusContract('kafka', {
  create: async () => new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'tongban-contract' }),
  deliveryTimeoutMs: 30_000,
});

describe('KafkaMessageBus readiness', () => {
  it('answers a ping from the real broker, and fails one against a closed port', async () => {
    const bus = new KafkaMessageBus({ brokers: kafkaBrokers(), clientId: 'tongban-ping' });
    await expect(bus.ping()).resolves.toBeUndefined();
    await bus.close();
    const dead = new KafkaMessageBus({ brokers: ['127.0.0.1:1'], clientId: 'tongban-ping-dead', retries: 0 });
    await expect(dead.ping()).rejects.toThrow();
    await dead.close();
  });
});
