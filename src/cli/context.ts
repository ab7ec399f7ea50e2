// The context every command receives, from the global flags: the config directory (found upward
// from the working directory when -C is not given), the environment, the streams and their colours.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { configDirProblem, displayPath, findConfigDir, resolvePaths } from '../config/load/paths.js';
import type { CommandContext } from '../commands/shared/context.js';
import { makeStyle, useColor } from '../render/style.js';
import { UsageError } from '../util/errors.js';

export interface GlobalFlags {
  configDir: string;
  /** How the config directory was given: 'default' when -C was not. */
  configDirSource: string | undefined;
  color: boolean;
  quiet?: boolean;
}

/** `search`: without -C, use the nearest config/ above the working directory (init does not search). */
export function commandContext(flags: GlobalFlags, search = true): CommandContext {
  const env = process.env;
  let paths = resolvePaths(flags.configDir);
  if (search && flags.configDirSource === 'default' && !existsSync(path.join(paths.configDir, 'providers.yaml'))) {
    const found = findConfigDir(process.cwd());
    if (found && found !== paths.configDir) {
      paths = resolvePaths(found);
      if (!flags.quiet)
        process.stderr.write(`aibackend: using ${displayPath(found, process.cwd())} (the nearest config/ above this directory)\n`);
    }
  }
  const problem = configDirProblem(paths.configDir);
  if (problem) throw new UsageError(problem);
  return {
    paths,
    env,
    quiet: Boolean(flags.quiet),
    stdout: process.stdout,
    stderr: process.stderr,
    out: makeStyle(useColor(process.stdout, env, flags.color)),
    err: makeStyle(useColor(process.stderr, env, flags.color)),
  };
}
