import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PRINCIPAL_ROLES, type PrincipalRole } from '../principal';
import { PrincipalDto } from '../principal.dto';

/** A person's id as the directory and the demo users spell them. */
const USER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class DevTokenRequest {
  @ApiProperty({
    description:
      'One of the users GET /api/v1/auth/dev/users lists: the fixed demo users, and the demo district’s ' +
      'cadres and staff (400 for anyone else)',
    example: 'demo-cadre-taiyangcheng',
    pattern: USER_ID.source,
    maxLength: 64,
  })
  @IsString()
  @MaxLength(64)
  @Matches(USER_ID, { message: 'userId must be one of the dev login’s users' })
  readonly userId!: string;
}

export class DevUsersQuery {
  @ApiPropertyOptional({
    description: 'Only users whose org unit is this unit or under it (`pc.gucheng` for a street)',
    example: 'pc.gucheng.taiyangcheng',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(/^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)*$/, { message: 'orgUnit must be an org unit code' })
  readonly orgUnit?: string;

  @ApiPropertyOptional({ enum: PRINCIPAL_ROLES, description: 'Only users of this role' })
  @IsOptional()
  @IsIn(PRINCIPAL_ROLES)
  readonly role?: PrincipalRole;
}

export class DevTokenResponse {
  @ApiProperty({ description: 'Send as `Authorization: Bearer <accessToken>`' })
  readonly accessToken!: string;

  @ApiProperty({ enum: ['Bearer'] })
  readonly tokenType!: 'Bearer';

  @ApiProperty({ description: 'Seconds until the token expires', example: 28_800 })
  readonly expiresIn!: number;

  @ApiProperty({ type: PrincipalDto })
  readonly principal!: PrincipalDto;
}

export class DemoUserDto extends PrincipalDto {
  @ApiProperty({ description: 'What to try with this user' })
  readonly description!: string;
}

export class DemoUsersResponse {
  @ApiProperty({ type: [DemoUserDto], description: 'At most 200 users, the fixed demo users first' })
  readonly users!: DemoUserDto[];

  @ApiProperty({ description: 'More users match: narrow the list with orgUnit or role' })
  readonly truncated!: boolean;
}
