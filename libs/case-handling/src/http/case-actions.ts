import { createParamDecorator, Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActorRef, CaseCommand } from '@tongban/cases';
import { requestIdOf } from '@tongban/http';
import { principalOf, type Principal } from '@tongban/security';
import { CLOCK, type Clock } from '../clock';
import { HandleCaseCommand, type CaseCommandResult } from '../handle-case-command';
import type { CaseCommandResponse } from './case-requests.dto';
import { etag, expectedVersionFrom } from './preconditions';

/** Who is acting, and the HTTP exchange the action answers. */
export interface ActionContext {
  readonly principal: Principal;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** Injects the ActionContext into a case action route (which always has @Roles). */
export const CaseAction = createParamDecorator((_data: unknown, context: ExecutionContext): ActionContext => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const principal = principalOf(request);
  if (!principal) throw new Error(`@CaseAction() on ${context.getHandler().name}, which has no @Roles`);
  return { principal, request, reply: http.getResponse<FastifyReply>() };
});

export interface CommandBase {
  readonly caseId: string;
  readonly actor: ActorRef;
  readonly at: string;
}

export function actorOf(principal: Principal): ActorRef {
  return {
    id: principal.id,
    role: principal.role,
    ...(principal.orgUnit ? { orgUnit: principal.orgUnit } : {}),
  };
}

/**
 * What every action route does: read If-Match, stamp actor and time, hand the command to the
 * one write path, answer with the new version (also as ETag) and the consistency token.
 */
@Injectable()
export class CaseActions {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run(
    { principal, request, reply }: ActionContext,
    caseId: string,
    build: (base: CommandBase) => CaseCommand,
  ): Promise<CaseCommandResponse> {
    const expectedVersion = expectedVersionFrom(request.headers['if-match']);
    const command = build({ caseId, actor: actorOf(principal), at: this.clock.now().toISOString() });
    const result = await this.commands.execute<HandleCaseCommand, CaseCommandResult>(
      new HandleCaseCommand(command, { correlationId: requestIdOf(request) }, expectedVersion),
    );
    void reply.header('etag', etag(result.version));
    return {
      caseId: result.caseId,
      version: result.version,
      position: result.position,
      events: result.events.map((e) => e.type),
    };
  }
}
