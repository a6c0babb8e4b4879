import type {
  EventHandler,
  GlobalPosition,
  ReadAllOptions,
  ReadAllResult,
  StoreSubscription,
  SubscribeOptions,
} from './event-store';
import { START } from './event-store';

export interface ChangeSignal {
  /** Counts the changes seen so far; read it before looking, pass it to `wait`. */
  readonly version: number;
  /**
   * Resolves at the next change (an append this process made, or a notification), or after
   * `timeoutMs` — at once if a change came after `seen` (the `version` read before looking), so a
   * change that happened while the caller was busy reading is not slept through.
   */
  wait(timeoutMs: number, seen?: number): Promise<void>;
}

export interface CatchUpOptions extends SubscribeOptions {
  /** Longest sleep between reads when no wake-up arrives (the polling fallback). */
  readonly pollIntervalMs: number;
}

/**
 * The catch-up loop every adapter shares: read a batch after the checkpoint, hand each event to
 * the handler in order, advance; when caught up, sleep until a wake-up or the poll interval.
 * History and live events go through the same path, so there is no hand-over gap between them.
 */
export function runCatchUpSubscription(
  readAll: (options: ReadAllOptions) => Promise<ReadAllResult>,
  changes: ChangeSignal,
  options: CatchUpOptions,
  handler: EventHandler,
): StoreSubscription {
  let running = true;
  let caughtUp = false;
  let wakeStop: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (wakeStop = resolve));

  const loop = async (): Promise<void> => {
    let after: GlobalPosition = options.after ?? START;
    // A change we are told of may not be visible yet: the global log shows an event only once
    // every older transaction (in the whole PostgreSQL cluster) has ended. After a wake-up that
    // showed nothing, look again soon — 10 ms, doubling — rather than sleeping a poll interval.
    let retryMs = 0;
    let woken = false;
    while (running) {
      const seen = changes.version;
      const page = await readAll({
        after,
        maxCount: options.batchSize ?? 500,
        ...(options.filter ? { filter: options.filter } : {}),
      });
      for (const event of page.events) {
        if (!running) return;
        await handler(event);
      }
      if (!running) return;
      after = page.next;
      caughtUp = page.caughtUp;
      if (page.caughtUp) {
        retryMs = page.events.length === 0 && (woken || retryMs > 0) ? (retryMs === 0 ? 10 : retryMs * 2) : 0;
        if (retryMs >= options.pollIntervalMs) retryMs = 0;
        await Promise.race([changes.wait(retryMs || options.pollIntervalMs, seen), stopped]);
        woken = changes.version !== seen;
      }
    }
  };

  const done = loop();
  // `done` is observed by whoever holds the subscription; keep an unobserved rejection quiet.
  done.catch(() => undefined);
  return {
    done,
    get caughtUp() {
      return caughtUp;
    },
    stop: async () => {
      running = false;
      wakeStop();
      await done.catch(() => undefined);
    },
  };
}

/** Wake-ups for subscribers in this process: every local append (or notification) calls `notify`. */
export class LocalChangeSignal implements ChangeSignal {
  private waiters: Array<() => void> = [];
  private changes = 0;

  get version(): number {
    return this.changes;
  }

  notify(): void {
    this.changes += 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  wait(timeoutMs: number, seen?: number): Promise<void> {
    if (seen !== undefined && seen !== this.changes) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve();
      };
      // Unref'd: a stopped subscription's pending poll must not keep the process alive.
      const timer = setTimeout(done, timeoutMs).unref();
      this.waiters.push(done);
    });
  }
}

/** The live subscriptions of one store: started through here, all stopped on close. */
export class SubscriptionSet {
  private readonly live = new Set<StoreSubscription>();

  get size(): number {
    return this.live.size;
  }

  start(
    readAll: (options: ReadAllOptions) => Promise<ReadAllResult>,
    changes: ChangeSignal,
    options: CatchUpOptions,
    handler: EventHandler,
  ): StoreSubscription {
    const subscription = runCatchUpSubscription(readAll, changes, options, handler);
    this.live.add(subscription);
    void subscription.done.finally(() => this.live.delete(subscription)).catch(() => undefined);
    return subscription;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.live].map((s) => s.stop()));
  }
}
