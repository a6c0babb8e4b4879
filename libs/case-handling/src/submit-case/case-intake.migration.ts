import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Intake bookkeeping outside the event stream: which idempotency key created which case, and
 * the per-day counters behind human-readable case numbers (PC-20261127-000123).
 */
export class CaseIntake1764201600000 implements MigrationInterface {
  name = 'CaseIntake1764201600000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE case_intake_requests (
        scope           text        NOT NULL,
        idempotency_key text        NOT NULL,
        request_hash    text        NOT NULL,
        case_id         uuid        NOT NULL UNIQUE,
        case_number     text        NOT NULL UNIQUE,
        created_at      timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (scope, idempotency_key)
      )`);
    await runner.query(`
      CREATE TABLE case_number_counters (
        day        date PRIMARY KEY,
        last_value int  NOT NULL
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE case_number_counters');
    await runner.query('DROP TABLE case_intake_requests');
  }
}
