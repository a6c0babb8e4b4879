import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `rm_sla_clock`, written by the `sla_clocks` projection only; read-only here. `bigint` columns
 * are strings in JavaScript (`pg` does not narrow int8 to a number).
 */
@Entity({ name: 'rm_sla_clock' })
export class SlaClockEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'pk_rm_sla_clock' })
  caseId!: string;

  /** `response` | `resolution`. */
  @PrimaryColumn({ name: 'clock', type: 'text', primaryKeyConstraintName: 'pk_rm_sla_clock' })
  clock!: string;

  /** `running` | `paused` | `stopped`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'stopped_at', type: 'timestamptz', nullable: true })
  stoppedAt!: Date | null;

  @Column({ name: 'paused_since', type: 'timestamptz', nullable: true })
  pausedSince!: Date | null;

  @Column({ name: 'pause_count', type: 'integer' })
  pauseCount!: number;

  /** Calendar milliseconds paused so far. */
  @Column({ name: 'paused_ms', type: 'bigint' })
  pausedMs!: string;

  /** Filled once the SLA rules (business time) exist. */
  @Column({ name: 'business_ms_used', type: 'bigint', nullable: true })
  businessMsUsed!: string | null;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Column({ name: 'extension_days', type: 'integer' })
  extensionDays!: number;

  @Column({ name: 'warned_at', type: 'timestamptz', nullable: true })
  warnedAt!: Date | null;

  @Column({ name: 'breached_at', type: 'timestamptz', nullable: true })
  breachedAt!: Date | null;
}
