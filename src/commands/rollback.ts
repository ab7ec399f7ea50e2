// aibackend rollback [--to BACKUP]: restore a backup (by default the newest one that differs
// from what is deployed), restart, probe; a failed rollback is itself rolled back. It works
// while providers.yaml or model-mappings.yaml are broken: it needs only gateway.yaml.
import { CliError } from '../util/errors.js';
import { findBackup, listBackups } from '../deploy/backups.js';
import { runRollback, statePaths } from '../deploy/transaction.js';
import type { CommandContext } from './context.js';
import { prepare, settle, timeoutOf, type ReloadFlags } from './reload.js';

export async function rollback(ctx: CommandContext, flags: ReloadFlags & { to?: string }): Promise<number> {
  const tx = prepare(ctx, flags, 'restore');
  if (typeof tx === 'number') return tx;
  const paths = statePaths(tx);
  return await settle(ctx, flags, tx, 'rollback', async () => {
    let to;
    if (flags.to !== undefined) {
      to = findBackup(paths.backups, paths.deployed, flags.to);
      if (!to) throw new CliError(`no backup matches '${flags.to}' in ${paths.backups}; \`aibackend backups\` lists them`);
    }
    const pick = () => listBackups(paths.backups, paths.deployed).find((b) => !b.deployed);
    const { to: _ref, ...rest } = flags;
    return await runRollback(tx, { ...rest, ...timeoutOf(flags), ...(to ? { to } : {}), pick });
  });
}
