import {
  applyDecorators,
  Controller,
  createParamDecorator,
  HttpCode,
  Inject,
  Injectable,
  ParseUUIDPipe,
  Post,
  type ExecutionContext,
  type Type,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActorRef, CaseCommandOf, CaseCommandType, CommandBase } from '@tongban/cases';
import { ApiProblems, ApiUuidParam, requestIdOf, type ProblemSource } from '@tongban/http';
import { principalOf, Roles, type Principal } from '@tongban/security';
import { rolesOf, type AccessRule } from '../access/case-relation';
import type { CaseCommandClass, CaseCommandResult } from '../case-command/case-command';
import { CLOCK, type Clock } from '../clock';
import { CASE_ACTION_PROBLEMS } from './case-problems';
import { CaseCommandResponse } from './case-command.response.dto';
import { etag, expectedVersionFrom } from './preconditions';

/** Who is acting, and the HTTP exchange the action answers. */
export interface ActionContext {
  readonly principal: Principal;
  readonly request: FastifyRequest;
  readonly reply: FastifyReply;
}

/** Injects the ActionContext into a case action route (which always has its policy's roles). */
export const Acting = createParamDecorator((_data: unknown, context: ExecutionContext): ActionContext => {
  const http = context.switchToHttp();
  const request = http.getRequest<FastifyRequest>();
  const principal = principalOf(request);
  if (!principal) throw new Error(`@Acting() on ${context.getHandler().name}, which has no @Roles`);
  return { principal, request, reply: http.getResponse<FastifyReply>() };
});

/** The case id of a route: any RFC 9562 UUID. */
export const CASE_ID = new ParseUUIDPipe({ version: undefined });

export function actorOf(principal: Principal): ActorRef {
  return {
    id: principal.id,
    role: principal.role,
    ...(principal.orgUnit ? { orgUnit: principal.orgUnit } : {}),
  };
}

/** A use case's controller: its routes hang under the case they act on. */
export const CaseActionController = (): ClassDecorator =>
  applyDecorators(ApiTags('case actions'), Controller('cases/:id'));

const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: true,
  description:
    'The case version you last read, as its ETag: `"3"` (quoted). Compared strongly (RFC 9110 §13.1.1): a ' +
    'weak tag (`W/"3"`) or a tag no version has answers 412 `request.precondition_failed`; a stale version ' +
    '409 `case.version_conflict` (read again, then retry); a bare `3`, a malformed list or two different ' +
    'versions 400 `request.invalid_header`; none 428 `request.precondition_required`. `*` acts on whatever ' +
    'version the case is at (no lost-update check; every rule of the case still applies).',
  schema: { type: 'string', pattern: '^(?:\\*|"[0-9]{1,15}")$', example: '"3"' },
});

export interface CaseActionRouteOptions {
  readonly summary: string;
  readonly description?: string;
  /** What this route answers beyond every action's problems. */
  readonly problems?: readonly ProblemSource[];
  /** Instead of every action's problems, when the route can meet only a few of them. */
  readonly onlyProblems?: readonly ProblemSource[];
  /** The success answer, when it says more than the new version. */
  readonly ok?: { readonly type: Type; readonly description: string };
  /** False for a route that changes nothing a caller could have read stale (a recorded read). */
  readonly ifMatch?: boolean;
}

/**
 * A route acting on one case: `POST /cases/{id}/<path>`, answering 200, open to the roles that can
 * hold a relation of its policy row (so `@Roles` and the policy cannot disagree), with If-Match
 * and every action's problems documented.
 */
export function CaseActionRoute(
  path: string,
  rule: AccessRule,
  { summary, description, problems = [], onlyProblems, ok, ifMatch = true }: CaseActionRouteOptions,
): MethodDecorator {
  return applyDecorators(
    Post(path),
    HttpCode(200),
    Roles(...rolesOf(rule)),
    ApiOperation({ summary, ...(description ? { description } : {}) }),
    ...(ifMatch ? [IF_MATCH] : []),
    ApiUuidParam('id', 'The case id.'),
    ApiProblems(...(onlyProblems ?? [CASE_ACTION_PROBLEMS]), ...problems),
    ApiOkResponse(
      ok ?? { type: CaseCommandResponse, description: 'Done: the new version is also in the `ETag` header.' },
    ),
  );
}

/**
 * What every action route does: read If-Match, stamp the one command base (case, actor, time),
 * send the use case's command on the bus, answer with the new version (also as ETag) and the
 * consistency token.
 */
@Injectable()
export class CaseActionRunner {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async run<T extends CaseCommandType>(
    acting: ActionContext,
    caseId: string,
    Message: CaseCommandClass<T>,
    build: (base: CommandBase) => CaseCommandOf<T>,
  ): Promise<CaseCommandResponse> {
    const result = await this.send(acting, caseId, Message, build);
    return {
      caseId: result.caseId,
      version: result.version,
      position: result.position,
      events: result.events.map((e) => e.type),
    };
  }

  /** The same, answering what the command did, for a route that answers more than the version. */
  async send<T extends CaseCommandType>(
    { principal, request, reply }: ActionContext,
    caseId: string,
    Message: CaseCommandClass<T>,
    build: (base: CommandBase) => CaseCommandOf<T>,
    { ifMatch = true }: { readonly ifMatch?: boolean } = {},
  ): Promise<CaseCommandResult> {
    const expectedVersion = ifMatch ? expectedVersionFrom(request.headers['if-match']) : undefined;
    const decision = build({ caseId, actor: actorOf(principal), at: this.clock.now().toISOString() });
    const result = await this.commands.execute(
      new Message(decision, { correlationId: requestIdOf(request) }, expectedVersion),
    );
    void reply.header('etag', etag(result.version));
    return result;
  }
}
