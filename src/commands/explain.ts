// aibackend explain NAME: routes, weights, providers and the fallback order of one public name;
// or what the gateway gets for one MCP server.
import { checkConfig } from '../config/check-config.js';
import { explainMcpServer } from '../config/explain-mcp.js';
import { explainName } from '../config/explain-route.js';
import { EXIT } from '../util/errors.js';
import { renderExplanation, renderMcpExplanation } from '../render/explain-text.js';
import { suggestOne } from '../util/suggest.js';
import type { ExplainFlags } from '../cli/specs/config.js';
import { fail, print, type CommandContext } from './shared/context.js';
import { reportDiagnostics } from './shared/diagnostics.js';

export async function run(ctx: CommandContext, name: string | undefined, opts: ExplainFlags): Promise<number> {
  const checked = checkConfig(ctx.paths, { env: ctx.env, unsetEnvSeverity: 'warning' });
  const { providers, mappings } = checked.loaded;
  if (!checked.compiled || !providers || !mappings) {
    if (!opts.json) reportDiagnostics(ctx, checked);
    fail(
      ctx,
      opts.json,
      `cannot explain${name ? ` '${name}'` : ''}: the config has errors`,
      checked.diagnostics.filter((d) => d.severity === 'error'),
    );
  }
  const names = Object.keys(mappings.models).sort();
  const aliases = Object.keys(mappings.aliases ?? {}).sort();
  const mcp = Object.keys(providers.mcp_servers ?? {}).sort();
  if (opts.list || name === undefined) {
    if (opts.json)
      print(
        ctx.stdout,
        JSON.stringify(
          {
            names,
            aliases: Object.fromEntries(aliases.map((a) => [a, mappings.aliases![a]])),
            ...(mcp.length ? { mcp_servers: mcp } : {}),
          },
          null,
          2,
        ),
      );
    else
      print(
        ctx.stdout,
        [...names, ...aliases.map((a) => `${a} -> ${mappings.aliases![a]} (alias)`), ...mcp.map((m) => `${m} (MCP server)`)].join('\n'),
      );
    return EXIT.ok;
  }
  const e = explainName(name, providers, mappings, checked.compiled.config);
  // A public name comes first; an MCP server id is explained when no name has it.
  const m = e ? undefined : explainMcpServer(name, providers, checked.compiled.config, checked.loaded.gateway!.gateway.url);
  if (m) {
    print(ctx.stdout, opts.json ? JSON.stringify(m, null, 2) : renderMcpExplanation(m, ctx.out));
    return EXIT.ok;
  }
  if (!e) {
    const s = suggestOne(name, [...names, ...aliases, ...mcp]);
    // No close match: say what there is instead.
    fail(
      ctx,
      opts.json,
      `'${name}' is neither a public name nor an alias${mcp.length ? ' nor an MCP server' : ''}${s ? `; did you mean '${s}'?` : `; the names are: ${[...names, ...aliases, ...mcp].join(', ')} (\`aibackend explain --list\`)`}`,
    );
  }
  // Where the name is served: the gateway URL, and with replicas the load balancer in front of them.
  const gw = checked.loaded.gateway!;
  const served = {
    url: gw.gateway.url,
    ...(gw.replicas >= 2 && gw.replica_ports
      ? { load_balancer: gw.load_balancer.kind, replicas: gw.replica_ports.map((port, i) => ({ name: `r${i + 1}`, port })) }
      : {}),
  };
  const explained = { ...e, served_at: served };
  print(ctx.stdout, opts.json ? JSON.stringify(explained, null, 2) : renderExplanation(explained, ctx.out));
  return EXIT.ok;
}
