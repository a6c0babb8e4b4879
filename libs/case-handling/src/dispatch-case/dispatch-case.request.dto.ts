import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { OrgUnitField, REASON, RequiredText } from '../http/request-fields';

export class DispatchCaseRequest {
  @RequiredText('demo-cadre-taiyangcheng', 64)
  ownerId!: string;

  @OrgUnitField('ownerOrgUnit', 'pc.gucheng.taiyangcheng')
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
