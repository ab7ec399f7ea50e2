// MCP servers to LiteLLM's `mcp_servers` map (proxy_server.py hands it to the MCP server manager's
// load_servers_from_config): active servers only, sorted by id, keys in one fixed order.
import type { McpServer, ProvidersFile } from '../schema/providers.js';
import { isActive } from '../schema/providers.js';
import { envToLiteLLM } from './compile-models.js';
import type { McpServerEntry } from './litellm-config.js';
import { byCodePoint } from '../../util/canonical.js';

/** The compiled map, or undefined when no MCP server is active (the key is then left out). */
/** The compiled map, or undefined when no MCP server is active (the key is then left out). */
export function compileMcpServers(providers: ProvidersFile): Record<string, McpServerEntry> | undefined {
  const active = Object.entries(providers.mcp_servers ?? {}).filter(([, s]) => isActive(s));
  if (active.length === 0) return undefined;
  const out: Record<string, McpServerEntry> = {};
  for (const [id, s] of active.sort(([a], [b]) => byCodePoint(a, b))) out[id] = compileMcpServer(s);
  return out;
}

export function compileMcpServer(s: McpServer): McpServerEntry {
  const transport = s.transport ?? 'http';
  const entry: McpServerEntry = {};
  if (transport === 'stdio') {
    const [command, ...args] = s.command ?? [];
    entry.command = command ?? '';
    if (args.length) entry.args = args;
    const env = s.env ?? {};
    if (Object.keys(env).length) entry.env = Object.fromEntries(Object.keys(env).sort(byCodePoint).map((k) => [k, envToLiteLLM(env[k]!)]));
  } else if (s.url !== undefined) entry.url = s.url;
  entry.transport = transport;
  if (s.description) entry.description = s.description;
  if (s.auth) {
    entry.auth_type = s.auth.type;
    entry.authentication_token = envToLiteLLM(s.auth.token);
  }
  if (s.access_groups?.length) entry.access_groups = [...s.access_groups];
  if (s.allow_all_keys !== undefined) entry.allow_all_keys = s.allow_all_keys;
  if (s.timeout_s !== undefined) entry.timeout = s.timeout_s;
  return entry;
}
