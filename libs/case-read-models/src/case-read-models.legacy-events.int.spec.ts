import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { toStoredEvent } from '@tongban/case-handling';
import { caseStreamId } from '@tongban/cases';
import { actors, ev, submittedWithoutResident } from '@tongban/cases/testing';
import {
  PostgresEventStore,
  eventStorePoolConfig,
  migrateEventStore,
  type GlobalPosition,
} from '@tongban/event-store';
import { ProjectionRunner, ReadModelConsistency, rebuildProjection } from '@tongban/projections';
import { createTestDatabase, migratedDataSource, type TestDatabase } from '@tongban/testing';
import { CASE_DETAIL_TABLE, CASE_PROJECTIONS } from './projections';
import { CASE_READ_MODEL_MIGRATIONS } from './index';

/**
 * Issue 9 on real PostgreSQL: a store already holding a `case.submitted` recorded without a
 * resident (the API accepted such intakes). It used to stop all seven read models at that event
 * for good, and a rebuild of case_detail failed on it too. Decoding now repairs it (ADR 0008).
 */

let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;

const LEGACY = randomUUID();
const LATER = randomUUID();
const context = { correlationId: 'legacy-events-spec' };

beforeAll(async () => {
  db = await createTestDatabase('legacy');
  pool = new Pool(eventStorePoolConfig(db.url, { max: 6 }));
  await migrateEventStore(pool);
  await (await migratedDataSource(db.url, CASE_READ_MODEL_MIGRATIONS)).destroy();
  store = new PostgresEventStore({ pool, listen: { connectionString: db.url }, pollIntervalMs: 200 });
}, 60_000);

afterAll(async () => {
  await store?.close();
  await pool?.end();
  await db?.drop();
});

/** The legacy intake raw, as the old API stored it; its case dispatched; a normal case after it. */
async function appendLegacyStore(): Promise<GlobalPosition> {
  const legacy = caseStreamId(LEGACY);
  const submitted = toStoredEvent(ev.submitted({ caseId: LEGACY }), context);
  await store.append(
    legacy,
    // As the old API stored it: v1 (v2 promises every field).
    [
      {
        ...submitted,
        schemaVersion: 1,
        data: submittedWithoutResident({ caseId: LEGACY }) as typeof submitted.data,
      },
    ],
    'no_stream',
  );
  await store.append(legacy, [toStoredEvent(ev.dispatched({ caseId: LEGACY }), context)], 1);
  const later = await store.append(
    caseStreamId(LATER),
    [toStoredEvent(ev.submitted({ caseId: LATER, by: actors.resident }), context)],
    'no_stream',
  );
  return later.position;
}

async function caseDetails(): Promise<Array<{ case_id: string; status: string; resident_name: string }>> {
  const { rows } = await pool.query<{ case_id: string; status: string; resident_name: string }>(
    `SELECT case_id, status, resident_name FROM ${CASE_DETAIL_TABLE} ORDER BY case_id = $1 DESC`,
    [LEGACY],
  );
  return rows;
}

describe('a store holding a case.submitted recorded without a resident', () => {
  it('is read by every projection, and the case filed after it is visible', async () => {
    const errors: string[] = [];
    const runner = new ProjectionRunner({
      pool,
      store,
      projections: CASE_PROJECTIONS,
      retryDelayMs: 20,
      logger: { log: () => undefined, warn: () => undefined, error: (m) => errors.push(m) },
    });
    await runner.start();
    try {
      const head = await appendLegacyStore();
      const waited = await new ReadModelConsistency({ pool, store }).waitFor(
        CASE_PROJECTIONS.map((p) => p.name),
        head,
        15_000,
      );
      expect({ reached: waited.reached, failures: runner.status.failures, errors }).toEqual({
        reached: true,
        failures: 0,
        errors: [],
      });
    } finally {
      await runner.stop();
    }
    expect(await caseDetails()).toEqual([
      { case_id: LEGACY, status: 'dispatched', resident_name: '' },
      { case_id: LATER, status: 'submitted', resident_name: '王芳' },
    ]);
  });

  it('rebuilds case_detail over it, to the same rows', async () => {
    const before = await caseDetails();
    const report = await rebuildProjection(
      pool,
      store,
      CASE_PROJECTIONS.find((p) => p.name === 'case_detail')!,
    );
    expect(report.events).toBe(3);
    expect(await caseDetails()).toEqual(before);
  });
});
