import { LocalChangeSignal } from './catch-up-subscription';

describe('LocalChangeSignal', () => {
  it('wakes every waiter on a change', async () => {
    const signal = new LocalChangeSignal();
    const woken: string[] = [];
    const a = signal.wait(60_000).then(() => woken.push('a'));
    const b = signal.wait(60_000).then(() => woken.push('b'));
    signal.notify();
    await Promise.all([a, b]);
    expect(woken.sort()).toEqual(['a', 'b']);
  });

  it('does not let a change that came while a reader was busy be slept through — for any reader', async () => {
    const signal = new LocalChangeSignal();
    const seenByA = signal.version;
    const seenByB = signal.version;
    signal.notify(); // both readers are busy reading: nobody is waiting yet
    const outcome = await Promise.race([
      Promise.all([signal.wait(60_000, seenByA), signal.wait(60_000, seenByB)]).then(() => 'woke'),
      new Promise((resolve) => setTimeout(() => resolve('slept through it'), 1_000).unref()),
    ]);
    expect(outcome).toBe('woke');
  });

  it('sleeps until the timeout when nothing changed since the reader looked', async () => {
    const signal = new LocalChangeSignal();
    const seen = signal.version;
    let woke = false;
    const waiting = signal.wait(20, seen).then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    await waiting;
    expect(woke).toBe(true);
  });
});
