import { applyDecorators, createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Principal, PrincipalRole } from './principal';

export const PUBLIC_KEY = 'tongban:auth:public';
export const ROLES_KEY = 'tongban:auth:roles';

/**
 * Opens a route (or every route of a controller) to anonymous callers: health, metrics, dev
 * login. Everything else needs a bearer token and `@Roles`.
 */
export const Public = (): ClassDecorator & MethodDecorator => SetMetadata(PUBLIC_KEY, true);

/**
 * The roles that may call a route (or every route of a controller; a method's own `@Roles` or
 * `@Public` wins). A route with neither `@Roles` nor `@Public` is refused to everyone, so a
 * forgotten check fails closed.
 */
export const Roles = (...roles: readonly PrincipalRole[]): ClassDecorator & MethodDecorator =>
  applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiBearerAuth(),
    // Machine-readable too: clients and the API fuzz test pick the operations a role may call.
    ApiExtension('x-roles', [...roles]),
    // The problem+json body and the codes are added by the document builder (@tongban/http).
    ApiUnauthorizedResponse({
      description:
        'No bearer token, an invalid or expired one, or one whose org_unit or channel claim does not hold',
    }),
    ApiForbiddenResponse({ description: `Only for: ${roles.join(', ')}` }),
  );

const principals = new WeakMap<object, Principal>();

/** Pins the authenticated caller on the request (on the raw Node request, so loggers can see it). */
export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request.raw, principal);
}

/** The caller of a request the guard authenticated; undefined on a `@Public` route. */
export function principalOf(request: FastifyRequest | FastifyRequest['raw']): Principal | undefined {
  return principals.get('raw' in request ? request.raw : request);
}

/** Injects the authenticated caller. Only on routes with `@Roles`: a public route has none. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = principalOf(context.switchToHttp().getRequest<FastifyRequest>());
    if (!principal) {
      throw new Error(
        `@CurrentPrincipal() on ${context.getClass().name}.${context.getHandler().name}, which has no @Roles`,
      );
    }
    return principal;
  },
);
