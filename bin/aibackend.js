#!/usr/bin/env node
// Tiny launcher. The CLI is bundled into dist/cli.cjs by `npm run build` (run by `npm ci`). The
// pre-commit hook's common case (nothing under config/ staged) is answered by dist/hook-fast.js
// without loading the CLI at all.
//
// The bundle is run through node:vm with a V8 code cache, as Node 22's module.enableCompileCache()
// does for its own modules and as v8-compile-cache does for CommonJS: the first run keeps the
// compiled bytecode in $XDG_CACHE_HOME/aibackend (~/.cache/aibackend), later runs skip parsing
// and compiling it. V8 checks the cache against its own version and flags and refuses it when
// they differ; the file's key (Node version, bundle size and mtime) catches a rebuilt bundle.
// No cache dir, an unreadable or refused cache, or AIBACKEND_COMPILE_CACHE=0: the bundle is
// simply compiled, as without a cache.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

// Node 22.1+ keeps compiled bytecode of ES modules between runs (dist/hook-fast.js).
module.enableCompileCache?.();

const bundle = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));

function cacheFile() {
  if (process.env.AIBACKEND_COMPILE_CACHE === '0') return undefined;
  const base = process.env.XDG_CACHE_HOME || (os.homedir() && path.join(os.homedir(), '.cache'));
  if (!base || !path.isAbsolute(base)) return undefined;
  // One file per installation and Node version (two Nodes in turn do not evict each other): a hash
  // of the bundle's path and the version name it; the key inside says which build.
  let h = 5381;
  for (const c of bundle) h = ((h * 33) ^ c.charCodeAt(0)) >>> 0;
  return path.join(base, 'aibackend', `compile-cache-${h.toString(16)}-${process.version}-${process.arch}.bin`);
}

function runBundle() {
  // ASCII (scripts/build.mjs has esbuild escape the rest): latin1 decodes it faster than utf8.
  const source = readFileSync(bundle, 'latin1');
  const st = statSync(bundle);
  const key = Buffer.from(`${process.version} ${process.arch} ${st.size} ${st.mtimeMs}\n`);
  const file = cacheFile();
  let cached;
  if (file) {
    try {
      const fd = openSync(file, 'r');
      try {
        // Only a cache this user wrote: under sudo with the caller's HOME, code planted by someone else would run.
        const owner = fstatSync(fd).uid;
        const data = process.getuid && owner !== process.getuid() ? Buffer.alloc(0) : readFileSync(fd);
        if (data.subarray(0, key.length).equals(key)) cached = data.subarray(key.length);
      } finally {
        closeSync(fd);
      }
    } catch {
      // no cache yet
    }
  }
  const script = new vm.Script(module.wrap(source), {
    filename: bundle,
    cachedData: cached,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const state = !file ? 'off' : !cached ? 'miss' : script.cachedDataRejected ? 'rejected' : 'hit';
  process.once('exit', () => {
    if (state === 'miss' || state === 'rejected') {
      // After the run: the cache then holds the functions this command compiled, not just the top level.
      try {
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.tmp`;
        writeFileSync(tmp, Buffer.concat([key, script.createCachedData()]), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // a cache that cannot be written is no cache
      }
    }
    if (process.env.AIBACKEND_STATS) process.stderr.write(`aibackend-stats: compile_cache=${state}\n`);
  });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, module.createRequire(bundle), mod, bundle, path.dirname(bundle));
}

const fail = (err) => {
  if (err && ((err.code === 'ENOENT' && err.path === bundle) || err.code === 'ERR_MODULE_NOT_FOUND')) {
    process.stderr.write('aibackend: dist/ is missing; run `npm ci` or `npm run build` first\n');
  } else {
    process.stderr.write(`aibackend: ${err && err.message ? err.message : err}\n`);
  }
  process.exitCode = 1;
};
const args = process.argv.slice(2);
const hookRun = args.at(-2) === 'hook' && args.at(-1) === 'run';
(hookRun ? import('../dist/hook-fast.js').then((m) => m.nothingToCheck(process.argv)) : Promise.resolve(false))
  .then((done) => (done ? undefined : runBundle()))
  .catch(fail);
