import {
  ApiProperty,
  ApiPropertyOptional,
  ApiSchema,
  type ApiSchemaOptions,
  type SchemaObject,
} from '@nestjs/swagger';
import { IsIn, IsLatitude, IsLongitude, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CHANNELS, type Channel } from '@tongban/cases';
import {
  AttachmentsField,
  OrgUnitField,
  RequiredNested,
  RequiredText,
  TEXT,
  type AttachmentDto,
} from '../http/request-fields';
import { IsResidentIdNumber, MAINLAND_MOBILE, RESIDENT_ID_FORMAT } from '../http/validators';
import { formatPosition } from '@tongban/event-store';

/** A matter's code in the responsibility catalogue (权责清单): `PC-GGFW-0107`. */
export const MATTER_CODE = /^[A-Z0-9-]{2,40}$/;

export class ResidentContactDto {
  @RequiredText('王秀兰', 50)
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

  @OrgUnitField('communityCode', 'pc.gucheng.taiyangcheng', { optional: true })
  communityCode?: string;

  @OrgUnitField('gridCode', 'pc.gucheng.taiyangcheng.g03', { optional: true })
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

  @RequiredText('楼道灯不亮', 100)
  title!: string;

  @RequiredText('3号楼2单元楼道灯坏了一周，老人夜间出行不便。', TEXT)
  description!: string;

  @AttachmentsField()
  attachments?: AttachmentDto[];
}

export class SubmitCaseResponse {
  @ApiProperty({ example: '1b0c6a5e-3f7d-4c1e-9a55-0d2b6f7e8a91', format: 'uuid' })
  caseId!: string;

  @ApiProperty({ example: 'PC-20261127-000123', description: 'For hotline and counter use.' })
  caseNumber!: string;

  @ApiProperty({ example: 1 })
  version!: number;

  @ApiProperty({
    example: formatPosition({ tx: 7421n, seq: 117n }),
    description: 'Consistency token: pass as ?after= to a query to see the new case.',
  })
  position!: string;
}
