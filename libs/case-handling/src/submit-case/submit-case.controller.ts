import { Body, Controller, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiHeader, ApiOperation, ApiTags, type LinkObject } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isBlankText, type Channel } from '@tongban/cases';
import { TongbanError, ValidationFailedError } from '@tongban/errors';
import { ApiProblems, RateLimited, requestIdOf } from '@tongban/http';
import {
  CurrentPrincipal,
  PRINCIPAL_CHANNELS,
  Roles,
  type Principal,
  type PrincipalRole,
} from '@tongban/security';
import { CLOCK, type Clock } from '../clock';
import { actorOf } from '../http/case-action.route';
import { CASE_INTAKE_PROBLEMS } from '../http/case-problems';
import {
  etag,
  IDEMPOTENCY_KEY_FORMAT,
  IdempotencyKeyMissingError,
  idempotencyKeyFrom,
  InvalidHeaderError,
} from '../http/preconditions';
import { IdempotencyKeyReusedError, SubmitCaseCommand, type SubmitCaseResult } from './submit-case.command';
import { SubmitCaseRequest, SubmitCaseResponse } from './submit-case.request.dto';

class ChannelNotAllowedError extends TongbanError {
  readonly code = 'case.channel_not_allowed';
  readonly kind = 'forbidden';
}

/**
 * Which intake channels each kind of caller may file through. A `channel` client is one of these
 * channels, named by its token (`Principal.channel`, checked when the token is verified), and
 * files under that one only, so the channel statistics count what really came in where.
 */
export const CHANNELS_BY_ROLE: Partial<Record<PrincipalRole, readonly Channel[]>> = {
  resident: ['portal', 'app', 'mini_program'],
  // Typed as Channel[]: a channel the case vocabulary does not have would not compile.
  channel: PRINCIPAL_CHANNELS,
  cadre: ['grid_patrol', 'filed_on_behalf', 'walk_in'],
};

/** The channels this caller may file through now: a channel client, only its own. */
export function channelsFor(principal: Principal): readonly Channel[] {
  if (principal.role === 'channel') return principal.channel !== undefined ? [principal.channel] : [];
  return CHANNELS_BY_ROLE[principal.role] ?? [];
}

const quoted = (channels: readonly string[] | undefined): string =>
  (channels ?? []).map((c) => `\`${c}\``).join(', ');

/** The rule above, as the submit route's description states it. */
const CHANNEL_RULES = Object.entries(CHANNELS_BY_ROLE)
  .map(([role, channels]) =>
    role === 'channel'
      ? `a channel client through its own channel only, the \`channel\` claim of its token (one of ${quoted(channels)})`
      : `a ${role} through ${quoted(channels)}`,
  )
  .join('; ');

/** What a client (and the fuzzer's stateful phase) can do with a case it just filed. */
const onNewCase = (operationId: string, ifMatch = true): LinkObject => ({
  operationId,
  parameters: {
    id: '$response.body#/caseId',
    ...(ifMatch ? { 'header.If-Match': '$response.header.ETag' } : {}),
  },
});
const NEXT_STEPS: Record<string, LinkObject> = {
  ReadCase: onNewCase('CaseQueriesController_detail', false),
  ReadHistory: onNewCase('CaseHistoryController_history', false),
  Dispatch: onNewCase('DispatchCaseController_dispatch'),
  Supplement: onNewCase('SupplementResidentInfoController_supplement'),
  Withdraw: onNewCase('WithdrawCaseController_withdraw'),
};

@ApiTags('cases')
@Controller('cases')
export class SubmitCaseController {
  constructor(
    private readonly commands: CommandBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  // Intake has its own limits (a hotline files for many); every other write counts as a command.
  @RateLimited('intake')
  @Roles('resident', 'channel', 'cadre')
  @ApiOperation({
    summary: 'File a request (intake from any channel)',
    description:
      'Returns the case id, a human-readable number for hotline and counter use, the version (send it as If-Match ' +
      'on the next action) and a consistency token. Retrying with the same Idempotency-Key returns the same case.\n\n' +
      `Who files through which channel: ${CHANNEL_RULES}; any other pair answers 403 \`case.channel_not_allowed\`.`,
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: true,
    description:
      'A key you make per request, e.g. a UUID: 8–128 visible ASCII characters (400 `request.invalid_header` ' +
      'otherwise, 400 `idempotency.key_missing` without it). Keys are per caller: a retry with the same key and ' +
      'the same body answers the same case again (201); the same key with a different body answers 422 ' +
      '`idempotency.key_reused`.',
    schema: {
      type: 'string',
      pattern: IDEMPOTENCY_KEY_FORMAT.source,
      example: '8f14e45f-ceea-467a-9575-3c9b1c0a1e2b',
    },
  })
  @ApiProblems(
    CASE_INTAKE_PROBLEMS,
    ChannelNotAllowedError,
    IdempotencyKeyMissingError,
    InvalidHeaderError,
    IdempotencyKeyReusedError,
  )
  @ApiCreatedResponse({
    type: SubmitCaseResponse,
    description: 'Filed (or the same request again with its Idempotency-Key).',
    headers: {
      ETag: { description: 'The version, for If-Match.', schema: { type: 'string', example: '"1"' } },
      Location: { description: 'The new case.', schema: { type: 'string' } },
    },
    links: NEXT_STEPS,
  })
  async submit(
    @Body() body: SubmitCaseRequest,
    @CurrentPrincipal() principal: Principal,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubmitCaseResponse> {
    const key = idempotencyKeyFrom(req.headers['idempotency-key']);
    if (!channelsFor(principal).includes(body.channel)) {
      throw new ChannelNotAllowedError(
        principal.role === 'channel'
          ? `This channel client files through the ${principal.channel ?? '(none)'} channel only, not ${body.channel}.`
          : `A ${principal.role} cannot file through the ${body.channel} channel.`,
      );
    }
    const location = body.location;
    if (
      // An address of only spaces says nothing about where.
      isBlankText(location.address) &&
      !location.communityCode &&
      !location.gridCode &&
      location.latitude === undefined
    ) {
      throw new ValidationFailedError('The request did not pass validation.', [
        {
          field: 'location',
          reason: 'required',
          message: 'give an address, a community or grid code, or coordinates',
        },
      ]);
    }
    if ((location.latitude === undefined) !== (location.longitude === undefined)) {
      throw new ValidationFailedError('The request did not pass validation.', [
        { field: 'location', reason: 'coordinates', message: 'latitude and longitude go together' },
      ]);
    }
    const result = await this.commands.execute<SubmitCaseCommand, SubmitCaseResult>(
      new SubmitCaseCommand(
        {
          actor: actorOf(principal),
          at: this.clock.now().toISOString(),
          channel: body.channel,
          resident: { ...body.resident },
          location: { ...body.location },
          ...(body.matterCode ? { matterCode: body.matterCode } : {}),
          ...(body.category ? { category: body.category } : {}),
          title: body.title,
          description: body.description,
          attachments: (body.attachments ?? []).map((a) => ({ ...a })),
        },
        key,
        { correlationId: requestIdOf(req) },
      ),
    );
    void reply.header('etag', etag(result.version)).header('location', `/api/v1/cases/${result.caseId}`);
    return {
      caseId: result.caseId,
      caseNumber: result.caseNumber,
      version: result.version,
      position: result.position,
    };
  }
}
