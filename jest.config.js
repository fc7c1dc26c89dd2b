/**
 * One run covers every test. `.spec.ts` files are pure; `.int-spec.ts` files
 * need a database (PGlite always, Postgres when DATABASE_URL is set, Redis when
 * REDIS_URL is set); `test/*.e2e-spec.ts` drive the HTTP API end to end.
 */
const swc = require('fs').readFileSync(__dirname + '/.swcrc', 'utf8');
const swcConfig = JSON.parse(swc);
delete swcConfig.$schema;
delete swcConfig.jsc.baseUrl;
delete swcConfig.jsc.paths;

module.exports = {
  testEnvironment: 'node',
  rootDir: __dirname,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }] },
  moduleNameMapper: {
    '^@ledger/event-store/sql$': '<rootDir>/libs/event-store/src/postgres',
    '^@ledger/event-store/esdb$': '<rootDir>/libs/event-store/src/esdb',
    '^@ledger/ledger/nest$': '<rootDir>/libs/ledger/src/nest',
    '^@ledger/audit/nest$': '<rootDir>/libs/audit/src/nest',
    '^@ledger/finance/nest$': '<rootDir>/libs/finance/src/nest',
    '^@ledger/jobs/nest$': '<rootDir>/libs/jobs/src/nest',
    '^@ledger/read-models/nest$': '<rootDir>/libs/read-models/src/nest',
    '^@ledger/service/tracing$': '<rootDir>/libs/service/src/tracing',
    '^@ledger/testing/movements$': '<rootDir>/libs/testing/src/movements',
    '^@ledger/([^/]+)$': '<rootDir>/libs/$1/src',
  },
  testTimeout: 60_000,
  // With a Postgres server, test files run one at a time. The SQL event store
  // shows readers only what committed before the oldest transaction open
  // anywhere on the server, so one file's deliberately long transactions (the
  // event store's out-of-order commit tests) would freeze what every other
  // file's readers can see, and tests that wait for quiet would wait on a
  // neighbour instead of on their own work.
  maxWorkers: process.env.DATABASE_URL ? 1 : 2,
};
