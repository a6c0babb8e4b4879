import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { ClientBase, PoolConfig } from 'pg';

export interface EmbeddedPostgres {
  /** A postgres:// URL the ordinary `pg` driver (and so TypeORM) connects to. */
  readonly url: string;
  /**
   * Must run on every new connection before it is used (pg's pool `onConnect`): see
   * `resetSharedSession`.
   */
  readonly onConnect: (client: ClientBase) => Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Folder that keeps the data across restarts. */
  readonly dataDir: string;
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port?: number;
}

/**
 * PGlite has ONE backend session, and every connection is a new view onto it: a connection that
 * the pool dropped (pg's pool drops a client after any failed query, and after it idled) leaves
 * behind its named prepared statements, its open or aborted transaction, its settings and its
 * advisory locks. The next connection would then fail with "prepared statement … already exists"
 * or "current transaction is aborted" on every statement. A real server ends all of that with
 * the connection; here the new connection ends it before its first use, as a real disconnect
 * would have: roll back whatever was left open, then discard the session state.
 */
export async function resetSharedSession(client: ClientBase): Promise<void> {
  // Outside a transaction ROLLBACK only warns; DISCARD ALL refuses to run inside one.
  await client.query('ROLLBACK');
  await client.query('DISCARD ALL');
}

/** pg's pool awaits an async `onConnect` (pg-pool 3.8+), though @types/pg declares it void. */
export function poolOnConnect(hook: (client: ClientBase) => Promise<void>): PoolConfig['onConnect'] {
  // eslint-disable-next-line @typescript-eslint/no-misused-promises -- pg-pool awaits the hook's promise
  return hook;
}

/**
 * Starts PGlite (PostgreSQL compiled to WebAssembly, in this process) behind a PostgreSQL wire
 * protocol socket, so standalone mode runs the same pg/TypeORM code as production.
 *
 * PGlite executes every client over ONE backend session: two connections would share one
 * transaction. The app must therefore use a pool of size 1 (standalone sets
 * DATABASE_POOL_SIZE=1), which serialises transactions correctly, and run `onConnect` on each
 * new connection.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  mkdirSync(options.dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir: options.dataDir });
  const host = options.host ?? '127.0.0.1';
  // Two, not one: when the pool drops its client it opens the next one at once, while the
  // server still counts the old socket for a moment; with one, that next connection is refused
  // and the request after a failed one fails too. The pool of one never USES two at a time.
  const server = new PGLiteSocketServer({ db, host, port: options.port ?? 0, maxConnections: 2 });
  await server.start();
  const conn = server.getServerConn();
  const port = Number(conn.slice(conn.lastIndexOf(':') + 1));
  return {
    url: `postgres://postgres:postgres@${host}:${port}/postgres?sslmode=disable`,
    onConnect: resetSharedSession,
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}
