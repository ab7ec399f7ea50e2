#!/usr/bin/env node
// Tiny launcher. The CLI is bundled into dist/cli.cjs by `npm run build` (run by `npm ci`). The
// pre-commit hook's common case (nothing under config/ staged) is answered by dist/hook-fast.js
// without loading the CLI at all.
//
// The bundle is run through node:vm with a V8 code cache, as Node 22's module.enableCompileCache()
// does for its own modules and as v8-compile-cache does for CommonJS: the first run keeps the
// compiled bytecode in $XDG_CACHE_HOME/aibackend (~/.cache/aibackend), later runs skip parsing
// and compiling it. The first run of each command adds that command's functions to it. V8 checks
// the cache against its own version and flags and refuses it when they differ; the file's key
// (Node version, bundle size and mtime) catches a rebuilt bundle.
// No cache dir, an unreadable or refused cache, or AIBACKEND_COMPILE_CACHE=0: the bundle is
// simply compiled, as without a cache.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

// Node 22.1+ keeps compiled bytecode of ES modules between runs (dist/hook-fast.js).
module.enableCompileCache?.();

const bundle = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
const args = process.argv.slice(2);

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

/** The command word of this run (`validate`, `hook`), or `-` for none (`--help`): what the cache has seen. */
function commandWord() {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-C' || args[i] === '--config-dir') i++;
    else if (!args[i].startsWith('-')) return /^[a-z][a-z-]*$/.test(args[i]) ? args[i] : '?';
  }
  return '-';
}

/** The cache file's parts: a key line (which Node, which build), a line of the commands it has seen, V8's data. */
function readCache(file, key) {
  const fd = openSync(file, 'r');
  try {
    // Only a cache this user wrote: under sudo with the caller's HOME, code planted by someone else would run.
    if (process.getuid && fstatSync(fd).uid !== process.getuid()) return undefined;
    const data = readFileSync(fd);
    if (!data.subarray(0, key.length).equals(key)) return undefined;
    const end = data.indexOf(0x0a, key.length);
    if (end < 0) return undefined;
    return { seen: data.subarray(key.length, end).toString('latin1').split(' '), code: data.subarray(end + 1) };
  } finally {
    closeSync(fd);
  }
}

function runBundle() {
  // ASCII (scripts/build.mjs has esbuild escape the rest): latin1 decodes it faster than utf8.
  const source = readFileSync(bundle, 'latin1');
  const st = statSync(bundle);
  const key = Buffer.from(`${process.version} ${process.arch} ${st.size} ${st.mtimeMs}\n`);
  const file = cacheFile();
  const command = commandWord();
  let cached;
  try {
    cached = file && readCache(file, key);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(module.wrap(source), {
    filename: bundle,
    cachedData: cached?.code,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // grown: a hit for a command the cache has not seen; rewritten with what this command compiled too.
  const state = !file ? 'off' : !cached ? 'miss' : script.cachedDataRejected ? 'rejected' : cached.seen.includes(command) ? 'hit' : 'grown';
  process.once('exit', () => {
    if (state !== 'hit' && state !== 'off') {
      // After the run: the cache then holds the functions this command compiled, not just the top level.
      const seen = state === 'grown' ? [...cached.seen, command] : [command];
      const tmp = `${file}.${process.pid}.tmp`;
      try {
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        writeFileSync(tmp, Buffer.concat([key, Buffer.from(`${seen.join(' ')}\n`), script.createCachedData()]), { mode: 0o600 });
        renameSync(tmp, file);
      } catch {
        // a cache that cannot be written is no cache; nor is half of one left behind
        try {
          rmSync(tmp, { force: true });
        } catch {
          // there was no directory to leave it in
        }
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
const hookRun = args.at(-2) === 'hook' && args.at(-1) === 'run';
(hookRun ? import('../dist/hook-fast.js').then((m) => m.nothingToCheck(process.argv)) : Promise.resolve(false))
  .then((done) => (done ? undefined : runBundle()))
  .catch(fail);
