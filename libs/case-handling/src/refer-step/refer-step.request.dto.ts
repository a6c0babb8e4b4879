import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { ReferralTarget } from '@tongban/cases';
import { CaseCommandResponse } from '../http/case-command.response.dto';
import { OrgUnitField, RequiredText } from '../http/request-fields';

export class ReferStepRequest {
  @ApiPropertyOptional({
    enum: ['office', 'agency'],
    example: 'office',
    description: 'With `toOrgUnit`; leave both out for the unit the catalogue names for the case’s matter.',
  })
  @IsOptional()
  @IsIn(['office', 'agency'])
  target?: ReferralTarget;

  @OrgUnitField('toOrgUnit', 'pc.gucheng.publicServiceOffice', {
    description: 'Street office or stationed agency; with `target`, or neither (the catalogue’s unit).',
    optional: true,
  })
  toOrgUnit?: string;

  @RequiredText('请公共服务办协调供电线路检修')
  request!: string;
}

export class ReferStepResponse extends CaseCommandResponse {
  @ApiProperty({
    example: '5d0b7c1e-2a4f-4e8b-9c3d-7f6a1b2c3d4e',
    format: 'uuid',
    description: 'The new referral: the office completes it at /cases/{id}/referrals/{referralId}/complete.',
  })
  referralId!: string;
}
