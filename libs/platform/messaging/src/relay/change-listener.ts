import { Client, type ClientConfig } from 'pg';
import { LocalChangeSignal, type ChangeSignal } from '@tongban/event-store';

/**
 * LISTEN on a dedicated connection: each channel's notifications bump its own signal. A dropped
 * connection is reopened after a second; meanwhile the waiters fall back to their poll interval,
 * so a lost notification only costs latency, never an event.
 */
export class PgChangeListener {
  private readonly signals = new Map<string, LocalChangeSignal>();
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly connection: ClientConfig,
    channels: readonly string[],
    private readonly onError: (error: Error) => void = () => undefined,
  ) {
    for (const channel of channels) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`Invalid channel name ${channel}`);
      this.signals.set(channel, new LocalChangeSignal());
    }
  }

  signal(channel: string): ChangeSignal & { notify(): void } {
    const signal = this.signals.get(channel);
    if (!signal) throw new Error(`Not listening on ${channel}`);
    return signal;
  }

  start(): void {
    if (this.client || this.closed) return;
    const client = new Client(this.connection);
    this.client = client;
    const fail = (error: Error): void => {
      if (this.client !== client) return;
      this.client = undefined;
      this.onError(error);
      void client.end().catch(() => undefined);
      if (!this.closed) this.retry = setTimeout(() => this.start(), 1_000).unref();
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('LISTEN connection ended')));
    client.on('notification', (message) => this.signals.get(message.channel)?.notify());
    client
      .connect()
      .then(async () => {
        for (const channel of this.signals.keys()) await client.query(`LISTEN ${channel}`);
        // Anything sent before LISTEN took effect is seen by the next look anyway; wake everyone once.
        for (const signal of this.signals.values()) signal.notify();
      })
      .catch((error: Error) => fail(error));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
