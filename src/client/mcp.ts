// The MCP client side, on the official SDK (@modelcontextprotocol/sdk): connect over streamable
// HTTP or SSE, initialize, list the tools (every page), call one tool, close. Used for an MCP
// server directly (status) and for the gateway's own MCP endpoint, <gateway.url>/mcp (verify, try,
// reload). Errors come back as data, worded for an operator, never as a stack trace.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpServer } from '../config/schema/providers.js';
import { envValue } from '../util/env-ref.js';
import { maskSecrets } from '../util/secrets.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';

export interface McpTarget {
  url: string;
  transport: 'http' | 'sse';
  headers?: Record<string, string>;
}

export interface McpTool {
  name: string;
  description?: string;
}

export interface McpListing {
  ok: boolean;
  ms: number;
  /** serverInfo from initialize. */
  server?: { name: string; version: string };
  tools: McpTool[];
  error?: string;
}

export interface McpCall {
  ok: boolean;
  ms: number;
  /** The tool ran and said it failed (isError). */
  tool_error?: boolean;
  /** The text parts of the result, joined. */
  text?: string;
  /** structuredContent, when the tool returned one. */
  structured?: unknown;
  error?: string;
}

/** The gateway's MCP endpoint, authenticated with the master key (or a virtual key). */
export function gatewayMcpTarget(gatewayUrl: string, key: string | undefined): McpTarget {
  return { url: `${gatewayUrl.replace(/\/+$/, '')}/mcp`, transport: 'http', headers: key ? { Authorization: `Bearer ${key}` } : {} };
}

/** An http/sse MCP server as the gateway reaches it, with the header its auth type names; undefined for stdio. */
export function directMcpTarget(s: McpServer, env: NodeJS.ProcessEnv): McpTarget | undefined {
  const transport = s.transport ?? 'http';
  if (transport === 'stdio' || !s.url) return undefined;
  const headers: Record<string, string> = {};
  const token = s.auth ? envValue(s.auth.token, env) : undefined;
  if (s.auth && token) {
    const bare = (scheme: string) => token.replace(new RegExp(`^${scheme}\\s+`, 'i'), '');
    // The header LiteLLM's MCP client sends for each auth type (experimental_mcp_client/client.py).
    if (s.auth.type === 'bearer_token') headers.Authorization = `Bearer ${bare('Bearer')}`;
    else if (s.auth.type === 'token') headers.Authorization = `token ${bare('token')}`;
    else if (s.auth.type === 'authorization') headers.Authorization = token;
    else if (s.auth.type === 'api_key') headers['X-API-Key'] = token;
    else headers.Authorization = `Basic ${bare('Basic').includes(':') ? Buffer.from(bare('Basic')).toString('base64') : bare('Basic')}`;
  }
  return { url: s.url, transport, headers };
}

async function withClient<T>(target: McpTarget, timeoutMs: number, use: (c: Client, signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no answer within ${Math.round(timeoutMs / 100) / 10} s`)), timeoutMs);
  const requestInit: RequestInit = { headers: target.headers ?? {}, signal: controller.signal };
  const url = new URL(target.url);
  // requestInit's headers go on the SSE stream's GET as well (the SDK's _commonHeaders).
  const transport =
    target.transport === 'sse' ? new SSEClientTransport(url, { requestInit }) : new StreamableHTTPClientTransport(url, { requestInit });
  // The timeout ends everything, the SSE stream included (an EventSource would otherwise reconnect
  // for ever and keep the process alive).
  controller.signal.addEventListener('abort', () => void transport.close().catch(() => undefined), { once: true });
  const client = new Client({ name: TOOL_NAME, version: TOOL_VERSION });
  try {
    await client.connect(transport, { signal: controller.signal, timeout: timeoutMs });
    return await use(client, controller.signal);
  } finally {
    clearTimeout(timer);
    await client.close().catch(() => undefined);
    controller.abort(new Error('done'));
  }
}

/** initialize, then tools/list until the last page. */
export async function listMcpTools(target: McpTarget, timeoutMs: number): Promise<McpListing> {
  const t0 = performance.now();
  try {
    return await withClient(target, timeoutMs, async (client, signal) => {
      const info = client.getServerVersion();
      const tools: McpTool[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 100; page++) {
        const r = await client.listTools(cursor ? { cursor } : {}, { signal, timeout: timeoutMs });
        for (const t of r.tools) tools.push({ name: t.name, ...(t.description ? { description: t.description } : {}) });
        cursor = r.nextCursor;
        if (!cursor) break;
      }
      return {
        ok: true,
        ms: Math.round(performance.now() - t0),
        ...(info ? { server: { name: info.name, version: info.version } } : {}),
        tools: tools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      };
    });
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - t0), tools: [], error: mcpError(err, target) };
  }
}

/** tools/call of one tool with these arguments. */
export async function callMcpTool(target: McpTarget, name: string, args: Record<string, unknown>, timeoutMs: number): Promise<McpCall> {
  const t0 = performance.now();
  try {
    return await withClient(target, timeoutMs, async (client, signal) => {
      const r = await client.callTool({ name, arguments: args }, undefined, { signal, timeout: timeoutMs });
      const content = Array.isArray(r.content) ? (r.content as { type: string; text?: string }[]) : [];
      const text = content
        .filter((c) => c.type === 'text' && typeof c.text === 'string')
        .map((c) => c.text)
        .join('\n');
      return {
        ok: r.isError !== true,
        ms: Math.round(performance.now() - t0),
        ...(r.isError === true ? { tool_error: true } : {}),
        text,
        ...(r.structuredContent !== undefined ? { structured: r.structuredContent } : {}),
      };
    });
  } catch (err) {
    return { ok: false, ms: Math.round(performance.now() - t0), error: mcpError(err, target) };
  }
}

/** One line for an operator: the HTTP status and what the server said, or the network error; secrets masked. */
export function mcpError(err: unknown, target: McpTarget): string {
  const e = err as { code?: unknown; message?: string; cause?: { code?: string; message?: string } };
  const cause = e?.cause?.code ?? e?.cause?.message;
  let msg = String(e?.message ?? err);
  if (/fetch failed/i.test(msg) && cause)
    msg = cause === 'ECONNREFUSED' ? `connection refused at ${target.url}` : `${cause} at ${target.url}`;
  // The SSE transport folds the cause into its own message.
  else if (/\bECONNREFUSED\b/.test(msg)) msg = `connection refused at ${target.url}`;
  msg = msg.replace(/^Streamable HTTP error: /, '').replace(/^Error POSTing to endpoint: /, '');
  const http = typeof e?.code === 'number' && e.code >= 100 && e.code < 600 ? `HTTP ${e.code}: ` : '';
  const text = `${http}${msg}`.replace(/\s+/g, ' ').trim();
  return maskSecrets(text.length > 300 ? `${text.slice(0, 297)}...` : text);
}
