// MCP server entries that parse but cannot work behind LiteLLM: an id with LiteLLM's tool-name
// separator, a url or command that does not fit the transport, a relative stdio program, a URL
// path of the other HTTP transport. Read from the pinned LiteLLM's mcp_server_manager.py and
// stdio_gate.py.
import { isMap, isScalar, isSeq } from 'yaml';
import { replicaService } from '../../deploy/rolling/haproxy.js';
import { isActive } from '../schema/providers.js';
import type { RuleContext } from './context.js';

export function checkMcp(ctx: RuleContext): void {
  for (const [id, s] of Object.entries(ctx.providers?.mcp_servers ?? {})) {
    const key = ctx.at('providers', ['mcp_servers', id], true);
    if (id.includes('-')) {
      ctx.error(
        'mcp-server-id',
        key,
        `MCP server id '${id}' holds '-': LiteLLM names its tools '${id}-<tool>' and refuses a server name with '-' at start-up`,
        id.replace(/-/g, '_'),
      );
    }
    const transport = s.transport ?? 'http';
    const where = (k: string) => ctx.at('providers', ['mcp_servers', id, k], true);
    if (transport === 'stdio') {
      if (s.url !== undefined) ctx.error('mcp-transport', where('url'), `MCP server '${id}' is stdio: the gateway runs its command, so url has no use; remove it or set transport: http`);
      if (s.command === undefined) ctx.error('mcp-transport', key, `stdio MCP server '${id}' needs a command: the argv the gateway runs`, 'command: [program, arg, ...]');
      else {
        const program = s.command[0]!;
        if (program.includes('/') && !program.startsWith('/')) {
          ctx.error(
            'mcp-transport',
            ctx.at('providers', ['mcp_servers', id, 'command', 0]),
            `the program of stdio MCP server '${id}' is the relative path '${program}': it would run whatever file sits there, relative to wherever the gateway starts; name a program on the gateway's PATH or an absolute path`,
          );
        }
      }
      if (isActive(s) && !stdioEnabled(ctx)) {
        ctx.warn(
          'mcp-stdio',
          ctx.at('providers', ['mcp_servers', id, 'transport']),
          `stdio MCP server '${id}': the gateway runs '${s.command?.[0] ?? '?'}' itself, in its own environment, and only when started with LITELLM_ENABLE_MCP_STDIO=true`,
        );
      }
      continue;
    }
    if (s.url === undefined) ctx.error('mcp-transport', key, `MCP server '${id}' (transport ${transport}) needs a url: its MCP endpoint`, 'url: http://127.0.0.1:PORT/mcp');
    for (const k of ['command', 'env'] as const) {
      if (s[k] !== undefined) ctx.error('mcp-transport', where(k), `${k} is for stdio MCP servers; '${id}' is reached over ${transport} at its url`);
    }
    if (s.url !== undefined) checkUrlPath(ctx, id, transport, s.url);
  }
}

function checkUrlPath(ctx: RuleContext, id: string, transport: 'http' | 'sse', raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return; // invalid-url says so
  }
  const path = url.pathname.replace(/\/+$/, '');
  const at = ctx.at('providers', ['mcp_servers', id, 'url']);
  if (transport === 'http' && path.endsWith('/sse')) {
    ctx.warn('mcp-url-path', at, `the url of MCP server '${id}' ends in /sse, the SSE transport's endpoint, but its transport is http (streamable HTTP)`, 'transport: sse');
  } else if (transport === 'sse' && path.endsWith('/mcp')) {
    ctx.warn('mcp-url-path', at, `the url of MCP server '${id}' ends in /mcp, the streamable HTTP endpoint, but its transport is sse`, 'transport: http');
  }
}

const on = (v: unknown) => String(v ?? '').trim().toLowerCase() === 'true';

/**
 * The gateway is started with LITELLM_ENABLE_MCP_STDIO=true: the process runtime's env (or the
 * LITELLM_* environment it passes on), or, with compose, the environment of every gateway service
 * the compose file defines (the service, and with replicas each <service>-rN).
 */
function stdioEnabled(ctx: RuleContext): boolean {
  const gw = ctx.config.sources.gateway ? ctx.gateway : undefined;
  const runtime = gw?.runtime;
  if (runtime?.kind === 'process') return on(runtime.env?.LITELLM_ENABLE_MCP_STDIO) || on(ctx.options.env.LITELLM_ENABLE_MCP_STDIO);
  const compose = ctx.config.compose?.parsed;
  if (runtime?.kind !== 'compose' || !compose || compose.doc.errors.length) return false;
  const names = gw!.replicas >= 2 ? Array.from({ length: gw!.replicas }, (_, i) => replicaService(runtime.service, i)) : [runtime.service];
  const services = names.map((n) => compose.doc.getIn(['services', n, 'environment']));
  return services.length > 0 && services.every((env) => composeEnv(env, 'LITELLM_ENABLE_MCP_STDIO'));
}

/** A compose service's environment (a map, or a list of NAME=value) sets this variable to true. */
function composeEnv(env: unknown, name: string): boolean {
  if (isMap(env)) return on(env.get(name));
  if (isSeq(env)) return env.items.some((item) => isScalar(item) && String(item.value).startsWith(`${name}=`) && on(String(item.value).slice(name.length + 1)));
  return false;
}
