import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from './auth.decorators';
import { PRINCIPAL_ROLES, type Principal } from './principal';
import { PrincipalDto } from './principal.dto';

@ApiTags('auth')
@Controller('auth')
export class WhoAmIController {
  @Get('me')
  @Roles(...PRINCIPAL_ROLES)
  @ApiOperation({ summary: 'The caller, as their bearer token describes them' })
  @ApiOkResponse({ type: PrincipalDto })
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }
}
