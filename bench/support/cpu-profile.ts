import { readFileSync } from 'node:fs';

/** A V8 `.cpuprofile` (what `Profiler.stop` returns), as far as this file reads it. */
interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
    readonly children?: readonly number[];
  }[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ComponentShare {
  readonly component: string;
  readonly ms: number;
  /** Of the sampled non-idle time. */
  readonly percent: number;
}

export interface ProfileSummary {
  /** Sampled time the process was not idle, ms. */
  readonly busyMs: number;
  /** Sampled time in all, ms. */
  readonly totalMs: number;
  readonly components: readonly ComponentShare[];
  /** The functions with the most self time. */
  readonly topFunctions: readonly { readonly fn: string; readonly ms: number; readonly percent: number }[];
}

const GROUPS: readonly { readonly component: string; readonly packages: RegExp }[] = [
  { component: 'JWT verification (jose)', packages: /^jose$/ },
  {
    component: 'request validation (class-validator, class-transformer)',
    packages: /^(class-validator|class-transformer|validator|libphonenumber-js)$/,
  },
  {
    component: 'logging (pino, pino-http, masking)',
    packages:
      /^(pino.*|nestjs-pino|sonic-boom|fast-redact|quick-format-unescaped|thread-stream|atomic-sleep|on-exit-leak-free|fast-safe-stringify|safe-stable-stringify)$/,
  },
  { component: 'PostgreSQL driver (pg)', packages: /^(pg|pg-.*|postgres-.*|pgpass)$/ },
  { component: 'TypeORM', packages: /^typeorm$/ },
  {
    component: 'Fastify',
    packages:
      /^(fastify|@fastify\/.*|find-my-way|light-my-request|avvio|fast-json-stringify|secure-json-parse|ajv|fast-uri|toad-cache|rfdc|proxy-addr|content-type|fast-querystring|process-warning)$/,
  },
  {
    component: 'Nest (core, platform-fastify, cqrs) and rxjs',
    packages: /^(@nestjs\/.*|rxjs|reflect-metadata|iterare|path-to-regexp|uid|tslib)$/,
  },
  { component: 'metrics (prom-client)', packages: /^(prom-client|tdigest|bintrees)$/ },
];

/** Which component a script belongs to; undefined for Node's own code (attributed to the caller). */
function componentOf(url: string): string | undefined {
  if (url === '' || url.startsWith('node:')) return undefined;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return GROUPS.find((g) => g.packages.test(pkg))?.component ?? `other packages (${pkg})`;
  const lib = /\/libs\/(?:platform\/)?([^/]+)\//.exec(url)?.[1];
  if (lib === 'logging') return 'logging (pino, pino-http, masking)';
  if (lib) return `Tongban code: ${lib}`;
  if (url.includes('/apps/')) return 'Tongban code: apps';
  return `other (${url.replace(/^.*\/(?=[^/]+\/[^/]+$)/, '')})`;
}

// A Map, not an object literal: a function named `constructor` must not find Object's.
const SPECIAL = new Map<string, string>([
  ['(garbage collector)', 'garbage collection'],
  ['(program)', 'V8 and native code outside JavaScript'],
]);

/**
 * Where a profile's samples fall, by component: each sample goes to the innermost frame of its
 * stack that belongs to a package or to our code (Node's own frames — crypto, JSON, streams —
 * count for whoever called them), or to "Node.js runtime" when none does.
 */
export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const componentCache = new Map<number, string>();
  const component = (id: number): string => {
    const cached = componentCache.get(id);
    if (cached !== undefined) return cached;
    const node = byId.get(id)!;
    const special = SPECIAL.get(node.callFrame.functionName);
    let result = special ?? componentOf(node.callFrame.url);
    if (result === undefined) {
      const up = parent.get(id);
      result = up === undefined ? 'Node.js runtime (http, net, streams, timers)' : component(up);
    }
    componentCache.set(id, result);
    return result;
  };
  const byComponent = new Map<string, number>();
  const byFunction = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    // A sample's time is the gap to the next one.
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    totalMs += ms;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(idle)') {
      idleMs += ms;
      return;
    }
    const c = component(id);
    byComponent.set(c, (byComponent.get(c) ?? 0) + ms);
    const f = node.callFrame;
    const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : 'native';
    const fn = `${f.functionName || '(anonymous)'} (${where})`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
  });
  const busyMs = totalMs - idleMs;
  const share = (ms: number): number => Math.round((1000 * ms) / Math.max(busyMs, 1e-9)) / 10;
  return {
    busyMs: Math.round(busyMs),
    totalMs: Math.round(totalMs),
    components: [...byComponent.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([c, ms]) => ({ component: c, ms: Math.round(ms), percent: share(ms) })),
    topFunctions: [...byFunction.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms: Math.round(ms), percent: share(ms) })),
  };
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const repo = /\/(libs|apps|bench)\//.exec(url);
  if (repo) return url.slice(repo.index + 1);
  return url.replace(/^file:\/\//, '');
}
