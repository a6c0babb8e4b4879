/**
 * Architecture rules, checked by `npm run depcruise` and proven to bite by
 * test/architecture/dependency-rules.unit.spec.ts.
 *
 * The domain (libs/cases, libs/directory, libs/sla) is pure TypeScript: no Nest, no I/O, no
 * infrastructure, no apps. Libraries never import apps. Cross-lib imports go through the
 * `@tongban/*` barrels, never into another lib's folder.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment:
        'The domain decides; it does not do I/O. No Nest, ORM, drivers, brokers, HTTP or Node I/O modules in libs/cases, libs/directory or libs/sla.',
      from: { path: '(^|/)libs/(cases|directory|sla)/' },
      to: {
        path: [
          'node_modules/(@nestjs|typeorm|pg|pg-[a-z-]+|kafkajs|@eventstore|@electric-sql|fastify|@fastify|nestjs-pino|pino|pino-http|prom-client|rxjs|class-validator|class-transformer|reflect-metadata)/',
          '(^|/)libs/platform/(?!errors/)',
          '(^|/)apps/',
        ],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'domain-has-no-node-io',
      severity: 'error',
      comment: 'Time and randomness arrive with the command; files, sockets and processes stay outside.',
      from: { path: '(^|/)libs/(cases|directory|sla)/' },
      to: {
        dependencyTypes: ['core'],
        path: '^(fs|net|http|https|http2|child_process|dgram|dns|tls|cluster|worker_threads)$|^node:(fs|net|http|https|http2|child_process|dgram|dns|tls|cluster|worker_threads)',
      },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '(^|/)libs/' },
      to: { path: '(^|/)apps/' },
    },
    {
      name: 'no-reaching-into-another-lib',
      severity: 'error',
      comment: 'Import another lib through its @tongban/* barrel (src/index.ts), never a file inside it.',
      from: { path: '(^|/)(libs/(platform/)?[^/]+)/' },
      to: {
        path: '(^|/)libs/(platform/)?[^/]+/src/.+',
        pathNot: ['$1/', '(^|/)libs/(platform/)?[^/]+/src/(testing/)?index\\.ts$'],
      },
    },
    {
      name: 'production-code-does-not-use-the-test-kit',
      severity: 'error',
      from: {
        path: '(^|/)(apps|libs)/',
        pathNot: [
          '\\.spec\\.ts$',
          '\\.contract\\.ts$',
          '(^|/)libs/platform/testing/',
          '(^|/)libs/[^/]+/src/testing/',
        ],
      },
      to: { path: ['(^|/)libs/platform/testing/', '(^|/)libs/[^/]+/src/testing/'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|\\.data)/' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
  },
};
