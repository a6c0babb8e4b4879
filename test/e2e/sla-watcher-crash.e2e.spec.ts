import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { toStoredEvent } from '@tongban/case-handling';
import { CASE_EVENT_CODEC, caseStreamId, type CaseEvent } from '@tongban/cases';
import { ev } from '@tongban/cases/testing';
import { PostgresEventStore, eventStorePoolConfig, migrateEventStore } from '@tongban/event-store';
import {
  createTestDatabase,
  eventually,
  kafkaBrokers,
  startDeployable,
  type DeployableProcess,
  type TestDatabase,
} from '@tongban/testing';

/**
 * kill -9 of the SLA watcher mid-countdown (issue 14, ADR 0028): cases whose breaches fall due a
 * few seconds apart, the watcher killed as soon as the first breach is stored, then started again
 * on the same database — every case ends with exactly one breach and one warning per threshold.
 * The watcher runs on the system clock, so the cases are backdated: dispatched 24 hours (the
 * `urgent-24h` policy of the demo catalogue's matter PC-GGFW-0110) before a few seconds from now.
 */

const SECRET = 'e2e-sla-crash-secret-that-is-long-enough-for-hs256';
const MATTER = 'PC-GGFW-0110';
const CASES = 8;

/** The watcher (or, `app: 'relay'`, the relay that feeds it through Kafka) as its own process. */
function startWatcher(
  databaseUrl: string,
  dir: string,
  run: number,
  app: 'sla-watcher' | 'relay' = 'sla-watcher',
): Promise<DeployableProcess> {
  return startDeployable({
    app,
    name: `${app}-${run}`,
    dir,
    env: {
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      // Topics and groups of this test's own (the broker is shared with other test files).
      KAFKA_TOPIC_PREFIX: `e2e.${new URL(databaseUrl).pathname.slice(1)}.`,
      AUTH_MODE: 'jwt',
      AUTH_JWT_ALGORITHM: 'HS256',
      AUTH_JWT_SECRET: SECRET,
      DIRECTORY_SOURCE: 'demo',
      SLA_WATCH_INTERVAL_MS: '100',
      SLA_WATCH_LEASE_MS: '2000',
    },
  });
}

async function kill(watcher: DeployableProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  await watcher?.kill(signal);
}

describe('kill -9 of the SLA watcher mid-countdown (real PostgreSQL)', () => {
  let db: TestDatabase;
  let dir: string;
  let pool: Pool;
  let store: PostgresEventStore;
  let watcher: DeployableProcess | undefined;
  let relay: DeployableProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('sla_crash');
    dir = mkdtempSync(join(tmpdir(), 'tongban-sla-crash-'));
    pool = new Pool(eventStorePoolConfig(db.url, { max: 4 }));
    await migrateEventStore(pool);
    store = new PostgresEventStore({ pool });
  });

  afterAll(async () => {
    await kill(watcher, 'SIGTERM');
    await kill(relay, 'SIGTERM');
    await store?.close();
    await pool?.end();
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  });

  async function alerts(caseId: string): Promise<string[]> {
    return (await store.readStream(caseStreamId(caseId))).flatMap((recorded) => {
      const e: CaseEvent = CASE_EVENT_CODEC.decode(recorded, recorded.id);
      if (e.type === 'case.sla_warning_raised') return [`warning:${e.clock}:${e.threshold}`];
      if (e.type === 'case.sla_breached') return [`breach:${e.clock}`];
      return [];
    });
  }

  it('every warning and breach lands exactly once across the kill and the restart', async () => {
    // The watcher is fed through Kafka (ADR 0030): the relay publishes what the store holds.
    relay = await startWatcher(db.url, dir, 1, 'relay');
    watcher = await startWatcher(db.url, dir, 1);
    // Breaches due 4 s, 5 s, … from now: the warnings (12 h and 19.2 h in) are long due.
    const start = Date.now();
    const ids = Array.from(
      { length: CASES },
      (_, i) => `00000000-0000-4000-8e2e-${String(i).padStart(12, '0')}`,
    );
    for (const [i, caseId] of ids.entries()) {
      const dispatched = start + (4 + i) * 1_000 - 24 * 3_600_000;
      const time = (ms: number) => new Date(dispatched + ms).toISOString();
      const events: CaseEvent[] = [
        ev.submitted({ caseId, at: time(-60_000), matterCode: MATTER }),
        ev.dispatched({ caseId, at: time(0) }),
        ev.accepted({ caseId, at: time(60_000) }),
        ev.residentContacted({ caseId, at: time(120_000) }),
      ];
      await store.append(
        caseStreamId(caseId),
        events.map((e) => toStoredEvent(e, { correlationId: `sla-crash-${i}` })),
        'no_stream',
      );
    }
    // The first breach is stored: kill -9, with the others still counting down.
    await eventually(
      async () => {
        const all = await Promise.all(ids.map(alerts));
        if (!all.some((a) => a.includes('breach:resolution'))) throw new Error('no breach yet');
      },
      { timeoutMs: 30_000, intervalMs: 20 },
    );
    await kill(watcher, 'SIGKILL');
    const atKill = await Promise.all(ids.map(alerts));
    expect(atKill.filter((a) => a.includes('breach:resolution')).length).toBeLessThan(CASES);

    watcher = await startWatcher(db.url, dir, 2);
    const expected = ['warning:resolution:0.5', 'warning:resolution:0.8', 'breach:resolution'];
    await eventually(
      async () => {
        for (const id of ids) expect(await alerts(id)).toEqual(expected);
      },
      { timeoutMs: 40_000, intervalMs: 100 },
    );
    // Settled: nothing more due on any case until its escalation (SLA_ESCALATION_GRACE_HOURS,
    // 24 h after the breach; ADR 0029), and no lease still running. (A case the killed process had
    // claimed may keep its name in `leased_by` once the feed recorded its breach: with nothing
    // due, nobody claims it again, and the lease has long run out.)
    await eventually(
      async () => {
        const { rows } = await pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM sla_watch_schedule
            WHERE case_id = ANY($1) AND next_due_at > now() + interval '23 hours'
              AND (leased_until IS NULL OR leased_until < now())`,
          [ids],
        );
        expect(rows[0]!.n).toBe(CASES);
      },
      { timeoutMs: 20_000, intervalMs: 100 },
    );
    for (const id of ids) expect(await alerts(id)).toEqual(expected);
    expect(readFileSync(watcher.log, 'utf8')).not.toMatch(/SLA feed stopped/);
  }, 180_000);
});
