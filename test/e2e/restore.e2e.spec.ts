import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { createTokenSigner, type Principal } from '@tongban/security';
import { createTestDatabase, freePorts, kafkaBrokers, type TestDatabase } from '@tongban/testing';
import { bootApp, type RunningApp, bootReadSide } from './boot';

/* eslint-disable @typescript-eslint/no-require-imports -- modules are loaded inside jest.isolateModules */

/**
 * docs/operations.md, run as written (issue 11): a store with events, read models and
 * checkpoints on a cluster that has handed out many more transaction ids than a fresh one is
 * backed up with pg_dump and restored into a new, throwaway cluster. Before the runbook's step 4
 * the store refuses to start, naming it; after it every event reads back in the original order,
 * a new append comes after all of them, the projector resumes from the restored checkpoints and
 * sees it, and a consistency token issued before the restore is answered correctly. The
 * failover block is run on the same cluster and keeps all of that.
 */

const root = join(__dirname, '..', '..');
const RUNBOOK = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
const SECRET = 'e2e-restore-secret-that-is-long-enough-for-hs256';
const signer = createTokenSigner({ secret: SECRET, issuer: 'tongban', audience: 'tongban-api' });
const HOTLINE: Principal = { id: 'restore-hotline', role: 'channel', orgUnit: 'pc', channel: 'hotline' };
const DISPATCHER: Principal = { id: 'restore-dispatcher', role: 'dispatcher', orgUnit: 'pc' };
const CADRE: Principal = { id: 'restore-cadre', role: 'cadre', orgUnit: 'pc.gucheng.taiyangcheng' };
const SUPERVISOR: Principal = { id: 'restore-supervisor', role: 'supervisor', orgUnit: 'pc' };
const OS_USER = process.env['TONGBAN_PG_OS_USER'] ?? 'postgres';
const asRoot = process.getuid?.() === 0;

/** The fenced `sh` block after `<!-- runbook: name -->`, as written (only the indentation taken off). */
function runbookBlock(name: string): string {
  const at = RUNBOOK.indexOf(`<!-- runbook: ${name} -->`);
  if (at < 0) throw new Error(`docs/operations.md has no runbook block ${name}`);
  const fence = /^([ \t]*)```sh\n([\s\S]*?)^\1```/m.exec(RUNBOOK.slice(at));
  if (!fence) throw new Error(`runbook block ${name} has no sh code`);
  const indent = fence[1]!.length;
  return fence[2]!
    .split('\n')
    .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
    .join('\n');
}

function pgBin(): string {
  const configured = process.env['TONGBAN_PG_BINDIR'];
  if (configured) return configured;
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => Number(v) >= 15 && existsSync(join(base, v, 'bin', 'pg_resetwal')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error('no PostgreSQL >= 15 server binaries (set TONGBAN_PG_BINDIR)');
  return join(base, versions[0], 'bin');
}

/** Runs a command as the cluster's OS user (initdb, pg_ctl and pg_resetwal refuse root). */
function asClusterUser(command: string[], env: Record<string, string> = {}): string {
  const vars = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const argv = asRoot
    ? ['runuser', '-u', OS_USER, '--', 'env', ...vars, ...command]
    : ['env', ...vars, ...command];
  const run = spawnSync(argv[0]!, argv.slice(1), { cwd: '/', encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) {
    throw new Error(`${command.join(' ')} failed (${run.status}): ${run.stdout}\n${run.stderr}`);
  }
  return run.stdout;
}

/** A runbook block, as written, with the runbook's variables. */
const runBlock = (name: string, env: Record<string, string>): string =>
  asClusterUser(['bash', '-euo', 'pipefail', '-c', runbookBlock(name)], env);

async function query<T extends Record<string, unknown>>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Every event id in the global order. */
const globalOrder = async (url: string): Promise<string[]> =>
  (await query<{ event_id: string }>(url, 'SELECT event_id FROM tongban_es.events ORDER BY tx, seq')).map(
    (r) => r.event_id,
  );

describe('backup, restore into a new cluster and failover, as docs/operations.md says (real PostgreSQL)', () => {
  const bin = pgBin();
  let source: TestDatabase;
  let dir: string;
  let pgdata: string;
  let targetUrl: string;
  let started = false;
  const apps: RunningApp[] = [];

  const environment = (url: string): Record<string, string> => ({
    DATABASE_URL: url,
    KAFKA_BROKERS: kafkaBrokers().join(','),
    AUTH_JWT_ALGORITHM: 'HS256',
    AUTH_JWT_SECRET: SECRET,
    RATE_LIMIT_ENABLED: 'false',
  });

  async function boot(url: string): Promise<{ api: RunningApp; projector: RunningApp }> {
    const api = await bootApp(() => require('../../apps/api/src/api.module').ApiModule, environment(url));
    apps.push(api);
    const projector = await bootReadSide(environment(url));
    apps.push(projector);
    return { api, projector };
  }

  async function shutDown(): Promise<void> {
    for (const app of apps.splice(0).reverse()) await app.app.close();
  }

  async function post(
    api: RunningApp,
    who: Principal,
    path: string,
    body: unknown,
    headers: Record<string, string> = {},
  ): Promise<Record<string, unknown>> {
    const res = await fetch(`${api.baseUrl}/api/v1${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await signer.sign(who, 600)}`,
        'content-type': 'application/json',
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  async function read(api: RunningApp, path: string, after: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${api.baseUrl}/api/v1${path}?after=${after}`, {
      headers: { authorization: `Bearer ${await signer.sign(SUPERVISOR, 600)}` },
    });
    const answer = (await res.json()) as Record<string, unknown>;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Files a case, dispatches and accepts it: three commands, the last position. */
  async function handled(api: RunningApp, n: number): Promise<{ id: string; position: string }> {
    const filed = await post(
      api,
      HOTLINE,
      '/cases',
      {
        channel: 'hotline',
        resident: { name: '恢复测试', phone: '13600002222' },
        location: { address: `太阳城 ${n} 号楼`, communityCode: CADRE.orgUnit },
        title: `restore ${n}`,
        description: '备份恢复演练中的诉求。',
      },
      { 'idempotency-key': randomUUID() },
    );
    const id = filed['caseId'] as string;
    await post(
      api,
      DISPATCHER,
      `/cases/${id}/dispatch`,
      { ownerId: CADRE.id, ownerOrgUnit: CADRE.orgUnit },
      { 'if-match': '"1"' },
    );
    const accepted = await post(api, CADRE, `/cases/${id}/accept`, {}, { 'if-match': '"2"' });
    return { id, position: accepted['position'] as string };
  }

  beforeAll(async () => {
    source = await createTestDatabase('restore');
    dir = join(root, '.data', `restore-${randomUUID().slice(0, 8)}`);
    mkdirSync(dir, { recursive: true });
    if (asRoot) {
      const uid = Number(asClusterUser(['id', '-u']).trim());
      const gid = Number(asClusterUser(['id', '-g']).trim());
      chownSync(dir, uid, gid);
    }
    pgdata = join(dir, 'pgdata');
  }, 60_000);

  afterAll(async () => {
    await shutDown();
    if (started) asClusterUser([join(bin, 'pg_ctl'), '-D', pgdata, 'stop', '-m', 'immediate', '-w']);
    rmSync(dir, { recursive: true, force: true });
    await source?.drop();
  }, 60_000);

  it('restores with every position meaning what it meant, and refuses to start before step 4', async () => {
    // A cluster that has handed out many more transaction ids than a fresh one (one that has
    // run a test suite, or years of production): burn ids in subtransactions if it has not.
    const [counter] = await query<{ next: string }>(
      source.url,
      'SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS next',
    );
    const next = counter!.next;
    if (BigInt(next) < 20_000n) {
      await query(
        source.url,
        `CREATE TEMP TABLE burn (i int);
         DO $$ BEGIN FOR i IN 1..${20_000 - Number(next)} LOOP
           BEGIN INSERT INTO burn VALUES (i); EXCEPTION WHEN OTHERS THEN NULL; END;
         END LOOP; END $$`,
      );
    }

    // ---- The store in use: events, read models, checkpoints. ---------------------------------
    let { api } = await boot(source.url);
    const cases = [];
    for (let n = 1; n <= 6; n++) cases.push(await handled(api, n));
    const before = cases[cases.length - 1]!;
    const seen = await read(api, `/cases/${before.id}`, before.position);
    expect(seen).toMatchObject({ status: 'in_handling', consistency: { status: 'current' } });
    await shutDown();
    const order = await globalOrder(source.url);
    const verifySql = 'SELECT count(*), max(seq) FROM tongban_es.events';
    const [sourceCounts] = await query<{ count: string; max: string }>(source.url, verifySql);

    // ---- A new cluster (the provisioning the runbook leaves to the team). -------------------
    const [port] = await freePorts(1);
    asClusterUser([join(bin, 'initdb'), '-D', pgdata, '-U', 'postgres', '--auth=trust', '-E', 'UTF8']);
    asClusterUser([
      join(bin, 'pg_ctl'),
      '-D',
      pgdata,
      '-w',
      '-l',
      join(pgdata, 'first.log'),
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off`,
      'start',
    ]);
    started = true;
    const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await query(admin, `CREATE ROLE tongban LOGIN PASSWORD 'tongban'`);
    await query(admin, 'CREATE DATABASE tongban OWNER tongban');
    targetUrl = `postgres://tongban:tongban@127.0.0.1:${port}/tongban`;
    // pg_ctl restarts in the runbook must keep the port and listening address.
    asClusterUser([
      'bash',
      '-c',
      `printf "port = ${port}\\nlisten_addresses = '127.0.0.1'\\nunix_socket_directories = ''\\nfsync = off\\n" >> "${pgdata}/postgresql.conf"`,
    ]);

    const variables = {
      PG_BIN: bin,
      SOURCE_URL: source.url,
      BACKUP_FILE: join(dir, 'tongban.dump'),
      TARGET_URL: targetUrl,
      PGDATA_NEW: pgdata,
    };
    runBlock('backup', variables);
    runBlock('restore', variables);

    // ---- Before step 4: the store refuses, naming it. ---------------------------------------
    const { checkClusterContinuity } =
      require('@tongban/event-store') as typeof import('@tongban/event-store');
    const pool = new Pool({ connectionString: targetUrl, max: 1 });
    try {
      await expect(checkClusterContinuity(pool)).rejects.toThrow(
        /restored into, or failed over to, another cluster[\s\S]*step 4[\s\S]*pg_resetwal -e \d+/,
      );
    } finally {
      await pool.end();
    }
    await expect(
      bootApp(() => require('../../apps/api/src/api.module').ApiModule, environment(targetUrl)),
    ).rejects.toThrow(/step 4/);

    // ---- Step 4, then the deployables on the restored database. -----------------------------
    runBlock('move-counter', variables);
    const verified = runBlock('verify', variables).trim();
    expect(verified).toBe(`${sourceCounts!.count}|${sourceCounts!.max}`);
    expect(await globalOrder(targetUrl)).toEqual(order);

    ({ api } = await boot(targetUrl));
    // A token issued before the restore: answered, and current.
    expect(await read(api, `/cases/${before.id}`, before.position)).toMatchObject({
      status: 'in_handling',
      consistency: { status: 'current' },
    });
    // Something new: after every restored event, seen by the resumed projector.
    const after = await handled(api, 7);
    expect(await read(api, `/cases/${after.id}`, after.position)).toMatchObject({
      status: 'in_handling',
      consistency: { status: 'current' },
    });
    const restoredThenNew = await globalOrder(targetUrl);
    expect(restoredThenNew.slice(0, order.length)).toEqual(order);
    expect(restoredThenNew).toHaveLength(order.length + 3);
    await shutDown();

    // ---- The failover block on the same cluster: the order survives, new events come last. --
    runBlock('failover', variables);
    ({ api } = await boot(targetUrl));
    expect(await read(api, `/cases/${before.id}`, before.position)).toMatchObject({
      consistency: { status: 'current' },
    });
    const afterFailover = await handled(api, 8);
    expect(await read(api, `/cases/${afterFailover.id}`, afterFailover.position)).toMatchObject({
      status: 'in_handling',
      consistency: { status: 'current' },
    });
    const final = await globalOrder(targetUrl);
    expect(final.slice(0, restoredThenNew.length)).toEqual(restoredThenNew);
    expect(final).toHaveLength(restoredThenNew.length + 3);
  }, 300_000);
});
