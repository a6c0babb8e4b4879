import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import type { SlaClock } from '@tongban/cases';
import { ReasonField } from '../http/request-fields';

export class GrantExtensionRequest {
  @ApiProperty({ enum: ['response', 'resolution'], example: 'resolution' })
  @IsIn(['response', 'resolution'])
  clock!: SlaClock;

  @ApiProperty({ example: 3, minimum: 1, maximum: 60 })
  @IsInt()
  @Min(1)
  @Max(60)
  extraBusinessDays!: number;

  @ReasonField('需等待供电公司排期')
  reason!: string;
}
