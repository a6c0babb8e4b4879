import type { CaseLifecycle } from '@tongban/cases';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `rm_resident_case`, written by the `resident_cases` projection only; read-only here. */
@Entity({ name: 'rm_resident_case' })
@Index('ix_rm_resident_case_submitter', ['submitterId', 'submittedAt'])
export class ResidentCaseEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'pk_rm_resident_case' })
  caseId!: string;

  @Column({ name: 'submitter_id', type: 'text' })
  submitterId!: string;

  @Column({ name: 'case_number', type: 'text' })
  caseNumber!: string;

  @Column({ name: 'title', type: 'text' })
  title!: string;

  @Column({ name: 'channel', type: 'text' })
  channel!: string;

  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'matter_code', type: 'text', nullable: true })
  matterCode!: string | null;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;

  @Column({ name: 'last_event_at', type: 'timestamptz' })
  lastEventAt!: Date;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'awaiting_feedback', type: 'boolean' })
  awaitingFeedback!: boolean;

  @Column({ name: 'satisfaction', type: 'text', nullable: true })
  satisfaction!: string | null;

  @Column({ name: 'version', type: 'integer' })
  version!: number;
  /** The projection's memory of the case's lifecycle (ADR 0018); not read by queries. */
  @Column({ name: 'lifecycle', type: 'jsonb', nullable: true, select: false })
  lifecycle!: CaseLifecycle | null;
}
