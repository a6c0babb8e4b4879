import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createStandaloneApp } from '../../apps/standalone/src/start-standalone';

/**
 * The whole API under a property-based fuzzer (schemathesis, pinned in
 * infra/scripts/fuzz-requirements.txt): `npm start`'s app in-process, then, for anonymous callers
 * and for each demo role, every operation the role may call, with generated valid and invalid
 * input. It fails on any 5xx, any status an operation does not declare, any content type or body
 * that does not match the declared response (a problem's `code` included): bad input must never
 * break the service, and the OpenAPI document must say what the API really does.
 *
 * Bounded: `TONGBAN_FUZZ_EXAMPLES` examples per operation and phase (default 25), one worker per
 * run; the seed (`TONGBAN_FUZZ_SEED`, default fixed so CI is repeatable) is printed to replay a
 * failure. Set `TONGBAN_FUZZ_SEED=random` to explore.
 */
const ROOT = resolve(__dirname, '..', '..');
const EXAMPLES = Number(process.env['TONGBAN_FUZZ_EXAMPLES'] ?? '25');
const SEED =
  process.env['TONGBAN_FUZZ_SEED'] === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env['TONGBAN_FUZZ_SEED'] ?? '20261127');
const GENEROUS_RATE_LIMITS = {
  RATE_LIMIT_INTAKE_PER_MINUTE: '1000000',
  RATE_LIMIT_COMMANDS_PER_MINUTE: '1000000',
  RATE_LIMIT_CHANNEL_PER_MINUTE: '1000000',
  RATE_LIMIT_IP_INTAKE_PER_MINUTE: '1000000',
  RATE_LIMIT_IP_COMMANDS_PER_MINUTE: '1000000',
};
/** Per run: well above what a run takes on two busy cores, so only a hang trips it. */
const RUN_DEADLINE_MS = 150_000;

const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'content_type_conformance',
  'response_schema_conformance',
].join(',');

/** One demo user per role (libs/platform/security/src/dev/demo-users.ts). */
const ROLES = [
  { role: 'resident', userId: 'demo-resident-1' },
  { role: 'channel', userId: 'demo-channel-hotline' },
  { role: 'cadre', userId: 'demo-cadre-taiyangcheng' },
  { role: 'dispatcher', userId: 'demo-dispatcher' },
  { role: 'office_staff', userId: 'demo-office-gucheng-public-service' },
  { role: 'supervisor', userId: 'demo-supervisor-district' },
  { role: 'admin', userId: 'demo-admin' },
] as const;

interface Operation {
  readonly operationId?: string;
  readonly security?: unknown[];
  readonly 'x-roles'?: string[];
}
type OpenApi = { paths: Record<string, Record<string, Operation>> };

interface RunResult {
  readonly code: number | null;
  readonly output: string;
  readonly seconds: number;
}

/** Runs schemathesis without blocking the event loop: the app answers from this same process. */
function schemathesis(binary: string, args: readonly string[]): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, args, {
      cwd: tmpdir(),
      env: { ...process.env, NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const deadline = setTimeout(() => {
      output += `\n[api-fuzz] no result after ${RUN_DEADLINE_MS / 1000} s: stopped\n`;
      child.kill('SIGKILL');
    }, RUN_DEADLINE_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(deadline);
      resolvePromise({ code, output, seconds: (Date.now() - started) / 1000 });
    });
  });
}

/**
 * The venv is made by .ci/run's own step; on a fresh machine `npm test` makes it here. The script
 * answers at once when the venv already holds the pinned packages.
 */
async function fuzzer(): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', [join(ROOT, 'infra', 'scripts', 'fuzz-tools.sh')], {
    cwd: ROOT,
    timeout: 600_000,
  });
  const binary = stdout.trim().split('\n').pop();
  if (!binary) throw new Error('infra/scripts/fuzz-tools.sh printed no schemathesis path');
  return binary;
}

/** "N generated, …" from schemathesis's summary, for the figures printed per run. */
const generated = (output: string): string => /(\d+) generated/.exec(output)?.[1] ?? '?';

describe('the API under a fuzzer (schemathesis)', () => {
  let dir: string;
  let app: NestFastifyApplication | undefined;
  let base: string;
  let binary: string;
  let document: OpenApi;
  const saved = { ...process.env };

  beforeAll(async () => {
    binary = await fuzzer();
    dir = mkdtempSync(join(tmpdir(), 'tongban-fuzz-'));
    // A generated `after` names positions the read models never reach: do not wait for them.
    // Thousands of writes from one user in minutes: limits far above them keep the limiter in
    // the path without answering 429 (which the document declares; rate-limits.e2e tests it).
    Object.assign(process.env, { READ_MODEL_WAIT_MS: '20', LOG_LEVEL: 'error', ...GENEROUS_RATE_LIMITS });
    app = await createStandaloneApp(dir);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.getHttpServer().address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    document = (await (await fetch(`${base}/docs-json`)).json()) as OpenApi;
  }, 660_000);

  afterAll(async () => {
    await app?.close();
    process.env = saved;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const operationsOf = (accept: (op: Operation) => boolean): string[] =>
    Object.values(document.paths)
      .flatMap((methods) => Object.values(methods))
      .filter(accept)
      .flatMap((op) => (op.operationId ? [op.operationId] : []));

  async function fuzz(
    label: string,
    operationIds: readonly string[],
    headers: readonly string[],
  ): Promise<void> {
    expect(operationIds.length).toBeGreaterThan(0);
    const args = [
      'run',
      `${base}/docs-json`,
      '--checks',
      CHECKS,
      '--max-examples',
      String(EXAMPLES),
      '--seed',
      String(SEED),
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--workers',
      '1',
      '--request-timeout',
      '20',
      '--generation-database',
      'none',
      '--no-color',
      '--output-truncate',
      'true',
      ...headers.flatMap((header) => ['--header', header]),
      ...operationIds.flatMap((id) => ['--include-operation-id', id]),
    ];
    const run = await schemathesis(binary, args);
    process.stdout.write(
      `[api-fuzz] ${label}: ${operationIds.length} operations, ${generated(run.output)} test cases, ` +
        `${run.seconds.toFixed(1)} s, seed ${SEED}, exit ${run.code}\n`,
    );
    // The whole report on failure: the reproducing curl lines and `--seed` are in it.
    expect({ label, exit: run.code, output: run.code === 0 ? '' : run.output }).toEqual({
      label,
      exit: 0,
      output: '',
    });
  }

  async function tokenFor(userId: string): Promise<string> {
    const login = await fetch(`${base}/api/v1/auth/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId }),
    });
    expect(login.status).toBe(200);
    return ((await login.json()) as { accessToken: string }).accessToken;
  }

  async function call(
    userId: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await tokenFor(userId)}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('answers what the document says where it used to differ', async () => {
    const cadre = 'demo-cadre-taiyangcheng';
    const filed = await call(
      'demo-channel-hotline',
      'POST',
      '/cases',
      {
        channel: 'hotline',
        resident: { name: '李大爷', phone: '13900001111' },
        location: { communityCode: 'pc.gucheng.taiyangcheng' },
        title: '小区路灯不亮',
        description: '东门附近三盏路灯晚上不亮。',
      },
      { 'idempotency-key': 'api-fuzz-corner-0001' },
    );
    expect(filed.status).toBe(201);
    const id = String(filed.body['caseId']);
    // Intake routed it (issue 13) in the same append: version 2. The dispatcher's choice stands.
    expect(filed.body['version']).toBe(2);
    const dispatch = { ownerId: cadre, ownerOrgUnit: 'pc.gucheng.taiyangcheng' };
    const dispatched = await call('demo-dispatcher', 'POST', `/cases/${id}/dispatch`, dispatch, {
      'if-match': '"2"',
    });
    expect(dispatched.status).toBe(200);
    // Versions come from the answers: the SLA watcher runs in-process and records due times
    // between commands (ADR 0029), which moves the version without making If-Match stale.
    const afterDispatch = Number(dispatched.body['version']);

    // If-Match compares strongly (RFC 9110): a weak tag never matches; a bare number is no tag.
    const weak = await call(cadre, 'POST', `/cases/${id}/accept`, undefined, {
      'if-match': `W/"${afterDispatch}"`,
    });
    expect([weak.status, weak.body['code']]).toEqual([412, 'request.precondition_failed']);
    const bare = await call(cadre, 'POST', `/cases/${id}/accept`, undefined, {
      'if-match': String(afterDispatch),
    });
    expect([bare.status, bare.body['code']]).toEqual([400, 'request.invalid_header']);
    const accepted = await call(cadre, 'POST', `/cases/${id}/accept`, undefined, {
      'if-match': `"${afterDispatch}"`,
    });
    expect(accepted.status).toBe(200);

    // Accepting again is a conflict with the case's state, not a question of who asks.
    const again = await call(cadre, 'POST', `/cases/${id}/accept`, undefined, {
      'if-match': `"${String(accepted.body['version'])}"`,
    });
    expect([again.status, again.body['code']]).toEqual([409, 'case.invalid_transition']);

    // A referral answers its id, the one the office completes it by; `*` is any current version.
    const referral = {
      target: 'office',
      toOrgUnit: 'pc.gucheng.publicServiceOffice',
      request: '请协调线路检修',
    };
    const referred = await call(cadre, 'POST', `/cases/${id}/referrals`, referral, { 'if-match': '*' });
    expect(referred.status).toBe(200);
    expect(referred.body).toMatchObject({ caseId: id, events: ['case.step_referred'] });
    expect(referred.body['version']).toBeGreaterThan(Number(accepted.body['version']));
    const referralId = String(referred.body['referralId']);
    expect(referralId).toMatch(/^[0-9a-f-]{36}$/);
    const completed = await call(
      'demo-office-gucheng-public-service',
      'POST',
      `/cases/${id}/referrals/${referralId}/complete`,
      { outcome: '线路已检修' },
      { 'if-match': `"${String(referred.body['version'])}"` },
    );
    expect(completed.status).toBe(200);

    // ISO 8601 allows offsets PostgreSQL's own parser refuses: still an answer, not a 500.
    const odd = await call(cadre, 'GET', '/cases?submittedTo=0880-07-05T13%3A31%3A33.372343%2B20%3A41');
    expect(odd.status).toBe(200);
  });

  it('answers anonymous callers with declared statuses only (401 on every protected operation)', async () => {
    await fuzz(
      'anonymous',
      operationsOf(() => true),
      [],
    );
  }, 200_000);

  it.each(ROLES)(
    'keeps every operation a $role may call within its contract',
    async ({ role, userId }) => {
      const accessToken = await tokenFor(userId);
      await fuzz(
        role,
        operationsOf((op) => (op['x-roles'] ?? []).includes(role)),
        [`Authorization: Bearer ${accessToken}`],
      );
    },
    200_000,
  );
});
