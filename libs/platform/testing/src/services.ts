import { randomUUID } from 'node:crypto';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { Client, type Pool } from 'pg';

/**
 * Connection facts for the real services the jest global setup started (or found running).
 * Read from the environment the setup exported, never hard-coded, so CI and developers can move
 * ports.
 */
export function postgresAdminUrl(): string {
  const url = process.env['TONGBAN_PG_TEST_URL'];
  if (!url)
    throw new Error(
      'TONGBAN_PG_TEST_URL is not set: integration tests need the jest global setup (npm test)',
    );
  return url;
}

export function kafkaBrokers(): string[] {
  const brokers = process.env['TONGBAN_KAFKA_BROKERS'];
  if (!brokers)
    throw new Error(
      'TONGBAN_KAFKA_BROKERS is not set: integration tests need the jest global setup (npm test)',
    );
  return brokers.split(',');
}

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database on the real PostgreSQL, so test files never see each other's rows: in
 * the shared cluster, or in the one `adminUrl` names (`startPrivatePostgres`).
 */
export async function createTestDatabase(prefix = 't', adminUrl = postgresAdminUrl()): Promise<TestDatabase> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const client = new Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await connectionsGone(client, name);
        await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Waits (at most `boundMs`) until no session is connected to `database`. A pool's `end()` resolves
 * once it has SENT its connections away, not once they are gone; a `DROP DATABASE … WITH (FORCE)`
 * in between terminates them mid-close, and the pool reports that as an `error` event that no
 * test listens for (it failed the relay's int spec in CI). FORCE then ends only what a test left open.
 */
async function connectionsGone(admin: Client, database: string, boundMs = 2_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const { rows } = await admin.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
      [database],
    );
    if (rows[0]!.n === 0 || Date.now() >= deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A TypeORM data source on `url` with `migrations` run (all in one transaction), as the
 * deployables run them at boot. Destroy it when done; a test that only needs the schema
 * destroys it at once.
 */
export async function migratedDataSource(
  url: string,
  migrations: NonNullable<DataSourceOptions['migrations']>,
): Promise<DataSource> {
  const dataSource = await new DataSource({ type: 'postgres', url, migrations }).initialize();
  await dataSource.runMigrations({ transaction: 'all' });
  return dataSource;
}

/**
 * The position of the last event committed to the store's log, whether readers can see it yet or
 * not. A test that waits for a reader (a relay, a feed, a projector) to have taken in everything
 * it wrote waits for this, not for the store's head: the head stops at the visibility horizon,
 * which a transaction open anywhere in the cluster (another test file's) holds back (ADR 0002).
 */
export async function lastCommittedPosition(
  db: Pick<Pool, 'query'>,
  schema = 'tongban_es',
): Promise<{ tx: bigint; seq: bigint }> {
  const { rows } = await db.query<{ tx: string; seq: string }>(
    `SELECT tx::text AS tx, seq::text AS seq FROM ${schema}.events ORDER BY tx DESC, seq DESC LIMIT 1`,
  );
  return rows[0] ? { tx: BigInt(rows[0].tx), seq: BigInt(rows[0].seq) } : { tx: 0n, seq: 0n };
}
