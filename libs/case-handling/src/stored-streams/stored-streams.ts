import { WrongExpectedVersionError } from '@tongban/event-store';

/**
 * What the stored directory and the stored calendar share (ADR 0024, 0027): data kept as an event
 * stream, folded in memory, changed by deciding on the latest version and appending expecting
 * exactly that version.
 */

/** Tasks run one at a time, in the order given; one that fails does not stop the next. */
export class OneAtATime {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task);
    this.tail = next.catch(() => undefined);
    return next;
  }

  /** Settles when every task given so far has. */
  async idle(): Promise<void> {
    await this.tail;
  }
}

/** How often a change is decided again after losing a race with another writer. */
export const DECIDE_ATTEMPTS = 12;

/**
 * Runs `attempt` (read the latest version, decide, append expecting that version) until it lands;
 * after a lost race (`WrongExpectedVersionError`) it lets the winner's writes settle, a little
 * longer each time, and decides again. Every other error goes out as it is; `exhausted` is thrown
 * when the races never end.
 */
export async function decideUntilAppended<T>(attempt: () => Promise<T>, exhausted: () => Error): Promise<T> {
  for (let round = 0; round < DECIDE_ATTEMPTS; round++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WrongExpectedVersionError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, (round + 1) * (5 + Math.random() * 20)));
    }
  }
  throw exhausted();
}
