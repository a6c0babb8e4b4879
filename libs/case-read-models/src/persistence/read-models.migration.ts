import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case read models (libs/case-read-models/src/projections): one table per projection view, the
 * per-case memory some projections keep, and each projection's `_streams` table where the
 * engine records the last version it applied of every stream. Only the projections write these
 * tables. Nothing defaults to the clock: every value comes from events, so a rebuild (fresh copies
 * `LIKE` these tables, swapped in) gives the same rows.
 */
export class ReadModels1764288000001 implements MigrationInterface {
  name = 'ReadModels1764288000001';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of UP) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of [...TABLES].reverse()) await runner.query(`DROP TABLE IF EXISTS ${table}`);
  }
}

const STREAM_TABLES = [
  'rm_case_detail_streams',
  'rm_case_timeline_streams',
  'rm_resident_case_streams',
  'rm_worklist_streams',
  'rm_referral_streams',
  'rm_sla_clock_streams',
  'rm_kpi_daily_streams',
];

const TABLES = [
  'rm_case_detail',
  'rm_case_timeline',
  'rm_resident_case',
  'rm_worklist',
  'rm_worklist_case',
  'rm_referral',
  'rm_referral_case',
  'rm_sla_clock',
  'rm_kpi_daily',
  'rm_kpi_case',
  ...STREAM_TABLES,
];

const KPI_COUNTER_COLUMNS = [
  'received',
  'returned',
  'responded',
  'responded_in_time',
  'resolved',
  'resolved_in_time',
  'rated',
  'satisfied',
  'basically_satisfied',
  'unsatisfied',
  'solved',
  'breached',
  'reopened',
];

const UP: readonly string[] = [
  `CREATE TABLE rm_case_detail (
    case_id                   uuid             NOT NULL,
    case_number               text             NOT NULL,
    status                    text             NOT NULL,
    channel                   text             NOT NULL,
    title                     text             NOT NULL,
    description               text             NOT NULL,
    matter_code               text,
    category                  text,
    resident_name             text             NOT NULL,
    resident_phone_masked     text             NOT NULL,
    resident_id_number_masked text,
    address                   text,
    community_code            text,
    grid_code                 text,
    latitude                  double precision,
    longitude                 double precision,
    attachments               jsonb            NOT NULL,
    submitter_id              text             NOT NULL,
    submitter_role            text             NOT NULL,
    submitted_at              timestamptz      NOT NULL,
    owner_id                  text,
    owner_org_unit            text,
    designated_owner_id       text,
    designated_org_unit       text,
    handover_to_id            text,
    handover_to_org_unit      text,
    street_code               text,
    suspended                 boolean          NOT NULL,
    open_referrals            integer          NOT NULL,
    response_due_at           timestamptz,
    resolution_due_at         timestamptz,
    next_due_at               timestamptz,
    overdue                   boolean          NOT NULL,
    response_breached         boolean          NOT NULL,
    resolution_breached       boolean          NOT NULL,
    first_contact_at          timestamptz,
    resolved_at               timestamptz,
    closed_at                 timestamptz,
    satisfaction              text,
    solved                    boolean,
    return_count              integer          NOT NULL,
    reopen_count              integer          NOT NULL,
    supervision_count         integer          NOT NULL,
    extension_days            integer          NOT NULL,
    ruled_unreasonable        boolean          NOT NULL,
    merged_into               uuid,
    scope_units               text[]           NOT NULL,
    participant_ids           text[]           NOT NULL,
    referral_units            text[]           NOT NULL,
    version                   integer          NOT NULL,
    last_event_at             timestamptz      NOT NULL,
    CONSTRAINT pk_rm_case_detail PRIMARY KEY (case_id)
  )`,
  'CREATE INDEX ix_rm_case_detail_status ON rm_case_detail (status)',
  'CREATE INDEX ix_rm_case_detail_owner ON rm_case_detail (owner_id)',
  'CREATE INDEX ix_rm_case_detail_designated_owner ON rm_case_detail (designated_owner_id)',
  'CREATE INDEX ix_rm_case_detail_submitter ON rm_case_detail (submitter_id)',
  'CREATE INDEX ix_rm_case_detail_submitted ON rm_case_detail (submitted_at, case_id)',
  'CREATE INDEX ix_rm_case_detail_next_due ON rm_case_detail (next_due_at, case_id)',
  'CREATE INDEX ix_rm_case_detail_scope_units ON rm_case_detail USING gin (scope_units)',
  'CREATE INDEX ix_rm_case_detail_participants ON rm_case_detail USING gin (participant_ids)',

  `CREATE TABLE rm_case_timeline (
    case_id        uuid        NOT NULL,
    version        integer     NOT NULL,
    position       text        NOT NULL,
    type           text        NOT NULL,
    at             timestamptz NOT NULL,
    recorded_at    timestamptz NOT NULL,
    actor_id       text        NOT NULL,
    actor_role     text        NOT NULL,
    actor_org_unit text,
    channel        text,
    summary        text        NOT NULL,
    changes        jsonb       NOT NULL,
    CONSTRAINT pk_rm_case_timeline PRIMARY KEY (case_id, version)
  )`,

  `CREATE TABLE rm_resident_case (
    case_id           uuid        NOT NULL,
    submitter_id      text        NOT NULL,
    case_number       text        NOT NULL,
    title             text        NOT NULL,
    channel           text        NOT NULL,
    status            text        NOT NULL,
    matter_code       text,
    submitted_at      timestamptz NOT NULL,
    last_event_at     timestamptz NOT NULL,
    resolved_at       timestamptz,
    closed_at         timestamptz,
    awaiting_feedback boolean     NOT NULL,
    satisfaction      text,
    version           integer     NOT NULL,
    CONSTRAINT pk_rm_resident_case PRIMARY KEY (case_id)
  )`,
  'CREATE INDEX ix_rm_resident_case_submitter ON rm_resident_case (submitter_id, submitted_at)',

  `CREATE TABLE rm_worklist (
    case_id      uuid        NOT NULL,
    cadre_id     text        NOT NULL,
    org_unit     text        NOT NULL,
    reason       text        NOT NULL,
    case_number  text        NOT NULL,
    title        text        NOT NULL,
    status       text        NOT NULL,
    matter_code  text,
    suspended    boolean     NOT NULL,
    next_due_at  timestamptz,
    overdue      boolean     NOT NULL,
    submitted_at timestamptz NOT NULL,
    since        timestamptz NOT NULL,
    version      integer     NOT NULL,
    CONSTRAINT pk_rm_worklist PRIMARY KEY (case_id, cadre_id)
  )`,
  'CREATE INDEX ix_rm_worklist_cadre_next_due ON rm_worklist (cadre_id, next_due_at)',

  `CREATE TABLE rm_worklist_case (
    case_id              uuid        NOT NULL,
    case_number          text        NOT NULL,
    title                text        NOT NULL,
    matter_code          text,
    submitted_at         timestamptz NOT NULL,
    status               text        NOT NULL,
    suspended            boolean     NOT NULL,
    designated_id        text,
    designated_org_unit  text,
    designated_since     timestamptz,
    owner_id             text,
    owner_org_unit       text,
    owner_since          timestamptz,
    handover_to_id       text,
    handover_to_org_unit text,
    handover_since       timestamptz,
    contacted            boolean     NOT NULL,
    response_due_at      timestamptz,
    resolution_due_at    timestamptz,
    response_breached    boolean     NOT NULL,
    resolution_breached  boolean     NOT NULL,
    cadre_ids            text[]      NOT NULL,
    version              integer     NOT NULL,
    CONSTRAINT pk_rm_worklist_case PRIMARY KEY (case_id)
  )`,

  `CREATE TABLE rm_referral (
    case_id      uuid        NOT NULL,
    referral_id  text        NOT NULL,
    to_org_unit  text        NOT NULL,
    target       text        NOT NULL,
    request      text        NOT NULL,
    referred_at  timestamptz NOT NULL,
    referred_by  text        NOT NULL,
    status       text        NOT NULL,
    completed_at timestamptz,
    outcome      text,
    completed_by text,
    case_number  text        NOT NULL,
    title        text        NOT NULL,
    matter_code  text,
    CONSTRAINT pk_rm_referral PRIMARY KEY (case_id, referral_id)
  )`,
  'CREATE INDEX ix_rm_referral_queue ON rm_referral (to_org_unit, status, referred_at)',

  `CREATE TABLE rm_referral_case (
    case_id           uuid   NOT NULL,
    case_number       text   NOT NULL,
    title             text   NOT NULL,
    matter_code       text,
    open_referral_ids text[] NOT NULL,
    open_referrals    jsonb  NOT NULL,
    CONSTRAINT pk_rm_referral_case PRIMARY KEY (case_id)
  )`,

  `CREATE TABLE rm_sla_clock (
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
  )`,

  `CREATE TABLE rm_kpi_daily (
    org_unit    text NOT NULL,
    day         date NOT NULL,
    matter_code text NOT NULL,
    ${KPI_COUNTER_COLUMNS.map((column) => `${column} integer NOT NULL DEFAULT 0,`).join('\n    ')}
    CONSTRAINT pk_rm_kpi_daily PRIMARY KEY (org_unit, day, matter_code)
  )`,

  `CREATE TABLE rm_kpi_case (
    case_id             uuid    NOT NULL,
    status              text    NOT NULL,
    matter_code         text    NOT NULL,
    community_code      text,
    designated_org_unit text,
    owner_org_unit      text,
    org_unit            text    NOT NULL,
    contacted           boolean NOT NULL,
    response_breached   boolean NOT NULL,
    resolution_breached boolean NOT NULL,
    excluded            boolean NOT NULL,
    contributions       jsonb   NOT NULL,
    CONSTRAINT pk_rm_kpi_case PRIMARY KEY (case_id)
  )`,

  ...STREAM_TABLES.map(
    (table) => `CREATE TABLE ${table} (
    stream_id text    NOT NULL,
    version   integer NOT NULL,
    CONSTRAINT pk_${table} PRIMARY KEY (stream_id)
  )`,
  ),
];
