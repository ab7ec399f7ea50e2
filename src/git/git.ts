// The little of git that the pre-commit hook needs, through execa.
import path from 'node:path';
import { execa } from 'execa';
import { CliError } from '../errors.js';

async function git(cwd: string, args: string[], input?: string): Promise<string> {
  const r = await execa('git', args, { cwd, reject: false, ...(input !== undefined ? { input } : { stdin: 'ignore' as const }), stripFinalNewline: false });
  if (r.failed) {
    if (r.code === 'ENOENT') throw new CliError('git is not installed');
    throw new CliError(`git ${args.join(' ')} failed: ${String(r.stderr).trim() || `exit ${r.exitCode}`}`);
  }
  return String(r.stdout);
}

export async function repoRoot(cwd: string): Promise<string> {
  const r = await execa('git', ['rev-parse', '--show-toplevel'], { cwd, reject: false, stdin: 'ignore' });
  if (r.failed) throw new CliError(`${cwd} is not inside a git work tree`);
  return String(r.stdout).trim();
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
    const r = await execa('git', ['cat-file', 'blob', e.sha], { cwd: root, reject: false, encoding: 'buffer', stdin: 'ignore', stripFinalNewline: false });
    if (!r.failed) out.set(e.file, Buffer.from(r.stdout as Uint8Array));
  }
  return out;
}
