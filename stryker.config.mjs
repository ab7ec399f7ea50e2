// Mutation testing of the pure core with the unit tests (issue 15): `npm run mutation`. Not part of
// CI: on a 2-core machine it takes tens of minutes. Reports go to reports/mutation/ (git-ignored).
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: [
    'src/config/rules/**/*.ts',
    'src/config/compile/**/*.ts',
    'src/config/emit/**/*.ts',
    'src/util/suggest.ts',
    'src/util/secrets.ts',
    'src/config/check-config.ts',
    'src/config/output-status.ts',
    'src/config/load/source-doc.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  // Re-runs reuse the results of mutants whose code and covering tests did not change.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  thresholds: { high: 85, low: 70, break: null },
};
