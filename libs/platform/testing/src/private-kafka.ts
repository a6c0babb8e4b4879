import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { privateServices, repositoryRoot } from './private-services';

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

/**
 * Starts a single-node Kafka through infra/scripts/services.sh (`up kafka`) in a data folder of
 * its own (`privateServices`) on free ports. The jars of the main data folder (TONGBAN_DATA_DIR,
 * else `<repo>/.data`) are linked in when it has them, so nothing is fetched; otherwise the
 * script fetches a copy.
 */
export async function startPrivateKafka(): Promise<PrivateKafka> {
  const { dataDir, services } = await privateServices('kafka', (port, controllerPort) => ({
    TONGBAN_KAFKA_PORT: String(port),
    TONGBAN_KAFKA_CONTROLLER_PORT: String(controllerPort),
    // A killed broker must not hang a test's clean-up for half a minute.
    TONGBAN_KAFKA_STOP_TIMEOUT: '10',
  }));
  const mainLibs = join(process.env['TONGBAN_DATA_DIR'] ?? join(repositoryRoot, '.data'), 'kafka-libs');
  if (existsSync(join(mainLibs, '.pom.sha256'))) symlinkSync(mainLibs, join(dataDir, 'kafka-libs'));
  const brokers = [`127.0.0.1:${services.ports[0]!}`];
  const pidFile = join(dataDir, 'kafka', 'kafka.pid');
  await services.run('up', 'kafka');
  return {
    brokers,
    stop: () => services.run('down', 'kafka'),
    start: () => services.run('up', 'kafka'),
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
      await services.run('down', 'kafka').catch(() => undefined);
      services.remove();
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
