import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { Satisfaction } from '@tongban/cases';
import { REASON } from '../http/request-fields';

export class RecordFeedbackRequest {
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
