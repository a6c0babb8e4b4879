import { Client } from 'pg';
import { createTestDatabase } from './services';

/**
 * The kit's own database lifecycle on the real PostgreSQL. A pool's `end()` resolves once it has
 * sent its connections away, not once they are gone: a drop right after must wait for them to
 * leave instead of terminating them mid-close (the pool would report that as an error event, which
 * fails whichever test is running — the relay's int spec did in CI). What a test leaves open is
 * still ended, after a bound.
 */
describe('createTestDatabase', () => {
  async function session(url: string): Promise<{ client: Client; errors: string[] }> {
    const client = new Client({ connectionString: url });
    const errors: string[] = [];
    client.on('error', (error) => errors.push(error.message));
    await client.connect();
    return { client, errors };
  }

  it('drops the database once a closing session has left, without terminating it', async () => {
    const db = await createTestDatabase('kit');
    const { client, errors } = await session(db.url);
    const dropped = db.drop();
    // The session leaves while the drop waits.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.end();
    await dropped;
    expect(errors).toEqual([]);
  });

  it('ends a session a test left open, after its bound', async () => {
    const db = await createTestDatabase('kit');
    const { client, errors } = await session(db.url);
    const started = Date.now();
    await db.drop();
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(errors.join()).toContain('terminating connection');
    await client.end().catch(() => undefined);
  });
});
