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
// V8 accepts cached code made for another source of the same length, and the key above is public,
// so a cache file is trusted only when its HMAC, made with a per-user random key, is right: the
// key lives apart from the cache ($XDG_STATE_HOME/aibackend, ~/.local/state/aibackend; 0600, this
// user's), so a cache restored by CI or planted under an XDG_CACHE_HOME inside a checkout cannot
// carry a valid one. The check runs before V8 sees the data (about 0.5 ms for 0.8 MB).
// No cache dir, an unreadable, unsigned or refused cache, or AIBACKEND_COMPILE_CACHE=0: the bundle
// is simply compiled, as without a cache.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
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

const MAC_BYTES = 32;

/** This user's signing key for the cache, made on first use; undefined when none can be had safely. */
function signingKey() {
  const base = process.env.XDG_STATE_HOME || (os.homedir() && path.join(os.homedir(), '.local', 'state'));
  if (!base || !path.isAbsolute(base)) return undefined;
  const dir = path.join(base, 'aibackend');
  const file = path.join(dir, 'compile-cache.key');
  const mine = (fd) => {
    const st = fstatSync(fd);
    return st.isFile() && (!process.getuid || st.uid === process.getuid()) && (st.mode & 0o077) === 0 && st.size === MAC_BYTES;
  };
  try {
    const fd = openSync(file, 'r');
    try {
      return mine(fd) ? readFileSync(fd) : undefined;
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    if (err.code !== 'ENOENT') return undefined;
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = randomBytes(MAC_BYTES);
    // O_EXCL: a file (or a link) someone put there first is never written through.
    const fd = openSync(file, 'wx', 0o600);
    try {
      writeSync(fd, key);
    } finally {
      closeSync(fd);
    }
    return key;
  } catch {
    return undefined;
  }
}

function mac(secret, ...parts) {
  const h = createHmac('sha256', secret);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The command word of this run (`validate`, `hook`), or `-` for none (`--help`): what the cache has seen. */
function commandWord() {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-C' || args[i] === '--config-dir') i++;
    else if (!args[i].startsWith('-')) return /^[a-z][a-z-]*$/.test(args[i]) ? args[i] : '?';
  }
  return '-';
}

/** The cache file's parts: a key line (which Node, which build), a line of the commands it has seen, the HMAC of all three, V8's data. */
function readCache(file, key, secret) {
  const fd = openSync(file, 'r');
  try {
    // Only a cache this user wrote: under sudo with the caller's HOME, code planted by someone else would run.
    if (process.getuid && fstatSync(fd).uid !== process.getuid()) return undefined;
    const data = readFileSync(fd);
    if (!data.subarray(0, key.length).equals(key)) return undefined;
    const end = data.indexOf(0x0a, key.length);
    if (end < 0 || data.length < end + 1 + MAC_BYTES) return undefined;
    const head = data.subarray(0, end + 1);
    const sig = data.subarray(end + 1, end + 1 + MAC_BYTES);
    const code = data.subarray(end + 1 + MAC_BYTES);
    if (!timingSafeEqual(sig, mac(secret, head, code))) return { forged: true };
    return { seen: data.subarray(key.length, end).toString('latin1').split(' '), code };
  } finally {
    closeSync(fd);
  }
}

function runBundle() {
  // ASCII (scripts/build.mjs has esbuild escape the rest): latin1 decodes it faster than utf8.
  const source = readFileSync(bundle, 'latin1');
  const st = statSync(bundle);
  const key = Buffer.from(`${process.version} ${process.arch} ${st.size} ${st.mtimeMs}\n`);
  const secret = process.env.AIBACKEND_COMPILE_CACHE === '0' ? undefined : signingKey();
  const file = secret && cacheFile();
  const command = commandWord();
  let cached;
  try {
    cached = file && readCache(file, key, secret);
  } catch {
    // no cache yet
  }
  const script = new vm.Script(module.wrap(source), {
    filename: bundle,
    cachedData: cached?.code,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // grown: a hit for a command the cache has not seen; rewritten with what this command compiled too.
  // forged: the HMAC is wrong (damaged, or made elsewhere): V8 never saw it.
  const state = !file
    ? 'off'
    : !cached
      ? 'miss'
      : cached.forged
        ? 'forged'
        : script.cachedDataRejected
          ? 'rejected'
          : cached.seen.includes(command)
            ? 'hit'
            : 'grown';
  process.once('exit', () => {
    if (state !== 'hit' && state !== 'off') {
      // After the run: the cache then holds the functions this command compiled, not just the top level.
      const seen = state === 'grown' ? [...cached.seen, command] : [command];
      // A random name opened with O_EXCL: a link planted at a predictable name is never written through.
      const tmp = `${file}.${randomBytes(8).toString('hex')}.tmp`;
      let fd;
      try {
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        const head = Buffer.concat([key, Buffer.from(`${seen.join(' ')}\n`)]);
        const code = script.createCachedData();
        const data = Buffer.concat([head, mac(secret, head, code), code]);
        fd = openSync(tmp, 'wx', 0o600);
        for (let off = 0; off < data.length;) off += writeSync(fd, data, off, data.length - off);
        closeSync(fd);
        fd = undefined;
        renameSync(tmp, file);
      } catch {
        if (fd !== undefined) closeSync(fd);
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
const hookArgs = args.at(-1) === '--diff' ? args.slice(0, -1) : args;
const hookRun = hookArgs.at(-2) === 'hook' && hookArgs.at(-1) === 'run';
(hookRun ? import('../dist/hook-fast.js').then((m) => m.nothingToCheck(process.argv)) : Promise.resolve(false))
  .then((done) => (done ? undefined : runBundle()))
  .catch(fail);
