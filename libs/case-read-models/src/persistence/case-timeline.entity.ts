import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `rm_case_timeline`, written by the `case_timeline` projection only; read-only here. */
// The recorded phone reveals, newest first, for supervisors (ContactRevealsIndex1764460800000).
@Index('ix_rm_case_timeline_reveals', ['at', 'caseId', 'version'], {
  where: "type = 'case.contact_revealed'",
})
@Entity({ name: 'rm_case_timeline' })
export class CaseTimelineEntity {
  @PrimaryColumn({ name: 'case_id', type: 'uuid', primaryKeyConstraintName: 'pk_rm_case_timeline' })
  caseId!: string;

  @PrimaryColumn({ name: 'version', type: 'integer', primaryKeyConstraintName: 'pk_rm_case_timeline' })
  version!: number;

  /** The event's global position token (`<tx>-<seq>`). */
  @Column({ name: 'position', type: 'text' })
  position!: string;

  @Column({ name: 'type', type: 'text' })
  type!: string;

  @Column({ name: 'at', type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;

  @Column({ name: 'actor_id', type: 'text' })
  actorId!: string;

  @Column({ name: 'actor_role', type: 'text' })
  actorRole!: string;

  @Column({ name: 'actor_org_unit', type: 'text', nullable: true })
  actorOrgUnit!: string | null;

  @Column({ name: 'channel', type: 'text', nullable: true })
  channel!: string | null;

  @Column({ name: 'summary', type: 'text' })
  summary!: string;

  /** The event's data without case, time, actor and type; phone and ID numbers masked. */
  @Column({ name: 'changes', type: 'jsonb' })
  changes!: Record<string, unknown>;
}
