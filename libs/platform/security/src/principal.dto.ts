import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { PRINCIPAL_ROLES, type Principal, type PrincipalRole } from './principal';

/** A principal as the API shows it. */
export class PrincipalDto implements Principal {
  @ApiProperty({ description: 'The `sub` claim', example: 'demo-cadre-taiyangcheng' })
  readonly id!: string;

  @ApiProperty({ enum: PRINCIPAL_ROLES, description: 'The `role` claim' })
  readonly role!: PrincipalRole;

  @ApiPropertyOptional({ description: 'The `org_unit` claim', example: 'pc.gucheng.taiyangcheng' })
  readonly orgUnit?: string;

  @ApiPropertyOptional({ description: 'The `name` claim (display only)' })
  readonly displayName?: string;
}
