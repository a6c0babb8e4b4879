import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay's lease and checkpoint (issue 15). One lease row per relay name: exactly one
 * instance publishes, the others stand by until it lapses. One checkpoint row per relay name:
 * the position in the global log up to which every event was acknowledged by the broker.
 */
export class RelayTables1765756800000 implements MigrationInterface {
  name = 'RelayTables1765756800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE relay_leases (
        name       text        PRIMARY KEY,
        holder     text        NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await runner.query(`
      CREATE TABLE relay_checkpoints (
        name           text           PRIMARY KEY,
        position_tx    numeric(20, 0) NOT NULL,
        position_seq   numeric(20, 0) NOT NULL,
        events_relayed bigint         NOT NULL DEFAULT 0,
        updated_at     timestamptz    NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE relay_checkpoints');
    await runner.query('DROP TABLE relay_leases');
  }
}

/** TypeORM migrations the relay needs; the relay deployable runs them at start-up. */
export const RELAY_MIGRATIONS = [RelayTables1765756800000];
