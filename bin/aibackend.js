#!/usr/bin/env node
// Tiny launcher: the CLI is bundled into dist/ by `npm run build` (run by `npm ci`).
import('../dist/cli.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('aibackend: dist/ is missing; run `npm ci` or `npm run build` first\n');
  } else {
    process.stderr.write(`aibackend: ${err && err.message ? err.message : err}\n`);
  }
  process.exitCode = 1;
});
