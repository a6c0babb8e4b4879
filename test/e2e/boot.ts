import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type * as Http from '@tongban/http';

export interface RunningApp {
  readonly app: NestFastifyApplication;
  readonly baseUrl: string;
}

/**
 * Boots a deployable's root module exactly as its main.ts does, with `env` as its process
 * environment. App modules validate the environment when their file is first loaded, so each
 * boot loads the module afresh in an isolated registry.
 */
export async function bootApp(
  load: () => unknown,
  env: Record<string, string>,
  options: { openApiTitle?: string } = {},
): Promise<RunningApp> {
  const saved = { ...process.env };
  Object.assign(process.env, { HTTP_HOST: '127.0.0.1', HTTP_PORT: '0', LOG_LEVEL: 'warn' }, env);
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
