// How the compiled config treats one MCP server: what LiteLLM gets for it, and where its tools
// appear (<gateway.url>/mcp, named <id>-<tool>). A pure function of the sources and the compile.
import type { LiteLLMConfig, McpServerEntry } from './compile/litellm-config.js';
import { isActive, type ProvidersFile } from './schema/providers.js';

export interface McpExplanation {
  mcp_server: string;
  transport: 'http' | 'sse' | 'stdio';
  status: 'active' | 'disabled';
  description?: string;
  url?: string;
  command?: string[];
  /** The auth type and the variable its token is read from; never the value. */
  auth?: { type: string; variable: string };
  access_groups: string[];
  allow_all_keys: boolean;
  /** What the compiled file holds for it; null when disabled (not compiled). */
  compiled: McpServerEntry | null;
  /** Where its tools appear, and how they are named there. */
  tools_at: { endpoint: string; prefix: string };
}

export function explainMcpServer(id: string, providers: ProvidersFile, compiled: LiteLLMConfig, gatewayUrl: string): McpExplanation | undefined {
  const s = providers.mcp_servers?.[id];
  if (!s) return undefined;
  return {
    mcp_server: id,
    transport: s.transport ?? 'http',
    status: isActive(s) ? 'active' : 'disabled',
    ...(s.description ? { description: s.description } : {}),
    ...(s.url ? { url: s.url } : {}),
    ...(s.command ? { command: s.command } : {}),
    ...(s.auth ? { auth: { type: s.auth.type, variable: s.auth.token.slice('env:'.length) } } : {}),
    access_groups: s.access_groups ?? [],
    allow_all_keys: s.allow_all_keys ?? false,
    compiled: compiled.mcp_servers?.[id] ?? null,
    tools_at: { endpoint: `${gatewayUrl.replace(/\/+$/, '')}/mcp`, prefix: `${id}-` },
  };
}
