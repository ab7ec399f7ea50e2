// In-process pipeline runs for unit tests: a project from the base fixture with some files
// replaced, checked exactly as the CLI checks it.
import { checkConfig, type CheckedConfig } from '../../src/config/check-config.js';
import { resolvePaths } from '../../src/config/load/paths.js';
import { makeProject } from './fixtures.js';

export function checkFiles(
  files: Record<string, string | null>,
  env: Record<string, string> = { LITELLM_MASTER_KEY: 'x' },
  from?: string,
): CheckedConfig {
  const { project } = makeProject(files, from);
  return checkConfig(resolvePaths('config', project), { env, unsetEnvSeverity: 'warning' });
}

export function codes(checked: CheckedConfig): string[] {
  return checked.diagnostics.map((d) => d.code);
}
