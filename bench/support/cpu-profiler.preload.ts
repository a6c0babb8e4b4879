/**
 * Preloaded into the api child of `npm run bench:http` (`-r`), only when BENCH_CPU_PROFILE names a
 * file: SIGWINCH starts V8's sampling profiler, the next SIGWINCH stops it and writes the profile
 * (`.cpuprofile` JSON) there, then prints `cpu profile written` on stdout. So the benchmark
 * profiles exactly the window it chooses, on the server it measured, and never the boot. SIGWINCH
 * because Nest's shutdown hooks take SIGUSR2 (and the other usual signals) and Node keeps SIGUSR1
 * for its debugger; without a terminal, nothing else uses it.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const target = process.env.BENCH_CPU_PROFILE;

if (target) {
  const session = new Session();
  session.connect();
  let running = false;
  const post = (method: string, params?: object): Promise<unknown> =>
    new Promise((resolve, reject) =>
      session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  const toggle = async (): Promise<void> => {
    if (!running) {
      running = true;
      await post('Profiler.enable');
      await post('Profiler.setSamplingInterval', { interval: 500 });
      await post('Profiler.start');
      process.stdout.write('cpu profile started\n');
      return;
    }
    running = false;
    const result = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(target, JSON.stringify(result.profile));
    process.stdout.write('cpu profile written\n');
  };
  process.on('SIGWINCH', () => {
    toggle().catch((error: unknown) =>
      process.stderr.write(`cpu profile failed: ${error instanceof Error ? error.message : String(error)}\n`),
    );
  });
}
