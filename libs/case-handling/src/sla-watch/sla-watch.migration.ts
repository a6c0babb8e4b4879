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

/**
 * The calendar and catalogue versions the schedule was last re-timed for (ADR 0029): a newer one
 * makes every open case due, to be timed again on the new rules.
 */
export class SlaWatchRulesVersions1764979200000 implements MigrationInterface {
  name = 'SlaWatchRulesVersions1764979200000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE sla_watch_checkpoint ADD COLUMN calendar_version int NULL');
    await runner.query('ALTER TABLE sla_watch_checkpoint ADD COLUMN catalogue_version int NULL');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE sla_watch_checkpoint DROP COLUMN catalogue_version');
    await runner.query('ALTER TABLE sla_watch_checkpoint DROP COLUMN calendar_version');
  }
}

/**
 * Re-timing apart from due instants (issue 14 bench): a calendar or catalogue change marks the
 * open cases `retime_at` instead of making them due, so claims take the cases whose own due
 * instant has come first and a re-timing backlog never holds back a breach.
 */
export class SlaWatchRetime1765238400000 implements MigrationInterface {
  name = 'SlaWatchRetime1765238400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE sla_watch_schedule ADD COLUMN retime_at timestamptz NULL');
    await runner.query(`
      CREATE INDEX sla_watch_schedule_retime ON sla_watch_schedule (retime_at)
        WHERE retime_at IS NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX sla_watch_schedule_retime');
    await runner.query('ALTER TABLE sla_watch_schedule DROP COLUMN retime_at');
  }
}
