import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cadre workload read model (issue 13): per cadre and community, the open cases they carry and
 * the hand-overs offered to them (`rm_cadre_workload`, counters), and per case the cadre it weighs
 * on and its resolution deadline (`rm_cadre_workload_case`), which the query counts as due soon or
 * overdue at the time it is asked. The definitions sit with the projection
 * (cadre-workload.projection.ts); the drift test keeps them equal to these tables.
 *
 * A new read model starts from the beginning of the store (ADR 0017): on a database with cases
 * already, the projector fills these tables from the first event on as it catches up.
 */
export class CadreWorkload1764720000000 implements MigrationInterface {
  name = 'CadreWorkload1764720000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE rm_cadre_workload (
      org_unit          text    NOT NULL,
      cadre_id          text    NOT NULL,
      open_cases        integer NOT NULL DEFAULT 0,
      accepted          integer NOT NULL DEFAULT 0,
      suspended         integer NOT NULL DEFAULT 0,
      handovers_offered integer NOT NULL DEFAULT 0,
      CONSTRAINT pk_rm_cadre_workload PRIMARY KEY (org_unit, cadre_id)
    )`);
    // A street's cadres are its units' rows: `org_unit LIKE 'pc.gucheng.%'` reads this index.
    await runner.query(
      'CREATE INDEX ix_rm_cadre_workload_unit_prefix ON rm_cadre_workload (org_unit text_pattern_ops)',
    );
    await runner.query(`CREATE TABLE rm_cadre_workload_case (
      case_id             uuid        NOT NULL,
      cadre_id            text,
      org_unit            text,
      resolution_due_at   timestamptz,
      resolution_breached boolean     NOT NULL,
      lifecycle           jsonb,
      CONSTRAINT pk_rm_cadre_workload_case PRIMARY KEY (case_id)
    )`);
    // Only the cases that weigh on a cadre and have a deadline: what "due soon" counts.
    await runner.query(
      `CREATE INDEX ix_rm_cadre_workload_case_due ON rm_cadre_workload_case (org_unit text_pattern_ops, cadre_id)
         WHERE resolution_due_at IS NOT NULL`,
    );
    await runner.query(`CREATE TABLE rm_cadre_workload_streams (
      stream_id text    NOT NULL,
      version   integer NOT NULL,
      CONSTRAINT pk_rm_cadre_workload_streams PRIMARY KEY (stream_id)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['rm_cadre_workload_streams', 'rm_cadre_workload_case', 'rm_cadre_workload']) {
      await runner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
