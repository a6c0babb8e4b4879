import { privateServices } from './private-services';
import { createTestDatabase, type TestDatabase } from './services';

/**
 * A PostgreSQL cluster of one test file's own. The visibility horizon is cluster-wide (ADR 0002):
 * a test that holds a transaction open on purpose holds back every reader of the global log in
 * the shared cluster — other test files' projectors, feeds and read-your-writes waits included.
 * Such a test runs here.
 */
export interface PrivatePostgres {
  /** The cluster's `tongban_test` database, as TONGBAN_PG_TEST_URL names the shared one's. */
  readonly adminUrl: string;
  /** A fresh database in this cluster (`createTestDatabase` on it). */
  createDatabase(prefix?: string): Promise<TestDatabase>;
  /** Stops it and removes its data folder. */
  down(): Promise<void>;
}

/** initdb and start through infra/scripts/services.sh (`up pg`) on a free port (about 2 s). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const { services } = await privateServices('pg', (port) => ({ TONGBAN_PG_PORT: String(port) }), 1);
  await services.run('up', 'pg');
  const adminUrl = `postgres://tongban:tongban@127.0.0.1:${services.ports[0]!}/tongban_test`;
  return {
    adminUrl,
    createDatabase: (prefix?: string) => createTestDatabase(prefix, adminUrl),
    down: async () => {
      await services.run('down', 'pg').catch(() => undefined);
      services.remove();
    },
  };
}
