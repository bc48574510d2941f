/**
 * mocha's settings: every test file, run in two parallel jobs. The jobs take files in this order, so
 * the longest files go first (longest-first keeps one job from being left with a long file at the
 * end while the other idles): the list below, longest first by each file's wall time run alone on a
 * quiet machine (`npx mocha --no-config --node-option import=tsx --reporter .ci/timing-reporter.cjs
 * test/x.test.ts`; the pwsh and chromium files wait on their child processes, so their wall time,
 * not the mocha process's CPU, is what a job is held for), then the rest by name. A file
 * missing from the list still runs; one gone from test/ is skipped.
 */
const fs = require('node:fs');
const path = require('node:path');

const longestFirst = [
  'module-fidelity',
  'module-examples',
  'console',
  'module',
  'terminal',
  'sync',
  'catalog-import',
  'wsusss-peers',
  'service',
  'sync-resume',
  'sync-faults',
  'campaign',
  'campaign-kills',
  'protocol-client',
  'catalog-client',
  'alerts',
  'sync-core',
  'campaign-faults',
  'fetch-window',
  'completion-cache',
];

const all = fs
  .readdirSync(path.join(__dirname, 'test'))
  .filter((name) => name.endsWith('.test.ts'))
  .map((name) => name.slice(0, -'.test.ts'.length))
  .sort();
const first = longestFirst.filter((name) => all.includes(name));

module.exports = {
  'node-option': ['import=tsx'],
  spec: [...first, ...all.filter((name) => !first.includes(name))].map((name) => `test/${name}.test.ts`),
  timeout: 60000,
  reporter: 'spec',
  parallel: true,
  jobs: 2,
};
