import { Client, type ClientConfig, type Pool } from 'pg';
import { CoalescedNotifier, LocalChangeSignal, type ChangeSignal } from '@tongban/event-store';

/** The PostgreSQL channel a projector announces its commits on. */
export const READ_MODELS_COMMITTED = 'tongban_read_models_committed';

/**
 * The projector's side: a NOTIFY after its batches commit, so queries waiting in other processes
 * (the api) wake at once — coalesced exactly as the event store's appends are.
 */
export class CommitNotifier extends CoalescedNotifier {
  constructor(pool: Pool, onError?: (error: Error) => void) {
    super(pool, READ_MODELS_COMMITTED, onError);
  }
}

/**
 * The query side's: LISTEN on a dedicated connection (never one of the pool's, which queries
 * need, and never where the database has only one: standalone wakes in-process instead), turned
 * into a ChangeSignal the consistency waits sleep on. A broken connection is reopened after
 * `retryMs`; meanwhile the waits fall back to their poll. Each (re)connection counts as a change,
 * so a commit announced while nobody listened is looked for at once.
 */
export class CommitListener implements ChangeSignal {
  private readonly changes = new LocalChangeSignal();
  private client: Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private connected = false;
  private closed = false;

  constructor(
    private readonly config: ClientConfig,
    private readonly options: { readonly onError?: (error: Error) => void; readonly retryMs?: number } = {},
  ) {}

  get version(): number {
    return this.changes.version;
  }

  /** True while the LISTEN connection is up. */
  get listening(): boolean {
    return this.connected;
  }

  wait(timeoutMs: number, seen?: number): Promise<void> {
    return this.changes.wait(timeoutMs, seen);
  }

  /** Connects and listens; resolves when listening or when the first attempt failed (it retries). */
  async start(): Promise<void> {
    if (this.closed || this.client) return;
    const client = new Client(this.config);
    this.client = client;
    this.connected = false;
    client.on('error', (error: Error) => this.fail(client, error));
    client.on('notification', () => this.changes.notify());
    try {
      await client.connect();
      await client.query(`LISTEN ${READ_MODELS_COMMITTED}`);
      if (this.client !== client) return;
      this.connected = true;
      this.changes.notify();
    } catch (error) {
      this.fail(client, error instanceof Error ? error : new Error(String(error)));
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private fail(client: Client, error: Error): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.connected = false;
    this.options.onError?.(error);
    void client.end().catch(() => undefined);
    if (this.closed) return;
    this.retry = setTimeout(() => void this.start(), this.options.retryMs ?? 1_000);
    this.retry.unref();
  }
}
