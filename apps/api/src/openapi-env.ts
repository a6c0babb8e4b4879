// Placeholders that only satisfy start-up validation while the OpenAPI document is generated in
// Nest's preview mode, which never connects to anything. Imported first by openapi.ts.
process.env['DATABASE_URL'] ??= 'postgres://openapi@127.0.0.1:1/openapi';
process.env['AUTH_JWT_ALGORITHM'] ??= 'HS256';
process.env['AUTH_JWT_SECRET'] ??= 'openapi-generation-placeholder-secret-0000';

export {};
