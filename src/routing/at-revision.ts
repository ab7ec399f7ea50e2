// The sources as they were at a git revision, checked and compiled by the same pipeline as the
// working tree: the blobs are read from git's object store (the working tree is never touched)
// into a private scratch project laid out like the repository, as the pre-commit hook does with
// the index. As safe as validate: nothing is executed, and a symlink stored at the revision is
// left out (its target is never followed).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { checkConfig, type CheckedConfig } from '../config/check-config.js';
import { filesAt } from '../git/git.js';
import { SOURCE_FILES } from '../config/load/load-config.js';
import { resolvePaths, type ConfigPaths } from '../config/load/paths.js';

export interface AtRevision {
  /** Whether any source existed at the revision. */
  exists: boolean;
  checked?: CheckedConfig;
  /** Sources stored as symlinks at the revision, left out. */
  symlinks: string[];
}

const toPosix = (p: string) => p.split(path.sep).join('/');

/** Repository-relative paths of the sources. */
export function sourcePaths(root: string, paths: ConfigPaths): string[] {
  const relConfig = toPosix(path.relative(root, paths.configDir));
  return Object.values(SOURCE_FILES).map((f) => path.posix.join(relConfig, f));
}

/** The working tree's sources differ from the revision's (or the revision has none). */
export async function sourcesDiffer(root: string, rev: string, paths: ConfigPaths): Promise<boolean> {
  const wanted = sourcePaths(root, paths);
  const atRev = await filesAt(root, rev, wanted);
  for (const rel of wanted) {
    let now: Buffer | undefined;
    try {
      now = readFileSync(path.join(root, rel));
    } catch {
      now = undefined;
    }
    const then = atRev.get(rel);
    if ((now === undefined) !== (then === undefined)) return true;
    if (now && then && !now.equals(then.content)) return true;
  }
  return false;
}

export async function checkAtRevision(root: string, rev: string, paths: ConfigPaths, env: NodeJS.ProcessEnv): Promise<AtRevision> {
  const relConfig = toPosix(path.relative(root, paths.configDir));
  const relProject = toPosix(path.relative(root, paths.projectDir));
  const wanted = sourcePaths(root, paths);
  const first = await filesAt(root, rev, wanted);
  if (first.size === 0) return { exists: false, symlinks: [] };
  // The compose file the revision's gateway.yaml names: its rules compare images and services.
  const gateway = first.get(path.posix.join(relConfig, SOURCE_FILES.gateway));
  const compose = composeFileOf(gateway?.symlink ? undefined : gateway?.content.toString('utf8'));
  const more = compose ? path.posix.normalize(path.posix.join(relProject, compose)) : undefined;
  const blobs = more && !more.startsWith('..') && !first.has(more) ? new Map([...first, ...(await filesAt(root, rev, [more]))]) : first;
  const scratch = mkdtempSync(path.join(tmpdir(), 'aibackend-diff-'));
  try {
    const symlinks: string[] = [];
    for (const [file, blob] of blobs) {
      if (blob.symlink) {
        symlinks.push(file);
        continue;
      }
      const target = path.join(scratch, file);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, blob.content);
    }
    mkdirSync(path.join(scratch, relConfig), { recursive: true });
    const checked = checkConfig(resolvePaths(relConfig || '.', scratch), { env, unsetEnvSeverity: 'warning' });
    return { exists: true, checked, symlinks };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** runtime.file of a compose runtime in a gateway.yaml text, when it is a relative path. */
function composeFileOf(text: string | undefined): string | undefined {
  if (text === undefined) return 'docker-compose.yml';
  try {
    const data = parse(text, { uniqueKeys: false, logLevel: 'error' }) as { runtime?: { kind?: unknown; file?: unknown } } | null;
    if (data?.runtime?.kind !== 'compose') return data?.runtime === undefined ? 'docker-compose.yml' : undefined;
    const file = data.runtime.file ?? 'docker-compose.yml';
    return typeof file === 'string' && !path.posix.isAbsolute(file) ? file : undefined;
  } catch {
    return undefined;
  }
}
