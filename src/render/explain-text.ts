// Human rendering of an explanation.
import type { ChalkInstance } from 'chalk';
import type { McpExplanation } from '../config/explain-mcp.js';
import type { Explanation, RouteView } from '../config/explain-route.js';

export interface ServedAt {
  url: string;
  load_balancer?: string;
  replicas?: { name: string; port: number }[];
}

export function renderExplanation(e: Explanation & { served_at?: ServedAt }, s: ChalkInstance): string {
  const out: string[] = [];
  out.push(
    `${s.bold(e.name)}${e.alias_of ? ` ${s.dim('(alias of')} ${s.bold(e.alias_of)}${s.dim(')')}` : ''}${e.description ? ` ${s.dim('-')} ${e.description}` : ''}`,
  );
  if (e.served_at) {
    const r = e.served_at.replicas;
    out.push(
      s.dim(
        `served at ${e.served_at.url}${r ? ` by ${e.served_at.load_balancer} in front of ${r.length} replicas (${r.map((x) => `${x.name} on port ${x.port}`).join(', ')}), each with the same config` : ''}`,
      ),
    );
  }
  out.push('');
  const lb =
    e.strategy === 'simple-shuffle'
      ? 'load-balanced by weight (simple-shuffle)'
      : `load-balanced by ${e.strategy}; weights only steer simple-shuffle`;
  out.push(e.routes.length > 1 ? `routes, ${lb}:` : 'route:');
  for (const r of e.routes) out.push(`  ${routeLine(r, s, e.routes.length > 1)}`);
  if (e.alias_of)
    out.push(
      s.dim(
        `  (an alias is compiled as a copy of ${e.alias_of}'s deployments, so that its fallbacks apply; the copies have their own deployment ids, so cooldowns and usage-based routing count ${e.name} and ${e.alias_of} separately)`,
      ),
    );
  out.push('');
  if (e.fallbacks.length === 0) {
    out.push('fallbacks: none; when every route fails the request fails');
  } else {
    out.push(`fallback order when every route fails (depth first, at most ${e.max_fallbacks} deep):`);
    e.fallbacks.forEach((f, i) => {
      const indent = '  '.repeat(f.depth);
      out.push(`${indent}${i + 1}. ${s.bold(f.name)} ${s.dim(`(fallback of ${f.from})`)}`);
      for (const r of f.routes) out.push(`${indent}     ${routeLine(r, s, f.routes.length > 1)}`);
    });
  }
  if (e.unreachable.length > 0) {
    out.push('', s.yellow(`never reached (max_fallbacks ${e.max_fallbacks} stops first): ${e.unreachable.join(', ')}`));
  }
  return out.join('\n');
}

function routeLine(r: RouteView, s: ChalkInstance, weighted: boolean): string {
  const w = weighted ? ` ${s.dim(`weight ${r.weight} (${r.share}%)`)}` : '';
  return `${s.cyan(r.provider)} [${r.type}] ${r.base_url ?? s.dim('(hosted API)')} -> ${r.backend_model} ${s.dim(`as ${r.litellm_model}`)}${w}`;
}

export function renderMcpExplanation(e: McpExplanation, s: ChalkInstance): string {
  const out = [`${s.bold(e.mcp_server)} ${s.dim('(MCP server)')}${e.description ? ` ${s.dim('-')} ${e.description}` : ''}`];
  if (e.status === 'disabled') out.push(s.yellow('disabled: not compiled; the gateway does not serve its tools'));
  out.push(`transport ${e.transport}${e.url ? `, at ${e.url}` : ''}${e.command ? `, the gateway runs: ${e.command.join(' ')}` : ''}`);
  out.push(
    e.auth ? `the gateway authenticates with ${e.auth.type}, the token from $${e.auth.variable}` : 'no authentication to the server',
  );
  const who = e.allow_all_keys ? 'every virtual key' : 'the master key, and keys or teams granted it';
  out.push(`usable by ${who}${e.access_groups.length ? ` (access groups: ${e.access_groups.join(', ')})` : ''}`);
  if (e.status === 'active')
    out.push(`its tools appear at ${e.tools_at.endpoint} as ${e.tools_at.prefix}<tool> (\`aibackend verify\` lists them)`);
  return out.join('\n');
}
