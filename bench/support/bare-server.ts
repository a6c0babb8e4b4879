/**
 * The bare baseline of `npm run bench:http`, run as a child process of its own: plain Fastify and
 * node-postgres, no Nest, no authentication, no validation, no logging. Each POST inserts the JSON
 * it was sent into one table in one autocommit statement (one round trip, one commit) and answers
 * 201 with the row id: about the least an HTTP write on this machine and this PostgreSQL can cost.
 *
 *   DATABASE_URL=postgres://… node -r @swc-node/register bench/support/bare-server.ts
 *
 * Prints `bare listening on http://127.0.0.1:<port>` once it listens; stops on SIGTERM.
 */
import Fastify from 'fastify';
import { Pool } from 'pg';

const BARE_TABLE = 'bare_requests';

/** A bigserial key, the JSON and a time stamp: no other index, no constraint beyond the key. */
const BARE_SCHEMA = `CREATE TABLE IF NOT EXISTS ${BARE_TABLE} (
  id          bigserial   PRIMARY KEY,
  body        jsonb       NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
)`;

/** The api's pool size (DATABASE_POOL_SIZE's default), so both sides have as many connections. */
const POOL_MAX = 10;

async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set');
  const pool = new Pool({ connectionString: url, max: POOL_MAX });
  pool.on('error', () => undefined);
  await pool.query(BARE_SCHEMA);

  const app = Fastify({ logger: false });
  const insert = async (json: string): Promise<string> => {
    const { rows } = await pool.query<{ id: string }>({
      name: 'bare_insert',
      text: `INSERT INTO ${BARE_TABLE} (body) VALUES ($1::jsonb) RETURNING id`,
      values: [json],
    });
    return rows[0]!.id;
  };
  // The intake shape: the request body as sent.
  app.post('/bare/cases', async (request, reply) => {
    const id = await insert(JSON.stringify(request.body));
    return reply.code(201).send({ id });
  });
  // The action shape: a case id in the path and no body.
  app.post<{ Params: { id: string } }>('/bare/cases/:id/accept', async (request, reply) => {
    const id = await insert(JSON.stringify({ caseId: request.params.id, action: 'accept' }));
    return reply.code(200).send({ id });
  });

  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  process.stdout.write(`bare listening on ${address}\n`);
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare server failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
