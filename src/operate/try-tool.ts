// One MCP tool called through the gateway: tools/call at <gateway.url>/mcp with the master key,
// the tool named as the gateway lists it (<server id>-<tool>).
import { callMcpTool, gatewayMcpTarget, type McpCall } from '../client/mcp.js';
import { isActive, type ProvidersFile } from '../config/schema/providers.js';
import { UsageError } from '../util/errors.js';
import { suggestOne } from '../util/suggest.js';
import { MCP_TOOL_SEPARATOR } from './verify-mcp.js';

export interface TryToolResult extends McpCall {
  tool: string;
  server: string;
  url: string;
  arguments: Record<string, unknown>;
}

/** The registered, active server a gateway tool name belongs to; a usage error otherwise. */
export function toolServer(providers: ProvidersFile, tool: string): string {
  const ids = Object.keys(providers.mcp_servers ?? {});
  if (ids.length === 0) throw new UsageError('providers.yaml names no MCP server (mcp_servers:), so the gateway serves no tool');
  const cut = tool.indexOf(MCP_TOOL_SEPARATOR);
  const id = cut > 0 ? tool.slice(0, cut) : '';
  if (!ids.includes(id) || cut === tool.length - 1) {
    const close = suggestOne(id || tool, ids);
    throw new UsageError(
      `'${tool}' is not <server>${MCP_TOOL_SEPARATOR}<tool> for a registered MCP server${close ? `; did you mean a tool of '${close}' (${close}${MCP_TOOL_SEPARATOR}<tool>)?` : ''} (MCP servers: ${ids.join(', ')}; verify lists their tools)`,
    );
  }
  if (!isActive(providers.mcp_servers![id]!)) throw new UsageError(`MCP server '${id}' is disabled: the gateway does not serve its tools`);
  return id;
}

/** JSON object arguments, from --args. */
export function parseToolArgs(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`--args is not JSON: ${(err as Error).message}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UsageError('--args must be a JSON object, e.g. \'{"a": 2, "b": 3}\'');
  return v as Record<string, unknown>;
}

export async function tryTool(
  providers: ProvidersFile,
  tool: string,
  args: Record<string, unknown>,
  o: { gatewayUrl: string; key: string | undefined; timeoutMs: number },
): Promise<TryToolResult> {
  const server = toolServer(providers, tool);
  const target = gatewayMcpTarget(o.gatewayUrl, o.key);
  return { tool, server, url: target.url, arguments: args, ...(await callMcpTool(target, tool, args, o.timeoutMs)) };
}
