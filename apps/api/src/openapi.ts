import './openapi-env';
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { renderAccessPolicy } from '@tongban/case-handling';
import { API_PREFIX, buildOpenApiDocument } from '@tongban/http';
import { ApiModule } from './api.module';

export const OPENAPI_FILE = join(__dirname, '..', '..', '..', 'docs', 'openapi.json');
/** The access policy as a table, next to the document whose routes it governs. */
export const ACCESS_POLICY_FILE = join(__dirname, '..', '..', '..', 'docs', 'access-policy.md');

/**
 * Builds the API's OpenAPI document without connecting to anything (Nest preview mode: the
 * module graph is scanned, no provider runs). `npm run openapi` writes it to docs/openapi.json,
 * and the access policy to docs/access-policy.md; unit tests fail when a committed copy is out
 * of date.
 */
export async function buildApiOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(ApiModule, new FastifyAdapter(), { preview: true, logger: false });
  app.setGlobalPrefix(API_PREFIX);
  const document = buildOpenApiDocument(app, 'Tongban API');
  await app.close();
  return document;
}

if (require.main === module) {
  void buildApiOpenApiDocument().then((document) => {
    writeFileSync(OPENAPI_FILE, `${JSON.stringify(document, null, 2)}\n`);
    writeFileSync(ACCESS_POLICY_FILE, renderAccessPolicy());
    process.stdout.write(`wrote ${OPENAPI_FILE} and ${ACCESS_POLICY_FILE}\n`);
  });
}
