// Where the sources are, and how paths are shown. Kept free of heavy imports: the CLI entry uses it.
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
