import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError } from './auth.errors';
import { PUBLIC_KEY, ROLES_KEY, setPrincipal } from './auth.decorators';
import type { PrincipalRole } from './principal';
import { TokenVerifier } from './token-verifier';

type Access =
  | { readonly kind: 'public' }
  | { readonly kind: 'roles'; readonly roles: readonly PrincipalRole[] }
  | { readonly kind: 'undeclared' };

/**
 * The global guard (APP_GUARD): every route needs a valid bearer token unless it is `@Public()`,
 * then a role listed in its `@Roles(...)`. A route with neither is refused to everyone (403), so
 * forgetting the check can never open an endpoint.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger('Authorization');
  private readonly warned = new Set<string>();

  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const access = this.accessOf(context);
    if (access.kind === 'public') return true;
    if (context.getType() !== 'http') {
      throw new ForbiddenError('Only HTTP requests carry credentials; this handler is not @Public.');
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const principal = await this.verifier.verifyAuthorization(request.headers.authorization);
    setPrincipal(request, principal);
    switch (access.kind) {
      case 'undeclared':
        this.warnOnce(context);
        throw new ForbiddenError('This route declares no roles, so nobody may call it.');
      case 'roles':
        if (!access.roles.includes(principal.role)) {
          throw new ForbiddenError(`The role ${principal.role} may not do this.`);
        }
        return true;
      default: {
        const never: never = access;
        throw new Error(`unknown access ${JSON.stringify(never)}`);
      }
    }
  }

  /** The handler's own declaration wins over its controller's; `@Roles` wins over `@Public`. */
  private accessOf(context: ExecutionContext): Access {
    for (const target of [context.getHandler(), context.getClass()]) {
      const roles = this.reflector.get<readonly PrincipalRole[] | undefined>(ROLES_KEY, target);
      if (roles) return { kind: 'roles', roles };
      if (this.reflector.get<boolean | undefined>(PUBLIC_KEY, target) === true) return { kind: 'public' };
    }
    return { kind: 'undeclared' };
  }

  private warnOnce(context: ExecutionContext): void {
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    if (this.warned.has(route)) return;
    this.warned.add(route);
    this.logger.warn(`${route} has neither @Roles nor @Public: every call is refused`);
  }
}
