import { readFileSync } from 'node:fs';
import { OPENAPI_FILE, buildApiOpenApiDocument } from './openapi';

describe('the committed OpenAPI document (docs/openapi.json)', () => {
  it('is current: regenerate it with `npm run openapi` after changing a route or DTO', async () => {
    const committed = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8'));
    expect(JSON.parse(JSON.stringify(await buildApiOpenApiDocument()))).toEqual(committed);
  });

  it('documents every case route behind bearer authentication', () => {
    const document = JSON.parse(readFileSync(OPENAPI_FILE, 'utf8')) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ path, method, op })),
    );
    expect(operations.length).toBeGreaterThanOrEqual(22);
    for (const { path, method, op } of operations.filter((o) => o.path.startsWith('/api/v1/cases'))) {
      expect({ path, method, security: op.security }).toEqual({ path, method, security: [{ bearer: [] }] });
    }
  });
});
