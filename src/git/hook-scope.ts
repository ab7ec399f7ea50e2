// Whether a commit concerns aibackend at all: something staged under config/, the compose file
// beside it, or the generated monitoring stack in its default directory (monitoring/). Shared by `hook
// run` and its fast entry (src/cli/hook-fast.ts), which answers "no" for
// most commits without loading the CLI.
import path from 'node:path';

export interface HookScope {
  relConfig: string;
  relProject: string;
}

/** Repository-relative (with '/') config and project directories. */
export function hookScope(root: string, configDir: string, projectDir: string): HookScope {
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
  return { relConfig: rel(configDir), relProject: rel(projectDir) };
}

export function touchesConfig(scope: HookScope, staged: readonly string[]): boolean {
  const { relConfig, relProject } = scope;
  const compose = path.posix.join(relProject, 'docker-compose.yml');
  const monitoring = `${path.posix.join(relProject, 'monitoring')}/`;
  return staged.some(
    (p) => relConfig === '' || p === relConfig || p.startsWith(`${relConfig}/`) || p === compose || p.startsWith(monitoring),
  );
}
