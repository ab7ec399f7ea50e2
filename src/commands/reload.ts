// aibackend reload: bring the running gateway to what the sources say, never leaving it broken.
import type { ReloadFlags } from '../cli/specs/deploy.js';
import { followSources, writeLoadBalancerConfig } from '../deploy/companions.js';
import { runReload } from '../deploy/transaction.js';
import { EXIT } from '../util/errors.js';
import { progress, type CommandContext } from './shared/context.js';
import { prepareTransaction, settle, timeoutOf } from './shared/transaction.js';

export async function run(ctx: CommandContext, flags: ReloadFlags): Promise<number> {
  const tx = prepareTransaction(ctx, flags, 'reload');
  const applies = !flags.dryRun && !flags.validateOnly;
  // The load balancer's config is written once the pre-flight passed (a refused reload writes nothing).
  if (applies) tx.beforeApply = () => writeLoadBalancerConfig(ctx.paths, ctx.env, progress(ctx));
  const r = await settle(ctx, flags, tx, 'reload', () => runReload(tx, { ...flags, ...timeoutOf(flags) }));
  if (applies && r.exit_code === EXIT.ok) followSources(ctx.paths, ctx.env, progress(ctx));
  return r.exit_code;
}
