import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { ReasonField } from '../http/request-fields';

export class MergeCaseRequest {
  @ApiProperty({
    example: '1b0c6a5e-3f7d-4c1e-9a55-0d2b6f7e8a91',
    format: 'uuid',
    description: 'The case this one duplicates.',
  })
  @IsUUID()
  intoCaseId!: string;

  @ReasonField('同一居民重复反映同一问题')
  reason!: string;
}
