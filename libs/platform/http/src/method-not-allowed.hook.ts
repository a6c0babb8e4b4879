import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MethodNotAllowedError } from '@tongban/errors';

interface RoutePattern {
  readonly matcher: RegExp;
  readonly methods: Set<string>;
}

/**
 * A route pattern (`/api/v1/cases/:id/dispatch`, `/docs/*`) as a regular expression over the raw
 * path. Fastify's router answers only "which handler", never "which methods does this path
 * have", so the patterns are kept as routes are added.
 */
function matcherFor(url: string): RegExp {
  const source = url
    .split(/(:[A-Za-z0-9_]+(?:\([^)]*\))?|\*)/)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return part === '*' ? '.*' : '[^/]+';
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/**
 * Turns a 404 on a path that exists under other methods into 405 with `Allow` (RFC 9110 §15.5.6).
 * Unknown paths stay 404.
 */
export function installMethodNotAllowed(fastify: FastifyInstance): (request: FastifyRequest) => void {
  const patterns = new Map<string, RoutePattern>();
  fastify.addHook('onRoute', (route) => {
    const pattern = patterns.get(route.url) ?? { matcher: matcherFor(route.url), methods: new Set() };
    for (const method of [route.method].flat()) pattern.methods.add(method.toUpperCase());
    // Fastify answers HEAD for every GET route (exposeHeadRoutes), sometimes without telling onRoute.
    if (pattern.methods.has('GET')) pattern.methods.add('HEAD');
    patterns.set(route.url, pattern);
  });
  return (request) => {
    if (!request.is404) return;
    const path = request.url.split('?')[0] ?? '';
    const allow = new Set<string>();
    for (const { matcher, methods } of patterns.values()) {
      if (matcher.test(path)) for (const method of methods) allow.add(method);
    }
    if (allow.size === 0 || allow.has(request.method)) return;
    throw new MethodNotAllowedError(`${request.method} is not allowed here.`, [...allow].sort());
  };
}
