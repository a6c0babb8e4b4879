import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type * as Http from '@tongban/http';
import { withOverride } from '@tongban/testing';

export interface RunningApp {
  readonly app: NestFastifyApplication;
  readonly baseUrl: string;
}

/**
 * Boots a deployable's root module exactly as its main.ts does, with `env` as its process
 * environment. App modules validate the environment when their file is first loaded, so each
 * boot loads the module afresh in an isolated registry.
 *
 * Read-your-writes waits up to 15 s unless `env` says otherwise: the test files share one
 * PostgreSQL cluster, and another file's migration or held transaction holds back every reader
 * of the global log for a moment (the horizon is cluster-wide, ADR 0002). The tests assert that
 * `?after=` is honoured; how soon is bench/'s to measure.
 */
export async function bootApp(
  load: () => unknown,
  env: Record<string, string>,
  options: { openApiTitle?: string } = {},
): Promise<RunningApp> {
  const saved = { ...process.env };
  Object.assign(
    process.env,
    { HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'warn', READ_MODEL_WAIT_MS: '15000' },
    topicPrefixFor(env),
    env,
  );
  try {
    let module: unknown;
    let http: typeof Http | undefined;
    // The platform must come from the same registry as the module, or Nest sees two AppConfigs.
    jest.isolateModules(() => {
      module = load();
      http = require('@tongban/http') as typeof Http; // eslint-disable-line @typescript-eslint/no-require-imports
    });
    const app = await http!.createHttpApp(module, options);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { app, baseUrl: `http://127.0.0.1:${port}` };
  } finally {
    process.env = saved;
  }
}

/**
 * Test files share one broker: each database's apps get topics and consumer groups of their own
 * (`KAFKA_TOPIC_PREFIX` from the database's name), unless the test sets a prefix itself.
 */
function topicPrefixFor(env: Record<string, string>): Record<string, string> {
  if (!env.DATABASE_URL || env.KAFKA_TOPIC_PREFIX !== undefined) return {};
  const database = new URL(env.DATABASE_URL).pathname.slice(1);
  return database ? { KAFKA_TOPIC_PREFIX: `e2e.${database}.` } : {};
}

/**
 * The multi-process read side in this process: the relay (store → Kafka) and the projector
 * (Kafka → read models), as production runs them. Closing the returned app closes both.
 */
export async function bootReadSide(env: Record<string, string>): Promise<RunningApp> {
  const relay = await bootApp(() => require('../../apps/relay/src/relay.module').RelayModule, env); // eslint-disable-line @typescript-eslint/no-require-imports
  try {
    const projector = await bootApp(
      () => require('../../apps/projector/src/projector.module').ProjectorModule, // eslint-disable-line @typescript-eslint/no-require-imports
      env,
    );
    // Nest's application is a proxy that swallows assignments: close both through one of ours.
    const close = async (): Promise<void> => {
      try {
        await projector.app.close();
      } finally {
        await relay.app.close();
      }
    };
    const app = withOverride(projector.app, 'close', close);
    return { app, baseUrl: projector.baseUrl };
  } catch (error) {
    await relay.app.close();
    throw error;
  }
}

export async function getJson(
  url: string,
): Promise<{ status: number; body: Record<string, unknown>; contentType: string }> {
  const res = await fetch(url);
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: (await res.json()) as Record<string, unknown>,
  };
}
