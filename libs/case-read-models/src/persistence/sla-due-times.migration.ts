import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The SLA clocks from the watcher's due times (issue 14, ADR 0029): `sla_clocks` now keeps one row
 * per clock the due times name (dispatch, response, resolution, feedback window) with its round,
 * due time, budget, way of counting and time used (`rm_sla_clock`), and what it must remember of
 * a case between events (`rm_sla_clock_case`); the worklist and the case detail keep the due
 * times of the response and resolution clocks (`rm_worklist_case.due_times`,
 * `rm_case_detail.due_times`) for their due times and next due time. The definitions sit with the
 * projections; the drift test keeps them equal.
 *
 * Every `rm_sla_clock` row changes meaning, so `sla_clocks` starts again from the beginning of the
 * store, as a new read model does (ADR 0017): its rows, stream versions and checkpoint go, and the
 * projector fills it as it catches up. The worklist and the case detail keep serving: their rows
 * show the due times a case's next `case.due_times_set` brings (until then, the deadlines warnings
 * announced); rebuild them after this migration (`npm run projections:rebuild -- worklist
 * case_detail`) to have them at once.
 */
export class SlaDueTimes1764892800000 implements MigrationInterface {
  name = 'SlaDueTimes1764892800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE rm_sla_clock');
    await runner.query(`CREATE TABLE rm_sla_clock (
      case_id        uuid        NOT NULL,
      clock          text        NOT NULL,
      round          integer     NOT NULL,
      status         text        NOT NULL,
      due_at         timestamptz,
      budget_ms      bigint      NOT NULL,
      counting       text        NOT NULL,
      used_ms        bigint      NOT NULL,
      used_at        timestamptz NOT NULL,
      stopped_at     timestamptz,
      paused_since   timestamptz,
      paused_ms      bigint      NOT NULL,
      extension_days integer     NOT NULL,
      warned_at      timestamptz,
      breached_at    timestamptz,
      escalated_at   timestamptz,
      CONSTRAINT pk_rm_sla_clock PRIMARY KEY (case_id, clock)
    )`);
    await runner.query(`CREATE TABLE rm_sla_clock_case (
      case_id      uuid        NOT NULL,
      clocks       jsonb       NOT NULL,
      reopens      integer     NOT NULL,
      suspended_at timestamptz,
      ended_at     timestamptz,
      CONSTRAINT pk_rm_sla_clock_case PRIMARY KEY (case_id)
    )`);
    await restartSlaClocks(runner);
    await runner.query('ALTER TABLE rm_worklist_case ADD COLUMN due_times jsonb');
    await runner.query('ALTER TABLE rm_case_detail ADD COLUMN due_times jsonb');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE rm_case_detail DROP COLUMN IF EXISTS due_times');
    await runner.query('ALTER TABLE rm_worklist_case DROP COLUMN IF EXISTS due_times');
    await runner.query('DROP TABLE IF EXISTS rm_sla_clock_case');
    await runner.query('DROP TABLE IF EXISTS rm_sla_clock');
    // The table as ReadModels1764288000001 made it; the projection of that version refills it.
    await runner.query(`CREATE TABLE rm_sla_clock (
      case_id          uuid        NOT NULL,
      clock            text        NOT NULL,
      status           text        NOT NULL,
      started_at       timestamptz NOT NULL,
      stopped_at       timestamptz,
      paused_since     timestamptz,
      pause_count      integer     NOT NULL,
      paused_ms        bigint      NOT NULL,
      business_ms_used bigint,
      due_at           timestamptz,
      extension_days   integer     NOT NULL,
      warned_at        timestamptz,
      breached_at      timestamptz,
      CONSTRAINT pk_rm_sla_clock PRIMARY KEY (case_id, clock)
    )`);
    await restartSlaClocks(runner);
  }
}

/** `sla_clocks` reads the store again from its beginning into its (empty) tables. */
async function restartSlaClocks(runner: QueryRunner): Promise<void> {
  await runner.query('DELETE FROM rm_sla_clock_streams');
  await runner.query(`DELETE FROM projection_checkpoints WHERE projection = 'sla_clocks'`);
}
