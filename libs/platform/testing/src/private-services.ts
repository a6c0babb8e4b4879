import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const repositoryRoot = resolve(__dirname, '..', '..', '..', '..');
const script = join(repositoryRoot, 'infra', 'scripts', 'services.sh');
let started = 0;

/** infra/scripts/services.sh on a data folder and ports of one test file's own. */
export interface PrivateServices {
  /** The free ports the settings were made from, in the order asked for. */
  readonly ports: readonly number[];
  /** `services.sh <args>` with this data folder and these ports. */
  run(...args: string[]): Promise<void>;
  /** Removes the data folder (after `down`). */
  remove(): void;
}

/**
 * A data folder `<repo>/.data-private-<what>-<pid>-<n>` (under the repository, so the cluster's
 * OS user can traverse it; a `mktemp -d` folder is not) and `ports` free ports, turned into the
 * script's settings by `settings`.
 */
export async function privateServices(
  what: string,
  settings: (...ports: number[]) => Record<string, string>,
  ports = 2,
): Promise<{ dataDir: string; services: PrivateServices }> {
  started += 1;
  const dataDir = join(repositoryRoot, `.data-private-${what}-${process.pid}-${started}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const free = await freePorts(ports);
  const env = { ...process.env, TONGBAN_DATA_DIR: dataDir, ...settings(...free) };
  return {
    dataDir,
    services: {
      ports: free,
      run: async (...args: string[]): Promise<void> => {
        try {
          await run('bash', [script, ...args], { cwd: repositoryRoot, env, maxBuffer: 16 * 1024 * 1024 });
        } catch (error) {
          const stderr = (error as { stderr?: string }).stderr ?? '';
          throw new Error(`services.sh ${args.join(' ')} failed: ${stderr.slice(-2_000)}`, { cause: error });
        }
      },
      remove: () => rmSync(dataDir, { recursive: true, force: true }),
    },
  };
}

/** Ports the OS reports free right now (bound to port 0, then closed). */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolveServer, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, '127.0.0.1', () => resolveServer(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    return typeof address === 'object' && address ? address.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
