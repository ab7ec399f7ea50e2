// aibackend recover [--abandon]: finish what an interrupted reload or rollback left (restore its
// verified backup, restart, probe), or, with --abandon, record that a person has dealt with it.
import type { RecoverFlags } from '../cli/specs/deploy.js';
import { runRecover } from '../deploy/recover.js';
import type { CommandContext } from './shared/context.js';
import { prepareTransaction, settle, timeoutOf } from './shared/transaction.js';

export async function run(ctx: CommandContext, flags: RecoverFlags): Promise<number> {
  const tx = prepareTransaction(ctx, flags, 'restore');
  const r = await settle(ctx, flags, tx, 'recover', () => runRecover(tx, { ...flags, ...timeoutOf(flags) }));
  return r.exit_code;
}
