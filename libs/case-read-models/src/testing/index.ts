import type { Pool } from 'pg';
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
