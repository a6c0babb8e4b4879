import { randomUUID } from 'node:crypto';
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
  /** `act` that must answer 200 (the scenario's set-up), failing with the answer otherwise. */
  ok(userId: string, caseId: string, action: string, body?: unknown): Promise<Answer>;
  /**
   * A portal case of `demo-resident-1` in a demo community; for later stages dispatched by the
   * demo dispatcher to the community's demo cadre, accepted, and contacted and resolved.
   */
  caseIn(community: DemoCommunity, stage: 'submitted' | 'in_handling' | 'resolved'): Promise<string>;
  close(): Promise<void>;
}

/** The demo communities and the demo cadre who works in each (libs/platform/security/src/dev). */
export const DEMO_CADRE_OF = {
  'pc.gucheng.taiyangcheng': 'demo-cadre-taiyangcheng',
  'pc.zhenhua.yunquanli': 'demo-cadre-yunquanli',
} as const;
export type DemoCommunity = keyof typeof DEMO_CADRE_OF;

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

  const act: StandaloneClient['act'] = (userId, caseId, action, body = {}) =>
    call(userId, 'POST', `/cases/${caseId}/${action}`, body, { 'if-match': '*' });

  const ok: StandaloneClient['ok'] = async (userId, caseId, action, body = {}) => {
    const answer = await act(userId, caseId, action, body);
    if (answer.status !== 200) {
      throw new Error(`${action} by ${userId}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    return answer;
  };

  const caseIn: StandaloneClient['caseIn'] = async (community, stage) => {
    const filed = await call(
      'demo-resident-1',
      'POST',
      '/cases',
      {
        channel: 'portal',
        resident: { name: '王芳', phone: '13800001234' },
        location: { address: '迎宾广场 3 号楼', communityCode: community },
        title: '楼道灯不亮',
        description: '3 号楼二单元楼道灯坏了一周。',
      },
      { 'idempotency-key': randomUUID() },
    );
    if (filed.status !== 201) throw new Error(`intake: ${filed.status} ${JSON.stringify(filed.body)}`);
    const id = filed.body['caseId'] as string;
    if (stage === 'submitted') return id;
    const cadre = DEMO_CADRE_OF[community];
    await ok('demo-dispatcher', id, 'dispatch', { ownerId: cadre, ownerOrgUnit: community });
    await ok(cadre, id, 'accept');
    if (stage === 'in_handling') return id;
    await ok(cadre, id, 'contact', { method: 'phone', note: '已电话联系居民' });
    await ok(cadre, id, 'resolve', { summary: '已更换灯泡' });
    return id;
  };

  return {
    app,
    baseUrl,
    token,
    call,
    act,
    ok,
    caseIn,
    close: async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
