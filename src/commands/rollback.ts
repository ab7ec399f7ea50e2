// aibackend rollback [--to BACKUP]: restore a backup (by default the newest one that differs
// from what is deployed), restart, probe; a failed rollback is itself rolled back.
import { CliError } from '../errors.js';
import { renderReload } from '../render/reload-text.js';
import { findBackup, listBackups } from '../reload/backups.js';
import { runRollback, statePaths } from '../reload/transaction.js';
import { print, type CommandContext } from './context.js';
import { prepare, timeoutOf, type ReloadFlags } from './reload.js';

export async function rollback(ctx: CommandContext, flags: ReloadFlags & { to?: string }): Promise<number> {
  const tx = prepare(ctx, flags);
  if (typeof tx === 'number') return tx;
  const paths = statePaths(tx.checked, tx.gateway);
  let to;
  if (flags.to !== undefined) {
    to = findBackup(paths.backups, paths.deployed, flags.to);
    if (!to) throw new CliError(`no backup matches '${flags.to}' in ${paths.backups}; \`aibackend backups\` lists them`);
  }
  const pick = () => listBackups(paths.backups, paths.deployed).find((b) => !b.deployed);
  const { to: _ref, ...rest } = flags;
  const r = await runRollback(tx, { ...rest, ...timeoutOf(flags), ...(to ? { to } : {}), pick });
  print(ctx.stdout, flags.json ? JSON.stringify(r, null, 2) : renderReload(r, ctx.out, !tx.confirm));
  return r.exit_code;
}
