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
 * Who applied a projection last when it was not the store's runner: `inbox:<consumer>` when a
 * Kafka consumer applies it (ADR 0030). Its checkpoint is then the highest position applied — a
 * high-water mark, since partitions run side by side — and read-your-writes asks that consumer's
 * inbox; NULL (the store's runner, a rebuild's swap) means everything up to the checkpoint is
 * applied.
 */
export class ProjectionCheckpointsAppliedBy1765324800001 implements MigrationInterface {
  readonly name = 'ProjectionCheckpointsAppliedBy1765324800001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE projection_checkpoints ADD COLUMN applied_by text NULL`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE projection_checkpoints DROP COLUMN applied_by`);
  }
}
