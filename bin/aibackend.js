#!/usr/bin/env node
// Tiny launcher: the CLI is bundled into dist/ by `npm run build` (run by `npm ci`). The
// pre-commit hook's common case (nothing under config/ staged) is answered by dist/hook-fast.js
// without loading the CLI at all.
import module from 'node:module';
// Node 22.1+ keeps compiled bytecode between runs (a no-op on Node 20, which lacks it).
module.enableCompileCache?.();
const missing = (err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
    process.stderr.write('aibackend: dist/ is missing; run `npm ci` or `npm run build` first\n');
  } else {
    process.stderr.write(`aibackend: ${err && err.message ? err.message : err}\n`);
  }
  process.exitCode = 1;
};
const args = process.argv.slice(2);
const hookRun = args.at(-2) === 'hook' && args.at(-1) === 'run';
(hookRun ? import('../dist/hook-fast.js').then((m) => m.nothingToCheck(process.argv)) : Promise.resolve(false))
  .then((done) => (done ? undefined : import('../dist/cli.js')))
  .catch(missing);
