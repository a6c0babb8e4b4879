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
 * The highest position a projection has applied per delivery source (a Kafka topic partition)
 * when a broker delivers its events (ADR 0030): partitions run side by side, so events beyond the
 * checkpoint may be applied already. The checkpoint stays a position everything before which is
 * applied; a rebuild swaps in only at or beyond every row here, and deletes them. One row per
 * partition, so partitions applying side by side never wait on each other's row.
 */
export class ProjectionDelivered1765324800001 implements MigrationInterface {
  readonly name = 'ProjectionDelivered1765324800001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE projection_delivered (
        projection   text        NOT NULL,
        source       text        NOT NULL,
        position_tx  bigint      NOT NULL,
        position_seq bigint      NOT NULL,
        updated_at   timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (projection, source)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE projection_delivered`);
  }
}
