import { Body, Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ValidationFailedError } from '@tongban/errors';
import { Public } from '../auth.decorators';
import { principalUnit } from '../principal';
import type { TokenSigner } from '../token-signer';
import { findDemoUser, DEMO_USERS, type DemoUser } from './demo-users';
import { DemoUsersResponse, DevTokenRequest, DevTokenResponse } from './dev-login.dto';

export const DEV_TOKEN_SIGNER = Symbol('DEV_TOKEN_SIGNER');

/** Dev tokens last a working day, so a session in /docs does not expire mid-way. */
export const DEV_TOKEN_TTL_SECONDS = 8 * 60 * 60;

/**
 * The dev login: anyone may take a token for any demo user. Registered only when AUTH_MODE=dev,
 * which NODE_ENV=production refuses; in every other mode the routes do not exist.
 */
@ApiTags('auth (dev login, AUTH_MODE=dev only)')
@Public()
@Controller('auth/dev')
export class DevLoginController {
  constructor(@Inject(DEV_TOKEN_SIGNER) private readonly signer: TokenSigner) {}

  @Get('users')
  @ApiOperation({ summary: 'The demo users a dev token can be issued for' })
  @ApiOkResponse({ type: DemoUsersResponse })
  users(): { users: readonly DemoUser[] } {
    return { users: DEMO_USERS };
  }

  @Post('token')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Issue a bearer token for a demo user',
    description: 'Paste `accessToken` into "Authorize" above, then call any route as that user.',
  })
  @ApiOkResponse({ type: DevTokenResponse })
  async token(@Body() body: DevTokenRequest): Promise<DevTokenResponse> {
    const user = findDemoUser(body.userId);
    // The DTO already admits only demo user ids; this keeps the type honest.
    if (!user) throw new ValidationFailedError('userId must be one of the demo users.');
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
