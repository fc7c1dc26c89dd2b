/**
 * The layer rules, checked over the whole import graph (transitively, through
 * any module in between) by `npm run lint:deps`. Type-only imports are not
 * dependencies at run time and are not counted.
 *
 * - The ledger domain (libs/ledger/src outside its `nest/` wiring) is plain
 *   functions over plain data: it reaches no framework, driver or SDK.
 * - A port's entry point loads no adapter: `@ledger/event-store` never
 *   reaches a database driver or the EventStoreDB client; the adapters sit
 *   behind `@ledger/event-store/sql` and `@ledger/event-store/esdb`.
 * - No import cycles.
 * - No app imports another app: what two apps share lives in a library.
 * - Production code never imports a test, a test helper or a benchmark.
 */
const FRAMEWORKS_AND_DRIVERS =
  '(^|/)node_modules/(@nestjs|pg|pg-[^/]+|@electric-sql/pglite|stripe|ioredis|bullmq|@eventstore/db-client|express|fastify|@fastify|nodemailer|passport[^/]*)/';
const DRIVERS = '(^|/)node_modules/(pg|pg-[^/]+|@electric-sql/pglite|@eventstore/db-client)/';
const TESTS = '(\\.(spec|int-spec|e2e-spec)\\.ts$|^test/|^libs/testing/|/bench/|^bench/)';

module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment:
        'The ledger domain reaches no framework, driver or SDK, directly or through another module.',
      severity: 'error',
      from: { path: '^libs/ledger/src/', pathNot: ['/nest/', TESTS] },
      to: { path: FRAMEWORKS_AND_DRIVERS, reachable: true },
    },
    {
      name: 'domain-stays-in-its-library',
      comment:
        'The ledger domain depends on no other library of this repository but the event store port (and the dependency-free `must` of @ledger/invariant).',
      severity: 'error',
      from: { path: '^libs/ledger/src/', pathNot: ['/nest/', TESTS] },
      to: { path: '^libs/(?!ledger/|invariant/|event-store/src/(?!postgres/|esdb/))' },
    },
    {
      name: 'event-store-port-loads-no-adapter',
      comment:
        "@ledger/event-store is the port; the adapters and their drivers are behind '/sql' and '/esdb'.",
      severity: 'error',
      from: { path: '^libs/event-store/src/index\\.ts$' },
      to: { path: [DRIVERS, '^libs/event-store/src/(postgres|esdb)/'], reachable: true },
    },
    {
      name: 'no-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-app-to-app',
      comment:
        'An app is a composition root: it imports libraries, never another app. Shared wiring moves to a library.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'production-code-imports-no-test',
      comment:
        'Tests, test helpers and benchmarks may import production code, never the other way round.',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: TESTS },
      to: { path: TESTS },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|^apps/web/)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
