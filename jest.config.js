// @ts-check
/**
 * Test tiers by file name: *.unit.spec.ts (pure, no services), *.int.spec.ts (real PostgreSQL and
 * Kafka, started by the global setup), *.e2e.spec.ts (whole apps over HTTP on the real services).
 * `npm test` runs all three; `--selectProjects unit` runs one.
 */
const { readFileSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const tsconfig = JSON.parse(readFileSync(join(__dirname, 'tsconfig.json'), 'utf8'));

/** @tongban/* aliases from tsconfig.json, so jest and tsc can never disagree. */
const moduleNameMapper = Object.fromEntries(
  Object.entries(tsconfig.compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias.replace('/', '\\/')}$`,
    `<rootDir>/${target.replace(/^\.\//, '')}`,
  ]),
);

const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

/**
 * NestJS 12 and a growing number of other packages ship ESM only. Compiled CommonJS loads them
 * through Node's require(esm), but jest's module loader does not, so they are transformed like
 * our own sources. The list is read from node_modules rather than kept by hand: every package
 * that declares "type": "module" (a dual package's .cjs files stay untouched either way).
 */
function esmOnlyPackages() {
  const found = new Set();
  const nodeModules = join(__dirname, 'node_modules');
  const visit = (dir, name) => {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.type === 'module') found.add(name);
    } catch {
      // not a package folder
    }
  };
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const sub of readdirSync(join(nodeModules, entry)))
        visit(join(nodeModules, entry, sub), `${entry}/${sub}`);
    } else {
      visit(join(nodeModules, entry), entry);
    }
  }
  return [...found].map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}
const ESM_ONLY = esmOnlyPackages();

/** @type {import('jest').Config} */
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  // Nested copies (node_modules/x/node_modules/y) are matched by the last node_modules segment.
  transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY.join('|')})/)`],
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.data/'],
  testPathIgnorePatterns: [
    '/node_modules/',
    '<rootDir>/dist/',
    '<rootDir>/.data/',
    '<rootDir>/test/fixtures/',
  ],
};

const withServices = {
  globalSetup: '<rootDir>/test/setup/global-setup.js',
  setupFilesAfterEnv: ['<rootDir>/test/setup/slow-tier.js'],
};

/** @type {import('jest').Config} */
module.exports = {
  // Integration files share one PostgreSQL and one broker; two workers fit the 2-core machines.
  maxWorkers: 2,
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/**/*.unit.spec.ts'] },
    {
      ...base,
      ...withServices,
      displayName: 'int',
      testMatch: ['<rootDir>/**/*.int.spec.ts'],
      testTimeout: 60_000,
    },
    {
      ...base,
      ...withServices,
      displayName: 'e2e',
      testMatch: ['<rootDir>/**/*.e2e.spec.ts'],
      testTimeout: 60_000,
    },
  ],
};
