import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString } from 'class-validator';
import { PrincipalDto } from '../principal.dto';
import { DEMO_USERS } from './demo-users';

export class DevTokenRequest {
  @ApiProperty({
    enum: DEMO_USERS.map((user) => user.id),
    description: 'One of the demo users (GET /api/v1/auth/dev/users)',
    example: 'demo-cadre-taiyangcheng',
  })
  @IsString()
  @IsIn(DEMO_USERS.map((user) => user.id), { message: 'userId must be one of the demo users' })
  readonly userId!: string;
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
  @ApiProperty({ type: [DemoUserDto] })
  readonly users!: DemoUserDto[];
}
