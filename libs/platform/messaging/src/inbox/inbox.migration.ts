import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The consumers' inbox (ADR 0030): one row per (consumer, event id) it has taken in — applied or
 * dead-lettered —, written in the same transaction as the consumer's work, so a redelivered
 * message changes nothing; and per (consumer, stream) the last version taken in, so a message
 * that skips a version or steps back is seen at once. The event's global position and source
 * offset are kept for audits and for people tracing a message.
 */
export class MessageInbox1765324800000 implements MigrationInterface {
  name = 'MessageInbox1765324800000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE message_inbox (
        consumer       text           NOT NULL,
        event_id       text           NOT NULL,
        stream_id      text           NOT NULL,
        stream_version int            NOT NULL,
        position_tx    numeric(20, 0) NULL,
        position_seq   numeric(20, 0) NULL,
        topic          text           NOT NULL,
        kafka_partition int           NOT NULL,
        kafka_offset   bigint         NOT NULL,
        outcome        text           NOT NULL CHECK (outcome IN ('applied', 'dead_lettered')),
        received_at    timestamptz    NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await runner.query(`CREATE INDEX message_inbox_received ON message_inbox (received_at)`);
    await runner.query(`
      CREATE TABLE message_inbox_streams (
        consumer      text        NOT NULL,
        stream_id     text        NOT NULL,
        version       int         NOT NULL,
        blocked_at    int         NULL,
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, stream_id)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE message_inbox_streams');
    await runner.query('DROP TABLE message_inbox');
  }
}

/** Run before the migrations of any deployable that consumes with an inbox. */
export const INBOX_MIGRATIONS = [MessageInbox1765324800000] as const;
