import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `rm_kpi_daily`, incremented by the `kpi_daily` projection only; read-only here. `day` is the
 * Asia/Shanghai calendar day, as 'YYYY-MM-DD'.
 */
@Entity({ name: 'rm_kpi_daily' })
export class KpiDailyEntity {
  @PrimaryColumn({ name: 'org_unit', type: 'text', primaryKeyConstraintName: 'pk_rm_kpi_daily' })
  orgUnit!: string;

  @PrimaryColumn({ name: 'day', type: 'date', primaryKeyConstraintName: 'pk_rm_kpi_daily' })
  day!: string;

  /** `unclassified` for cases without a matter code. */
  @PrimaryColumn({ name: 'matter_code', type: 'text', primaryKeyConstraintName: 'pk_rm_kpi_daily' })
  matterCode!: string;

  @Column({ name: 'received', type: 'integer', default: 0 })
  received!: number;

  @Column({ name: 'returned', type: 'integer', default: 0 })
  returned!: number;

  @Column({ name: 'responded', type: 'integer', default: 0 })
  responded!: number;

  @Column({ name: 'responded_in_time', type: 'integer', default: 0 })
  respondedInTime!: number;

  @Column({ name: 'resolved', type: 'integer', default: 0 })
  resolved!: number;

  @Column({ name: 'resolved_in_time', type: 'integer', default: 0 })
  resolvedInTime!: number;

  @Column({ name: 'rated', type: 'integer', default: 0 })
  rated!: number;

  @Column({ name: 'satisfied', type: 'integer', default: 0 })
  satisfied!: number;

  @Column({ name: 'basically_satisfied', type: 'integer', default: 0 })
  basicallySatisfied!: number;

  @Column({ name: 'unsatisfied', type: 'integer', default: 0 })
  unsatisfied!: number;

  @Column({ name: 'solved', type: 'integer', default: 0 })
  solved!: number;

  @Column({ name: 'breached', type: 'integer', default: 0 })
  breached!: number;

  @Column({ name: 'reopened', type: 'integer', default: 0 })
  reopened!: number;
}
