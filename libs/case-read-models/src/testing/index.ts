import type { Pool } from 'pg';
import { deterministicUuid, toStoredEvent } from '@tongban/case-handling';
import { caseStreamId } from '@tongban/cases';
import type { CaseWorkload } from '@tongban/cases/testing';
import { START, comparePositions, type EventStore, type GlobalPosition } from '@tongban/event-store';
import type { AnyProjection } from '@tongban/projections';
import { CASE_PROJECTIONS } from '../projections';

/** Every table the case read models write: their rows, and each projection's stream versions. */
export const READ_MODEL_TABLES: readonly string[] = CASE_PROJECTIONS.flatMap((projection: AnyProjection) => [
  ...projection.tables.map((t) => t.table),
  projection.streamsTable,
]);

export type ReadModelChecksums = Record<string, { rows: number; md5: string }>;

/**
 * md5 over every row's text form in a fixed order, per read table: equal checksums, equal
 * tables. How the tests prove a rebuild, redelivery or another transport left the same rows.
 */
export async function readModelChecksums(pool: Pool): Promise<ReadModelChecksums> {
  const out: ReadModelChecksums = {};
  for (const table of READ_MODEL_TABLES) {
    const { rows } = await pool.query<{ rows: number; md5: string | null }>(
      `SELECT count(*)::int AS rows, md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) AS md5
         FROM "${table}" t`,
    );
    out[table] = { rows: rows[0]!.rows, md5: rows[0]!.md5 ?? '' };
  }
  return out;
}

/**
 * Appends a generated workload's appends as the case application would (each with a correlation
 * id and deterministic event ids, so a second run appends the very same events), and answers the
 * highest position written. `label` keeps workloads of one database apart; `offset` numbers a
 * slice of a larger workload as its place in the whole.
 */
export async function appendWorkload(
  store: Pick<EventStore, 'append'>,
  appends: CaseWorkload['appends'],
  label: string,
  offset = 0,
): Promise<GlobalPosition> {
  let head: GlobalPosition = START;
  for (const [i, a] of appends.entries()) {
    const stored = a.events.map((event, k) =>
      toStoredEvent(
        event,
        { correlationId: `${label}-${offset + i}` },
        deterministicUuid(`${label}:${a.caseId}:${a.expectedVersion + k + 1}`),
      ),
    );
    const result = await store.append(caseStreamId(a.caseId), stored, a.expectedVersion);
    if (comparePositions(result.position, head) > 0) head = result.position;
  }
  return head;
}
