import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { AppConfig, validateEnvironment } from '@tongban/config';
import { createTestDatabase, type TestDatabase } from '@tongban/testing';
import { DatabaseMigrator } from './database.module';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded-postgres';

const dataSourceFor = (url: string, poolSize: number) =>
  new DataSource({ type: 'postgres', url, synchronize: false, extra: { max: poolSize } });

/** Two transactions that interleave on purpose: the first holds its row uncommitted while the second runs. */
async function interleavedTransactions(ds: DataSource): Promise<void> {
  await ds.query('CREATE TABLE IF NOT EXISTS note (id int PRIMARY KEY, body text NOT NULL)');
  let releaseFirst: () => void = () => undefined;
  const firstMayFinish = new Promise<void>((resolve) => (releaseFirst = resolve));
  const first = ds.transaction(async (tx) => {
    await tx.query(`INSERT INTO note VALUES (1, '第一条：楼道灯不亮')`);
    await firstMayFinish;
    throw new Error('resident withdrew; roll back');
  });
  const second = ds.transaction(async (tx) => {
    await tx.query(`INSERT INTO note VALUES (2, '第二条：垃圾未清运')`);
  });
  // Let the first transaction stall a little, then let it fail.
  setTimeout(() => releaseFirst(), 50);
  await expect(first).rejects.toThrow('roll back');
  await second;
}

describe('PostgreSQL (real server)', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await dataSourceFor(db.url, 5).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('is the PostgreSQL 15+ server the services script started', async () => {
    const [row] = await ds.query<{ server_version_num: string }[]>('SHOW server_version_num');
    expect(Number(row!.server_version_num)).toBeGreaterThanOrEqual(150000);
  });

  it('keeps interleaved transactions apart: a rollback leaves nothing, a commit keeps Chinese text intact', async () => {
    await interleavedTransactions(ds);
    expect(await ds.query('SELECT id, body FROM note ORDER BY id')).toEqual([
      { id: 2, body: '第二条：垃圾未清运' },
    ]);
  });
});

class SlowTables1700000000000 implements MigrationInterface {
  readonly name = 'SlowTables1700000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE read_model_a (id int PRIMARY KEY)`);
    // Long enough for a second deployable starting at the same moment to race it.
    await queryRunner.query(`SELECT pg_sleep(0.3)`);
    await queryRunner.query(`CREATE TABLE read_model_b (id int PRIMARY KEY)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read_model_b; DROP TABLE read_model_a`);
  }
}

describe('migrations at start-up', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('mig');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('run once when several deployables start at the same moment (api and projector both migrate)', async () => {
    const sources = await Promise.all(
      [1, 2, 3].map(() =>
        new DataSource({
          type: 'postgres',
          url: db.url,
          synchronize: false,
          migrations: [SlowTables1700000000000],
          extra: { max: 3 },
        }).initialize(),
      ),
    );
    try {
      const config = new AppConfig('test', validateEnvironment({ AUTH_MODE: 'dev' }), 0);
      await Promise.all(sources.map((source) => new DatabaseMigrator(source, config).onModuleInit()));
      const applied = await sources[0]!.query<{ name: string }[]>('SELECT name FROM migrations');
      expect(applied).toEqual([{ name: 'SlowTables1700000000000' }]);
      expect(await sources[0]!.query('SELECT count(*)::int AS n FROM read_model_b')).toEqual([{ n: 0 }]);
    } finally {
      await Promise.all(sources.map((source) => source.destroy()));
    }
  });
});

class SlowIndex1700000000001 implements MigrationInterface {
  readonly name = 'SlowIndex1700000000001';
  async up(queryRunner: QueryRunner): Promise<void> {
    // Longer than the sessions' statement limit below: an index build on a big read model.
    await queryRunner.query(`SELECT pg_sleep(1.5)`);
    await queryRunner.query(`CREATE TABLE read_model_c (id int PRIMARY KEY)`);
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE read_model_c`);
  }
}

describe('session limits (issue 11)', () => {
  let db: TestDatabase;
  const config = new AppConfig(
    'test',
    validateEnvironment({
      AUTH_MODE: 'dev',
      DATABASE_STATEMENT_TIMEOUT_MS: '1000',
      DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: '1000',
    }),
    0,
  );
  const source = (): DataSource =>
    new DataSource({
      type: 'postgres',
      url: db.url,
      synchronize: false,
      migrations: [SlowIndex1700000000001],
      extra: { max: 3, options: config.databaseSessionOptions() },
    });

  beforeAll(async () => {
    db = await createTestDatabase('limits');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('every session opens with the statement, lock and idle-in-transaction limits', async () => {
    const ds = await source().initialize();
    try {
      expect(
        await ds.query(
          `SELECT current_setting('statement_timeout') AS statement, current_setting('lock_timeout') AS lock,
                  current_setting('idle_in_transaction_session_timeout') AS idle`,
        ),
      ).toEqual([{ statement: '1s', lock: '10s', idle: '1s' }]);
      await expect(ds.query('SELECT pg_sleep(2)')).rejects.toThrow(/statement timeout/);
    } finally {
      await ds.destroy();
    }
  });

  it('a transaction left open is ended, and the pool goes on with fresh sessions', async () => {
    const ds = await source().initialize();
    try {
      const runner = ds.createQueryRunner();
      await runner.startTransaction();
      await runner.query('SELECT 1');
      const pid = ((await runner.query('SELECT pg_backend_pid() AS pid')) as Array<{ pid: number }>)[0]!.pid;
      // Forgotten: nothing more is sent. Poll until the server has ended that session.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const alive = await ds.query<Array<{ n: number }>>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1',
          [pid],
        );
        if (alive[0]!.n === 0) break;
        if (Date.now() > deadline) throw new Error('the idle transaction was not ended');
        await new Promise((r) => setTimeout(r, 100));
      }
      await expect(runner.query('SELECT 1')).rejects.toThrow();
      await runner.release().catch(() => undefined);
      expect(await ds.query('SELECT 1 AS ok')).toEqual([{ ok: 1 }]);
    } finally {
      await ds.destroy();
    }
  });

  it('migrations run without the statement limit, on a session of their own', async () => {
    const plain = await source().initialize();
    try {
      // The limit is real: on the deployable's own sessions this migration would fail.
      await expect(plain.runMigrations({ transaction: 'all' })).rejects.toThrow(/statement timeout/);
    } finally {
      await plain.destroy();
    }
    const ds = await source().initialize();
    try {
      await new DatabaseMigrator(ds, config).onModuleInit();
      expect(await ds.query('SELECT name FROM migrations')).toEqual([{ name: 'SlowIndex1700000000001' }]);
    } finally {
      await ds.destroy();
    }
  });
});

describe('embedded PostgreSQL (PGlite, standalone mode)', () => {
  let dir: string;
  let embedded: EmbeddedPostgres | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tongban-pglite-'));
  });

  afterAll(async () => {
    await embedded?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves TypeORM over the wire protocol, isolates transactions with a pool of one, and keeps data across restarts', async () => {
    embedded = await startEmbeddedPostgres({ dataDir: dir });
    let ds = await dataSourceFor(embedded.url, 1).initialize();
    await interleavedTransactions(ds);
    await ds.destroy();
    await embedded.stop();

    embedded = await startEmbeddedPostgres({ dataDir: dir });
    ds = await dataSourceFor(embedded.url, 1).initialize();
    expect(await ds.query('SELECT id, body FROM note ORDER BY id')).toEqual([
      { id: 2, body: '第二条：垃圾未清运' },
    ]);
    await ds.destroy();
  });
});
