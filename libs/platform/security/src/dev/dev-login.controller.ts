import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidationFailedError } from '@tongban/errors';
import { Public } from '../auth.decorators';
import { principalUnit } from '../principal';
import type { TokenSigner } from '../token-signer';
import type { DemoUser } from './demo-users';
import { DemoUsersResponse, DevTokenRequest, DevTokenResponse, DevUsersQuery } from './dev-login.dto';
import { DevUsers } from './dev-users';

/** The most users one listing answers. */
export const DEV_USERS_PAGE = 200;

export const DEV_TOKEN_SIGNER = Symbol('DEV_TOKEN_SIGNER');

/** Dev tokens last a working day, so a session in /docs does not expire mid-way. */
export const DEV_TOKEN_TTL_SECONDS = 8 * 60 * 60;

/**
 * The dev login: anyone may take a token for any demo user — the fixed ones, and the demo
 * district's people (its cadres, dispatchers, office staff, supervisors: `DevUsers`). Registered only when AUTH_MODE=dev,
 * which NODE_ENV=production refuses; in every other mode the routes do not exist.
 */
@ApiTags('auth (dev login, AUTH_MODE=dev only)')
@Public()
@Controller('auth/dev')
export class DevLoginController {
  constructor(
    @Inject(DEV_TOKEN_SIGNER) private readonly signer: TokenSigner,
    private readonly devUsers: DevUsers,
  ) {}

  @Get('users')
  @ApiOperation({
    summary: 'The users a dev token can be issued for',
    description:
      'The fixed demo users, then the demo district’s cadres and staff as the directory holds them now ' +
      `(invented people). At most ${DEV_USERS_PAGE}: narrow with \`orgUnit\` and \`role\`.`,
  })
  @ApiOkResponse({ type: DemoUsersResponse })
  users(@Query() query: DevUsersQuery): { users: readonly DemoUser[]; truncated: boolean } {
    const matching = this.devUsers
      .all()
      .filter(
        (u) =>
          (query.role === undefined || u.role === query.role) &&
          (query.orgUnit === undefined ||
            (u.orgUnit !== undefined &&
              (u.orgUnit === query.orgUnit || u.orgUnit.startsWith(`${query.orgUnit}.`)))),
      );
    return { users: matching.slice(0, DEV_USERS_PAGE), truncated: matching.length > DEV_USERS_PAGE };
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue a bearer token for a demo user',
    description: 'Paste `accessToken` into "Authorize" above, then call any route as that user.',
  })
  @ApiOkResponse({ type: DevTokenResponse })
  async token(@Body() body: DevTokenRequest): Promise<DevTokenResponse> {
    const user = this.devUsers.find(body.userId);
    if (!user) {
      throw new ValidationFailedError('userId must be one of the dev login’s users.', [
        { field: 'userId', reason: 'unknownUser', message: 'not one of GET /api/v1/auth/dev/users' },
      ]);
    }
    const unit = principalUnit(user);
    // As the verifier will see the token: the unit parsed, with its level.
    const principal = {
      id: user.id,
      role: user.role,
      ...(unit !== undefined ? { orgUnit: unit.code, unit } : {}),
      ...(user.channel !== undefined ? { channel: user.channel } : {}),
      displayName: user.displayName,
    };
    return {
      accessToken: await this.signer.sign(principal, DEV_TOKEN_TTL_SECONDS),
      tokenType: 'Bearer',
      expiresIn: DEV_TOKEN_TTL_SECONDS,
      principal,
    };
  }
}
