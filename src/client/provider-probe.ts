// What a provider actually serves: Ollama through /api/tags; llama.cpp, vLLM and other
// OpenAI-compatible servers through /v1/models; OpenAI and Anthropic through their model lists.
import type { Provider } from '../config/schema/providers.js';
import { envValue } from '../util/env-ref.js';
import { getJson } from './http-json.js';

export interface ProviderProbe {
  /** The provider's base URL (the hosted API's for openai and anthropic without one). */
  url: string;
  /** What was asked. */
  probe_url: string;
  reachable: boolean;
  latency_ms: number;
  served: string[];
  error?: string;
}

const HOSTED_BASE: Record<string, string> = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com/v1' };

export function base_url(p: Provider): string {
  return (p.base_url ?? HOSTED_BASE[p.type] ?? '').replace(/\/+$/, '');
}

export function modelsUrl(p: Provider): string {
  const base = base_url(p);
  if (p.type === 'ollama') return `${base}/api/tags`;
  return /\/v\d+$/.test(base) ? `${base}/models` : `${base}/v1/models`;
}

export async function probeProvider(p: Provider, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ProviderProbe> {
  const url = base_url(p);
  const probeUrl = modelsUrl(p);
  const key = envValue(p.api_key, env);
  const headers: Record<string, string> = {};
  if (p.type === 'anthropic') {
    if (key) headers['x-api-key'] = key;
    headers['anthropic-version'] = '2023-06-01';
  } else if (key) headers.authorization = `Bearer ${key}`;
  const r = await getJson(probeUrl, headers, timeoutMs);
  if (!r.ok) return { url, probe_url: probeUrl, reachable: false, latency_ms: r.ms, served: [], error: r.error ?? `HTTP ${r.status}` };
  const served = p.type === 'ollama' ? namesOf(r.body, 'models', 'name') : namesOf(r.body, 'data', 'id');
  if (!served) return { url, probe_url: probeUrl, reachable: true, latency_ms: r.ms, served: [], error: 'the answer is not a model list' };
  return { url, probe_url: probeUrl, reachable: true, latency_ms: r.ms, served: served.sort() };
}

function namesOf(body: unknown, list: string, field: string): string[] | undefined {
  const items = (body as Record<string, unknown> | undefined)?.[list];
  if (!Array.isArray(items)) return undefined;
  return items.map((m) => String((m as Record<string, unknown>)[field] ?? (m as Record<string, unknown>).model ?? '')).filter(Boolean);
}

/** Ollama lists "nomic-embed-text" as "nomic-embed-text:latest": the same model. */
export function sameModel(type: string, registered: string, served: string): boolean {
  if (registered === served) return true;
  if (type !== 'ollama') return false;
  const norm = (s: string) => (s.includes(':') ? s : `${s}:latest`);
  return norm(registered) === norm(served);
}
