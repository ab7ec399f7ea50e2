// The running stack's proof that the compiled config does what the sources say: every public name
// and alias is tried; each must be answered by one of its own routes, and a load-balanced name
// must reach every one of its routes over its requests. Each request has its own prompt, so that
// the response cache cannot answer in the deployment's place.
import type { RouteMap } from '../config/route-map.js';
import type { ProvidersFile } from '../config/schema/providers.js';
import { tryName, type TryOptions, type TryResult } from './try.js';
import { verifyMcp, type McpVerifyReport } from './verify-mcp.js';

export interface VerifyFinding {
  kind: 'failed' | 'fallback' | 'unknown-deployment' | 'route-not-reached';
  message: string;
}

export interface NameVerdict {
  name: string;
  requests: number;
  /** "provider/backend" -> answers. */
  reached: Record<string, number>;
  routes: string[];
  findings: VerifyFinding[];
  call_ids: string[];
}

export interface VerifyReport {
  ok: boolean;
  names: NameVerdict[];
  /** When the registry names MCP servers: their tools at the gateway's MCP endpoint. */
  mcp?: McpVerifyReport;
  findings: number;
}

const key = (provider: string, backend: string) => `${provider}/${backend}`;

export async function verify(
  map: RouteMap,
  o: Omit<TryOptions, 'prompt' | 'stream' | 'callId'> & {
    requests: number;
    progress?: (line: string) => void;
    /** The registry and environment, to verify its MCP servers too. */
    mcp?: { providers: ProvidersFile; env: NodeJS.ProcessEnv };
  },
): Promise<VerifyReport> {
  const names: NameVerdict[] = [];
  for (const name of map.names) {
    const routes = map.routes.get(name) ?? [];
    const distinct = [...new Set(routes.map((r) => key(r.provider, r.backend)))];
    const count = distinct.length > 1 ? Math.max(o.requests, distinct.length) : 1;
    o.progress?.(`${name}: ${count} request${count === 1 ? '' : 's'}`);
    const verdict: NameVerdict = { name, requests: count, reached: {}, routes: distinct, findings: [], call_ids: [] };
    for (let i = 0; i < count; i++) {
      const r: TryResult = await tryName(map, name, {
        ...o,
        stream: false,
        prompt: `aibackend verify ${name} #${i + 1} ${Date.now()}-${Math.random().toString(36).slice(2)}`,
      });
      verdict.call_ids.push(r.call_id);
      if (!r.ok) {
        verdict.findings.push({
          kind: 'failed',
          message: `request ${i + 1} failed: HTTP ${r.status}${r.error ? ` (${r.error.kind}): ${r.error.message}` : ''} (call id ${r.call_id})`,
        });
        continue;
      }
      const who = r.answered_by.provider
        ? key(r.answered_by.provider, r.answered_by.backend_model!)
        : `${r.answered_by.model ?? '?'} at ${r.answered_by.api_base ?? '?'}`;
      verdict.reached[who] = (verdict.reached[who] ?? 0) + 1;
      if (r.via === 'fallback')
        verdict.findings.push({
          kind: 'fallback',
          message: `answered by the fallback ${r.answered_by.model_group} (${who}), not by a route of ${name} (call id ${r.call_id})`,
        });
      else if (r.via === 'unknown')
        verdict.findings.push({
          kind: 'unknown-deployment',
          message: `answered by ${who}, which is not a route of ${name} (call id ${r.call_id})`,
        });
    }
    if (distinct.length > 1 && verdict.findings.length === 0) {
      for (const route of distinct) {
        if (!verdict.reached[route])
          verdict.findings.push({ kind: 'route-not-reached', message: `the route ${route} answered none of ${count} requests` });
      }
    }
    names.push(verdict);
  }
  let mcp: McpVerifyReport | undefined;
  if (o.mcp && Object.keys(o.mcp.providers.mcp_servers ?? {}).length) {
    o.progress?.('MCP: listing the tools at the gateway and at each MCP server');
    mcp = await verifyMcp(o.mcp.providers, { gatewayUrl: o.gatewayUrl, key: o.key, env: o.mcp.env, timeoutMs: o.timeoutMs });
  }
  const findings = names.reduce((n, v) => n + v.findings.length, 0) + (mcp?.findings.length ?? 0);
  return { ok: findings === 0, names, ...(mcp ? { mcp } : {}), findings };
}
