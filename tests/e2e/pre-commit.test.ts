// The documented pre-commit framework route, with the real `pre-commit` (PyPI, pinned in
// requirements/pre-commit.txt; .ci/run installs it) on a scratch repository: the hook is built
// from this repository as a git URL, passes a good staged config and blocks a broken one.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

function preCommitBin(): string | undefined {
  const version = /^pre-commit==([\d.]+)/m.exec(readFileSync(path.join(ROOT, 'requirements/pre-commit.txt'), 'utf8'))![1];
  const found = [
    process.env.AIBACKEND_PRE_COMMIT,
    path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), '.cache'), 'aibackend', `pre-commit-${version}`, 'bin', 'pre-commit'),
  ].find((p): p is string => Boolean(p && existsSync(p)));
  if (!found && (process.env.CI || process.env.AIBACKEND_REQUIRE_GATEWAY))
    throw new Error('pre-commit is not installed (.ci/run installs requirements/pre-commit.txt); CI requires this test');
  if (!found)
    console.warn(
      'skipping the pre-commit framework test: pip install --require-hashes -r requirements/pre-commit.txt into ~/.cache/aibackend/pre-commit-VERSION',
    );
  return found;
}

const bin = preCommitBin();

describe.skipIf(!bin)('the pre-commit framework installs the hook from this repository', { timeout: 300_000 }, () => {
  test('a good staged config passes; a broken one is blocked with its finding', async () => {
    const repo = tempDir();
    const home = tempDir();
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: repo });
    cpSync(path.join(ROOT, 'config'), path.join(repo, 'config'), { recursive: true });
    cpSync(path.join(ROOT, 'docker-compose.yml'), path.join(repo, 'docker-compose.yml'));
    git('init', '-q');
    expect((await runCli(['generate'], { cwd: repo })).exitCode).toBe(0);
    git('add', '.');
    git('commit', '-qm', 'init');
    // The machine's environment (CA bundles and proxies reach npm), but nothing of `npm test`'s own
    // npm_* variables: pre-commit's npm must behave as it does for a user. The installed CLI's compile
    // cache goes to the test's own dir, not to one more file in ~/.cache per run.
    const env = {
      ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
      PRE_COMMIT_HOME: home,
      LITELLM_MASTER_KEY: 'sk-e2e-not-a-real-key-000',
      NO_COLOR: '1',
      XDG_CACHE_HOME: path.join(home, 'cache'),
    };
    const tryRepo = () =>
      execa(bin!, ['try-repo', ROOT, 'aibackend-validate'], { cwd: repo, env, extendEnv: false, reject: false, timeout: 280_000 });

    const p = path.join(repo, 'config/providers.yaml');
    writeFileSync(p, `${readFileSync(p, 'utf8')}# a comment: only the provenance header would change\n`);
    git('add', 'config/providers.yaml');
    const good = await tryRepo();
    expect(good.exitCode, String(good.stdout)).toBe(0);
    expect(String(good.stdout)).toMatch(/aibackend validate \(staged config\)\.+Passed/);

    writeFileSync(p, readFileSync(p, 'utf8').replace('type: ollama', 'type: olama'));
    git('add', 'config/providers.yaml');
    const bad = await tryRepo();
    expect(bad.exitCode).toBe(1);
    expect(String(bad.stdout)).toMatch(/aibackend validate \(staged config\)\.+Failed/);
    expect(String(bad.stdout)).toContain('[invalid-value]');
  });
});
