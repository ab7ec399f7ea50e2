// Live figures without a Prometheus server: two reads of the gateway's /metrics/ and what changed
// between them, per public name (requests, errors, latency and time-to-first-token quantiles,
// tokens), the cache hit rate, and each deployment's state mapped back to its provider id.
import { CliError } from '../util/errors.js';
import { bucketsBy, parsePromText, quantile, sumBy, type Sample } from '../client/prom-text.js';
import { gatewayUnreachable, keyRefused } from '../client/gateway-errors.js';
import { baseOf, type RouteMap } from '../config/route-map.js';

export interface MetricsRead {
  at: number;
  samples: Sample[];
}

export interface NameStats {
  name: string;
  requests: number;
  errors: number;
  requests_per_s: number;
  error_rate: number | null;
  latency_p50_s: number | null;
  latency_p95_s: number | null;
  ttft_p50_s: number | null;
  ttft_p95_s: number | null;
  tokens_per_s: number;
}

export interface DeploymentStats {
  provider: string | null;
  model: string;
  api_base: string | null;
  state: 'healthy' | 'partial' | 'outage' | 'unknown';
  cooled_down: boolean;
}

export interface StatsReport {
  window_s: number;
  /** A counter went down between the two reads: the gateway restarted, and the figures count from its restart (Prometheus' increase()). */
  restarted: boolean;
  names: NameStats[];
  cache: { hits: number; misses: number; hit_rate: number | null };
  deployments: DeploymentStats[];
}

export async function readMetrics(gatewayUrl: string, key: string | undefined, timeoutMs: number): Promise<MetricsRead> {
  const url = `${gatewayUrl.replace(/\/+$/, '')}/metrics/`;
  let res: Response;
  try {
    res = await fetch(url, { headers: key ? { authorization: `Bearer ${key}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw gatewayUnreachable(err, gatewayUrl, timeoutMs);
  }
  const text = await res.text();
  const refused = keyRefused(res.status, text);
  if (refused) throw refused;
  const samples = res.ok ? parsePromText(text) : [];
  if (!res.ok || !samples.some((s) => s.name.startsWith('litellm_'))) {
    throw new CliError(
      `the gateway exports no LiteLLM metrics at ${url} (HTTP ${res.status}): set \`metrics: { prometheus: true }\` in gateway.yaml and reload`,
    );
  }
  return { at: performance.now(), samples };
}

const STATE = ['healthy', 'partial', 'outage'] as const;

export function computeStats(map: RouteMap, a: MetricsRead, b: MetricsRead): StatsReport {
  const dt = Math.max((b.at - a.at) / 1000, 1e-3);
  let restarted = false;
  // Counters only grow while the process lives; one that went down was reset by a restart, and what
  // it holds now was counted since then (Prometheus' increase() semantics), not lost.
  const delta = (name: string, label: string) => {
    const before = sumBy(a.samples, name, label);
    const after = sumBy(b.samples, name, label);
    const out = new Map<string, number>();
    for (const [k, v] of after) {
      const was = before.get(k) ?? 0;
      if (v < was) restarted = true;
      out.set(k, v < was ? v : v - was);
    }
    // A series that was counting and is gone: a new process that has not seen that name yet.
    for (const [k, was] of before) if (was > 0 && !after.has(k)) restarted = true;
    return out;
  };
  const total = delta('litellm_proxy_total_requests_metric_total', 'requested_model');
  const failed = delta('litellm_proxy_failed_requests_metric_total', 'requested_model');
  const tokens = delta('litellm_total_tokens_metric_total', 'requested_model');
  const lat = [
    bucketsBy(a.samples, 'litellm_request_total_latency_metric', 'requested_model'),
    bucketsBy(b.samples, 'litellm_request_total_latency_metric', 'requested_model'),
  ] as const;
  const ttft = [
    bucketsBy(a.samples, 'litellm_llm_api_time_to_first_token_metric', 'requested_model'),
    bucketsBy(b.samples, 'litellm_llm_api_time_to_first_token_metric', 'requested_model'),
  ] as const;
  const round = (v: number | null, d = 3) => (v === null ? null : Math.round(v * 10 ** d) / 10 ** d);
  const names = [...new Set([...map.names, ...total.keys()].filter(Boolean))].sort().map((name): NameStats => {
    const requests = total.get(name) ?? 0;
    const errors = failed.get(name) ?? 0;
    return {
      name,
      requests,
      errors,
      requests_per_s: round(requests / dt)!,
      error_rate: requests > 0 ? round(errors / requests) : null,
      latency_p50_s: round(quantile(0.5, lat[0].get(name), lat[1].get(name))),
      latency_p95_s: round(quantile(0.95, lat[0].get(name), lat[1].get(name))),
      ttft_p50_s: round(quantile(0.5, ttft[0].get(name), ttft[1].get(name))),
      ttft_p95_s: round(quantile(0.95, ttft[0].get(name), ttft[1].get(name))),
      tokens_per_s: round((tokens.get(name) ?? 0) / dt, 1)!,
    };
  });
  const hits = delta('litellm_cache_hits_metric_total', '').get('') ?? 0;
  const misses = delta('litellm_cache_misses_metric_total', '').get('') ?? 0;
  const cooled = delta('litellm_deployment_cooled_down_total', 'model_id');
  // One row a deployment: LiteLLM reports some api_bases with the endpoint path appended.
  const rows = new Map<string, DeploymentStats>();
  for (const s of b.samples) {
    if (s.name !== 'litellm_deployment_state') continue;
    const model = s.labels.litellm_model_name ?? '';
    const apiBase = baseOf(s.labels.api_base);
    // litellm_model_name is the backend model (without LiteLLM's provider prefix) or, in some of
    // LiteLLM's metrics, the public name; either way the api_base picks the route.
    const target = [...map.routes]
      .flatMap(([name, rs]) => rs.map((r) => ({ name, r })))
      .find(({ name, r }) => (r.backend === model || name === model) && baseOf(r.api_base) === apiBase)?.r;
    const row: DeploymentStats = {
      provider: target?.provider ?? null,
      model: target?.backend ?? model,
      api_base: apiBase,
      state: STATE[s.value] ?? 'unknown',
      cooled_down: (cooled.get(s.labels.model_id ?? '') ?? 0) > 0,
    };
    const k = `${row.provider} ${row.model} ${row.api_base}`;
    const seen = rows.get(k);
    // The worse state wins.
    if (!seen || STATE.indexOf(row.state as (typeof STATE)[number]) > STATE.indexOf(seen.state as (typeof STATE)[number]))
      rows.set(k, { ...row, cooled_down: row.cooled_down || Boolean(seen?.cooled_down) });
    else if (row.cooled_down) seen.cooled_down = true;
  }
  const deployments = [...rows.values()].sort((x, y) => `${x.provider} ${x.model}`.localeCompare(`${y.provider} ${y.model}`));
  return {
    window_s: round(dt, 2)!,
    restarted,
    names,
    cache: { hits, misses, hit_rate: hits + misses > 0 ? round(hits / (hits + misses)) : null },
    deployments,
  };
}
