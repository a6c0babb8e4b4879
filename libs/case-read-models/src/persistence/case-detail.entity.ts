import type { CaseLifecycle } from '@tongban/cases';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { CaseAttachment } from '../projections';

/** `rm_case_detail`, written by the `case_detail` projection only; read-only here. */
@Entity({ name: 'rm_case_detail' })
@Index('ix_rm_case_detail_status', ['status'])
@Index('ix_rm_case_detail_owner', ['ownerId'])
@Index('ix_rm_case_detail_designated_owner', ['designatedOwnerId'])
@Index('ix_rm_case_detail_submitter', ['submitterId'])
@Index('ix_rm_case_detail_submitted', ['submittedAt', 'caseId'])
@Index('ix_rm_case_detail_next_due', ['nextDueAt', 'caseId'])
@Index('ix_rm_case_detail_scope_units', ['scopeUnits'], { type: 'gin' })
@Index('ix_rm_case_detail_participants', ['participantIds'], { type: 'gin' })
export class CaseDetailEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'pk_rm_case_detail' })
  caseId!: string;

  @Column({ name: 'case_number', type: 'text' })
  caseNumber!: string;

  @Column({ name: 'status', type: 'text' })
  status!: string;

  @Column({ name: 'channel', type: 'text' })
  channel!: string;

  @Column({ name: 'title', type: 'text' })
  title!: string;

  @Column({ name: 'description', type: 'text' })
  description!: string;

  @Column({ name: 'matter_code', type: 'text', nullable: true })
  matterCode!: string | null;

  @Column({ name: 'category', type: 'text', nullable: true })
  category!: string | null;

  @Column({ name: 'resident_name', type: 'text' })
  residentName!: string;

  @Column({ name: 'resident_phone_masked', type: 'text' })
  residentPhoneMasked!: string;

  @Column({ name: 'resident_id_number_masked', type: 'text', nullable: true })
  residentIdNumberMasked!: string | null;

  @Column({ name: 'address', type: 'text', nullable: true })
  address!: string | null;

  @Column({ name: 'community_code', type: 'text', nullable: true })
  communityCode!: string | null;

  @Column({ name: 'grid_code', type: 'text', nullable: true })
  gridCode!: string | null;

  @Column({ name: 'latitude', type: 'double precision', nullable: true })
  latitude!: number | null;

  @Column({ name: 'longitude', type: 'double precision', nullable: true })
  longitude!: number | null;

  @Column({ name: 'attachments', type: 'jsonb' })
  attachments!: CaseAttachment[];

  @Column({ name: 'submitter_id', type: 'text' })
  submitterId!: string;

  @Column({ name: 'submitter_role', type: 'text' })
  submitterRole!: string;

  @Column({ name: 'submitted_at', type: 'timestamptz' })
  submittedAt!: Date;

  @Column({ name: 'owner_id', type: 'text', nullable: true })
  ownerId!: string | null;

  @Column({ name: 'owner_org_unit', type: 'text', nullable: true })
  ownerOrgUnit!: string | null;

  @Column({ name: 'designated_owner_id', type: 'text', nullable: true })
  designatedOwnerId!: string | null;

  @Column({ name: 'designated_org_unit', type: 'text', nullable: true })
  designatedOrgUnit!: string | null;

  @Column({ name: 'handover_to_id', type: 'text', nullable: true })
  handoverToId!: string | null;

  @Column({ name: 'handover_to_org_unit', type: 'text', nullable: true })
  handoverToOrgUnit!: string | null;

  @Column({ name: 'street_code', type: 'text', nullable: true })
  streetCode!: string | null;

  @Column({ name: 'suspended', type: 'boolean' })
  suspended!: boolean;

  @Column({ name: 'open_referrals', type: 'integer' })
  openReferrals!: number;

  @Column({ name: 'response_due_at', type: 'timestamptz', nullable: true })
  responseDueAt!: Date | null;

  @Column({ name: 'resolution_due_at', type: 'timestamptz', nullable: true })
  resolutionDueAt!: Date | null;

  @Column({ name: 'next_due_at', type: 'timestamptz', nullable: true })
  nextDueAt!: Date | null;

  @Column({ name: 'overdue', type: 'boolean' })
  overdue!: boolean;

  @Column({ name: 'response_breached', type: 'boolean' })
  responseBreached!: boolean;

  @Column({ name: 'resolution_breached', type: 'boolean' })
  resolutionBreached!: boolean;

  @Column({ name: 'first_contact_at', type: 'timestamptz', nullable: true })
  firstContactAt!: Date | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'satisfaction', type: 'text', nullable: true })
  satisfaction!: string | null;

  @Column({ name: 'solved', type: 'boolean', nullable: true })
  solved!: boolean | null;

  @Column({ name: 'return_count', type: 'integer' })
  returnCount!: number;

  @Column({ name: 'reopen_count', type: 'integer' })
  reopenCount!: number;

  @Column({ name: 'supervision_count', type: 'integer' })
  supervisionCount!: number;

  @Column({ name: 'extension_days', type: 'integer' })
  extensionDays!: number;

  @Column({ name: 'ruled_unreasonable', type: 'boolean' })
  ruledUnreasonable!: boolean;

  @Column({ name: 'merged_into', type: 'uuid', nullable: true })
  mergedInto!: string | null;

  @Column({ name: 'scope_units', type: 'text', array: true })
  scopeUnits!: string[];

  @Column({ name: 'participant_ids', type: 'text', array: true })
  participantIds!: string[];

  @Column({ name: 'referral_units', type: 'text', array: true })
  referralUnits!: string[];

  @Column({ name: 'version', type: 'integer' })
  version!: number;

  @Column({ name: 'last_event_at', type: 'timestamptz' })
  lastEventAt!: Date;
  /** The projection's memory of the case's lifecycle (ADR 0018); not read by queries. */
  @Column({ name: 'lifecycle', type: 'jsonb', nullable: true, select: false })
  lifecycle!: CaseLifecycle | null;
}
