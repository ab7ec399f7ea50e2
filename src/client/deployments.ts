// Deployments, the unit a probe compares: public name, provider model, api_base and weight of
// each model_list entry. Names alone cannot tell a changed route from an unchanged one; LiteLLM's
// authenticated /v1/model/info lists exactly these fields of every deployment it loaded.
import { parse } from 'yaml';

export interface Deployment {
  model_name: string;
  model: string;
  api_base: string | null;
  weight: number | null;
}

export function deploymentKey(d: Deployment): string {
  return `${d.model_name} -> ${d.model}${d.api_base ? ` @ ${d.api_base}` : ''}${d.weight !== null ? ` (weight ${d.weight})` : ''}`;
}

function fromEntry(e: { model_name?: unknown; litellm_params?: Record<string, unknown> } | null | undefined): Deployment {
  const p = e?.litellm_params ?? {};
  const base = p.api_base;
  const weight = p.weight;
  return {
    model_name: String(e?.model_name),
    model: String(p.model),
    api_base: typeof base === 'string' && base !== '' ? base : null,
    weight: typeof weight === 'number' ? weight : null,
  };
}

/** The deployments a LiteLLM config file declares. */
export function deploymentsOf(configText: string | undefined): Deployment[] {
  if (!configText) return [];
  try {
    const doc = parse(configText, { uniqueKeys: false, logLevel: 'error' }) as { model_list?: unknown[] } | null;
    return (doc?.model_list ?? []).map((e) => fromEntry(e as Parameters<typeof fromEntry>[0]));
  } catch {
    return [];
  }
}

/** The deployments in a /v1/model/info answer, or undefined when it is not one. */
export function servedDeployments(body: unknown): Deployment[] | undefined {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return undefined;
  return data.map((e) => fromEntry(e as Parameters<typeof fromEntry>[0]));
}

/** What is compiled but not served, and served but not compiled, as multisets of deployment keys. */
export function compareDeployments(expected: Deployment[], served: Deployment[]): { missing: string[]; unexpected: string[] } {
  const count = new Map<string, number>();
  for (const d of expected) count.set(deploymentKey(d), (count.get(deploymentKey(d)) ?? 0) + 1);
  const unexpected: string[] = [];
  for (const d of served) {
    const k = deploymentKey(d);
    const n = count.get(k) ?? 0;
    if (n > 0) count.set(k, n - 1);
    else unexpected.push(k);
  }
  const missing = [...count].flatMap(([k, n]) => Array<string>(n).fill(k));
  return { missing: missing.sort(), unexpected: unexpected.sort() };
}

/** The MCP server names a LiteLLM config file declares (its mcp_servers keys), or undefined when it has none. */
export function mcpServersOf(configText: string | undefined): string[] | undefined {
  if (!configText || !/^mcp_servers:/m.test(configText)) return undefined;
  try {
    const doc = parse(configText, { uniqueKeys: false, logLevel: 'error' }) as { mcp_servers?: Record<string, unknown> } | null;
    const servers = doc?.mcp_servers;
    return servers && typeof servers === 'object' ? Object.keys(servers).sort() : undefined;
  } catch {
    return undefined;
  }
}

/** The config-loaded MCP servers in a /v1/mcp/server answer (is_config: true), or undefined when it is not one. */
export function servedMcpServers(body: unknown): string[] | undefined {
  if (!Array.isArray(body)) return undefined;
  return body
    .filter((e) => (e as { is_config?: unknown })?.is_config === true)
    .map((e) => String((e as { server_name?: unknown }).server_name))
    .sort();
}
