import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The read models that follow the case lifecycle keep the domain's lifecycle of each case in their
 * per-case row (ADR 0018), written in the same transaction as the row and the stream version.
 * Rows written before this migration have none: rebuild case_detail, resident_cases, worklist and
 * kpi_daily after it (`npm run projections:rebuild`); until then those projections stop at the
 * first event of such a case and say so.
 */
const TABLES = ['rm_case_detail', 'rm_resident_case', 'rm_worklist_case', 'rm_kpi_case'];

export class CaseLifecycleSnapshots1764633600000 implements MigrationInterface {
  name = 'CaseLifecycleSnapshots1764633600000';

  async up(runner: QueryRunner): Promise<void> {
    for (const table of TABLES) await runner.query(`ALTER TABLE ${table} ADD COLUMN lifecycle jsonb`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of TABLES) await runner.query(`ALTER TABLE ${table} DROP COLUMN IF EXISTS lifecycle`);
  }
}
