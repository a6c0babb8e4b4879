import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '@tongban/config';
import * as contracts from '@tongban/contracts';
import { load, loadAll } from 'js-yaml';

/**
 * The production manifests (infra/deploy/kubernetes), the one-machine stack (infra/scripts/stack.sh),
 * the npm scripts and the deployables' own modules describe the same four processes. Nothing runs
 * the manifests here, so this test is what keeps them honest (house style 13): each rule is a
 * function returning its problems, checked on the real files and on a broken copy.
 */

const root = join(__dirname, '..', '..');
const deployDir = join(root, 'infra', 'deploy', 'kubernetes');
const APPS = ['api', 'relay', 'projector', 'sla-watcher'] as const;
type App = (typeof APPS)[number];

/**
 * Variables stack.sh gives an app that its manifest deliberately does not set. Production verifies
 * RS256 tokens from the identity provider (AUTH_JWKS_URL in the ConfigMap); the stack signs and
 * verifies HS256 dev tokens with a secret of its own, which must never reach a cluster.
 */
const DEV_ONLY_VARIABLES: ReadonlySet<string> = new Set(['AUTH_JWT_SECRET']);

const HEALTH = { live: '/health/live', ready: '/health/ready' } as const;

// ------------------------------------------------------------ the sources ---

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    configMapKeyRef?: { name: string; key: string };
  };
}
interface Probe {
  httpGet?: { path: string; port: string | number };
}
interface Container {
  name: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name?: string; containerPort: number }[];
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
}
interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  terminationGracePeriodSeconds?: number;
}
interface K8sObject {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { replicas?: number; template?: { spec: PodSpec } };
}

function readManifests(): K8sObject[] {
  return listedFiles().flatMap((file) =>
    (loadAll(readFileSync(join(deployDir, file), 'utf8')) as (K8sObject | null)[]).filter(
      (doc): doc is K8sObject => doc !== null,
    ),
  );
}

function listedFiles(): string[] {
  const kustomization = load(readFileSync(join(deployDir, 'kustomization.yaml'), 'utf8')) as {
    resources: string[];
  };
  return kustomization.resources;
}

interface AppModule {
  readonly defaultPort: number;
  readonly required: readonly string[];
}

/** What each deployable's module declares: its default HTTP_PORT and its required settings. */
function readModules(): Record<App, AppModule> {
  const entries = APPS.map((app): [App, AppModule] => {
    const source = readFileSync(join(root, 'apps', app, 'src', `${app}.module.ts`), 'utf8');
    const port = /defaultPort:\s*(\d+)/.exec(source)?.[1];
    const required = /required:\s*\[([^\]]*)\]/.exec(source)?.[1];
    if (port === undefined || required === undefined) {
      throw new Error(`apps/${app}/src/${app}.module.ts: no defaultPort or required list found`);
    }
    return [
      app,
      { defaultPort: Number(port), required: [...required.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]!) },
    ];
  });
  return Object.fromEntries(entries) as Record<App, AppModule>;
}

interface StackScript {
  /** Variable names stack.sh starts each app with (the common ones and the app's own). */
  readonly env: Record<App, readonly string[]>;
  /** Default port of each app (STACK_<APP>_PORT). */
  readonly ports: Record<App, number>;
  /** The entry point, with `$1` for the app. */
  readonly main: string;
}

const names = (text: string): string[] => [...text.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1]!);

function parseStackScript(text: string): StackScript {
  const body = /^app_env\(\) \{\n([\s\S]*?)\n\}$/m.exec(text)?.[1];
  const common = body && /APP_ENV=\(\n([\s\S]*?)\n\s*\)/.exec(body)?.[1];
  if (!body || !common) throw new Error('stack.sh: app_env() and its APP_ENV=( … ) block not found');
  const env = {} as Record<App, readonly string[]>;
  const ports = {} as Record<App, number>;
  for (const app of APPS) {
    const arm = new RegExp(`^\\s*${app}\\) APP_ENV\\+=\\((.*)\\) ;;$`, 'm').exec(body)?.[1];
    const varName = `STACK_${app.toUpperCase().replace('-', '_')}_PORT`;
    const port = new RegExp(`\\$\\{${varName}:-(\\d+)\\}`).exec(text)?.[1];
    if (arm === undefined || port === undefined)
      throw new Error(`stack.sh: no app_env arm or ${varName} for ${app}`);
    env[app] = [...names(common), ...names(arm)];
    ports[app] = Number(port);
  }
  const main = /^main_of\(\) \{ echo "\$REPO_ROOT\/(\S+)"; \}$/m.exec(text)?.[1];
  if (!main) throw new Error('stack.sh: main_of() not found');
  return { env, ports, main };
}

// ------------------------------------------------------------ lookups ---

function find(manifests: readonly K8sObject[], kind: string, name: string): K8sObject {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in infra/deploy/kubernetes`);
  return found;
}

function appContainer(manifests: readonly K8sObject[], app: App): Container {
  const container = find(manifests, 'Deployment', app).spec?.template?.spec.containers.find(
    (c) => c.name === app,
  );
  if (!container) throw new Error(`Deployment ${app} has no container named ${app}`);
  return container;
}

/**
 * Every variable the container is given, with its value when the manifests say it (a literal or a
 * ConfigMap key; `undefined` for a Secret's). A whole Secret through envFrom would hide its names,
 * so it is a problem of its own.
 */
function containerEnv(
  manifests: readonly K8sObject[],
  container: Container,
): Map<string, string | undefined> {
  const env = new Map<string, string | undefined>();
  for (const source of container.envFrom ?? []) {
    if (source.secretRef)
      throw new Error(`${container.name}: envFrom a Secret hides which variables it sets`);
    if (source.configMapRef) {
      for (const [key, value] of Object.entries(
        find(manifests, 'ConfigMap', source.configMapRef.name).data ?? {},
      )) {
        env.set(key, value);
      }
    }
  }
  for (const v of container.env ?? []) {
    const ref = v.valueFrom?.configMapKeyRef;
    env.set(v.name, ref ? find(manifests, 'ConfigMap', ref.name).data?.[ref.key] : v.value);
  }
  return env;
}

// ------------------------------------------------------------ the rules ---

const KNOWN: ReadonlySet<string> = new Set<string>(ENVIRONMENT_VARIABLES);

function unknownVariables(manifests: readonly K8sObject[]): string[] {
  return APPS.flatMap((app) =>
    [...containerEnv(manifests, appContainer(manifests, app)).keys()]
      .filter((name) => !KNOWN.has(name))
      .map((name) => `${app}: ${name} is not a Tongban setting`),
  );
}

function stackVariablesMissing(manifests: readonly K8sObject[], stack: StackScript): string[] {
  return APPS.flatMap((app) => {
    const set = containerEnv(manifests, appContainer(manifests, app));
    return stack.env[app].flatMap((name) => [
      ...(KNOWN.has(name) ? [] : [`stack.sh ${app}: ${name} is not a Tongban setting`]),
      ...(set.has(name) || DEV_ONLY_VARIABLES.has(name)
        ? []
        : [`${app}: stack.sh sets ${name}, the manifest does not (nor is it dev-only)`]),
    ]);
  });
}

function requiredMissing(manifests: readonly K8sObject[], modules: Record<App, AppModule>): string[] {
  return APPS.flatMap((app) => {
    const env = containerEnv(manifests, appContainer(manifests, app));
    return modules[app].required
      .filter((name) => !env.has(name))
      .map((name) => `${app}: required ${name} not set`);
  });
}

function portProblems(
  manifests: readonly K8sObject[],
  modules: Record<App, AppModule>,
  stack: StackScript,
): string[] {
  return APPS.flatMap((app) => {
    const problems: string[] = [];
    const container = appContainer(manifests, app);
    const env = containerEnv(manifests, container);
    const httpPort = Number(env.get('HTTP_PORT') ?? modules[app].defaultPort);
    const ports = container.ports ?? [];
    const http = ports.find((p) => p.name === 'http');
    if (http?.containerPort !== httpPort) {
      problems.push(`${app}: containerPort "http" is ${http?.containerPort}, HTTP_PORT is ${httpPort}`);
    }
    const metricsPort = env.get('METRICS_PORT');
    if (
      metricsPort !== undefined &&
      ports.find((p) => p.name === 'metrics')?.containerPort !== Number(metricsPort)
    ) {
      problems.push(`${app}: METRICS_PORT is ${metricsPort}, no containerPort "metrics" says so`);
    }
    const probes: [string, Probe | undefined, string][] = [
      ['livenessProbe', container.livenessProbe, HEALTH.live],
      ['readinessProbe', container.readinessProbe, HEALTH.ready],
      ...(container.startupProbe
        ? [['startupProbe', container.startupProbe, HEALTH.live] as [string, Probe, string]]
        : []),
    ];
    for (const [kind, probe, path] of probes) {
      const get = probe?.httpGet;
      if (get?.path !== path) problems.push(`${app}: ${kind} path is ${get?.path}, not ${path}`);
      if (get?.port !== 'http' && get?.port !== httpPort) {
        problems.push(`${app}: ${kind} probes port ${get?.port}, not HTTP_PORT ${httpPort}`);
      }
    }
    if (stack.ports[app] !== modules[app].defaultPort) {
      problems.push(
        `${app}: stack.sh's default port ${stack.ports[app]} is not the app's ${modules[app].defaultPort}`,
      );
    }
    return problems;
  });
}

/** Graceful shutdown fits: preStop pause + SHUTDOWN_GRACE_MS end before Kubernetes sends SIGKILL. */
function shutdownProblems(manifests: readonly K8sObject[]): string[] {
  return APPS.flatMap((app) => {
    const pod = find(manifests, 'Deployment', app).spec?.template?.spec;
    const container = appContainer(manifests, app);
    const grace = Number(containerEnv(manifests, container).get('SHUTDOWN_GRACE_MS') ?? 10_000);
    const preStop = container.lifecycle?.preStop?.exec?.command;
    const pause = preStop?.[0] === 'sleep' ? Number(preStop[1]) * 1000 : 0;
    const total = (pod?.terminationGracePeriodSeconds ?? 30) * 1000;
    return pause + grace < total
      ? []
      : [
          `${app}: terminationGracePeriodSeconds ${total / 1000}s ≤ preStop ${pause / 1000}s + SHUTDOWN_GRACE_MS ${grace / 1000}s`,
        ];
  });
}

const MIN_REPLICAS: Record<App, { min: number; max?: number }> = {
  api: { min: 2 },
  // One active by lease, one standby: a third would only wait too.
  relay: { min: 2, max: 2 },
  projector: { min: 2 },
  'sla-watcher': { min: 2 },
};

function capacityProblems(manifests: readonly K8sObject[]): string[] {
  return APPS.flatMap((app) => {
    const problems: string[] = [];
    const replicas = find(manifests, 'Deployment', app).spec?.replicas ?? 1;
    const { min, max } = MIN_REPLICAS[app];
    if (replicas < min || (max !== undefined && replicas > max)) {
      problems.push(`${app}: ${replicas} replicas, want ${max === min ? min : `≥ ${min}`}`);
    }
    const resources = appContainer(manifests, app).resources;
    for (const part of ['requests', 'limits'] as const) {
      for (const what of ['cpu', 'memory']) {
        if (!resources?.[part]?.[what]) problems.push(`${app}: no ${what} ${part}`);
      }
    }
    return problems;
  });
}

function properties(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line): [string, string] => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

function kafkaProblems(manifests: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const replicas = find(manifests, 'StatefulSet', 'kafka').spec?.replicas;
  if (replicas !== 3) problems.push(`kafka: ${replicas} brokers, want 3`);
  const props = properties(find(manifests, 'ConfigMap', 'kafka-config').data?.['server.properties'] ?? '');
  const want: Record<string, string> = {
    'min.insync.replicas': '2',
    'default.replication.factor': '3',
    'unclean.leader.election.enable': 'false',
    'offsets.topic.replication.factor': '3',
    'transaction.state.log.min.isr': '2',
  };
  for (const [key, value] of Object.entries(want)) {
    if (props.get(key) !== value) problems.push(`kafka: ${key}=${props.get(key)}, want ${value}`);
  }
  const voters = (props.get('controller.quorum.voters') ?? '').split(',').filter(Boolean);
  if (voters.length !== 3) problems.push(`kafka: ${voters.length} controller voters, want 3`);
  const brokers = (find(manifests, 'ConfigMap', 'tongban-config').data?.['KAFKA_BROKERS'] ?? '').split(',');
  if (brokers.length !== 3) problems.push(`KAFKA_BROKERS names ${brokers.length} brokers, want all 3`);
  return problems;
}

/** Every topic @tongban/contracts exports: the `…_TOPIC` string constants. */
const CONTRACT_TOPICS = Object.entries(contracts)
  .filter(([key, value]) => key.endsWith('_TOPIC') && typeof value === 'string')
  .map(([, value]) => value as string)
  .sort();

function topicProblems(manifests: readonly K8sObject[]): string[] {
  const script = (c: Container | undefined) => [...(c?.command ?? []), ...(c?.args ?? [])].join('\n');
  const created = script(find(manifests, 'Job', 'kafka-topics').spec?.template?.spec.containers[0]);
  const awaited = script(
    find(manifests, 'Deployment', 'relay').spec?.template?.spec.initContainers?.find(
      (c) => c.name === 'wait-for-topics',
    ),
  );
  const topics = (text: string) => [...new Set(text.match(/\btongban\.[a-z0-9.-]*[a-z0-9]/g) ?? [])].sort();
  const problems: string[] = [];
  for (const [where, text] of [
    ['kafka-topics Job', created],
    ['relay wait-for-topics', awaited],
  ] as const) {
    const found = topics(text);
    for (const t of CONTRACT_TOPICS.filter((t) => !found.includes(t))) problems.push(`${where}: misses ${t}`);
    for (const t of found.filter((t) => !CONTRACT_TOPICS.includes(t)))
      problems.push(`${where}: ${t} is no contract topic`);
  }
  return problems;
}

type PackageScripts = Record<string, string | undefined>;

/** The manifest, stack.sh and `npm run start:<app>` run the same entry point of the build. */
function entryPointProblems(
  manifests: readonly K8sObject[],
  stack: StackScript,
  scripts: PackageScripts,
): string[] {
  return APPS.flatMap((app) => {
    const main = `dist/apps/${app}/apps/${app}/src/main.js`;
    const problems: string[] = [];
    const command = appContainer(manifests, app).command ?? [];
    if (command.join(' ') !== `node ${main}`) problems.push(`${app}: container runs "${command.join(' ')}"`);
    if (stack.main.replaceAll('$1', app) !== main) problems.push(`${app}: stack.sh runs ${stack.main}`);
    if (scripts[`start:${app}`] !== `node ${main}`) {
      problems.push(`${app}: npm script start:${app} is "${scripts[`start:${app}`]}", want "node ${main}"`);
    }
    return problems;
  });
}

// ------------------------------------------------------------ the tests ---

describe('deploy manifests, stack.sh and the deployables agree', () => {
  const manifests = readManifests();
  const modules = readModules();
  const stack = parseStackScript(readFileSync(join(root, 'infra', 'scripts', 'stack.sh'), 'utf8'));
  const scripts = (
    JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: PackageScripts }
  ).scripts;
  /** A deep copy to break; the real parse stays as read. */
  const copy = (): K8sObject[] => structuredClone(manifests);

  it('kustomization lists every manifest in the folder, and nothing else', () => {
    const files = readdirSync(deployDir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');
    expect([...listedFiles()].sort()).toEqual(files.sort());
  });

  it('parses stack.sh: every app has its environment and port', () => {
    for (const app of APPS)
      expect(stack.env[app]).toEqual(expect.arrayContaining(['DATABASE_URL', 'HTTP_PORT']));
    // A module that named no required settings would make that rule vacuous.
    for (const app of APPS) expect(modules[app].required).toContain('DATABASE_URL');
  });

  describe('every variable a manifest gives an app is a Tongban setting', () => {
    it('holds', () => expect(unknownVariables(manifests)).toEqual([]));
    it('fails on a misspelt one', () => {
      const broken = copy();
      appContainer(broken, 'projector').env?.push({ name: 'PROJECTION_BATCHSIZE', value: '10' });
      expect(unknownVariables(broken)).toEqual(['projector: PROJECTION_BATCHSIZE is not a Tongban setting']);
    });
    it('fails on one hidden in the shared ConfigMap', () => {
      const broken = copy();
      find(broken, 'ConfigMap', 'tongban-config').data!['KAFKA_BROKER'] = 'kafka:9092';
      expect(unknownVariables(broken)).toHaveLength(APPS.length);
    });
  });

  describe('what stack.sh gives an app, its manifest sets too (or it is dev-only)', () => {
    it('holds', () => expect(stackVariablesMissing(manifests, stack)).toEqual([]));
    it('fails when a manifest drops one', () => {
      const broken = copy();
      const relay = appContainer(broken, 'relay');
      relay.env = relay.env?.filter((v) => v.name !== 'HTTP_PORT');
      expect(stackVariablesMissing(broken, stack)).toEqual([
        'relay: stack.sh sets HTTP_PORT, the manifest does not (nor is it dev-only)',
      ]);
    });
    it('fails when stack.sh gains one no manifest sets', () => {
      const broken = { ...stack, env: { ...stack.env, api: [...stack.env.api, 'CASE_ROUTING'] } };
      expect(stackVariablesMissing(manifests, broken)).toEqual([
        'api: stack.sh sets CASE_ROUTING, the manifest does not (nor is it dev-only)',
      ]);
    });
    it('fails when stack.sh sets something that is no setting', () => {
      const broken = { ...stack, env: { ...stack.env, relay: [...stack.env.relay, 'RELAY_LEASE'] } };
      expect(stackVariablesMissing(manifests, broken)).toContain(
        'stack.sh relay: RELAY_LEASE is not a Tongban setting',
      );
    });
  });

  describe("each app's required settings (its module's `required`) are provided", () => {
    it('holds', () => expect(requiredMissing(manifests, modules)).toEqual([]));
    it('fails without KAFKA_BROKERS', () => {
      const broken = copy();
      delete find(broken, 'ConfigMap', 'tongban-config').data!['KAFKA_BROKERS'];
      expect(requiredMissing(broken, modules).sort()).toEqual(
        APPS.filter((a) => modules[a].required.includes('KAFKA_BROKERS'))
          .map((a) => `${a}: required KAFKA_BROKERS not set`)
          .sort(),
      );
    });
  });

  describe('container ports match HTTP_PORT and the probes hit it on the real health paths', () => {
    it('holds', () => expect(portProblems(manifests, modules, stack)).toEqual([]));
    it('fails when HTTP_PORT and the container port part', () => {
      const broken = copy();
      appContainer(broken, 'sla-watcher').env!.find((v) => v.name === 'HTTP_PORT')!.value = '3300';
      expect(portProblems(broken, modules, stack)).toEqual([
        'sla-watcher: containerPort "http" is 3003, HTTP_PORT is 3300',
      ]);
    });
    it('fails on a probe of a path that does not exist', () => {
      const broken = copy();
      appContainer(broken, 'api').readinessProbe!.httpGet!.path = '/healthz';
      expect(portProblems(broken, modules, stack)).toEqual([
        'api: readinessProbe path is /healthz, not /health/ready',
      ]);
    });
    it('fails on a probe of another port', () => {
      const broken = copy();
      appContainer(broken, 'relay').livenessProbe!.httpGet!.port = 'metrics';
      expect(portProblems(broken, modules, stack)).toEqual([
        'relay: livenessProbe probes port metrics, not HTTP_PORT 3001',
      ]);
    });
    it("fails when stack.sh's default port is not the app's", () => {
      const broken = { ...stack, ports: { ...stack.ports, projector: 3012 } };
      expect(portProblems(manifests, modules, broken)).toEqual([
        "projector: stack.sh's default port 3012 is not the app's 3002",
      ]);
    });
  });

  describe('a graceful shutdown fits in terminationGracePeriodSeconds', () => {
    it('holds', () => expect(shutdownProblems(manifests)).toEqual([]));
    it('fails when SHUTDOWN_GRACE_MS outgrows it', () => {
      const broken = copy();
      find(broken, 'ConfigMap', 'tongban-config').data!['SHUTDOWN_GRACE_MS'] = '30000';
      expect(shutdownProblems(broken)).toHaveLength(APPS.length);
    });
  });

  describe('replicas and resources', () => {
    it('holds', () => expect(capacityProblems(manifests)).toEqual([]));
    it('fails on a single api and a third relay', () => {
      const broken = copy();
      find(broken, 'Deployment', 'api').spec!.replicas = 1;
      find(broken, 'Deployment', 'relay').spec!.replicas = 3;
      delete appContainer(broken, 'projector').resources!.limits;
      expect(capacityProblems(broken)).toEqual([
        'api: 1 replicas, want ≥ 2',
        'relay: 3 replicas, want 2',
        'projector: no cpu limits',
        'projector: no memory limits',
      ]);
    });
  });

  describe('Kafka: 3 brokers, replication factor 3, min.insync.replicas=2, no unclean election', () => {
    it('holds', () => expect(kafkaProblems(manifests)).toEqual([]));
    it('fails on min.insync.replicas=1', () => {
      const broken = copy();
      const data = find(broken, 'ConfigMap', 'kafka-config').data!;
      data['server.properties'] = data['server.properties']!.replace(
        'min.insync.replicas=2',
        'min.insync.replicas=1',
      );
      expect(kafkaProblems(broken)).toEqual(['kafka: min.insync.replicas=1, want 2']);
    });
    it('fails on a single broker', () => {
      const broken = copy();
      find(broken, 'StatefulSet', 'kafka').spec!.replicas = 1;
      expect(kafkaProblems(broken)).toEqual(['kafka: 1 brokers, want 3']);
    });
  });

  describe('the topics the manifests name are the ones @tongban/contracts exports', () => {
    it('finds the contract topics', () => expect(CONTRACT_TOPICS).toContain(contracts.CASE_EVENTS_TOPIC));
    it('holds', () => expect(topicProblems(manifests)).toEqual([]));
    it('fails on a topic name that drifted', () => {
      const broken = copy();
      const job = find(broken, 'Job', 'kafka-topics').spec!.template!.spec.containers[0]!;
      job.args = job.args!.map((a) => a.replace('tongban.case-events.v1 ', 'tongban.case-events.v2 '));
      expect(topicProblems(broken)).toEqual([
        `kafka-topics Job: misses ${contracts.CASE_EVENTS_TOPIC}`,
        'kafka-topics Job: tongban.case-events.v2 is no contract topic',
      ]);
    });
  });

  describe('manifest, stack.sh and npm scripts run the same entry point', () => {
    it('holds', () => expect(entryPointProblems(manifests, stack, scripts)).toEqual([]));
    it('fails when a container runs another file', () => {
      const broken = copy();
      appContainer(broken, 'projector').command = ['node', 'dist/apps/projector/main.js'];
      expect(entryPointProblems(broken, stack, scripts)).toEqual([
        'projector: container runs "node dist/apps/projector/main.js"',
      ]);
    });
    it('fails when an npm script runs the sources', () => {
      expect(entryPointProblems(manifests, stack, { ...scripts, 'start:relay': 'nest start relay' })).toEqual(
        [
          'relay: npm script start:relay is "nest start relay", want "node dist/apps/relay/apps/relay/src/main.js"',
        ],
      );
    });
  });
});
