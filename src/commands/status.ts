// aibackend status: is the gateway up, and does every provider a route uses serve its models?
import type { StatusFlags } from '../cli/specs/operate.js';
import { renderStatus } from '../render/ops-text.js';
import { EXIT } from '../util/errors.js';
import { print, type CommandContext } from './shared/context.js';
import { stackStatus } from './shared/status.js';

export async function run(ctx: CommandContext, flags: StatusFlags): Promise<number> {
  const { report } = await stackStatus(ctx, flags);
  if (flags.json) {
    const { ok: _ok, ...rest } = report;
    print(ctx.stdout, JSON.stringify({ ...rest, ok: report.ok }, null, 2));
  } else print(ctx.stdout, renderStatus(report, ctx.out));
  return report.ok ? EXIT.ok : EXIT.failed;
}
