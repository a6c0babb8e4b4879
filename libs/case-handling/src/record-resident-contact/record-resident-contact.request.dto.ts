import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import type { ContactMethod } from '@tongban/cases';
import { RequiredText } from '../http/request-fields';

export class RecordResidentContactRequest {
  @ApiProperty({ enum: ['phone', 'visit', 'message', 'in_person'], example: 'phone' })
  @IsIn(['phone', 'visit', 'message', 'in_person'])
  method!: ContactMethod;

  @RequiredText('已电话联系居民，约定明早上门查看')
  note!: string;
}
