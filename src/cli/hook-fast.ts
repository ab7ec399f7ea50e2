// `aibackend [--config-dir DIR] hook run [--diff]` on a commit that stages nothing under config/: one
// `git diff --cached` and exit 0, without loading the CLI (commander, yaml, zod). Anything else,
// and anything unexpected, goes to the full CLI, which checks again and does the real work.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { hookScope, touchesConfig } from '../git/hook-scope.js';

/** The work tree's top: the nearest directory with .git (a directory, or a file in worktrees). */
function topLevel(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** True when the commit certainly does not concern aibackend; false means "let the CLI decide". */
export async function nothingToCheck(argv: readonly string[]): Promise<boolean> {
  // `hook run --diff` (the hook installed with --diff): a commit outside config/ has no routing change either.
  const args = argv.at(-1) === '--diff' ? argv.slice(2, -1) : argv.slice(2);
  let configDir = 'config';
  if (args.length === 4 && (args[0] === '--config-dir' || args[0] === '-C')) configDir = args[1]!;
  else if (args.length !== 2) return false;
  if (args.at(-2) !== 'hook' || args.at(-1) !== 'run' || process.env.GIT_DIR || process.env.GIT_WORK_TREE) return false;
  const cwd = process.cwd();
  const root = topLevel(cwd);
  if (!root) return false;
  const abs = path.resolve(cwd, configDir);
  const staged = await new Promise<string[] | undefined>((resolve) => {
    execFile('git', ['diff', '--cached', '--name-only', '-z', '--no-renames'], { cwd: root }, (err, out) =>
      resolve(err ? undefined : out.split('\0').filter(Boolean)),
    );
  });
  return staged !== undefined && !touchesConfig(hookScope(root, abs, path.dirname(abs)), staged);
}
