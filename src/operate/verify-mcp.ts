// The gateway's MCP endpoint against the registry: list the tools at <gateway.url>/mcp with the
// master key, and check that every active MCP server's tools are there (LiteLLM names them
// <id>-<tool>), that a server asked directly has none missing at the gateway, and that no
// disabled server's tools are served.
import { gatewayMcpTarget, listMcpTools } from '../client/mcp.js';
import { isActive, type ProvidersFile } from '../config/schema/providers.js';
import { mcpStatus } from './mcp-status.js';

/** LiteLLM's MCP_TOOL_PREFIX_SEPARATOR (default '-'). */
export const MCP_TOOL_SEPARATOR = '-';

export interface McpFinding {
  kind: 'mcp-endpoint' | 'mcp-server-missing' | 'mcp-tool-missing' | 'mcp-disabled-served';
  server?: string;
  message: string;
}

export interface McpServerVerdict {
  id: string;
  /** The server's tools as the gateway lists them (<id>-<tool>). */
  gateway_tools: string[];
  /** What the server lists when asked directly (http/sse only), or null when it was not asked or did not answer. */
  direct_tools: string[] | null;
  findings: McpFinding[];
}

export interface McpVerifyReport {
  url: string;
  /** Every tool the gateway lists, or null when its MCP endpoint did not answer. */
  listed: number | null;
  servers: McpServerVerdict[];
  findings: McpFinding[];
  ok: boolean;
}

export async function verifyMcp(
  providers: ProvidersFile,
  o: { gatewayUrl: string; key: string | undefined; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<McpVerifyReport> {
  const target = gatewayMcpTarget(o.gatewayUrl, o.key);
  const [listing, direct] = await Promise.all([listMcpTools(target, o.timeoutMs), mcpStatus(providers, o.env, o.timeoutMs)]);
  const top: McpFinding[] = [];
  if (!listing.ok)
    top.push({ kind: 'mcp-endpoint', message: `the gateway's MCP endpoint ${target.url} did not list tools: ${listing.error}` });
  const names = listing.tools.map((t) => t.name);
  const servers: McpServerVerdict[] = [];
  for (const [id, s] of Object.entries(providers.mcp_servers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const prefix = `${id}${MCP_TOOL_SEPARATOR}`;
    const gateway_tools = names.filter((n) => n.startsWith(prefix));
    const asked = direct.find((d) => d.id === id);
    const direct_tools = asked?.state === 'up' ? asked.tools : null;
    const findings: McpFinding[] = [];
    if (!isActive(s)) {
      if (gateway_tools.length)
        findings.push({
          kind: 'mcp-disabled-served',
          server: id,
          message: `'${id}' is disabled, but the gateway serves its tools ${gateway_tools.join(', ')}`,
        });
    } else if (listing.ok && gateway_tools.length === 0) {
      const why = asked?.state === 'down' ? ` (asked directly, it does not answer either: ${asked.error})` : '';
      findings.push({ kind: 'mcp-server-missing', server: id, message: `the gateway lists no tool of MCP server '${id}'${why}` });
    } else if (listing.ok && direct_tools) {
      const missing = direct_tools.filter((t) => !gateway_tools.includes(`${prefix}${t}`));
      if (missing.length)
        findings.push({
          kind: 'mcp-tool-missing',
          server: id,
          message: `'${id}' lists ${missing.map((t) => `'${t}'`).join(', ')}, which the gateway does not serve as ${missing.map((t) => `${prefix}${t}`).join(', ')}`,
        });
    }
    servers.push({ id, gateway_tools, direct_tools, findings });
  }
  const findings = [...top, ...servers.flatMap((v) => v.findings)];
  return { url: target.url, listed: listing.ok ? names.length : null, servers, findings, ok: findings.length === 0 };
}
