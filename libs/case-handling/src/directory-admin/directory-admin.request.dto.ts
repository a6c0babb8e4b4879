import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { NOT_BLANK } from '@tongban/cases';
import { ReasonField, RequiredNested, RequiredText } from '../http/request-fields';
import { MAINLAND_MOBILE } from '../http/validators';
import { MATTER_CODE } from '../submit-case/submit-case.request.dto';
import {
  DayField,
  NestedArrayField,
  PERSON_ID,
  PersonIdField,
  UnitCodeField,
} from './directory-admin.fields';

/**
 * The bodies of the directory's admin changes (issue 13, ADR 0024): one DTO per change, each with
 * the `reason` the audit view shows next to who made it and when.
 */

/** A name as a sign or a register writes it (平城区, 古城街道, 太阳城社区, 第三网格). */
const NAME = 50;

export const UNIT_KINDS = ['office', 'serviceUnit', 'stationedAgency'] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export const MATTER_PRIORITIES = ['normal', 'high', 'urgent'] as const;

/** A camelCase name segment: an office's or service unit's (`publicServiceOffice`), or an agency type. */
const CAMEL_NAME = /^[a-z][a-zA-Z0-9]{1,47}$/;
const CAMEL_NAME_MESSAGE = 'must be a camelCase name of 2-48 letters and digits, such as publicServiceOffice';
/** An SLA policy's id (`standard-5d`). */
const SLA_POLICY_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
/** A name badge's number (挂牌上岗): `PC-GC-TYC-005`. */
const BADGE = /^[A-Za-z0-9][A-Za-z0-9-]{0,39}$/;

export class NameDistrictRequest {
  @UnitCodeField('district', 'pc')
  code!: string;

  @RequiredText('平城区', NAME)
  name!: string;

  @ReasonField('建立本区通办目录')
  reason!: string;
}

export class AddStreetRequest {
  @UnitCodeField(
    'street',
    'pc.gucheng',
    'Under the directory’s district: the district’s code and one segment.',
  )
  code!: string;

  @RequiredText('古城街道', NAME)
  name!: string;

  @ReasonField('区划调整，新设街道')
  reason!: string;
}

export class AddCommunityRequest {
  @UnitCodeField(
    'community',
    'pc.gucheng.taiyangcheng',
    'Under a street of the directory: the street’s code and one segment.',
  )
  code!: string;

  @RequiredText('太阳城社区', NAME)
  name!: string;

  @ReasonField('社区拆分，新设社区')
  reason!: string;
}

/** A vertex of a grid's boundary (WGS-84 degrees). */
export class BoundaryPointDto {
  @ApiProperty({ example: 40.0791, minimum: -90, maximum: 90 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-90)
  @Max(90)
  lat!: number;

  @ApiProperty({ example: 113.2861, minimum: -180, maximum: 180 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-180)
  @Max(180)
  lng!: number;
}

export class DrawGridRequest {
  @UnitCodeField(
    'grid',
    'pc.gucheng.taiyangcheng.g01',
    'Under a community of the directory. A grid that exists is redrawn (its cadre stays).',
  )
  code!: string;

  @RequiredText('第一网格', NAME)
  name!: string;

  @NestedArrayField(
    BoundaryPointDto,
    3,
    200,
    'The vertices in order (either winding), the first not repeated at the end: a simple polygon that ' +
      'overlaps no other grid (sharing an edge is fine).',
  )
  boundary!: BoundaryPointDto[];

  @ReasonField('网格边界调整')
  reason!: string;
}

export class AssignGridCadreRequest {
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'demo-cadre-taiyangcheng',
    pattern: PERSON_ID.source,
    maxLength: 128,
    description:
      'A cadre in post in the grid’s community (网格长); null: the grid has none, and routing goes on to the ' +
      'community’s cadre on duty. Required: give null to clear it.',
  })
  @ValidateIf((request: AssignGridCadreRequest) => request.cadreId !== null)
  @Matches(PERSON_ID, {
    message: 'cadreId must be null or a person id of 1-128 letters, digits, dots, dashes',
  })
  cadreId!: string | null;

  @ReasonField('原网格长调岗，由新任委员负责')
  reason!: string;
}

export class AppointCadreRequest {
  @PersonIdField('cadre-gucheng-taiyangcheng-10', {
    description: 'The cadre’s id at the identity provider (their token’s `sub`).',
  })
  id!: string;

  @ApiProperty({ example: 'PC-GC-TYC-010', pattern: BADGE.source, maxLength: 40 })
  @Matches(BADGE, { message: 'badge must be 1-40 letters, digits or dashes' })
  badge!: string;

  @RequiredText('李晓梅', NAME)
  name!: string;

  @UnitCodeField('community', 'pc.gucheng.taiyangcheng', 'The one community the cadre works in.')
  community!: string;

  @RequiredText('委员', NAME, 'The post as the badge states it (定岗定职定责).')
  post!: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', minLength: 1, maxLength: NAME, pattern: NOT_BLANK.source },
    maxItems: 20,
    example: ['综治', '物业协调'],
  })
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(NOT_BLANK, { each: true, message: 'each of duties must not be blank' })
  @MaxLength(NAME, { each: true })
  duties!: string[];

  @ApiProperty({
    example: '13812341234',
    pattern: MAINLAND_MOBILE.source,
    description: 'Office phone: a mainland mobile number; residents see it masked.',
  })
  @Matches(MAINLAND_MOBILE, { message: 'phone must be an 11-digit mainland mobile number' })
  phone!: string;

  @ReasonField('换届选举，新任社区委员')
  reason!: string;
}

export class EndCadrePostRequest {
  @ReasonField('调离本社区')
  reason!: string;
}

export class RecordLeaveRequest {
  @DayField('2026-12-07', 'The first day away (Asia/Shanghai).')
  from!: string;

  @DayField('2026-12-11', 'The last day away, on or after `from`; at most 366 days in all.')
  to!: string;

  @PersonIdField('demo-cadre-taiyangcheng-2', {
    optional: true,
    description:
      'Who stands in (代岗) for the cadre’s grids meanwhile: a cadre in post in the same community. Absent or ' +
      'null: the community’s cadre on duty.',
  })
  standInId?: string | null;

  @ReasonField('年休假')
  reason!: string;
}

export class DutyDayDto {
  @DayField('2026-12-07')
  day!: string;

  @PersonIdField('cadre-gucheng-taiyangcheng-01', {
    description: 'A cadre in post in the community.',
  })
  cadreId!: string;
}

export class SetDutyRotaRequest {
  @NestedArrayField(
    DutyDayDto,
    1,
    366,
    'Consecutive days in order, each once: they replace what those days had. The rota must go on from where ' +
      'it ends (no day with nobody on duty).',
  )
  days!: DutyDayDto[];

  @ReasonField('下月值班表')
  reason!: string;
}

export class AddUnitRequest {
  @UnitCodeField(
    'streetUnit',
    'pc.gucheng.publicServiceOffice',
    'A street’s office, service unit or stationed agency: the street’s code and a camelCase segment.',
  )
  code!: string;

  @ApiProperty({ enum: UNIT_KINDS, example: 'office' })
  @IsIn(UNIT_KINDS)
  kind!: UnitKind;

  @RequiredText('公共服务办公室', NAME)
  name!: string;

  @ApiPropertyOptional({
    example: 'marketSupervision',
    pattern: CAMEL_NAME.source,
    description:
      'What kind of agency a stationed agency is (`marketSupervision`, `police`, …): required for a stationed ' +
      'agency, not given for an office or service unit.',
  })
  @IsOptional()
  @Matches(CAMEL_NAME, { message: `agencyType ${CAMEL_NAME_MESSAGE}` })
  agencyType?: string;

  @ReasonField('街道机构改革，新设办公室')
  reason!: string;
}

export class AddressDto {
  @RequiredText('古城街道太阳城小区3号楼', 200, 'The address as written; later lookups find it in its forms.')
  text!: string;

  @UnitCodeField('grid', 'pc.gucheng.taiyangcheng.g01')
  grid!: string;
}

export class RegisterAddressesRequest {
  @NestedArrayField(AddressDto, 1, 500, 'An address registered again moves to the grid given.')
  addresses!: AddressDto[];

  @ReasonField('新建小区入住登记')
  reason!: string;
}

export class ResponsibleUnitDto {
  @ApiProperty({ enum: UNIT_KINDS, example: 'office' })
  @IsIn(UNIT_KINDS)
  kind!: UnitKind;

  @ApiProperty({
    example: 'publicServiceOffice',
    pattern: CAMEL_NAME.source,
    description:
      'An office’s or service unit’s name segment (`publicServiceOffice`), or a stationed agency’s type ' +
      '(`marketSupervision`); some street must have such a unit.',
  })
  @Matches(CAMEL_NAME, { message: `name ${CAMEL_NAME_MESSAGE}` })
  name!: string;
}

export class SetMatterRequest {
  @ApiProperty({
    example: 'PC-GGFW-0107',
    pattern: MATTER_CODE.source,
    description: 'A matter listed already is changed.',
  })
  @Matches(MATTER_CODE, { message: 'code must be 2-40 capital letters, digits or dashes' })
  code!: string;

  @RequiredText('电梯故障停运', 100)
  name!: string;

  @RequiredText('物业管理', NAME)
  category!: string;

  @ApiProperty({ type: ResponsibleUnitDto })
  @RequiredNested(ResponsibleUnitDto)
  responsible!: ResponsibleUnitDto;

  @ApiProperty({ description: 'The community’s cadre handles it directly (referring steps when needed).' })
  @IsBoolean()
  communityHandles!: boolean;

  @ApiProperty({ enum: MATTER_PRIORITIES, example: 'normal' })
  @IsIn(MATTER_PRIORITIES)
  priority!: (typeof MATTER_PRIORITIES)[number];

  @ApiProperty({ example: 'standard-5d', pattern: SLA_POLICY_ID.source })
  @Matches(SLA_POLICY_ID, { message: 'slaPolicyId must be 1-64 lowercase letters, digits or dashes' })
  slaPolicyId!: string;

  @ReasonField('权责清单年度修订')
  reason!: string;
}
