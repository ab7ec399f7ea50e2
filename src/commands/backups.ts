// aibackend backups: the backups with time, hash, size, and which one is deployed.
import { checkConfig } from '../core/check-config.js';
import { EXIT } from '../errors.js';
import { listBackups } from '../reload/backups.js';
import { statePaths } from '../reload/transaction.js';
import { print, type CommandContext } from './context.js';
import { reportDiagnostics } from './generate.js';

export async function backups(ctx: CommandContext, flags: { json?: boolean }): Promise<number> {
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' });
  const gateway = checked.loaded.gateway;
  if (!gateway) {
    reportDiagnostics(ctx, checked);
    return EXIT.failed;
  }
  const paths = statePaths(checked, gateway);
  const list = listBackups(paths.backups, paths.deployed);
  if (flags.json) {
    print(ctx.stdout, JSON.stringify({ dir: paths.backups, deployed: paths.deployed, backups: list }, null, 2));
    return EXIT.ok;
  }
  if (list.length === 0) {
    print(ctx.stdout, `no backups in ${paths.backups}`);
    return EXIT.ok;
  }
  const s = ctx.out;
  const rows = list.map((b) => [b.created.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), b.sha256.slice(0, 12), `${b.size} B`, b.sourceHash ? b.sourceHash.slice(0, 12) : '-', b.deployed ? 'deployed' : '', b.file]);
  const head = ['created', 'sha256', 'size', 'sources', 'state', 'file'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  print(ctx.stdout, [s.bold(fmt(head)), ...rows.map((r) => (r[4] ? s.green(fmt(r)) : fmt(r)))].join('\n'));
  print(ctx.stdout, s.dim(`${list.length} backup${list.length === 1 ? '' : 's'} in ${paths.backups}`));
  return EXIT.ok;
}
