// aibackend try NAME: one request through the gateway, and who answered it.
import type { TryFlags } from '../cli/specs/operate.js';
import { tryName } from '../operate/try.js';
import { renderTry } from '../render/operate-text.js';
import { EXIT, UsageError } from '../util/errors.js';
import { suggestOne } from '../util/suggest.js';
import { print, report, type CommandContext } from './shared/context.js';
import { liveGateway } from './shared/sources.js';

export async function run(ctx: CommandContext, name: string, flags: TryFlags): Promise<number> {
  const live = liveGateway(ctx, flags.json);
  if (!live.map.routes.has(name)) {
    const close = suggestOne(name, live.map.names);
    throw new UsageError(
      `'${name}' is not a public name or alias${close ? `; did you mean '${close}'?` : ''} (served names: ${live.map.names.join(', ')})`,
    );
  }
  const r = await tryName(live.map, name, {
    gatewayUrl: live.gateway.gateway.url,
    key: live.key,
    prompt: flags.prompt ?? 'Say hello in five words.',
    stream: Boolean(flags.stream),
    timeoutMs: flags.timeout * 1000,
  });
  const code = r.ok && r.via === 'route' ? EXIT.ok : EXIT.failed;
  report(ctx, flags.json, { ...r, exit_code: code }, renderTry(r, ctx.out));
  if (ctx.quiet && !flags.json && code !== EXIT.ok) print(ctx.stderr, renderTry(r, ctx.err));
  return code;
}
