// Each MCP server of the registry, asked directly: connect, initialize, list its tools. A stdio
// server is a program the gateway itself runs, so it is not started here; verify finds its tools
// through the gateway.
import { directMcpTarget, listMcpTools } from '../client/mcp.js';
import { isActive, type ProvidersFile } from '../config/schema/providers.js';

export interface McpServerStatus {
  id: string;
  transport: 'http' | 'sse' | 'stdio';
  url?: string;
  /** up: initialize and tools/list answered; down: they did not; not-probed: stdio or disabled. */
  state: 'up' | 'down' | 'not-probed';
  latency_ms?: number;
  /** serverInfo from initialize. */
  server?: { name: string; version: string };
  /** Tool names as the server lists them (the gateway lists them as <id>-<tool>). */
  tools: string[];
  error?: string;
  /** Why it was not probed. */
  reason?: string;
}

export async function mcpStatus(providers: ProvidersFile, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<McpServerStatus[]> {
  return await Promise.all(
    Object.entries(providers.mcp_servers ?? {}).map(async ([id, s]): Promise<McpServerStatus> => {
      const transport = s.transport ?? 'http';
      const base = { id, transport, ...(s.url ? { url: s.url } : {}), tools: [] as string[] };
      if (!isActive(s)) return { ...base, state: 'not-probed', reason: 'disabled' };
      const target = directMcpTarget(s, env);
      if (!target)
        return { ...base, state: 'not-probed', reason: 'stdio: the gateway runs it; verify lists its tools through the gateway' };
      const r = await listMcpTools(target, timeoutMs);
      return {
        ...base,
        state: r.ok ? 'up' : 'down',
        latency_ms: r.ms,
        ...(r.server ? { server: r.server } : {}),
        tools: r.tools.map((t) => t.name),
        ...(r.error ? { error: r.error } : {}),
      };
    }),
  );
}
