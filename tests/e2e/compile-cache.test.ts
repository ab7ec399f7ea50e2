// bin/aibackend.js keeps V8's compiled code of dist/cli.cjs between runs (issue 13: the cold start
// of validate). A cache must never change what the CLI does: these runs compare outputs, and check
// the states the launcher reports under AIBACKEND_STATS (hit, miss, grown, forged, rejected, off).
// A cache is signed with a per-user key kept apart from it (issue 20): V8 accepts cached code made
// for another source of the same length, so an unsigned cache would run whatever was planted.
import { createHmac } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject, tempDir } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

const { project } = makeProject();
// Where the signing key lives: never under XDG_CACHE_HOME.
const state = tempDir();

async function validate(cache: string, env: Record<string, string> = {}): Promise<CliResult & { state: string | undefined }> {
  const r = await runCli(['validate', '--json'], {
    cwd: project,
    env: { XDG_CACHE_HOME: cache, XDG_STATE_HOME: state, AIBACKEND_STATS: '1', ...env },
  });
  return { ...r, state: /compile_cache=(\w+)/.exec(r.stderr)?.[1] };
}

const cacheFiles = (cache: string) => {
  try {
    return readdirSync(path.join(cache, 'aibackend')).filter((f) => f.startsWith('compile-cache-'));
  } catch {
    return [];
  }
};

describe('the compile cache of the launcher', () => {
  test('the first run writes it (private to the user), the second uses it, and both say the same', async () => {
    const cache = tempDir();
    const first = await validate(cache);
    expect(first.state).toBe('miss');
    const files = cacheFiles(cache);
    expect(files).toHaveLength(1);
    expect(files[0], 'one file per Node version: two Nodes in turn do not evict each other').toContain(
      `-${process.version}-${process.arch}.bin`,
    );
    const file = path.join(cache, 'aibackend', files[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(file).size).toBeGreaterThan(10_000);
    const second = await validate(cache);
    expect(second.state).toBe('hit');
    expect(second.exitCode).toBe(first.exitCode);
    expect(second.stdout).toBe(first.stdout);
    expect(JSON.parse(second.stdout)).toMatchObject({ ok: true, errors: 0 });
  });

  test('a damaged or planted cache (its HMAC is wrong) never reaches V8, and is rewritten; the run is unaffected', async () => {
    const cache = tempDir();
    const clean = await validate(cache);
    const file = path.join(cache, 'aibackend', cacheFiles(cache)[0]!);
    const data = readFileSync(file);
    const headerEnd = data.indexOf(0x0a, data.indexOf(0x0a) + 1) + 1;
    // The key and the commands line still match (they are public); what follows is someone else's.
    writeFileSync(file, Buffer.concat([data.subarray(0, headerEnd), Buffer.alloc(data.length - headerEnd, 0x5a)]));
    const damaged = await validate(cache);
    expect(damaged.state).toBe('forged');
    expect(damaged.stdout).toBe(clean.stdout);
    expect((await validate(cache)).state).toBe('hit');
  });

  test("the signing key is this user's (0600, outside the cache dir); a cache signed with it but refused by V8 is rewritten", async () => {
    const cache = tempDir();
    const clean = await validate(cache);
    const keyFile = path.join(state, 'aibackend', 'compile-cache.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(keyFile).size).toBe(32);
    expect(readdirSync(path.join(cache, 'aibackend'))).toEqual(cacheFiles(cache));
    const file = path.join(cache, 'aibackend', cacheFiles(cache)[0]!);
    const data = readFileSync(file);
    const headerEnd = data.indexOf(0x0a, data.indexOf(0x0a) + 1) + 1;
    const garbage = Buffer.alloc(50_000, 0x5a);
    const sig = createHmac('sha256', readFileSync(keyFile)).update(data.subarray(0, headerEnd)).update(garbage).digest();
    writeFileSync(file, Buffer.concat([data.subarray(0, headerEnd), sig, garbage]));
    const refused = await validate(cache);
    expect(refused.state).toBe('rejected');
    expect(refused.stdout).toBe(clean.stdout);
    expect((await validate(cache)).state).toBe('hit');
  });

  test("a cache restored under another key (a CI cache, a checkout's XDG_CACHE_HOME) is not run; a key file readable by others is not used", async () => {
    const cache = tempDir();
    await validate(cache);
    // Another machine's state: the same cache file is refused there.
    expect((await validate(cache, { XDG_STATE_HOME: tempDir() })).state).toBe('forged');
    // A key others can read could sign a planted cache: then there is no cache at all.
    const loose = tempDir();
    mkdirSync(path.join(loose, 'aibackend'), { recursive: true });
    writeFileSync(path.join(loose, 'aibackend', 'compile-cache.key'), Buffer.alloc(32, 1), { mode: 0o644 });
    const r = await validate(tempDir(), { XDG_STATE_HOME: loose });
    expect(r.state).toBe('off');
    expect(r.exitCode).toBe(0);
    // A link planted where the key would be made is not written through.
    const planted = tempDir();
    mkdirSync(path.join(planted, 'aibackend'), { recursive: true });
    const target = path.join(tempDir(), 'victim');
    symlinkSync(target, path.join(planted, 'aibackend', 'compile-cache.key'));
    expect((await validate(tempDir(), { XDG_STATE_HOME: planted })).state).toBe('off');
    expect(existsSync(target)).toBe(false);
  });

  test('a cache made by another command grows to cover this one, once', async () => {
    const cache = tempDir();
    const help = await runCli(['--help'], { cwd: project, env: { XDG_CACHE_HOME: cache, XDG_STATE_HOME: state, AIBACKEND_STATS: '1' } });
    expect(help.stderr).toContain('compile_cache=miss');
    const file = path.join(cache, 'aibackend', cacheFiles(cache)[0]!);
    const small = statSync(file).size;
    const clean = await validate(tempDir());
    const grown = await validate(cache);
    expect(grown.state).toBe('grown');
    expect(grown.stdout).toBe(clean.stdout);
    expect(statSync(file).size, "validate's own functions are in it now").toBeGreaterThan(small);
    expect((await validate(cache)).state).toBe('hit');
    const again = await runCli(['--help'], { cwd: project, env: { XDG_CACHE_HOME: cache, XDG_STATE_HOME: state, AIBACKEND_STATS: '1' } });
    expect(again.stderr).toContain('compile_cache=hit');
  });

  test('a cache of another build (another key) is not used', async () => {
    const cache = tempDir();
    await validate(cache);
    const file = path.join(cache, 'aibackend', cacheFiles(cache)[0]!);
    const data = readFileSync(file);
    writeFileSync(file, Buffer.concat([Buffer.from('v0.0.0 x64 1 1\n'), data.subarray(data.indexOf(0x0a) + 1)]));
    expect((await validate(cache)).state).toBe('miss');
    expect((await validate(cache)).state).toBe('hit');
  });

  // Changing a file's owner needs root (as CI runs); elsewhere this cannot be set up.
  test.skipIf(process.getuid?.() !== 0)("a cache file that another user owns is never used (sudo with the caller's HOME)", async () => {
    const cache = tempDir();
    await validate(cache);
    const file = path.join(cache, 'aibackend', cacheFiles(cache)[0]!);
    chownSync(file, 65534, 65534);
    expect((await validate(cache)).state).toBe('miss');
    expect(statSync(file).uid).toBe(0);
    expect((await validate(cache)).state).toBe('hit');
  });

  test('AIBACKEND_COMPILE_CACHE=0 turns it off; a cache directory that cannot be made is no cache, not an error', async () => {
    const cache = tempDir();
    const off = await validate(cache, { AIBACKEND_COMPILE_CACHE: '0' });
    expect(off.state).toBe('off');
    expect(cacheFiles(cache)).toEqual([]);
    const blocked = path.join(tempDir(), 'a-file');
    writeFileSync(blocked, '');
    const r = await validate(blocked);
    expect(r.exitCode).toBe(off.exitCode);
    expect(r.stdout).toBe(off.stdout);
    expect(r.stderr).not.toMatch(/ENOTDIR|EEXIST|Error/);
    expect((await validate(blocked)).state).toBe('miss');
  });
});
