// aibackend rollback [--to BACKUP]: restore a backup (by default the newest one that differs
// from what is deployed), restart, probe; a failed rollback is itself rolled back. It works
// while providers.yaml or model-mappings.yaml are broken: it needs only gateway.yaml.
import type { RollbackFlags } from '../cli/specs/deploy.js';
import { runRollback } from '../deploy/transaction.js';
import type { CommandContext } from './shared/context.js';
import { prepareTransaction, settle, timeoutOf } from './shared/transaction.js';

export async function run(ctx: CommandContext, flags: RollbackFlags): Promise<number> {
  const tx = prepareTransaction(ctx, flags, 'restore');
  const r = await settle(ctx, flags, tx, 'rollback', () => runRollback(tx, { ...flags, ...timeoutOf(flags) }));
  return r.exit_code;
}
