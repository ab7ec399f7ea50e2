// Where the sources are, and how paths are shown. Kept free of heavy imports: the CLI entry uses it.
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

export interface ConfigPaths {
  configDir: string;
  /** Relative paths in gateway.yaml resolve against this: the parent of the config directory. */
  projectDir: string;
  cwd: string;
}

export function resolvePaths(configDir: string, cwd = process.cwd()): ConfigPaths {
  const abs = path.resolve(cwd, configDir);
  return { configDir: abs, projectDir: path.dirname(abs), cwd };
}

export function displayPath(abs: string, cwd: string): string {
  const rel = path.relative(cwd, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/**
 * The nearest `config/` with a providers.yaml, from `cwd` upwards, the way git and prettier find
 * their roots; the search stops at the repository root (a directory holding .git).
 */
export function findConfigDir(cwd: string, name = 'config'): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, name);
    if (existsSync(path.join(candidate, 'providers.yaml'))) return candidate;
    if (existsSync(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Why a --config-dir cannot be used (it names a file), or undefined. */
export function configDirProblem(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory())
      return `--config-dir ${dir} is a file, not a directory; point it at the directory that holds providers.yaml`;
  } catch {
    // missing: the loader says so, with its own diagnostic
  }
  return undefined;
}
