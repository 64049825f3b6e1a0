// Two projects: fast pure unit tests, and integration tests that talk to the real
// PostgreSQL, Redis, worker processes and the simulator. Each integration file
// creates its own database and Redis key prefix, so files may run in parallel.
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.json');

const shared = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  // Transpile only (tsconfig.spec.json: isolatedModules); `npm run build` type-checks everything first.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', diagnostics: false }] },
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: '<rootDir>/' }),
};

module.exports = {
  // Three: most integration time is spent waiting on simulated servers, not on the 2 cores.
  maxWorkers: 3,
  // Integration tests drive real processes; a project-level testTimeout is not honoured by Jest 30.
  testTimeout: 120000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'], testTimeout: 120000, slowTestThreshold: 30 },
  ],
};
