import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The KPI facts per cadre (issue 14): the counters of `rm_kpi_daily` per cadre × the org unit they
 * answered in × day × matter (`rm_kpi_cadre_daily`), and per case what the projection counted, so
 * a ruling of unreasonable takes it back (`rm_kpi_cadre_case`). The definitions sit with the
 * projection (kpi-cadre-daily.projection.ts); the drift test keeps them equal to these tables.
 *
 * A new read model starts from the beginning of the store (ADR 0017): on a database with cases
 * already, the projector fills these tables from the first event on as it catches up.
 */
export class KpiCadreDaily1764806400000 implements MigrationInterface {
  name = 'KpiCadreDaily1764806400000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE TABLE rm_kpi_cadre_daily (
      cadre_id            text    NOT NULL,
      org_unit            text    NOT NULL,
      day                 date    NOT NULL,
      matter_code         text    NOT NULL,
      received            integer NOT NULL DEFAULT 0,
      returned            integer NOT NULL DEFAULT 0,
      responded           integer NOT NULL DEFAULT 0,
      responded_in_time   integer NOT NULL DEFAULT 0,
      resolved            integer NOT NULL DEFAULT 0,
      resolved_in_time    integer NOT NULL DEFAULT 0,
      rated               integer NOT NULL DEFAULT 0,
      satisfied           integer NOT NULL DEFAULT 0,
      basically_satisfied integer NOT NULL DEFAULT 0,
      unsatisfied         integer NOT NULL DEFAULT 0,
      solved              integer NOT NULL DEFAULT 0,
      breached            integer NOT NULL DEFAULT 0,
      reopened            integer NOT NULL DEFAULT 0,
      CONSTRAINT pk_rm_kpi_cadre_daily PRIMARY KEY (cadre_id, org_unit, day, matter_code)
    )`);
    // One cadre's facts read the primary key; a unit's cadres (`org_unit LIKE 'pc.gucheng.%'`) this.
    await runner.query(
      'CREATE INDEX ix_rm_kpi_cadre_daily_unit_prefix ON rm_kpi_cadre_daily (org_unit text_pattern_ops, day)',
    );
    await runner.query(`CREATE TABLE rm_kpi_cadre_case (
      case_id       uuid  NOT NULL,
      matter_code   text  NOT NULL,
      contributions jsonb NOT NULL,
      lifecycle     jsonb,
      CONSTRAINT pk_rm_kpi_cadre_case PRIMARY KEY (case_id)
    )`);
    await runner.query(`CREATE TABLE rm_kpi_cadre_daily_streams (
      stream_id text    NOT NULL,
      version   integer NOT NULL,
      CONSTRAINT pk_rm_kpi_cadre_daily_streams PRIMARY KEY (stream_id)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['rm_kpi_cadre_daily_streams', 'rm_kpi_cadre_case', 'rm_kpi_cadre_daily']) {
      await runner.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
