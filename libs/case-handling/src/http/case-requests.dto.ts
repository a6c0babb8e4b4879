import { applyDecorators } from '@nestjs/common';
import {
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  type ApiSchemaOptions,
  type SchemaObject,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsBoolean,
  IsDefined,
  IsIn,
  IsInt,
  IsLatitude,
  IsLongitude,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  CHANNELS,
  ORG_UNIT_CODE,
  type Channel,
  type ContactMethod,
  type ReferralTarget,
  type Satisfaction,
  type SlaClock,
} from '@tongban/cases';
import { IsNotBlank, IsResidentIdNumber, MAINLAND_MOBILE, RESIDENT_ID_FORMAT } from './validators';

const ORG_UNIT = ORG_UNIT_CODE;
const ORG_UNIT_MESSAGE = 'must be an org unit code such as pc.gucheng.taiyangcheng';
/** The org-unit rule as the OpenAPI document states it. */
const ORG_UNIT_PATTERN = ORG_UNIT.source;
const TEXT = 2000;
const REASON = 500;

export class ResidentContactDto {
  @ApiProperty({ minLength: 1, example: '王秀兰', maxLength: 50 })
  @IsString()
  @IsNotBlank()
  @MaxLength(50)
  name!: string;

  @ApiProperty({
    example: '13812341234',
    pattern: MAINLAND_MOBILE.source,
    description: 'Mainland mobile number; masked in every view and log.',
  })
  @Matches(MAINLAND_MOBILE, { message: 'phone must be an 11-digit mainland mobile number' })
  phone!: string;

  @ApiPropertyOptional({
    example: '11010519491231002X',
    pattern: RESIDENT_ID_FORMAT.source,
    description:
      'GB 11643 resident ID number: 17 digits and a check character; the check digit (ISO 7064 MOD 11-2) and ' +
      'the birth date are verified too.',
  })
  @IsOptional()
  @IsResidentIdNumber()
  idNumber?: string;
}

const AT_LEAST_ONE_PLACE: ApiSchemaOptions & { anyOf: SchemaObject[] } = {
  description:
    'Where the problem is: at least one of `address`, `communityCode`, `gridCode` or the coordinates; ' +
    '`latitude` and `longitude` go together.',
  anyOf: [
    { required: ['address'] },
    { required: ['communityCode'] },
    { required: ['gridCode'] },
    { required: ['latitude', 'longitude'] },
  ],
};

@ApiSchema(AT_LEAST_ONE_PLACE)
export class LocationDto {
  @ApiPropertyOptional({ example: '平城区古城街道太阳城社区3号楼2单元', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  address?: string;

  @ApiPropertyOptional({ example: 'pc.gucheng.taiyangcheng', pattern: ORG_UNIT_PATTERN })
  @IsOptional()
  @Matches(ORG_UNIT, { message: `communityCode ${ORG_UNIT_MESSAGE}` })
  communityCode?: string;

  @ApiPropertyOptional({ example: 'pc.gucheng.taiyangcheng.g03', pattern: ORG_UNIT_PATTERN })
  @IsOptional()
  @Matches(ORG_UNIT, { message: `gridCode ${ORG_UNIT_MESSAGE}` })
  gridCode?: string;

  @ApiPropertyOptional({ example: 40.0937, minimum: -90, maximum: 90 })
  @IsOptional()
  @IsLatitude()
  latitude?: number;

  @ApiPropertyOptional({ example: 113.2951, minimum: -180, maximum: 180 })
  @IsOptional()
  @IsLongitude()
  longitude?: number;
}

const ATTACHMENT_REF = /^[A-Za-z0-9._:-]{1,100}$/;
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]+$/;
const MATTER_CODE = /^[A-Z0-9-]{2,40}$/;

export class AttachmentDto {
  @ApiProperty({
    example: 'att-7d1f0c2e',
    pattern: ATTACHMENT_REF.source,
    description: 'Reference returned by the attachment store.',
  })
  @IsString()
  @Matches(ATTACHMENT_REF, {
    message: 'ref must be 1-100 letters, digits, dots, colons, dashes or underscores',
  })
  ref!: string;

  @ApiPropertyOptional({ example: '楼道照片.jpg' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'image/jpeg', pattern: MEDIA_TYPE.source })
  @IsOptional()
  @Matches(MEDIA_TYPE, { message: 'contentType must be a media type' })
  contentType?: string;
}

/** Up to 20 attachment references, each validated. */
function AttachmentsField(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: [AttachmentDto], maxItems: 20 }),
    IsOptional(),
    ArrayMaxSize(20),
    ValidateNested({ each: true }),
    Type(() => AttachmentDto),
  );
}

/**
 * A required nested object. `@ValidateNested()` alone lets a missing value through (class-validator
 * skips nested validation of `undefined`) and checks an array element by element, so `[]` passed
 * too: presence and object shape need rules of their own.
 */
function RequiredNested(type: new () => object): PropertyDecorator {
  return applyDecorators(
    IsDefined(),
    IsObject(),
    ValidateNested(),
    Type(() => type),
  );
}

export class SubmitCaseRequest {
  @ApiProperty({ enum: CHANNELS, example: 'hotline' })
  @IsIn(CHANNELS)
  channel!: Channel;

  @ApiProperty({ type: ResidentContactDto })
  @RequiredNested(ResidentContactDto)
  resident!: ResidentContactDto;

  @ApiProperty({
    type: LocationDto,
    description: 'At least one of address, communityCode, gridCode or coordinates.',
  })
  @RequiredNested(LocationDto)
  location!: LocationDto;

  @ApiPropertyOptional({
    example: 'PC-GGFW-0107',
    pattern: MATTER_CODE.source,
    description: 'Catalogue matter code, when known.',
  })
  @IsOptional()
  @Matches(MATTER_CODE, { message: 'matterCode must be 2-40 capital letters, digits or dashes' })
  matterCode?: string;

  @ApiPropertyOptional({
    example: '公共设施维修',
    description: 'Free category when no matter code is known.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(50)
  category?: string;

  @ApiProperty({ minLength: 1, example: '楼道灯不亮', maxLength: 100 })
  @IsString()
  @IsNotBlank()
  @MaxLength(100)
  title!: string;

  @ApiProperty({ minLength: 1, example: '3号楼2单元楼道灯坏了一周，老人夜间出行不便。', maxLength: TEXT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TEXT)
  description!: string;

  @AttachmentsField()
  attachments?: AttachmentDto[];
}

export class DispatchCaseRequest {
  @ApiProperty({ minLength: 1, example: 'demo-cadre-taiyangcheng', maxLength: 64 })
  @IsString()
  @IsNotBlank()
  @MaxLength(64)
  ownerId!: string;

  @ApiProperty({ example: 'pc.gucheng.taiyangcheng', pattern: ORG_UNIT_PATTERN })
  @Matches(ORG_UNIT, { message: `ownerOrgUnit ${ORG_UNIT_MESSAGE}` })
  ownerOrgUnit!: string;

  @ApiPropertyOptional({
    example: 0,
    minimum: 0,
    description: 'Directory version the choice was made against.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  directoryVersion?: number;

  @ApiPropertyOptional({ example: '属太阳城社区网格，派包片两委委员', maxLength: REASON })
  @IsOptional()
  @IsString()
  @MaxLength(REASON)
  note?: string;
}

export class ReasonRequest {
  @ApiProperty({ minLength: 1, example: '不属于本社区辖区', maxLength: REASON })
  @IsString()
  @IsNotBlank()
  @MaxLength(REASON)
  reason!: string;
}

export class ContactRequest {
  @ApiProperty({ enum: ['phone', 'visit', 'message', 'in_person'], example: 'phone' })
  @IsIn(['phone', 'visit', 'message', 'in_person'])
  method!: ContactMethod;

  @ApiProperty({ minLength: 1, example: '已电话联系居民，约定明早上门查看', maxLength: TEXT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TEXT)
  note!: string;
}

export class StepRequest {
  @ApiProperty({ minLength: 1, example: '已联系物业，更换灯泡并检查线路', maxLength: TEXT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TEXT)
  note!: string;

  @AttachmentsField()
  attachments?: AttachmentDto[];
}

export class ReferRequest {
  @ApiProperty({ enum: ['office', 'agency'], example: 'office' })
  @IsIn(['office', 'agency'])
  target!: ReferralTarget;

  @ApiProperty({
    example: 'pc.gucheng.publicServiceOffice',
    pattern: ORG_UNIT_PATTERN,
    description: 'Street office or stationed agency.',
  })
  @Matches(ORG_UNIT, { message: `toOrgUnit ${ORG_UNIT_MESSAGE}` })
  toOrgUnit!: string;

  @ApiProperty({ minLength: 1, example: '请公共服务办协调供电线路检修', maxLength: TEXT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TEXT)
  request!: string;
}

export class CompleteReferralRequest {
  @ApiProperty({ minLength: 1, example: '线路已检修完毕', maxLength: TEXT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TEXT)
  outcome!: string;
}

export class HandOverRequest {
  @ApiProperty({ minLength: 1, example: 'demo-cadre-taiyangcheng-2', maxLength: 64 })
  @IsString()
  @IsNotBlank()
  @MaxLength(64)
  toCadreId!: string;

  @ApiProperty({ example: 'pc.gucheng.taiyangcheng', pattern: ORG_UNIT_PATTERN })
  @Matches(ORG_UNIT, { message: `toOrgUnit ${ORG_UNIT_MESSAGE}` })
  toOrgUnit!: string;

  @ApiProperty({ minLength: 1, example: '轮值结束，交由本周值班委员办理', maxLength: REASON })
  @IsString()
  @IsNotBlank()
  @MaxLength(REASON)
  reason!: string;
}

export class ResolveRequest {
  @ApiProperty({ minLength: 1, example: '楼道灯已更换，居民确认恢复照明', maxLength: TEXT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TEXT)
  summary!: string;
}

export class FeedbackRequest {
  @ApiProperty({ enum: ['satisfied', 'basically_satisfied', 'unsatisfied'], example: 'satisfied' })
  @IsIn(['satisfied', 'basically_satisfied', 'unsatisfied'])
  satisfaction!: Satisfaction;

  @ApiProperty({ example: true, description: 'Did the resident consider the problem solved?' })
  @IsBoolean()
  solved!: boolean;

  @ApiPropertyOptional({ example: '处理及时，谢谢', maxLength: REASON })
  @IsOptional()
  @IsString()
  @MaxLength(REASON)
  comment?: string;
}

export class SuperviseRequest {
  @ApiProperty({ minLength: 1, example: '请于两个工作日内反馈办理进展', maxLength: TEXT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TEXT)
  instruction!: string;
}

export class ExtensionRequest {
  @ApiProperty({ enum: ['response', 'resolution'], example: 'resolution' })
  @IsIn(['response', 'resolution'])
  clock!: SlaClock;

  @ApiProperty({ example: 3, minimum: 1, maximum: 60 })
  @IsInt()
  @Min(1)
  @Max(60)
  extraBusinessDays!: number;

  @ApiProperty({ minLength: 1, example: '需等待供电公司排期', maxLength: REASON })
  @IsString()
  @IsNotBlank()
  @MaxLength(REASON)
  reason!: string;
}

export class MergeRequest {
  @ApiProperty({
    example: '1b0c6a5e-3f7d-4c1e-9a55-0d2b6f7e8a91',
    format: 'uuid',
    description: 'The case this one duplicates.',
  })
  @IsUUID()
  intoCaseId!: string;

  @ApiProperty({ minLength: 1, example: '同一居民重复反映同一问题', maxLength: REASON })
  @IsString()
  @IsNotBlank()
  @MaxLength(REASON)
  reason!: string;
}

export class SupplementRequest {
  @ApiProperty({ minLength: 1, example: '补充：2单元的灯也不亮', maxLength: TEXT })
  @IsString()
  @IsNotBlank()
  @MaxLength(TEXT)
  note!: string;

  @AttachmentsField()
  attachments?: AttachmentDto[];
}

export class CaseCommandResponse {
  @ApiProperty({ example: '1b0c6a5e-3f7d-4c1e-9a55-0d2b6f7e8a91', format: 'uuid' })
  caseId!: string;

  @ApiProperty({
    example: 3,
    description: 'Stream version after the command: send it as If-Match next time.',
  })
  version!: number;

  @ApiProperty({
    type: String,
    example: '7421-118',
    nullable: true,
    description:
      'Consistency token: pass as ?after= to a query to see this command reflected. Null when the command ' +
      'changed nothing (it was already done).',
  })
  position!: string | null;

  @ApiProperty({ example: ['case.accepted'], description: 'Types of the events the command recorded.' })
  events!: string[];
}

export class ReferStepResponse extends CaseCommandResponse {
  @ApiProperty({
    example: '5d0b7c1e-2a4f-4e8b-9c3d-7f6a1b2c3d4e',
    format: 'uuid',
    description: 'The new referral: the office completes it at /cases/{id}/referrals/{referralId}/complete.',
  })
  referralId!: string;
}

export class SubmitCaseResponse {
  @ApiProperty({ example: '1b0c6a5e-3f7d-4c1e-9a55-0d2b6f7e8a91', format: 'uuid' })
  caseId!: string;

  @ApiProperty({ example: 'PC-20261127-000123', description: 'For hotline and counter use.' })
  caseNumber!: string;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({
    example: '7421-117',
    description: 'Consistency token: pass as ?after= to a query to see the new case.',
  })
  position!: string;
}
