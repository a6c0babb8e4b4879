import './openapi-env';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { CASE_ERROR_KINDS, ORG_UNIT_CODE } from '@tongban/cases';
import { CALENDAR_LOAD_ERROR_KINDS, CASE_CODES_NOT_OVER_HTTP } from '@tongban/case-handling';
import { DIRECTORY_ERROR_KINDS } from '@tongban/directory';
import { PlatformErrorCode } from '@tongban/errors';
import { API_PREFIX, buildOpenApiDocument } from '@tongban/http';
import { DEMO_USERS } from '@tongban/security';
import { CALENDAR_ERROR_KINDS } from '@tongban/sla';
import { StandaloneModule } from '../../standalone/src/standalone.module';
import { OPENAPI_FILE } from './openapi';

/** Business calendar codes no route can answer (see where `known` lists the calendar's codes). */
const CALENDAR_CODES_NOT_OVER_HTTP: readonly string[] = [
  'calendar.invalid_business_hours',
  'calendar.duplicate_year',
  'calendar.year_not_loaded',
];

type Json = Record<string, unknown>;
interface Response {
  readonly $ref?: string;
  readonly description?: string;
  readonly content?: Record<string, { schema?: Json }>;
}
interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly schema?: Json;
}
interface Operation {
  readonly operationId: string;
  readonly parameters?: Parameter[];
  readonly requestBody?: unknown;
  readonly security?: unknown[];
  readonly responses: Record<string, Response>;
}
interface Document {
  readonly info: { description: string };
  readonly paths: Record<string, Record<string, Operation>>;
  readonly components: { schemas: Record<string, Json>; responses?: Record<string, Response> };
}

const api = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as Document;

/** The standalone app's document: the API plus the dev login and the read-model administration. */
async function standaloneDocument(): Promise<Document> {
  const embedded = {
    url: 'postgres://openapi@127.0.0.1:1/openapi',
    onConnect: async () => {},
    stop: async () => {},
  };
  const app = await NestFactory.create(StandaloneModule.register(embedded), new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  app.setGlobalPrefix(API_PREFIX);
  const document: OpenAPIObject = buildOpenApiDocument(app, 'standalone');
  await app.close();
  return JSON.parse(JSON.stringify(document)) as Document;
}

const operationsOf = (document: Document): { key: string; op: Operation }[] =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
  );

const resolve = (document: Document, response: Response): Response =>
  response.$ref ? (document.components.responses?.[response.$ref.split('/').pop() ?? ''] ?? {}) : response;

/** The statuses an operation declares, and the codes its problem responses allow. */
function declared(document: Document, op: Operation): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const [status, raw] of Object.entries(op.responses)) {
    const ref = resolve(document, raw).content?.['application/problem+json']?.schema?.['$ref'];
    const named =
      typeof ref === 'string' ? document.components.schemas[ref.split('/').pop() ?? ''] : undefined;
    const pinned = (named?.['allOf'] as Json[] | undefined)?.[1]?.['properties'] as
      { code?: { enum?: string[] } } | undefined;
    result.set(status, pinned?.code?.enum ?? []);
  }
  return result;
}

describe('the OpenAPI document states what the API does', () => {
  let standalone: Document;
  let everything: { key: string; op: Operation; document: Document }[];

  beforeAll(async () => {
    standalone = await standaloneDocument();
    const inApi = new Set(operationsOf(api).map(({ key }) => key));
    everything = [
      ...operationsOf(api).map((o) => ({ ...o, document: api })),
      ...operationsOf(standalone)
        .filter(({ key }) => !inApi.has(key))
        .map((o) => ({ ...o, document: standalone })),
    ];
  }, 30_000);

  it('gives every operation a success response with a JSON schema (the rebuild and the history had none)', () => {
    for (const { key, op } of everything) {
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      expect({ key, successes: success.length }).toEqual({ key, successes: 1 });
      // The one file download (issue 14's KPI export) is CSV: a string schema under text/csv.
      const media = key === 'GET /api/v1/kpi.csv' ? 'text/csv' : 'application/json';
      expect({ key, schema: success[0]?.[1].content?.[media]?.schema !== undefined }).toEqual({
        key,
        schema: true,
      });
    }
    expect(
      standalone.paths['/api/v1/admin/read-models/{name}/rebuild']?.['post']?.responses['200'],
    ).toBeDefined();
  });

  it('declares on every operation the problem statuses it can answer, as problem+json with a pinned code', () => {
    for (const { key, op, document } of everything) {
      const statuses = declared(document, op);
      const expected = ['400', '408', '414', '431', '503'];
      if (op.security?.length) expected.push('401', '403');
      // Rate-limited (ADR 0010): every write behind a token; reads are not.
      if (op.security?.length && !key.startsWith('GET ')) expected.push('429');
      if (key.startsWith('GET '))
        expect({ key, limited: statuses.has('429') }).toEqual({ key, limited: false });
      if (op.requestBody) expected.push('413', '415');
      if (key.startsWith('POST /api/v1/cases/{id}/')) expected.push('404', '409');
      // Every action but the reveal acts on the version the caller read (If-Match); a reveal
      // changes nothing about the case, so it takes none.
      if (key.startsWith('POST /api/v1/cases/{id}/') && !key.endsWith('/contact-details/reveal'))
        expected.push('412', '428');
      if (key === 'POST /api/v1/cases') expected.push('409', '422');
      if (key === 'POST /api/v1/admin/read-models/{name}/rebuild') expected.push('404', '409', '422');
      for (const status of expected) {
        expect({ key, status, codes: (statuses.get(status) ?? []).length > 0 }).toEqual({
          key,
          status,
          codes: true,
        });
      }
      for (const [status, codes] of statuses) {
        if (status.startsWith('2')) continue;
        expect({ key, status, pinned: codes.length > 0 }).toEqual({ key, status, pinned: true });
      }
    }
    expect(declared(api, api.paths['/api/v1/cases/{id}/accept']!['post']!).get('409')).toEqual(
      expect.arrayContaining(['case.invalid_transition', 'case.version_conflict']),
    );
  });

  it('names every error code the code base defines, and docs/problems.md explains each one', () => {
    expect(CALENDAR_CODES_NOT_OVER_HTTP.filter((code) => !(code in CALENDAR_ERROR_KINDS))).toEqual([]);
    const problems = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'problems.md'), 'utf8');
    const inDocument = new Set(
      [
        ...api.info.description.matchAll(/^\| `([a-z_.]+)` \|/gm),
        ...standalone.info.description.matchAll(/^\| `([a-z_.]+)` \|/gm),
      ].map((m) => m[1] ?? ''),
    );
    const known = [
      // Not over HTTP: the system's own commands (the SLA watcher's due times, a hand-over's lapse).
      ...Object.keys(CASE_ERROR_KINDS).filter(
        (code) => !CASE_CODES_NOT_OVER_HTTP.includes(code as (typeof CASE_CODES_NOT_OVER_HTTP)[number]),
      ),
      ...Object.values(PlatformErrorCode),
      'read_model.not_found',
      // One cadre's KPIs (issue 14): no facts, another cadre, or out of scope, alike.
      'kpi.cadre_not_found',
      'idempotency.key_reused',
      'request.precondition_failed',
      // Where a case is sent (ADR 0012): on dispatch, hand-over and referrals.
      'case.unknown_target',
      'case.target_not_in_unit',
      'case.target_wrong_kind',
      'case.target_out_of_scope',
      // The directory and its admin API (issue 13): every refusal of a change, and no directory.
      ...Object.keys(DIRECTORY_ERROR_KINDS),
      'directory.unavailable',
      // The business calendar's admin API (issue 14): every refusal of a year's data and of a load.
      // Not over HTTP: business hours are not set through the API, one calendar never gets a year
      // twice, and only the tests build a calendar that refuses unknown years.
      ...Object.keys(CALENDAR_ERROR_KINDS).filter((code) => !CALENDAR_CODES_NOT_OVER_HTTP.includes(code)),
      ...Object.keys(CALENDAR_LOAD_ERROR_KINDS),
    ];
    expect(known.filter((code) => !inDocument.has(code))).toEqual([]);
    expect([...inDocument].filter((code) => !problems.includes(`\`${code}\``))).toEqual([]);
  });

  it('declares tokens as strings and the history entries with their schema', () => {
    const schemas = { ...api.components.schemas, ...standalone.components.schemas };
    for (const [name, schema] of Object.entries(schemas)) {
      const position = (schema['properties'] as Record<string, Json> | undefined)?.['position'];
      if (position) expect({ name, type: position['type'] }).toEqual({ name, type: 'string' });
    }
    expect(schemas['CaseHistoryView']).toMatchObject({ required: ['caseId', 'version', 'events'] });
    expect(schemas['ReferStepResponse']).toMatchObject({ required: expect.arrayContaining(['referralId']) });
  });

  it('states the constraints the server enforces', () => {
    const header = (path: string, method: string, name: string): Json | undefined =>
      api.paths[path]?.[method]?.parameters?.find((p) => p.in === 'header' && p.name === name)?.schema;
    const idempotency = new RegExp(String(header('/api/v1/cases', 'post', 'Idempotency-Key')?.['pattern']));
    expect(['a'.repeat(8), '~'.repeat(128)].map((k) => idempotency.test(k))).toEqual([true, true]);
    expect(['a'.repeat(7), 'a'.repeat(129), 'abc defgh'].map((k) => idempotency.test(k))).toEqual([
      false,
      false,
      false,
    ]);
    const ifMatch = new RegExp(String(header('/api/v1/cases/{id}/accept', 'post', 'If-Match')?.['pattern']));
    expect(['"3"', '*', 'W/"3"', '3'].map((v) => ifMatch.test(v))).toEqual([true, true, false, false]);

    for (const { key, op } of everything) {
      for (const p of (op.parameters ?? []).filter((p) => p.in === 'path' && /id$/i.test(p.name))) {
        expect({ key, name: p.name, format: p.schema?.['format'] }).toEqual({
          key,
          name: p.name,
          format: 'uuid',
        });
      }
    }
    const schemas = api.components.schemas;
    const props = (name: string): Record<string, Json> =>
      schemas[name]?.['properties'] as Record<string, Json>;
    expect(props('ResidentContactDto')['phone']).toMatchObject({ pattern: '^1[3-9][0-9]{9}$' });
    expect(props('ResidentContactDto')['idNumber']).toMatchObject({ pattern: '^[0-9]{17}[0-9X]$' });
    for (const [dto, field] of [
      ['LocationDto', 'communityCode'],
      ['DispatchCaseRequest', 'ownerOrgUnit'],
      ['ReferStepRequest', 'toOrgUnit'],
      ['HandOverCaseRequest', 'toOrgUnit'],
    ] as const) {
      expect({ dto, field, pattern: props(dto)[field]?.['pattern'] }).toEqual({
        dto,
        field,
        pattern: ORG_UNIT_CODE.source,
      });
    }
    expect(schemas['LocationDto']?.['anyOf']).toHaveLength(4);
    // The validation pipe refuses unknown fields; the request schemas say so.
    expect(schemas['SubmitCaseRequest']).toMatchObject({ additionalProperties: false });
    expect(schemas['LocationDto']).toMatchObject({ additionalProperties: false });
  });

  it('documents no parameter the server ignores: the case detail pages only its timeline', () => {
    const names = (api.paths['/api/v1/cases/{id}']?.['get']?.parameters ?? []).map((p) => p.name).sort();
    // `timelineLimit` is honoured (test/e2e/case-queries-bounds.e2e.spec.ts); no list paging here.
    expect(names).toEqual(['after', 'id', 'timelineLimit']);
    const timeline = (api.paths['/api/v1/cases/{id}/timeline']?.['get']?.parameters ?? []).map((p) => p.name);
    expect(timeline.sort()).toEqual(['after', 'cursor', 'id', 'limit']);
  });

  it('gives examples from the demo district only', () => {
    const units = new Set(DEMO_USERS.flatMap((u) => (u.orgUnit ? [u.orgUnit] : [])));
    const examples = JSON.stringify(api).match(/"example":"pc\.[^"]*"/g) ?? [];
    expect(examples.length).toBeGreaterThan(3);
    for (const example of examples) {
      const unit = example.slice('"example":"'.length, -1);
      const known = [...units].some((u) => unit === u || unit.startsWith(`${u}.`));
      expect({ unit, known }).toEqual({ unit, known: true });
    }
    expect(JSON.stringify(api)).not.toMatch(/nanguan|yongtai/);
  });

  it('says who files through which channel, and that closing needs the feedback first', () => {
    const submit = api.paths['/api/v1/cases']?.['post'] as Operation & { description?: string };
    expect(submit.description).toMatch(/a resident through `portal`, `app`, `mini_program`/);
    expect(submit.description).toMatch(/a channel client through its own channel only, the `channel` claim/);
    const supplement = api.paths['/api/v1/cases/{id}/supplement']?.['post'] as Operation & {
      description?: string;
    };
    expect(supplement.description).toMatch(/CASE_MAX_SUPPLEMENTS.*case\.too_many_supplements/);
    // Required text states the edge's rule: at least one character that is not white space.
    const schemas = api.components.schemas;
    const title = (schemas['SubmitCaseRequest']?.['properties'] as Record<string, Json>)['title'];
    expect(title).toMatchObject({ minLength: 1, pattern: '\\S' });
    const close = api.paths['/api/v1/cases/{id}/close']?.['post'] as Operation & { description?: string };
    expect(close.description).toMatch(/feedback/);
  });
});
