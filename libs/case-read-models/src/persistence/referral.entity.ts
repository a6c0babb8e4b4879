import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `rm_referral`, written by the `referrals` projection only; read-only here. */
@Entity({ name: 'rm_referral' })
@Index('ix_rm_referral_queue', ['toOrgUnit', 'status', 'referredAt'])
export class ReferralEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'pk_rm_referral' })
  caseId!: string;

  @PrimaryColumn({ name: 'referral_id', type: 'text', primaryKeyConstraintName: 'pk_rm_referral' })
  referralId!: string;

  @Column({ name: 'to_org_unit', type: 'text' })
  toOrgUnit!: string;

  /** `office` | `agency`. */
  @Column({ name: 'target', type: 'text' })
  target!: string;

  @Column({ name: 'request', type: 'text' })
  request!: string;

  @Column({ name: 'referred_at', type: 'timestamptz' })
  referredAt!: Date;

  @Column({ name: 'referred_by', type: 'text' })
  referredBy!: string;

  /** `open` | `completed` | `cancelled`. */
  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'outcome', type: 'text', nullable: true })
  outcome!: string | null;

  @Column({ name: 'completed_by', type: 'text', nullable: true })
  completedBy!: string | null;

  @Column({ name: 'case_number', type: 'text' })
  caseNumber!: string;

  @Column({ name: 'title', type: 'text' })
  title!: string;

  @Column({ name: 'matter_code', type: 'text', nullable: true })
  matterCode!: string | null;
}
