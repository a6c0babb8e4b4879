import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where every projection keeps its checkpoint: the global position it has applied up to, written
 * in the same transaction as its rows. A rebuild keeps its own row (`<name>@rebuild`) until the
 * swap. Append-only: later changes come as new migrations.
 */
export class ProjectionCheckpoints1764288000000 implements MigrationInterface {
  readonly name = 'ProjectionCheckpoints1764288000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projection_checkpoints (
        projection text PRIMARY KEY,
        position_tx bigint NOT NULL,
        position_seq bigint NOT NULL,
        events_applied bigint NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_checkpoints`);
  }
}
