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

/**
 * The highest position a projection has applied when a broker delivers its events (ADR 0030):
 * partitions run side by side, so events beyond the checkpoint may already be applied. The
 * checkpoint stays a position everything before which is applied (read-your-writes, a runner
 * resuming, all rely on that); a rebuild swaps in only at or beyond both. NULL: nothing beyond
 * the checkpoint is applied.
 */
export class ProjectionCheckpointsHighWater1765324800001 implements MigrationInterface {
  readonly name = 'ProjectionCheckpointsHighWater1765324800001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE projection_checkpoints ADD COLUMN high_water_tx bigint NULL, ADD COLUMN high_water_seq bigint NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE projection_checkpoints DROP COLUMN high_water_tx, DROP COLUMN high_water_seq`,
    );
  }
}
