import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SLA watcher's durable schedule (ADR 0028): one row per case with an open clock — the next
 * instant something is due on it, the lease of the watcher working on it — and the watcher's
 * checkpoint in the global log (one row). Nothing about when to act lives only in memory.
 */
export class SlaWatchSchedule1764806400000 implements MigrationInterface {
  name = 'SlaWatchSchedule1764806400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE sla_watch_schedule (
        case_id        text        PRIMARY KEY,
        stream_version int         NOT NULL,
        policy_id      text        NOT NULL,
        open_clocks    int         NOT NULL,
        next_due_at    timestamptz NULL,
        leased_until   timestamptz NULL,
        leased_by      text        NULL,
        updated_at     timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      CREATE INDEX sla_watch_schedule_due ON sla_watch_schedule (next_due_at)
        WHERE next_due_at IS NOT NULL`);
    await runner.query(`
      CREATE TABLE sla_watch_checkpoint (
        id         smallint       PRIMARY KEY CHECK (id = 1),
        tx         numeric(20, 0) NOT NULL,
        seq        numeric(20, 0) NOT NULL,
        updated_at timestamptz    NOT NULL DEFAULT now()
      )`);
    await runner.query(`INSERT INTO sla_watch_checkpoint (id, tx, seq) VALUES (1, 0, 0)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE sla_watch_checkpoint');
    await runner.query('DROP TABLE sla_watch_schedule');
  }
}
