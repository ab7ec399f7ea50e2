// aibackend backups: the backups with time, hash, size, and which one is deployed.
import { checkConfig } from '../config/check-config.js';
import { EXIT } from '../util/errors.js';
import { listBackups } from '../deploy/backups.js';
import { statePaths } from '../deploy/transaction.js';
import { renderBackups } from '../render/backups-text.js';
import type { BackupsFlags } from '../cli/specs/deploy.js';
import { fail, print, type CommandContext } from './shared/context.js';
import { reportDiagnostics } from './shared/diagnostics.js';

export async function run(ctx: CommandContext, flags: BackupsFlags): Promise<number> {
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' });
  const gateway = checked.loaded.gateway;
  if (!gateway) {
    const fatal = checked.diagnostics.filter((d) => d.severity === 'error');
    if (!flags.json) reportDiagnostics(ctx, checked);
    fail(ctx, flags.json, 'gateway.yaml must load to find the backups', fatal);
  }
  const paths = statePaths({ deployedPath: checked.outputPath, projectDir: checked.loaded.paths.projectDir, gateway });
  const list = listBackups(paths.backups, paths.deployed);
  if (flags.json) {
    print(ctx.stdout, JSON.stringify({ dir: paths.backups, deployed: paths.deployed, backups: list }, null, 2));
    return EXIT.ok;
  }
  print(ctx.stdout, renderBackups(list, paths.backups, ctx.out));
  return EXIT.ok;
}
