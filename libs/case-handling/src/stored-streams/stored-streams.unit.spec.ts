import { WrongExpectedVersionError } from '@tongban/event-store';
import { DECIDE_ATTEMPTS, OneAtATime, decideUntilAppended } from './stored-streams';

describe('the stored streams’ shared write loop', () => {
  const lost = () => new WrongExpectedVersionError('directory', '3', 4);

  it('decides again after a lost race, and answers what the landing attempt answers', async () => {
    let attempts = 0;
    const result = await decideUntilAppended(
      () => {
        attempts += 1;
        return attempts < 3 ? Promise.reject(lost()) : Promise.resolve('landed');
      },
      () => new Error('exhausted'),
    );
    expect({ result, attempts }).toEqual({ result: 'landed', attempts: 3 });
  });

  it('lets any other error out at once, and gives up after every attempt lost', async () => {
    let attempts = 0;
    await expect(
      decideUntilAppended(
        () => {
          attempts += 1;
          return Promise.reject(new Error('refused'));
        },
        () => new Error('exhausted'),
      ),
    ).rejects.toThrow('refused');
    expect(attempts).toBe(1);
    attempts = 0;
    await expect(
      decideUntilAppended(
        () => {
          attempts += 1;
          return Promise.reject(lost());
        },
        () => new Error('exhausted'),
      ),
    ).rejects.toThrow('exhausted');
    expect(attempts).toBe(DECIDE_ATTEMPTS);
  }, 20_000);

  it('runs tasks one at a time, in order, a failure not stopping the next', async () => {
    const queue = new OneAtATime();
    const log: string[] = [];
    const task =
      (name: string, ms: number, fail = false) =>
      () =>
        new Promise<string>((resolve, reject) =>
          setTimeout(() => {
            log.push(name);
            if (fail) reject(new Error(name));
            else resolve(name);
          }, ms),
        );
    const results = await Promise.allSettled([
      queue.run(task('slow', 30)),
      queue.run(task('fails', 1, true)),
      queue.run(task('fast', 1)),
    ]);
    await queue.idle();
    expect(log).toEqual(['slow', 'fails', 'fast']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
