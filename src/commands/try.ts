// aibackend try NAME: one request through the gateway, and who answered it.
import { TRY_MAX_TOKENS, type TryFlags } from '../cli/specs/operate.js';
import { tryName } from '../operate/try.js';
import { parseToolArgs, tryTool } from '../operate/try-tool.js';
import { renderTry, renderTryTool } from '../render/operate-text.js';
import { EXIT, UsageError } from '../util/errors.js';
import { suggestOne } from '../util/suggest.js';
import { print, report, type CommandContext } from './shared/context.js';
import { liveGateway } from './shared/sources.js';

export async function run(ctx: CommandContext, name: string | undefined, flags: TryFlags): Promise<number> {
  if (flags.tool !== undefined) return await runTool(ctx, name, flags.tool, flags);
  if (flags.args !== undefined) throw new UsageError('--args gives an MCP tool its arguments: add --tool SERVER-TOOL');
  const live = liveGateway(ctx, flags.json);
  if (name === undefined)
    throw new UsageError(`try needs a public name or alias (served names: ${live.map.names.join(', ')}), or --tool SERVER-TOOL`);
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
    maxTokens: flags.maxTokens ?? TRY_MAX_TOKENS,
  });
  const code = r.ok && r.via === 'route' ? EXIT.ok : EXIT.failed;
  report(ctx, flags.json, { ...r, exit_code: code }, renderTry(r, ctx.out));
  if (ctx.quiet && !flags.json && code !== EXIT.ok) print(ctx.stderr, renderTry(r, ctx.err));
  return code;
}

async function runTool(ctx: CommandContext, name: string | undefined, tool: string, flags: TryFlags): Promise<number> {
  if (name !== undefined) throw new UsageError(`give a public name or --tool, not both ('${name}' and --tool ${tool})`);
  if (flags.stream || flags.prompt !== undefined || flags.maxTokens !== undefined)
    throw new UsageError('--stream, --prompt and --max-tokens are for a public name; an MCP tool takes --args');
  const args = parseToolArgs(flags.args);
  const live = liveGateway(ctx, flags.json);
  const r = await tryTool(live.providers, tool, args, {
    gatewayUrl: live.gateway.gateway.url,
    key: live.key,
    timeoutMs: flags.timeout * 1000,
  });
  const code = r.ok ? EXIT.ok : EXIT.failed;
  report(ctx, flags.json, { ...r, exit_code: code }, renderTryTool(r, ctx.out));
  if (ctx.quiet && !flags.json && code !== EXIT.ok) print(ctx.stderr, renderTryTool(r, ctx.err));
  return code;
}
