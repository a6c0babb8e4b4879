import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `rm_worklist`, written by the `worklist` projection only; read-only here. */
@Entity({ name: 'rm_worklist' })
@Index('ix_rm_worklist_cadre_next_due', ['cadreId', 'nextDueAt'])
export class WorklistEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'pk_rm_worklist' })
  caseId!: string;

  @PrimaryColumn({ name: 'cadre_id', type: 'text', primaryKeyConstraintName: 'pk_rm_worklist' })
  cadreId!: string;

  @Column({ name: 'org_unit', type: 'text' })
  orgUnit!: string;

  /** `designated` | `owner` | `handover_offered`. */
  @Column({ name: 'reason', type: 'text' })
  reason!: string;

  @Column({ name: 'case_number', type: 'text' })
  caseNumber!: string;

  @Column({ name: 'title', type: 'text' })
  title!: string;

  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'matter_code', type: 'text', nullable: true })
  matterCode!: string | null;

  @Column({ name: 'suspended', type: 'boolean' })
  suspended!: boolean;

  @Column({ name: 'next_due_at', type: 'timestamptz', nullable: true })
  nextDueAt!: Date | null;

  @Column({ name: 'overdue', type: 'boolean' })
  overdue!: boolean;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;

  @Column({ name: 'since', type: 'timestamptz' })
  since!: Date;

  @Column({ name: 'version', type: 'integer' })
  version!: number;
}
