import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rebuild in progress of each read model, whichever process runs it: its generation (the tag
 * of its shadow tables and checkpoint row, checked at every batch and at the swap) and its
 * progress, so a refused second rebuild — from another process too — can say how far the running
 * one is (ADR 0017). The exclusion itself is an advisory lock; this row only describes it.
 *
 * Timestamped just before the checkpoints' migration (it depends on nothing), so the read
 * models' migrations stay the last ones a database ran (their rollback test undoes them from the
 * end). TypeORM runs every migration it has not run by name, so an existing database gets it too.
 */
export class ProjectionRebuilds1764287999999 implements MigrationInterface {
  readonly name = 'ProjectionRebuilds1764287999999';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projection_rebuilds (
        projection text PRIMARY KEY,
        generation text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now(),
        progress jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_rebuilds`);
  }
}
