// aibackend recover [--abandon]: finish what an interrupted reload or rollback left (restore its
// verified backup, restart, probe), or, with --abandon, record that a person has dealt with it.
import { EXIT } from '../util/errors.js';
import { result } from '../deploy/operation.js';
import { abandon, begin } from '../deploy/recover.js';
import { statePaths } from '../deploy/transaction.js';
import type { CommandContext } from './context.js';
import { prepare, settle, timeoutOf, type ReloadFlags } from './reload.js';

export async function recover(ctx: CommandContext, flags: ReloadFlags & { abandon?: boolean }): Promise<number> {
  const tx = prepare(ctx, flags, 'restore');
  if (typeof tx === 'number') return tx;
  const paths = statePaths(tx);
  return await settle(ctx, flags, tx, 'recover', async () => {
    if (flags.abandon) return abandon(tx, paths, flags);
    const timeoutS = timeoutOf(flags).timeoutS ?? tx.gateway.health.timeout_s;
    const started = await begin(tx, paths, timeoutS * 1000, flags, 'recover');
    try {
      if (started.failed) return started.failed;
      const base = { operation: 'recover' as const, backup: null, rollback: { happened: false } };
      if (!started.recovery)
        return result(started.op, {
          ...base,
          status: 'unchanged',
          exit_code: EXIT.ok,
          message: 'no interrupted run in the journal; nothing to recover',
        });
      return result(started.op, {
        ...base,
        recovery: started.recovery,
        status: 'recovered',
        exit_code: EXIT.ok,
        message: `recovered the interrupted run ${started.recovery.interrupted}: ${started.recovery.action}`,
      });
    } finally {
      started.lock.release();
    }
  });
}
