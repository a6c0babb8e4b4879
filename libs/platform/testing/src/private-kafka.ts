import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A broker of one test file's own, to stop, kill and restart without touching the shared one. */
export interface PrivateKafka {
  readonly brokers: string[];
  /** Controlled shutdown (`services.sh down kafka`); the data is kept. */
  stop(): Promise<void>;
  /** Starts it again on the same ports and data, and waits until it answers. */
  start(): Promise<void>;
  /** SIGKILL, as a crash would. The next `start()` takes about 10 s longer (KRaft session). */
  kill(): Promise<void>;
  /** Stops it and removes its data folder. */
  down(): Promise<void>;
}

const root = resolve(__dirname, '..', '..', '..', '..');
const script = join(root, 'infra', 'scripts', 'services.sh');
let started = 0;

/**
 * Starts a single-node Kafka through infra/scripts/services.sh (`up kafka`) in a data folder of
 * its own (`<repo>/.data-private-<pid>-<n>`, traversable) on free ports. The jars of the main data
 * folder (TONGBAN_DATA_DIR, else `<repo>/.data`) are linked in when it has them, so nothing is
 * fetched; otherwise the script fetches a copy.
 */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  started += 1;
  const dataDir = join(root, `.data-private-${process.pid}-${started}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const mainLibs = join(process.env['TONGBAN_DATA_DIR'] ?? join(root, '.data'), 'kafka-libs');
  if (existsSync(join(mainLibs, '.pom.sha256'))) symlinkSync(mainLibs, join(dataDir, 'kafka-libs'));
  const [port, controllerPort] = await freePorts(2);
  const env = {
    ...process.env,
    TONGBAN_DATA_DIR: dataDir,
    TONGBAN_KAFKA_PORT: String(port),
    TONGBAN_KAFKA_CONTROLLER_PORT: String(controllerPort),
    // A killed broker must not hang a test's clean-up for half a minute.
    TONGBAN_KAFKA_STOP_TIMEOUT: '10',
  };
  const services = async (...args: string[]): Promise<void> => {
    try {
      await run('bash', [script, ...args], { cwd: root, env, maxBuffer: 16 * 1024 * 1024 });
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new Error(`services.sh ${args.join(' ')} failed: ${stderr.slice(-2_000)}`, { cause: error });
    }
  };
  const pidFile = join(dataDir, 'kafka', 'kafka.pid');
  await services('up', 'kafka');
  return {
    brokers: [`127.0.0.1:${port}`],
    stop: () => services('down', 'kafka'),
    start: () => services('up', 'kafka'),
    kill: async () => {
      if (!existsSync(pidFile)) return;
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        return;
      }
      // Gone when signal 0 fails (the script's own check also treats a zombie as gone).
      for (let i = 0; i < 200; i++) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        if (readState(pid) === 'Z') return;
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    down: async () => {
      await services('down', 'kafka').catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function readState(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2];
  } catch {
    return undefined;
  }
}

/** Ports the OS reports free right now (bound to port 0, then closed). */
async function freePorts(count: number): Promise<number[]> {
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
