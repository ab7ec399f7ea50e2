// aibackend verify: every public name and alias, answered by its own routes, every route reached.
import type { VerifyFlags } from '../cli/specs/operate.js';
import { verify } from '../operate/verify.js';
import { renderVerify } from '../render/operate-text.js';
import { EXIT } from '../util/errors.js';
import { print, progress, type CommandContext } from './shared/context.js';
import { liveGateway } from './shared/sources.js';

export async function run(ctx: CommandContext, flags: VerifyFlags): Promise<number> {
  const live = liveGateway(ctx, flags.json);
  const r = await verify(live.map, {
    gatewayUrl: live.gateway.gateway.url,
    key: live.key,
    timeoutMs: flags.timeout * 1000,
    maxTokens: flags.maxTokens,
    requests: flags.requests,
    progress: progress(ctx),
    ...(flags.mcp ? { mcp: { providers: live.providers, env: ctx.env } } : {}),
  });
  if (flags.json) print(ctx.stdout, JSON.stringify(r, null, 2));
  else if (!(ctx.quiet && r.ok)) print(ctx.stdout, renderVerify(r, ctx.out));
  return r.ok ? EXIT.ok : EXIT.failed;
}
