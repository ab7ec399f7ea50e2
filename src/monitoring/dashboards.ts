// The five Grafana dashboards of the seed's stack (Overview, Token Usage, Performance, Provider
// Health, System Health) as data: panels with PromQL over the metric names in metrics.ts only,
// template variables whose choices are the registry's public names and providers, and panels for
// vLLM, llama.cpp and Redis only when the registry has something that exports them.
// Built as Grafana's dashboard model (schemaVersion 39); tests/unit/grafana-schema.test.ts checks
// the JSON against the types of @grafana/schema.
import type { GatewayFile } from '../config/schema/gateway.js';
import type { MappingsFile } from '../config/schema/mappings.js';
import type { ProvidersFile } from '../config/schema/providers.js';
import { byCodePoint } from '../util/canonical.js';
import { servedNames } from '../config/compile/compile.js';
import { scrapedProviderTypes, type ScrapeTarget } from './targets.js';

export interface PanelQuery {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  kind: 'timeseries' | 'stat';
  queries: PanelQuery[];
}

export interface DashboardSpec {
  uid: string;
  file: string;
  title: string;
  description: string;
  panels: PanelSpec[];
}

const DS = { type: 'prometheus', uid: '${DS_PROMETHEUS}' } as const;
const NAME = 'requested_model=~"$public_name"';
const RATE = '[$__rate_interval]';

const ts = (title: string, description: string, unit: string, ...queries: PanelQuery[]): PanelSpec => ({
  title,
  description,
  unit,
  kind: 'timeseries',
  queries,
});
const stat = (title: string, description: string, unit: string, ...queries: PanelQuery[]): PanelSpec => ({
  title,
  description,
  unit,
  kind: 'stat',
  queries,
});
const q = (expr: string, legend: string): PanelQuery => ({ expr, legend });
const p = (quantile: number, metric: string, by: string, filter = ''): string =>
  `histogram_quantile(${quantile}, sum by (le, ${by}) (rate(${metric}_bucket${filter ? `{${filter}}` : ''}${RATE})))`;

function overviewPanels(): PanelSpec[] {
  const overview: PanelSpec[] = [
    ts(
      'Requests per second',
      'Requests the gateway received, by public name (model in the request).',
      'reqps',
      q(`sum by (requested_model) (rate(litellm_proxy_total_requests_metric_total{${NAME}}${RATE}))`, '{{requested_model}}'),
    ),
    ts(
      'Failed requests per second',
      'Requests that got no successful answer (after retries and fallbacks), by public name.',
      'reqps',
      q(`sum by (requested_model) (rate(litellm_proxy_failed_requests_metric_total{${NAME}}${RATE}))`, '{{requested_model}}'),
    ),
    ts(
      'Request latency p95',
      'End-to-end latency through the gateway, 95th percentile, by public name.',
      's',
      q(p(0.95, 'litellm_request_total_latency_metric', 'requested_model', NAME), '{{requested_model}}'),
    ),
    ts(
      'Tokens per second',
      'Input plus output tokens, all public names.',
      'short',
      q(`sum(rate(litellm_total_tokens_metric_total{${NAME}}${RATE}))`, 'tokens/s'),
    ),
    stat('In-flight requests', 'Requests the gateway is handling right now.', 'short', q('sum(litellm_in_flight_requests)', 'in flight')),
    stat('Scrape targets up', 'Every target Prometheus scrapes: 1 up, 0 down.', 'short', q('up', '{{job}} {{instance}}')),
  ];
  return overview;
}

function tokenPanels(): PanelSpec[] {
  const tokens: PanelSpec[] = [
    ts(
      'Total tokens per second',
      'By public name.',
      'short',
      q(`sum by (requested_model) (rate(litellm_total_tokens_metric_total{${NAME}}${RATE}))`, '{{requested_model}}'),
    ),
    ts(
      'Input tokens per second',
      'Prompt tokens, by public name.',
      'short',
      q(`sum by (requested_model) (rate(litellm_input_tokens_metric_total{${NAME}}${RATE}))`, '{{requested_model}}'),
    ),
    ts(
      'Output tokens per second',
      'Completion tokens, by public name.',
      'short',
      q(`sum by (requested_model) (rate(litellm_output_tokens_metric_total{${NAME}}${RATE}))`, '{{requested_model}}'),
    ),
    ts(
      'Tokens by backend model',
      "Tokens over the dashboard range, by the provider's model.",
      'short',
      q('sum by (model) (increase(litellm_total_tokens_metric_total[$__range]))', '{{model}}'),
    ),
    ts(
      'Spend (USD)',
      'Cost LiteLLM computes from its price map, over the dashboard range, by public name (0 for local models).',
      'currencyUSD',
      q(`sum by (requested_model) (increase(litellm_spend_metric_total{${NAME}}[$__range]))`, '{{requested_model}}'),
    ),
  ];
  return tokens;
}

function performancePanels(vllm: boolean): PanelSpec[] {
  const performance: PanelSpec[] = [
    ts(
      'Request latency p50 and p95',
      'End-to-end latency through the gateway, by public name.',
      's',
      q(p(0.5, 'litellm_request_total_latency_metric', 'requested_model', NAME), 'p50 {{requested_model}}'),
      q(p(0.95, 'litellm_request_total_latency_metric', 'requested_model', NAME), 'p95 {{requested_model}}'),
    ),
    ts(
      'Provider API latency p95',
      'Time the provider took to answer, by backend model.',
      's',
      q(p(0.95, 'litellm_llm_api_latency_metric', 'model', NAME), '{{model}}'),
    ),
    ts(
      'Gateway overhead p95',
      'Time LiteLLM itself adds to a request, by public name.',
      's',
      q(p(0.95, 'litellm_overhead_latency_metric', 'model_group'), '{{model_group}}'),
    ),
    ts(
      'Time to first token p95',
      'Streaming requests only, by public name.',
      's',
      q(p(0.95, 'litellm_llm_api_time_to_first_token_metric', 'requested_model', NAME), '{{requested_model}}'),
    ),
    ts(
      'Queue time p95',
      'Time a request waited in the gateway before it was sent, by public name.',
      's',
      q(p(0.95, 'litellm_request_queue_time_seconds', 'requested_model', NAME), '{{requested_model}}'),
    ),
  ];
  if (vllm)
    performance.push(
      ts(
        'vLLM time to first token p95',
        'Measured by vLLM itself, by model.',
        's',
        q(p(0.95, 'vllm:time_to_first_token_seconds', 'model_name', 'provider=~"$provider"'), '{{provider}} {{model_name}}'),
      ),
    );
  return performance;
}

function healthPanels(providerScraped: boolean, vllm: boolean, llamacpp: boolean): PanelSpec[] {
  const health: PanelSpec[] = [
    stat(
      'Deployment state',
      '0 healthy, 1 partial outage, 2 outage, per deployment (backend model at its API base).',
      'short',
      q('max by (litellm_model_name, api_base) (litellm_deployment_state)', '{{litellm_model_name}} {{api_base}}'),
    ),
    ts(
      'Successful responses per second',
      'Provider responses that succeeded, by public name.',
      'reqps',
      q('sum by (model_group) (rate(litellm_deployment_success_responses_total[$__rate_interval]))', '{{model_group}}'),
    ),
    ts(
      'Failed responses per second',
      'Provider responses that failed (before retries and fallbacks), by public name.',
      'reqps',
      q('sum by (model_group) (rate(litellm_deployment_failure_responses_total[$__rate_interval]))', '{{model_group}}'),
    ),
    ts(
      'Cooldowns',
      'Times a deployment was taken out of rotation after too many failures, over the dashboard range.',
      'short',
      q(
        'sum by (litellm_model_name, api_base) (increase(litellm_deployment_cooled_down_total[$__range]))',
        '{{litellm_model_name}} {{api_base}}',
      ),
    ),
    ts(
      'Fallbacks that answered',
      'Requests that a fallback public name answered, over the dashboard range.',
      'short',
      q(
        `sum by (requested_model, fallback_model) (increase(litellm_deployment_successful_fallbacks_total{${NAME}}[$__range]))`,
        '{{requested_model}} → {{fallback_model}}',
      ),
    ),
  ];
  if (providerScraped)
    health.push(
      stat(
        'Provider metrics endpoints up',
        'Providers that expose metrics: 1 up, 0 down.',
        'short',
        q('up{job=~"provider-.+", provider=~"$provider"}', '{{provider}} ({{provider_type}})'),
      ),
    );
  if (vllm) {
    health.push(
      ts(
        'vLLM requests running and waiting',
        "Requests on the GPU and in vLLM's queue, by provider.",
        'short',
        q('sum by (provider) (vllm:num_requests_running{provider=~"$provider"})', 'running {{provider}}'),
        q('sum by (provider) (vllm:num_requests_waiting{provider=~"$provider"})', 'waiting {{provider}}'),
      ),
    );
    health.push(
      ts(
        'vLLM KV cache usage',
        'Fraction of the KV cache in use, by provider.',
        'percentunit',
        q('max by (provider) (vllm:kv_cache_usage_perc{provider=~"$provider"})', '{{provider}}'),
      ),
    );
  }
  if (llamacpp) {
    health.push(
      ts(
        'llama.cpp requests processing and deferred',
        'By provider (llama-server --metrics).',
        'short',
        q('sum by (provider) (llamacpp:requests_processing{provider=~"$provider"})', 'processing {{provider}}'),
        q('sum by (provider) (llamacpp:requests_deferred{provider=~"$provider"})', 'deferred {{provider}}'),
      ),
    );
    health.push(
      ts(
        'llama.cpp generation speed',
        'Tokens per second while generating, by provider.',
        'short',
        q('max by (provider) (llamacpp:predicted_tokens_seconds{provider=~"$provider"})', '{{provider}}'),
      ),
    );
  }
  return health;
}

function systemPanels(cache: boolean): PanelSpec[] {
  const system: PanelSpec[] = [
    stat('Targets up', 'Every scrape job: 1 up, 0 down.', 'short', q('min by (job) (up)', '{{job}}')),
    ts(
      'Gateway memory',
      'Resident memory of each gateway process.',
      'bytes',
      q('process_resident_memory_bytes{job="litellm"}', '{{instance}}'),
    ),
    ts(
      'Gateway CPU',
      'CPU seconds per second of each gateway process.',
      'percentunit',
      q('rate(process_cpu_seconds_total{job="litellm"}[$__rate_interval])', '{{instance}}'),
    ),
    stat('Prometheus head series', "Series in Prometheus' head block (its own load).", 'short', q('prometheus_tsdb_head_series', 'series')),
  ];
  if (cache) {
    system.push(
      stat('Redis up', '1 when redis_exporter reaches Redis.', 'short', q('redis_up', 'redis')),
      ts(
        'Gateway cache hit ratio',
        "Requests answered from LiteLLM's Redis cache.",
        'percentunit',
        q(
          `sum(rate(litellm_cache_hits_metric_total${RATE})) / (sum(rate(litellm_cache_hits_metric_total${RATE})) + sum(rate(litellm_cache_misses_metric_total${RATE})))`,
          'hit ratio',
        ),
      ),
      ts(
        'Redis keyspace hits and misses',
        'Lookups per second in Redis.',
        'ops',
        q(`rate(redis_keyspace_hits_total${RATE})`, 'hits'),
        q(`rate(redis_keyspace_misses_total${RATE})`, 'misses'),
      ),
      ts(
        'Redis memory and keys',
        'Memory Redis uses, and its keys.',
        'bytes',
        q('redis_memory_used_bytes', 'memory'),
        q('sum(redis_db_keys)', 'keys'),
      ),
    );
  }
  return system;
}

export function dashboardSpecs(gw: GatewayFile, targets: readonly ScrapeTarget[]): DashboardSpec[] {
  const types = scrapedProviderTypes(targets);
  const providerScraped = targets.some((t) => t.job.startsWith('provider-'));
  const cache = gw.cache.enabled;
  const vllm = types.has('vllm');
  const llamacpp = types.has('llama_cpp');

  const overview = overviewPanels();
  const tokens = tokenPanels();
  const performance = performancePanels(vllm);
  const health = healthPanels(providerScraped, vllm, llamacpp);
  const system = systemPanels(cache);
  return [
    {
      uid: 'aibackend-overview',
      file: 'overview.json',
      title: 'aibackend / Overview',
      description: 'Traffic, failures, latency and tokens through the gateway at a glance.',
      panels: overview,
    },
    {
      uid: 'aibackend-token-usage',
      file: 'token-usage.json',
      title: 'aibackend / Token Usage',
      description: 'Tokens and spend by public name and backend model.',
      panels: tokens,
    },
    {
      uid: 'aibackend-performance',
      file: 'performance.json',
      title: 'aibackend / Performance',
      description: "Latency through the gateway, at the provider, and LiteLLM's own overhead.",
      panels: performance,
    },
    {
      uid: 'aibackend-provider-health',
      file: 'provider-health.json',
      title: 'aibackend / Provider Health',
      description: "Deployment state, failures, cooldowns and fallbacks; the inference servers' own metrics.",
      panels: health,
    },
    {
      uid: 'aibackend-system-health',
      file: 'system-health.json',
      title: 'aibackend / System Health',
      description: 'Scrape targets, the gateway processes, Redis and Prometheus.',
      panels: system,
    },
  ];
}

/** Grafana's dashboard model for one spec; `description` carries the provenance (set by the emitter). */
export function grafanaDashboard(spec: DashboardSpec, mappings: MappingsFile, providers: ProvidersFile): Record<string, unknown> {
  const names = servedNames(mappings);
  const providerIds = Object.keys(providers.providers)
    .filter((id) => providers.providers[id]!.status !== 'disabled')
    .sort(byCodePoint);
  const panels = spec.panels.map((panel, i) => ({
    id: i + 1,
    type: panel.kind,
    title: panel.title,
    description: panel.description,
    datasource: DS,
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: { defaults: { unit: panel.unit }, overrides: [] },
    options:
      panel.kind === 'stat'
        ? { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'none' }
        : { legend: { displayMode: 'list', placement: 'bottom', showLegend: true }, tooltip: { mode: 'multi', sort: 'desc' } },
    targets: panel.queries.map((query, j) => ({
      refId: String.fromCharCode(65 + j),
      datasource: DS,
      expr: query.expr,
      legendFormat: query.legend,
      range: true,
    })),
  }));
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['aibackend', 'litellm'],
    editable: false,
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    timezone: 'browser',
    graphTooltip: 1,
    templating: {
      list: [
        { name: 'DS_PROMETHEUS', label: 'Data source', type: 'datasource', query: 'prometheus', hide: 0 },
        customVariable('public_name', 'Public name', names),
        customVariable('provider', 'Provider', providerIds),
      ],
    },
    annotations: { list: [] },
    panels,
  };
}

function customVariable(name: string, label: string, values: string[]): Record<string, unknown> {
  // Grafana regex-escapes the chosen values itself when it puts them in a =~ matcher.
  const options = values.map((v) => ({ text: v, value: v, selected: false }));
  return {
    name,
    label,
    type: 'custom',
    query: options.map((o) => o.value.replace(/,/g, '\\,')).join(','),
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { text: ['All'], value: ['$__all'] },
    options: [{ text: 'All', value: '$__all', selected: true }, ...options],
    hide: 0,
  };
}
