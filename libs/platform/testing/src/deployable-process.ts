import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from './private-services';

/** A deployable running as its own process, as production runs it (from source, through swc). */
export interface DeployableProcess {
  readonly name: string;
  readonly child: ChildProcess;
  /** Its stdout and stderr. */
  readonly log: string;
  /** Where it listens, e.g. `http://127.0.0.1:40123`. */
  readonly baseUrl: string;
  /** Sends the signal and waits for the exit (nothing when it has exited already). */
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface DeployableOptions {
  readonly app: 'api' | 'relay' | 'projector' | 'sla-watcher';
  /** The log's file name (`<name>.log` in `dir`). Default: the app. */
  readonly name?: string;
  readonly dir: string;
  /** On top of the test's environment and loopback, port 0, warn-level logs, development mode. */
  readonly env: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}

/**
 * Starts `apps/<app>/src/main.ts` in a child process and resolves once it listens; a process that
 * exits first, or does not listen in time, fails with the tail of its log.
 */
export async function startDeployable(options: DeployableOptions): Promise<DeployableProcess> {
  const name = options.name ?? options.app;
  const log = join(options.dir, `${name}.log`);
  const fd = openSync(log, 'w');
  const child = spawn(
    process.execPath,
    ['-r', '@swc-node/register', join('apps', options.app, 'src', 'main.ts')],
    {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        NODE_ENV: 'development',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: '0',
        LOG_LEVEL: 'warn',
        ...options.env,
      },
      stdio: ['ignore', fd, fd],
    },
  );
  closeSync(fd);
  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  for (;;) {
    const listening = /listening on (http:\/\/\S+)/.exec(readFileSync(log, 'utf8'));
    if (listening) {
      return {
        name,
        child,
        log,
        baseUrl: listening[1]!,
        kill: async (signal) => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill(signal);
          await exited;
        },
      };
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${name} exited before listening: ${readFileSync(log, 'utf8').slice(-2_000)}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not start within ${options.startTimeoutMs ?? 90_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
