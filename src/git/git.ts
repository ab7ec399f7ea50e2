// The little of git that the pre-commit hook needs. Plain node:child_process, not execa: the hook
// runs on every commit, and a commit that touches nothing under config/ must cost next to nothing.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { CliError } from '../util/errors.js';

function run(cwd: string, args: string[]): Promise<{ ok: boolean; stdout: Buffer; stderr: string; missing: boolean; code: number | null }> {
  return new Promise((resolve) => {
    // Paths come from a staged gateway.yaml (output, monitoring.dir): always literal, never a
    // pathspec magic such as ':(glob)**' that would copy every staged file.
    execFile('git', ['--literal-pathspecs', ...args], { cwd, encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: string | number }) | null;
      resolve({
        ok: !e,
        stdout,
        stderr: stderr.toString('utf8'),
        missing: e?.code === 'ENOENT',
        code: typeof e?.code === 'number' ? e.code : e ? null : 0,
      });
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

/** Whether REV names a commit; its full id when it does. */
export async function resolveCommit(root: string, rev: string): Promise<string | undefined> {
  if (rev.startsWith('-')) return undefined;
  const r = await run(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`]);
  return r.ok ? r.stdout.toString('utf8').trim() : undefined;
}

/**
 * The files at a revision, read from git's object store (the working tree is never touched).
 * Paths are repository-relative with '/'. A path absent at that revision is left out; a symlink
 * there comes back as the text of its target, as git stores it, and is never followed.
 */
export async function filesAt(root: string, rev: string, paths: string[]): Promise<Map<string, { content: Buffer; symlink: boolean }>> {
  const out = new Map<string, { content: Buffer; symlink: boolean }>();
  if (paths.length === 0) return out;
  const listing = await git(root, ['ls-tree', '-z', '--full-tree', rev, '--', ...paths]);
  for (const entry of listing.split('\0').filter(Boolean)) {
    const [meta, file] = entry.split('\t') as [string, string];
    const [mode, type, sha] = meta.split(' ');
    if (type !== 'blob') continue;
    const r = await run(root, ['cat-file', 'blob', sha!]);
    if (r.ok) out.set(file, { content: r.stdout, symlink: mode === '120000' });
  }
  return out;
}

/** The default branch as this clone knows it: origin's HEAD, else origin/main, origin/master, main, master. */
export async function defaultBranch(root: string): Promise<string | undefined> {
  const head = await run(root, ['symbolic-ref', '--quiet', '--short', 'refs/remotes/origin/HEAD']);
  if (head.ok && head.stdout.toString('utf8').trim()) return head.stdout.toString('utf8').trim();
  for (const b of ['origin/main', 'origin/master', 'main', 'master']) if (await resolveCommit(root, b)) return b;
  return undefined;
}

/** The merge base of two revisions, or undefined when they share no history. */
export async function mergeBase(root: string, a: string, b: string): Promise<string | undefined> {
  const r = await run(root, ['merge-base', a, b]);
  return r.ok ? r.stdout.toString('utf8').trim() : undefined;
}
