import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Supervisors list the recorded reveals of residents' phone numbers across cases (issue 10, ADR
 * 0014), newest first: a partial index on the timeline holds only those rows, so the list reads
 * them without walking every case's timeline. A rebuild recreates it from its definition.
 */
export class ContactRevealsIndex1764460800000 implements MigrationInterface {
  name = 'ContactRevealsIndex1764460800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE INDEX ix_rm_case_timeline_reveals ON rm_case_timeline (at DESC, case_id, version)
         WHERE type = 'case.contact_revealed'`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX IF EXISTS ix_rm_case_timeline_reveals');
  }
}
