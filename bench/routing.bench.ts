/**
 * Routing benchmark (issue 13): "who is my one person" lookups by address and by point over the
 * whole demo district, and the latency routing adds to intake, each beside a baseline measured in
 * the same run. In-process, no database: routing reads an in-memory directory.
 *
 *   npm run bench:routing
 *
 * Writes bench/results/routing.md and routing.json. BENCH_SCALE=0.2 shortens every timed slice
 * (a smoke run; its report says so).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  decide,
  evolve,
  initialState,
  type CaseEvent,
  type RouteCase,
  type SubmitCase,
} from '@tongban/cases';
import { routeCaseCommand } from '@tongban/case-handling';
import {
  classifyPoint,
  Directory,
  pingchengDemoDistrict,
  routeCase,
  type AddressRecord,
  type DirectorySnapshot,
  type GridRecord,
  type Point,
  type RoutingLocation,
} from '@tongban/directory';

const SCALE = Number(process.env.BENCH_SCALE ?? '1');
const SLICE_MS = 3_000 * SCALE;
const ROOT = join(__dirname, '..');

// ---- inputs ---------------------------------------------------------------------------------------

/** A seeded generator, so every run asks the same questions. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FULL_WIDTH = (text: string): string =>
  text.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

/** The ways people write one address: as recorded, prefixed, full-width, 栋/幢, with unit and room. */
function writtenForms(record: AddressRecord): string[] {
  const text = record.text;
  const forms = [text, `山西省大同市平城区${text}`, FULL_WIDTH(text), ` ${text.replace(/号楼$/, ' 栋')} `];
  if (/号楼$/.test(text)) forms.push(`${text.replace(/号楼$/, '幢')}2单元301室`, `${text}3单元`);
  return forms;
}

function addressQueries(snapshot: DirectorySnapshot, n: number): { queries: string[]; exact: string[] } {
  const next = rng(20261130);
  const queries: string[] = [];
  const exact: string[] = [];
  for (let i = 0; i < n; i++) {
    const record = snapshot.addresses[Math.floor(next() * snapshot.addresses.length)]!;
    const forms = writtenForms(record);
    queries.push(forms[i % forms.length]!);
    exact.push(record.text);
  }
  return { queries, exact };
}

function bounds(grids: readonly GridRecord[]): {
  minLng: number;
  maxLng: number;
  minLat: number;
  maxLat: number;
} {
  let minLng = Infinity;
  let maxLng = -Infinity;
  let minLat = Infinity;
  let maxLat = -Infinity;
  for (const g of grids)
    for (const p of g.boundary) {
      minLng = Math.min(minLng, p.lng);
      maxLng = Math.max(maxLng, p.lng);
      minLat = Math.min(minLat, p.lat);
      maxLat = Math.max(maxLat, p.lat);
    }
  return { minLng, maxLng, minLat, maxLat };
}

function pointQueries(snapshot: DirectorySnapshot, n: number): Point[] {
  const next = rng(7);
  const b = bounds(snapshot.grids);
  // A tenth just outside the district, the rest anywhere in its bounding box.
  return Array.from({ length: n }, (_, i) =>
    i % 10 === 0
      ? { lng: b.maxLng + 0.01 + next() * 0.05, lat: b.minLat + next() * (b.maxLat - b.minLat) }
      : { lng: b.minLng + next() * (b.maxLng - b.minLng), lat: b.minLat + next() * (b.maxLat - b.minLat) },
  );
}

// ---- measuring ------------------------------------------------------------------------------------

interface Throughput {
  readonly perSecond: number;
  readonly calls: number;
  readonly seconds: number;
}

/** Calls `fn` over the inputs round-robin for one slice of wall time; `sink` keeps results alive. */
function throughput<T>(inputs: readonly T[], fn: (input: T) => unknown): Throughput {
  let sink = 0;
  // Warm-up: JIT and caches, untimed.
  for (let i = 0; i < Math.min(inputs.length, 20_000); i++) if (fn(inputs[i]!) !== undefined) sink++;
  const started = performance.now();
  let calls = 0;
  while (performance.now() - started < SLICE_MS) {
    for (let i = 0; i < 1_000; i++) {
      if (fn(inputs[(calls + i) % inputs.length]!) !== undefined) sink++;
    }
    calls += 1_000;
  }
  const seconds = (performance.now() - started) / 1000;
  if (sink < 0) console.log(sink);
  return { perSecond: calls / seconds, calls, seconds };
}

interface Latency {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly n: number;
}

function latency(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]!, n: sorted.length };
}

// ---- intake -------------------------------------------------------------------------------------

function intakeCommands(snapshot: DirectorySnapshot, n: number): SubmitCase[] {
  const next = rng(42);
  const points = pointQueries(snapshot, n);
  const { queries } = addressQueries(snapshot, n);
  return Array.from({ length: n }, (_, i) => {
    const kind = i % 10;
    const grid = snapshot.grids[Math.floor(next() * snapshot.grids.length)]!;
    const location: RoutingLocation =
      kind < 3
        ? { gridCode: grid.code }
        : kind < 5
          ? { latitude: points[i]!.lat, longitude: points[i]!.lng }
          : kind < 9
            ? { address: queries[i]! }
            : { address: '北京市东城区东长安街1号' };
    return {
      type: 'SubmitCase',
      caseId: `case-${i}`,
      caseNumber: `PC-20261201-${String(i).padStart(6, '0')}`,
      actor: { id: 'resident-bench', role: 'resident' },
      at: '2026-12-01T09:30:00+08:00',
      channel: 'app',
      resident: { name: '测试', phone: '13800000000' },
      location,
      title: '楼道灯不亮',
      description: '楼道灯坏了一周。',
      attachments: [],
    };
  });
}

function routeCommand(directory: Directory, submitted: CaseEvent): RouteCase {
  if (submitted.type !== 'case.submitted') throw new Error('not submitted');
  const decision = routeCase(directory, { location: submitted.location, day: '2026-12-01', returns: 0 });
  return routeCaseCommand(decision, submitted.caseId, submitted.at);
}

/** Per intake: the submission decided alone (baseline) and with routing after it (what intake does now). */
function intakeLatency(directory: Directory, commands: readonly SubmitCase[]) {
  const bare: number[] = [];
  const routed: number[] = [];
  const rules = new Map<string, number>();
  for (const [i, command] of commands.entries()) {
    const measure = i >= 2_000; // the first ones warm up
    let t = performance.now();
    const events = decide(command, initialState);
    const state = events.reduce(evolve, initialState);
    const afterSubmit = performance.now();
    if (measure) bare.push(afterSubmit - t);
    t = performance.now();
    const events2 = decide(command, initialState);
    const state2 = events2.reduce(evolve, initialState);
    const route = routeCommand(directory, events2[0]!);
    const decided = decide(route, state2);
    if (measure) routed.push(performance.now() - t);
    const first = decided[0]!;
    const rule = first.type === 'case.dispatched' || first.type === 'case.routed' ? first.rule : first.type;
    rules.set(rule, (rules.get(rule) ?? 0) + 1);
    if (state.status !== 'submitted') throw new Error('not submitted');
  }
  return { bare: latency(bare), routed: latency(routed), rules: Object.fromEntries(rules) };
}

// ---- the run ------------------------------------------------------------------------------------

function commit(): string {
  try {
    const id = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync(
      'git',
      ['status', '--porcelain', '--', 'libs/directory', 'libs/cases', 'bench'],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    ).trim();
    return dirty ? `${id} + uncommitted changes` : id;
  } catch {
    return 'unknown';
  }
}

const f = (v: number, d = 0): string =>
  v.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

function main(): void {
  const loadStart = loadavg();
  const t0 = performance.now();
  const snapshot = pingchengDemoDistrict();
  const t1 = performance.now();
  const directory = Directory.indexed(snapshot);
  const t2 = performance.now();
  const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
  log(
    `demo district: ${snapshot.grids.length} grids, ${snapshot.addresses.length} addresses; built in ${f(t1 - t0)} ms, indexed in ${f(t2 - t1)} ms`,
  );

  const { queries, exact } = addressQueries(snapshot, 20_000);
  const exactIndex = new Map(snapshot.addresses.map((a) => [a.text, a]));
  const addressBaseline = throughput(exact, (text) => exactIndex.get(text));
  const address = throughput(queries, (text) => directory.placeOf(text));
  const found = queries.filter(
    (q, i) => directory.placeOf(q)?.grid === exactIndex.get(exact[i]!)?.grid,
  ).length;
  log(
    `address: ${f(address.perSecond)}/s (exact-text Map: ${f(addressBaseline.perSecond)}/s); ${found}/${queries.length} found in the right grid`,
  );

  const points = pointQueries(snapshot, 20_000);
  const brute = (p: Point) => snapshot.grids.find((g) => classifyPoint(p, g.boundary) !== 'outside');
  const pointBaseline = throughput(points.slice(0, 2_000), brute);
  const point = throughput(points, (p) => directory.gridAt(p));
  const agree = points
    .slice(0, 2_000)
    .filter((p) => (brute(p) === undefined) === (directory.gridAt(p) === undefined)).length;
  log(
    `point: ${f(point.perSecond)}/s (scan of every grid: ${f(pointBaseline.perSecond)}/s); inside/outside agrees on ${agree}/2000`,
  );

  const commands = intakeCommands(snapshot, Math.max(4_000, Math.round(22_000 * SCALE)));
  const intake = intakeLatency(directory, commands);
  log(
    `intake decision: ${f(intake.bare.p99, 3)} ms p99 alone, ${f(intake.routed.p99, 3)} ms p99 with routing (max ${f(intake.routed.max, 2)} ms)`,
  );

  const targets = [
    {
      name: 'address lookups',
      required: '≥ 5,000/s',
      actual: `${f(address.perSecond)}/s`,
      met: address.perSecond >= 5_000,
    },
    {
      name: 'point lookups',
      required: '≥ 5,000/s',
      actual: `${f(point.perSecond)}/s`,
      met: point.perSecond >= 5_000,
    },
    {
      name: 'routing added at intake, p99',
      required: '< 10 ms',
      actual: `${f(intake.routed.p99 - intake.bare.p99, 3)} ms (${f(intake.routed.p99, 3)} ms with, ${f(intake.bare.p99, 3)} ms without)`,
      met: intake.routed.p99 - intake.bare.p99 < 10,
    },
  ];
  const loadEnd = loadavg();
  const machine = {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    commit: commit(),
    load: {
      start: loadStart.map((v) => Math.round(v * 100) / 100),
      end: loadEnd.map((v) => Math.round(v * 100) / 100),
    },
  };
  const results = {
    machine,
    scale: SCALE,
    snapshot: {
      grids: snapshot.grids.length,
      addresses: snapshot.addresses.length,
      buildMs: t1 - t0,
      indexMs: t2 - t1,
    },
    address,
    addressBaseline,
    addressFoundInRightGrid: found,
    addressQueries: queries.length,
    point,
    pointBaseline,
    pointAgreement: agree,
    intake,
    targets,
  };
  writeFileSync(join(ROOT, 'bench', 'results', 'routing.json'), `${JSON.stringify(results, null, 2)}\n`);
  const md = `# Routing benchmark

Written by \`npm run bench:routing\` (\`bench/routing.bench.ts\`): lookups over the whole demo district
and the latency routing adds to intake, each beside a baseline measured in the same run. In-process,
no database (routing reads an in-memory directory).${SCALE === 1 ? '' : `\n\n**Smoke run at BENCH_SCALE=${SCALE}: do not compare with a full run.**`}

## Machine

| | |
| --- | --- |
| Date | ${machine.date} |
| CPU | ${machine.cpu}, ${machine.cores} cores |
| Memory | ${machine.memoryGiB} GiB |
| Node | ${machine.node} |
| Tongban | commit ${machine.commit} |
| Load average (1/5/15 min) | ${machine.load.start.join(' / ')} at the start; ${machine.load.end.join(' / ')} at the end |

## Method

The demo district (\`pingchengDemoDistrict()\`: ${f(snapshot.grids.length)} grids, ${f(snapshot.addresses.length)} addresses) is
built (${f(t1 - t0)} ms) and indexed (\`Directory.indexed\`: ${f(t2 - t1)} ms). Each throughput figure is calls in one
${f(SLICE_MS / 1000, 1)} s slice after an untimed warm-up, on one core.

- **Address**: 20,000 queries drawn (seeded) from the address records, each in one of its written forms in turn: as
  recorded, with 山西省大同市平城区 before it, in full-width digits, with 栋 and spaces, with 幢 and 2单元301室, with 3单元.
  Baseline: a \`Map\` of the recorded texts asked the recorded text (a lookup that tolerates nothing).
- **Point**: 20,000 seeded points in the district's bounding box, one in ten just outside it. Baseline: a scan of every
  grid with the same point-in-polygon test (2,000 points).
- **Intake**: ${f(intake.routed.n + 2_000)} submissions (three in ten by grid code, two by point, four by address, one
  outside the district), the first 2,000 untimed. Per submission: the decision alone (decide + evolve), and the same with
  routing after it (routeCase + decide RouteCase), as intake now does before its one append.

## Results

| Lookup | per second | baseline per second | ÷ baseline | note |
| --- | ---: | ---: | ---: | --- |
| address | ${f(address.perSecond)} | ${f(addressBaseline.perSecond)} (exact-text Map) | ${f(address.perSecond / addressBaseline.perSecond, 3)}× | ${f(found)}/${f(queries.length)} in the record's grid |
| point | ${f(point.perSecond)} | ${f(pointBaseline.perSecond)} (scan of every grid) | ${f(point.perSecond / pointBaseline.perSecond, 1)}× | inside/outside agrees with the scan on ${agree}/2,000 |

| Intake decision | p50 ms | p99 ms | max ms |
| --- | ---: | ---: | ---: |
| submission alone | ${f(intake.bare.p50, 3)} | ${f(intake.bare.p99, 3)} | ${f(intake.bare.max, 2)} |
| submission + routing | ${f(intake.routed.p50, 3)} | ${f(intake.routed.p99, 3)} | ${f(intake.routed.max, 2)} |

Rules chosen: ${Object.entries(intake.rules)
    .map(([rule, n]) => `${rule} ${f(n)}`)
    .join(', ')}.

## Targets

| Target | required | actual | met |
| --- | --- | --- | --- |
${targets.map((t) => `| ${t.name} | ${t.required} | ${t.actual} | ${t.met ? 'met' : '**not met**'} |`).join('\n')}
`;
  writeFileSync(join(ROOT, 'bench', 'results', 'routing.md'), md);
  log('wrote bench/results/routing.md and routing.json');
}

main();
