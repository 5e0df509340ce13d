// Type checking is done once by `tsc --noEmit` (npm test runs it first); jest transpiles
// with SWC so three levels of tests stay well inside CI's time budget.
const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  // uuid and canonicalize ship ESM only; SWC turns them into CommonJS for jest.
  transformIgnorePatterns: ['/node_modules/(?!(uuid|canonicalize)/)'],
  moduleNameMapper: {
    // ...and export only an `import` condition, which jest's resolver does not follow.
    '^canonicalize$': '<rootDir>/node_modules/canonicalize/lib/canonicalize.js',
    '^uuid$': '<rootDir>/node_modules/uuid/dist-node/index.js',
    '^@ledger/(domain|event-store|crypto|audit|read-models|messaging)$': '<rootDir>/libs/$1/src/index.ts',
  },
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{libs,apps}/**/*.spec.ts'] },
    { ...shared, displayName: 'contract', testMatch: ['<rootDir>/{libs,apps,test}/**/*.contract-spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/{apps,test}/**/*.e2e-spec.ts'] },
  ],
};
