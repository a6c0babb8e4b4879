import type { Pool } from 'pg';

/** Cross-process wake-ups are coalesced to at most one per this many milliseconds. */
const NOTIFY_INTERVAL_MS = 10;

/**
 * A NOTIFY on one channel, coalesced: at most one in flight and at most one per
 * NOTIFY_INTERVAL_MS, however often `notify()` is called, so busy writers (appends, projection
 * batches) do not pay for wake-ups. A call made while one is in flight is not lost: one more
 * follows it. A lost wake-up only costs the listeners' fallback poll.
 */
export class CoalescedNotifier {
  private notifying = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pool: Pool,
    private readonly channel: string,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  notify(): void {
    if (this.closed) return;
    if (this.notifying || this.timer) {
      this.again = true;
      return;
    }
    this.notifying = true;
    const sentAt = Date.now();
    void this.pool
      .query('SELECT pg_notify($1, NULL)', [this.channel])
      .catch((error: Error) => this.onError(error))
      .finally(() => {
        this.notifying = false;
        if (!this.again || this.closed) return;
        this.again = false;
        this.timer = setTimeout(
          () => {
            this.timer = undefined;
            this.notify();
          },
          Math.max(0, sentAt + NOTIFY_INTERVAL_MS - Date.now()),
        );
      });
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }
}
