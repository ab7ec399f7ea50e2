// The transaction's context from a checked config. A reload needs sources that compile (unset env:
// variables are errors here). A restore (rollback, recover) deploys a backup: it needs only
// gateway.yaml's runtime, and says what it did not check when the other sources are broken.
import path from 'node:path';
import type { CheckedConfig } from '../config/check-config.js';
import { HAPROXY_FILE } from './rolling/haproxy.js';
import { makeRuntime } from './runtimes.js';
import type { TransactionContext } from './types.js';

export type TransactionMode = 'reload' | 'restore';

export interface Surroundings {
  env: NodeJS.ProcessEnv;
  /** The command line, for the journal and the lock. */
  command: string;
  progress: (line: string) => void;
  confirm?: TransactionContext['confirm'];
}

/** The context, or why the sources cannot be used for this mode. */
export function transactionContext(
  checked: CheckedConfig,
  mode: TransactionMode,
  around: Surroundings,
): TransactionContext | { unusable: string } {
  const gateway = checked.loaded.gateway;
  const gatewayBroken = checked.diagnostics.some((d) => d.severity === 'error' && d.file.endsWith('gateway.yaml'));
  const usable = mode === 'reload' ? Boolean(checked.compiled && gateway) : Boolean(gateway && !gatewayBroken && checked.outputUsable);
  if (!usable || !gateway)
    return {
      unusable:
        mode === 'reload'
          ? `nothing changed: the config has ${checked.errors} error${checked.errors === 1 ? '' : 's'}`
          : 'nothing changed: gateway.yaml (the runtime, the output path, the backups) must be valid to restore a backup',
    };
  const broken = [...new Set(checked.diagnostics.filter((d) => d.severity === 'error').map((d) => d.file))];
  const projectDir = checked.loaded.paths.projectDir;
  return {
    ...(mode === 'reload' ? { candidate: checked.compiled!.text } : {}),
    ...(mode === 'restore' && checked.errors > 0
      ? {
          skipped: `the sources have ${checked.errors} error${checked.errors === 1 ? '' : 's'} (in ${broken.join(', ')}); they were not needed: a restore deploys a backup that served before, and checks only gateway.yaml`,
        }
      : {}),
    deployedPath: checked.outputPath,
    projectDir,
    gateway,
    runtime: makeRuntime(gateway.runtime, projectDir, around.env, {
      gateway,
      lbConfig: path.join(path.dirname(checked.outputPath), HAPROXY_FILE),
      progress: around.progress,
    }),
    env: around.env,
    command: around.command,
    progress: around.progress,
    ...(around.confirm ? { confirm: around.confirm } : {}),
  };
}
