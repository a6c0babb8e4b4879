import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ORG_UNIT_LEVELS, type OrgUnit, type OrgUnitLevel } from './org-unit';
import {
  PRINCIPAL_CHANNELS,
  PRINCIPAL_ROLES,
  type Principal,
  type PrincipalChannel,
  type PrincipalRole,
} from './principal';

/** An org unit as the API shows it: the `org_unit` claim parsed. */
export class OrgUnitDto {
  @ApiProperty({ description: 'The code, as in the `org_unit` claim', example: 'pc.gucheng.taiyangcheng' })
  readonly code!: string;

  @ApiProperty({ enum: ORG_UNIT_LEVELS, description: 'What the code names', example: 'community' })
  readonly level!: OrgUnitLevel;

  @ApiProperty({ description: "The unit's own (last) segment", example: 'taiyangcheng' })
  readonly name!: string;

  @ApiProperty({ description: 'Code of its district', example: 'pc' })
  readonly district!: string;

  @ApiPropertyOptional({
    description: 'Code of its street (all levels below district)',
    example: 'pc.gucheng',
  })
  readonly street?: string;

  @ApiPropertyOptional({
    description: 'Code of its community (communities and grids)',
    example: 'pc.gucheng.taiyangcheng',
  })
  readonly community?: string;
}

/** A principal as the API shows it. */
export class PrincipalDto implements Principal {
  @ApiProperty({ description: 'The `sub` claim', example: 'demo-cadre-taiyangcheng' })
  readonly id!: string;

  @ApiProperty({ enum: PRINCIPAL_ROLES, description: 'The `role` claim' })
  readonly role!: PrincipalRole;

  @ApiPropertyOptional({ description: 'The `org_unit` claim', example: 'pc.gucheng.taiyangcheng' })
  readonly orgUnit?: string;

  @ApiPropertyOptional({ type: OrgUnitDto, description: 'The `org_unit` claim parsed, with its level' })
  readonly unit?: OrgUnit;

  @ApiPropertyOptional({
    enum: PRINCIPAL_CHANNELS,
    description: 'The `channel` claim: the intake channel a `channel` client is (that role only)',
    example: 'hotline',
  })
  readonly channel?: PrincipalChannel;

  @ApiPropertyOptional({ description: 'The `name` claim (display only)' })
  readonly displayName?: string;
}
