// Installing and removing the pre-commit hook: honours core.hooksPath, keeps a hook that was there
// before (chained: it runs first) and restores it on removal.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../util/errors.js';
import { hooksDir, repoRoot } from './git.js';

const MARK = '# aibackend-hook v1';
const PREV = 'pre-commit.aibackend-prev';

function hookScript(relConfig: string, diff = false): string {
  // The launcher that is running now; absolute, so that GUI git clients without a PATH work too.
  const bin = path.resolve(process.argv[1] ?? fileURLToPath(new URL('../../bin/aibackend.js', import.meta.url)));
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
# Validates the staged config with aibackend before each commit.
# Installed by \`aibackend hook install\`; \`aibackend hook uninstall\` removes it.
${MARK}
hooks=$(dirname "$0")
if [ -x "$hooks/${PREV}" ]; then
  "$hooks/${PREV}" "$@" || exit $?
fi
node=${q(process.execPath)}
[ -x "$node" ] || node=node
exec "$node" ${q(bin)} --config-dir ${q(relConfig)} hook run${diff ? ' --diff' : ''}
`;
}

export type Installed = { action: 'unchanged'; file: string } | { action: 'installed'; file: string; configDir: string; kept?: string };

/** Install the hook for `configDir` (relative to the repository root in the script). */
export async function installHook(cwd: string, configDir: string, opts: { force?: boolean; diff?: boolean }): Promise<Installed> {
  const root = await repoRoot(cwd);
  const dir = await hooksDir(cwd);
  const file = path.join(dir, 'pre-commit');
  const relConfig = path.relative(root, configDir) || '.';
  const script = hookScript(relConfig, opts.diff);
  mkdirSync(dir, { recursive: true });
  let kept: string | undefined;
  if (existsSync(file)) {
    const current = readFileSync(file, 'utf8');
    if (current === script) return { action: 'unchanged', file };
    if (!current.includes(MARK)) {
      if (!opts.force)
        throw new CliError(
          `${file} already exists and was not installed by aibackend; rerun with --force to keep it and run it before aibackend's check`,
        );
      if (existsSync(path.join(dir, PREV))) throw new CliError(`${path.join(dir, PREV)} already exists; move it away first`);
      renameSync(file, path.join(dir, PREV));
      kept = path.join(dir, PREV);
    }
  }
  writeFileSync(file, script);
  chmodSync(file, 0o755);
  return { action: 'installed', file, configDir: relConfig, ...(kept ? { kept } : {}) };
}

export type Uninstalled =
  { action: 'unchanged'; file: string; dir: string } | { action: 'removed'; file: string; dir: string; restored: boolean };

/** Remove the hook aibackend installed (another one is left alone), restoring the one it kept. */
export async function uninstallHook(cwd: string): Promise<Uninstalled> {
  const dir = await hooksDir(cwd);
  const file = path.join(dir, 'pre-commit');
  if (!existsSync(file) || !readFileSync(file, 'utf8').includes(MARK)) return { action: 'unchanged', file, dir };
  rmSync(file);
  const restored = existsSync(path.join(dir, PREV));
  if (restored) renameSync(path.join(dir, PREV), file);
  return { action: 'removed', file, dir, restored };
}

/** The name a kept hook is renamed to. */
export const PREVIOUS_HOOK = PREV;
