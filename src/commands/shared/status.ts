// The status of the stack, as status and discover both collect it: the gateway and every active
// provider probed concurrently against the registry.
import { servedNames } from '../../config/compile/compile.js';
import { resolveOutput } from '../../config/check-config.js';
import { collectStatus, type StatusReport } from '../../operate/status.js';
import type { CommandContext } from './context.js';
import { stackSources, type StackSources } from './sources.js';

export async function stackStatus(
  ctx: CommandContext,
  flags: { json?: boolean; remote?: boolean; timeout: number },
): Promise<{ loaded: StackSources; report: StatusReport }> {
  const loaded = stackSources(ctx, flags.json);
  const report = await collectStatus(loaded.providers, loaded.mappings, loaded.gateway, {
    remote: Boolean(flags.remote),
    timeoutMs: flags.timeout * 1000,
    env: ctx.env,
    expectedNames: loaded.mappings ? servedNames(loaded.mappings) : [],
    projectDir: ctx.paths.projectDir,
    deployedPath: resolveOutput(loaded),
  });
  return { loaded, report };
}
