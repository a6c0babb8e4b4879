import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createStandaloneApp } from '../../apps/standalone/src/start-standalone';

export interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly etag: string | null;
}

/**
 * `npm start`'s app in-process, on a fresh data folder, with a client that logs in as the demo
 * users (dev login) and speaks JSON to /api/v1.
 */
export interface StandaloneClient {
  readonly app: NestFastifyApplication;
  readonly baseUrl: string;
  /** A dev token for a demo user id, cached. */
  token(userId: string): Promise<string>;
  call(
    userId: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Answer>;
  /** An action on a case with `If-Match: *` (the scenarios are about who, not about versions). */
  act(userId: string, caseId: string, action: string, body?: unknown): Promise<Answer>;
  close(): Promise<void>;
}

export async function startStandalone(name: string): Promise<StandaloneClient> {
  const dir = mkdtempSync(join(tmpdir(), `tongban-${name}-`));
  const app = await createStandaloneApp(dir);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const tokens = new Map<string, string>();

  const token = async (userId: string): Promise<string> => {
    const known = tokens.get(userId);
    if (known) return known;
    const res = await fetch(`${baseUrl}/api/v1/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    if (res.status !== 200) throw new Error(`dev login as ${userId}: ${res.status}`);
    const { accessToken } = (await res.json()) as { accessToken: string };
    tokens.set(userId, accessToken);
    return accessToken;
  };

  const call: StandaloneClient['call'] = async (userId, method, path, body, headers = {}) => {
    const res = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(userId)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      etag: res.headers.get('etag'),
    };
  };

  return {
    app,
    baseUrl,
    token,
    call,
    act: (userId, caseId, action, body = {}) =>
      call(userId, 'POST', `/cases/${caseId}/${action}`, body, { 'if-match': '*' }),
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
