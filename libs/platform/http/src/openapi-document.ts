import { createHash } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import {
  ApiParam,
  type OpenAPIObject,
  type OperationObject,
  type ReferenceObject,
  type ResponseObject,
  type SchemaObject,
} from '@nestjs/swagger';
import { isTongbanError, PlatformErrorCode, type ErrorKind, type TongbanError } from '@tongban/errors';
import { PROBLEM_CONTENT_TYPE, STATUS_BY_KIND, titleFor } from './problem-details';
import { isRateLimitedMethod } from './rate-limit';

/** Stable error codes and their kinds, e.g. a context's `CASE_ERROR_KINDS`. */
export type ProblemCodes = Readonly<Record<string, ErrorKind>>;

/** An error class whose instances carry one fixed code and kind (most TongbanError subclasses). */
export type ProblemClass = new (message: string) => TongbanError;

/** What `@ApiProblems` takes: a code table, an error class, or a sample error (odd constructors). */
export type ProblemSource = ProblemCodes | ProblemClass | TongbanError;

const PROBLEMS = Symbol('tongban:openapi:problems');

/**
 * One code table from tables, error classes (their code and kind read off an instance, so the
 * class stays the one definition) and sample errors (for classes with other constructors).
 */
export function problemCodes(...sources: readonly ProblemSource[]): ProblemCodes {
  return Object.assign({}, ...sources.map(codesOf)) as ProblemCodes;
}

function codesOf(source: ProblemSource): ProblemCodes {
  if (typeof source === 'function') {
    const sample = new source('');
    return { [sample.code]: sample.kind };
  }
  if (isTongbanError(source)) return { [source.code]: source.kind };
  return source;
}

function addProblems(handler: object, codes: ProblemCodes): void {
  const known = (Reflect.getMetadata(PROBLEMS, handler) as ProblemCodes | undefined) ?? {};
  Reflect.defineMetadata(PROBLEMS, { ...known, ...codes }, handler);
}

/**
 * Declares the domain and application errors a route (or every route of a controller) may
 * answer. The OpenAPI document turns them into problem+json responses, one per status, whose
 * `code` is restricted to the declared codes — so a fuzzer that checks response schemas also
 * checks that no undocumented code leaks out. Errors raised by the platform itself (validation,
 * body parsing, authentication, the HTTP edge) are added by `documentProblems` from the shape of
 * each operation and need no declaration.
 */
export function ApiProblems(...sources: readonly ProblemSource[]): ClassDecorator & MethodDecorator {
  const codes = problemCodes(...sources);
  return (target: object, _key?: string | symbol, descriptor?: PropertyDescriptor): void => {
    if (descriptor) {
      addProblems(descriptor.value as object, codes);
      return;
    }
    const prototype = (target as { prototype: Record<string, unknown> }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const member = prototype[name];
      if (name !== 'constructor' && typeof member === 'function') addProblems(member, codes);
    }
  };
}

/** RFC 9562 UUIDs as `ParseUUIDPipe` accepts them: versions 1–8 with the RFC variant, nil, max. */
export const UUID_PATTERN =
  '^(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[1-8][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}|' +
  '00000000-0000-0000-0000-000000000000|[Ff]{8}-[Ff]{4}-[Ff]{4}-[Ff]{4}-[Ff]{12})$';

/** Documents a path parameter checked by `ParseUUIDPipe`. */
export const ApiUuidParam = (name: string, description?: string): ClassDecorator & MethodDecorator =>
  ApiParam({
    name,
    required: true,
    schema: { type: 'string', format: 'uuid', pattern: UUID_PATTERN },
    ...(description ? { description } : {}),
  });

/** Which operations a platform code can come from, by their shape. */
type Applies = 'every' | 'input' | 'body' | 'path' | 'secured' | 'limited' | 'none';

const APPLIES_TO: Readonly<Record<Applies, string>> = {
  every: 'every operation',
  input: 'operations with parameters or a body',
  body: 'operations with a body',
  path: 'operations with path parameters',
  secured: 'operations behind a bearer token',
  limited: 'operations behind a bearer token that change something (rate-limited)',
  none: 'no documented operation (a method a path does not have, a fault, start-up)',
};

interface PlatformProblem {
  /** null: not an HTTP answer at all (start-up). */
  readonly status: number | null;
  readonly applies: Applies;
}

/**
 * Every code the platform answers by itself, with its status and the operations that can meet
 * it. A complete record: a code added to `PlatformErrorCode` does not compile until it is placed
 * here, so the document cannot miss it. What each code means is said once, in docs/problems.md.
 */
export const PLATFORM_PROBLEMS: Readonly<Record<PlatformErrorCode, PlatformProblem>> = {
  [PlatformErrorCode.validationFailed]: { status: 400, applies: 'input' },
  [PlatformErrorCode.malformedBody]: { status: 400, applies: 'body' },
  [PlatformErrorCode.invalidText]: { status: 400, applies: 'every' },
  [PlatformErrorCode.invalidNumber]: { status: 400, applies: 'body' },
  [PlatformErrorCode.tooDeep]: { status: 400, applies: 'body' },
  [PlatformErrorCode.duplicateKey]: { status: 400, applies: 'body' },
  [PlatformErrorCode.forbiddenKey]: { status: 400, applies: 'body' },
  [PlatformErrorCode.malformedHttp]: { status: 400, applies: 'every' },
  [PlatformErrorCode.unsupportedMediaType]: { status: 415, applies: 'body' },
  [PlatformErrorCode.payloadTooLarge]: { status: 413, applies: 'body' },
  [PlatformErrorCode.uriTooLong]: { status: 414, applies: 'every' },
  [PlatformErrorCode.headerFieldsTooLarge]: { status: 431, applies: 'every' },
  [PlatformErrorCode.requestTimeout]: { status: 408, applies: 'every' },
  [PlatformErrorCode.rateLimited]: { status: 429, applies: 'limited' },
  // An empty path segment where a parameter belongs finds no route.
  [PlatformErrorCode.routeNotFound]: { status: 404, applies: 'path' },
  [PlatformErrorCode.methodNotAllowed]: { status: 405, applies: 'none' },
  [PlatformErrorCode.unauthenticated]: { status: 401, applies: 'secured' },
  [PlatformErrorCode.invalidOrgUnit]: { status: 401, applies: 'secured' },
  [PlatformErrorCode.invalidChannel]: { status: 401, applies: 'secured' },
  [PlatformErrorCode.forbidden]: { status: 403, applies: 'secured' },
  [PlatformErrorCode.unavailable]: { status: 503, applies: 'every' },
  [PlatformErrorCode.unexpected]: { status: 500, applies: 'none' },
  [PlatformErrorCode.configInvalid]: { status: null, applies: 'none' },
};

const PROBLEM_SCHEMA = 'ProblemDetails';
const FIELD_PROBLEM_SCHEMA = 'FieldProblem';

const SCHEMAS: Record<string, SchemaObject> = {
  [FIELD_PROBLEM_SCHEMA]: {
    type: 'object',
    required: ['field', 'reason', 'message'],
    properties: {
      field: { type: 'string', description: 'Dotted path of the offending field, e.g. `resident.phone`.' },
      reason: {
        type: 'string',
        description: 'The rule that failed, e.g. `matches`; `unknownField` for a field not accepted.',
      },
      message: { type: 'string' },
    },
  },
  [PROBLEM_SCHEMA]: {
    type: 'object',
    description: 'RFC 9457 problem details with a stable `code` (see docs/problems.md).',
    required: ['type', 'title', 'status', 'detail', 'instance', 'code', 'requestId'],
    properties: {
      type: { type: 'string', example: 'urn:tongban:problem:case.not_found' },
      title: { type: 'string', example: 'Not Found' },
      status: { type: 'integer', example: 404 },
      detail: { type: 'string' },
      instance: { type: 'string', example: '/api/v1/cases/1b0c6a5e-3f7d-4c1e-9a55-0d2b6f7e8a91' },
      code: { type: 'string', example: 'case.not_found' },
      requestId: { type: 'string', description: 'Also in the `X-Request-Id` header and every log line.' },
      errors: { type: 'array', items: { $ref: `#/components/schemas/${FIELD_PROBLEM_SCHEMA}` } },
    },
  },
};

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

interface Operation {
  readonly path: string;
  readonly method: string;
  readonly op: OperationObject;
}

function operationsOf(document: OpenAPIObject): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.flatMap((method) => {
      const op = item[method];
      return op ? [{ path, method, op }] : [];
    }),
  );
}

/** The codes `@ApiProblems` declared, by operation id (Nest's default: `Controller_method`). */
function declaredProblems(app: INestApplication): Map<string, ProblemCodes> {
  const declared = new Map<string, ProblemCodes>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const type = wrapper.metatype as { name: string; prototype: Record<string, unknown> } | null;
      if (!type?.prototype) continue;
      for (const name of Object.getOwnPropertyNames(type.prototype)) {
        const member = type.prototype[name];
        if (typeof member !== 'function') continue;
        const codes = Reflect.getMetadata(PROBLEMS, member) as ProblemCodes | undefined;
        if (codes) declared.set(`${type.name}_${name}`, codes);
      }
    }
  }
  return declared;
}

function applies(rule: Applies, op: OperationObject, method: string): boolean {
  const parameters = (op.parameters ?? []) as { in?: string }[];
  switch (rule) {
    case 'every':
      return true;
    case 'input':
      return op.requestBody !== undefined || parameters.length > 0;
    case 'body':
      return op.requestBody !== undefined;
    case 'path':
      return parameters.some((p) => p.in === 'path');
    case 'secured':
      return (op.security ?? []).length > 0;
    case 'limited':
      return (op.security ?? []).length > 0 && isRateLimitedMethod(method);
    case 'none':
      return false;
    default: {
      const never: never = rule;
      throw new Error(`unknown rule ${String(never)}`);
    }
  }
}

/** The codes an operation may answer, by status: the platform's by shape, plus the declared. */
function problemsOf(
  op: OperationObject,
  method: string,
  declared: ProblemCodes | undefined,
): Map<number, Set<string>> {
  const byStatus = new Map<number, Set<string>>();
  const add = (status: number, code: string): void => {
    byStatus.set(status, (byStatus.get(status) ?? new Set<string>()).add(code));
  };
  for (const [code, problem] of Object.entries(PLATFORM_PROBLEMS)) {
    if (problem.status !== null && applies(problem.applies, op, method)) add(problem.status, code);
  }
  for (const [code, kind] of Object.entries(declared ?? {})) add(STATUS_BY_KIND[kind], code);
  return byStatus;
}

/**
 * The problem schema of one set of codes: ProblemDetails with `status` and `code` pinned. Named
 * by a digest of the set, so operations that answer the same codes share one schema.
 */
function problemSchema(
  status: number,
  codes: readonly string[],
  schemas: Record<string, SchemaObject | ReferenceObject>,
): ReferenceObject {
  const digest = createHash('sha256').update(codes.join(',')).digest('hex').slice(0, 8);
  const name = `Problem${status}_${digest}`;
  schemas[name] = {
    allOf: [
      { $ref: `#/components/schemas/${PROBLEM_SCHEMA}` },
      {
        type: 'object',
        properties: {
          status: { type: 'integer', enum: [status] },
          code: { type: 'string', enum: [...codes] },
        },
      },
    ],
  };
  return { $ref: `#/components/schemas/${name}` };
}

function problemResponse(
  status: number,
  codes: ReadonlySet<string>,
  lead: string | undefined,
  schemas: Record<string, SchemaObject | ReferenceObject>,
): ResponseObject {
  const sorted = [...codes].sort();
  const list = sorted.map((code) => `\`${code}\``).join(', ');
  return {
    description: `${lead ?? titleFor(status)}. \`code\`: ${list}.`,
    content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema(status, sorted, schemas) } },
  };
}

/** Where a code is answered: its status and the operations (`METHOD /path`). */
export interface ProblemCodeUse {
  readonly status: number | null;
  readonly operations: string[];
}

/**
 * Makes the document state every error the API really answers: a shared `ProblemDetails`
 * schema, and on each operation one application/problem+json response per status it can
 * answer, listing (and restricting `code` to) the codes behind it. Returns every code, used or
 * only known to the platform, for the document's table.
 */
export function documentProblems(
  document: OpenAPIObject,
  app: INestApplication,
): Map<string, ProblemCodeUse> {
  const declared = declaredProblems(app);
  const all = new Map<string, ProblemCodeUse>();
  for (const [code, problem] of Object.entries(PLATFORM_PROBLEMS)) {
    all.set(code, { status: problem.status, operations: [] });
  }
  const schemas: Record<string, SchemaObject | ReferenceObject> = { ...SCHEMAS };
  for (const { path, method, op } of operationsOf(document)) {
    const problems = problemsOf(op, method, op.operationId ? declared.get(op.operationId) : undefined);
    for (const [status, codes] of [...problems.entries()].sort(([a], [b]) => a - b)) {
      const existing = op.responses[String(status)] as ResponseObject | undefined;
      // A route's own description (e.g. who may call it) leads; the codes follow.
      const lead = existing?.description || undefined;
      op.responses[String(status)] = problemResponse(status, codes, lead, schemas);
      for (const code of codes) {
        const use = all.get(code) ?? { status, operations: [] };
        use.operations.push(`${method.toUpperCase()} ${path}`);
        all.set(code, use);
      }
    }
  }
  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...sortedByName(schemas) },
    responses: { ...document.components?.responses, ...shareRepeatedProblems(document) },
  };
  return all;
}

/**
 * A markdown table of every code, for the document's description: its status and the
 * operations that can answer it. What each one means is said in docs/problems.md.
 */
export function problemCodesTable(codes: ReadonlyMap<string, ProblemCodeUse>): string {
  const platform: Readonly<Record<string, PlatformProblem | undefined>> = PLATFORM_PROBLEMS;
  const where = (code: string, { operations }: ProblemCodeUse): string => {
    const rule = platform[code]?.applies;
    if (rule) return APPLIES_TO[rule];
    if (operations.length > 3) return `${operations.length} operations`;
    return operations.map((op) => `\`${op}\``).join(', ');
  };
  const rows = [...codes.entries()]
    .sort(([a, ua], [b, ub]) => (ua.status ?? 999) - (ub.status ?? 999) || a.localeCompare(b))
    .map(([code, use]) => `| \`${code}\` | ${use.status ?? '—'} | ${where(code, use)} |`);
  return ['| code | status | answered by |', '| --- | --- | --- |', ...rows].join('\n');
}

function sortedByName<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/** Problem responses that several operations answer alike become one shared, referenced response. */
function shareRepeatedProblems(document: OpenAPIObject): Record<string, ResponseObject> {
  const uses = new Map<string, number>();
  const keyOf = (response: ResponseObject | ReferenceObject): string => JSON.stringify(response);
  const problemsOf = (op: OperationObject): [string, ResponseObject][] =>
    Object.entries(op.responses).flatMap(([status, response]): [string, ResponseObject][] =>
      response && !('$ref' in response) && response.content?.[PROBLEM_CONTENT_TYPE]
        ? [[status, response]]
        : [],
    );
  for (const { op } of operationsOf(document)) {
    for (const [, response] of problemsOf(op))
      uses.set(keyOf(response), (uses.get(keyOf(response)) ?? 0) + 1);
  }
  const shared: Record<string, ResponseObject> = {};
  for (const { op } of operationsOf(document)) {
    for (const [status, response] of problemsOf(op)) {
      const key = keyOf(response);
      if ((uses.get(key) ?? 0) < 2) continue;
      const name = `Problem${status}_${createHash('sha256').update(key).digest('hex').slice(0, 8)}`;
      shared[name] = response;
      op.responses[status] = { $ref: `#/components/responses/${name}` };
    }
  }
  return sortedByName(shared);
}

/**
 * The validation pipe refuses unknown fields (whitelist + forbidNonWhitelisted), so every schema
 * a request body uses — nested ones too — is closed: `additionalProperties: false`.
 */
export function closeRequestSchemas(document: OpenAPIObject): void {
  const schemas = document.components?.schemas ?? {};
  const seen = new Set<string>();
  const visit = (schema: SchemaObject | ReferenceObject | undefined): void => {
    if (!schema) return;
    if ('$ref' in schema) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      if (seen.has(name)) return;
      seen.add(name);
      const target = schemas[name];
      if (target && !('$ref' in target)) {
        target.additionalProperties ??= false;
        visit(target);
      }
      return;
    }
    for (const part of [...(schema.allOf ?? []), ...(schema.anyOf ?? []), ...(schema.oneOf ?? [])])
      visit(part);
    for (const property of Object.values(schema.properties ?? {})) visit(property);
    visit(schema.items);
  };
  for (const { op } of operationsOf(document)) {
    const body = op.requestBody;
    if (!body || '$ref' in body) continue;
    for (const media of Object.values(body.content)) visit(media.schema);
  }
}
