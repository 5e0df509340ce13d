// Type checking is done once by `tsc --noEmit` (npm test runs it first); jest transpiles
// with SWC so three levels of tests stay well inside CI's time budget.
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

/**
 * NestJS 12, uuid and some of their dependencies ship ES modules only. Node itself loads
 * them through require(esm); jest's module system does not, so SWC turns every package
 * whose package.json says "type": "module" into CommonJS for the tests.
 */
function esmOnlyPackages(root = join(__dirname, 'node_modules')) {
  const names = [];
  const isEsm = (dir) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).type === 'module';
    } catch {
      return false;
    }
  };
  for (const entry of readdirSync(root)) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const sub of readdirSync(join(root, entry))) if (isEsm(join(root, entry, sub))) names.push(`${entry}/${sub}`);
    } else if (isEsm(join(root, entry))) names.push(entry);
  }
  return names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
}

const shared = {
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest'] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnlyPackages().join('|')})/)`],
  moduleNameMapper: {
    '^@ledger/(domain|event-store|crypto|audit|read-models|messaging)$': '<rootDir>/libs/$1/src/index.ts',
  },
  setupFiles: ['reflect-metadata'],
};
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/{libs,apps,test}/**/*.spec.ts'] },
    { ...shared, displayName: 'contract', testMatch: ['<rootDir>/{libs,apps,test}/**/*.contract-spec.ts'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/{libs,apps,test}/**/*.int-spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/{apps,test}/**/*.e2e-spec.ts'] },
  ],
};
