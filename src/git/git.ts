// The little of git that the pre-commit hook needs. Plain node:child_process, not execa: the hook
// runs on every commit, and a commit that touches nothing under config/ must cost next to nothing.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { CliError } from '../errors.js';

function run(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: Buffer; stderr: string; missing: boolean; code: number | null }> {
  return new Promise((resolve) => {
    // Paths come from a staged gateway.yaml (output, monitoring.dir): always literal, never a
    // pathspec magic such as ':(glob)**' that would copy every staged file.
    execFile('git', ['--literal-pathspecs', ...args], { cwd, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      resolve({ ok: !e, stdout, stderr: stderr.toString('utf8'), missing: e?.code === 'ENOENT', code: typeof e?.code === 'number' ? e.code : e ? null : 0 });
    });
  });
}

async function git(cwd: string, args: string[]): Promise<string> {
  const r = await run(cwd, args);
  if (!r.ok) {
    if (r.missing) throw new CliError('git is not installed');
    throw new CliError(`git ${args.join(' ')} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
  return r.stdout.toString('utf8');
}

export async function repoRoot(cwd: string): Promise<string> {
  const r = await run(cwd, ['rev-parse', '--show-toplevel']);
  if (r.missing) throw new CliError('git is not installed');
  if (!r.ok) throw new CliError(`${cwd} is not inside a git work tree`);
  return r.stdout.toString('utf8').trim();
}

/** The hooks directory git uses, core.hooksPath included. */
export async function hooksDir(cwd: string): Promise<string> {
  const p = (await git(cwd, ['rev-parse', '--git-path', 'hooks'])).trim();
  return path.resolve(cwd, p);
}

/** Paths (relative to the repository root) that the index changes against HEAD. */
export async function stagedPaths(root: string): Promise<string[]> {
  const out = await git(root, ['diff', '--cached', '--name-only', '-z', '--no-renames']);
  return out.split('\0').filter(Boolean);
}

/** The staged content of each path that is in the index; paths not in it are left out. */
export async function indexContents(root: string, paths: string[]): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  if (paths.length === 0) return out;
  const listing = await git(root, ['ls-files', '--stage', '-z', '--', ...paths]);
  const entries = listing
    .split('\0')
    .filter(Boolean)
    .map((l) => {
      const [meta, file] = l.split('\t') as [string, string];
      const [, sha, stage] = meta.split(' ');
      return { sha: sha!, stage: stage!, file };
    })
    .filter((e) => e.stage === '0');
  for (const e of entries) {
    const r = await run(root, ['cat-file', 'blob', e.sha]);
    if (r.ok) out.set(e.file, r.stdout);
  }
  return out;
}
