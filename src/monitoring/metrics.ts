// Every metric name the generated dashboards and rules may query, with the exporter that exports
// it and where it was observed. One list: tests/unit/monitoring/monitoring.test.ts fails when an expression
// names anything else, and tests/gateway/monitoring.test.ts proves against the real exporters that
// every panel returns data. Histograms are listed by their base name (the _bucket, _sum and _count
// series follow); counters by the _total name Prometheus exposes.

export type Exporter = 'litellm' | 'vllm' | 'llamacpp' | 'redis_exporter' | 'prometheus';

export interface MetricFact {
  exporter: Exporter;
  kind: 'counter' | 'gauge' | 'histogram';
  /** Labels the expressions group or filter by. */
  labels: readonly string[];
  observed: string;
}

const LITELLM =
  'LiteLLM 1.106.12 prometheus callback (callbacks: [prometheus]), GET /metrics/ after chat, streaming, cached, failed and fallback requests, 2026-11-27';
const VLLM =
  'vLLM 0.34.0 /metrics (vllm/v1/metrics/loggers.py in its sdist), labelled by model_name and engine; vLLM needs a GPU, so the test provider serves these names';
const LLAMACPP =
  "llama.cpp's llama-server --metrics (llama-cpp-python 0.3.36's vendored tree, scripts/setup-llama-cpp.sh), GET /metrics, unlabelled; the monitoring test scrapes the real server";
const REDIS = 'Debian prometheus-redis-exporter 1.x against redis-server 7, GET /metrics';
const PROM = 'Debian prometheus 2.x scraping itself, GET /metrics; `up` is written by Prometheus for every target';

export const METRICS: Readonly<Record<string, MetricFact>> = {
  up: { exporter: 'prometheus', kind: 'gauge', labels: ['job', 'instance', 'provider'], observed: PROM },
  prometheus_tsdb_head_series: { exporter: 'prometheus', kind: 'gauge', labels: [], observed: PROM },
  process_resident_memory_bytes: {
    exporter: 'litellm',
    kind: 'gauge',
    labels: ['job'],
    observed: `${LITELLM} (prometheus_client's process collector)`,
  },
  process_cpu_seconds_total: {
    exporter: 'litellm',
    kind: 'counter',
    labels: ['job'],
    observed: `${LITELLM} (prometheus_client's process collector)`,
  },
  litellm_proxy_total_requests_metric_total: {
    exporter: 'litellm',
    kind: 'counter',
    labels: ['requested_model', 'status_code', 'route'],
    observed: LITELLM,
  },
  litellm_proxy_failed_requests_metric_total: {
    exporter: 'litellm',
    kind: 'counter',
    labels: ['requested_model', 'exception_status', 'exception_class'],
    observed: `${LITELLM}, after a request that failed without a fallback`,
  },
  litellm_in_flight_requests: { exporter: 'litellm', kind: 'gauge', labels: [], observed: LITELLM },
  litellm_request_total_latency_metric: {
    exporter: 'litellm',
    kind: 'histogram',
    labels: ['requested_model', 'model_group'],
    observed: LITELLM,
  },
  litellm_llm_api_latency_metric: { exporter: 'litellm', kind: 'histogram', labels: ['model', 'requested_model'], observed: LITELLM },
  litellm_llm_api_time_to_first_token_metric: {
    exporter: 'litellm',
    kind: 'histogram',
    labels: ['requested_model'],
    observed: `${LITELLM}, streaming requests only`,
  },
  litellm_overhead_latency_metric: { exporter: 'litellm', kind: 'histogram', labels: ['model_group'], observed: LITELLM },
  litellm_request_queue_time_seconds: { exporter: 'litellm', kind: 'histogram', labels: ['requested_model'], observed: LITELLM },
  litellm_total_tokens_metric_total: { exporter: 'litellm', kind: 'counter', labels: ['requested_model', 'model'], observed: LITELLM },
  litellm_input_tokens_metric_total: { exporter: 'litellm', kind: 'counter', labels: ['requested_model'], observed: LITELLM },
  litellm_output_tokens_metric_total: { exporter: 'litellm', kind: 'counter', labels: ['requested_model'], observed: LITELLM },
  litellm_spend_metric_total: { exporter: 'litellm', kind: 'counter', labels: ['requested_model'], observed: LITELLM },
  litellm_deployment_state: {
    exporter: 'litellm',
    kind: 'gauge',
    labels: ['litellm_model_name', 'api_base'],
    observed: `${LITELLM}; 0 healthy, 1 partial outage, 2 outage`,
  },
  litellm_deployment_success_responses_total: { exporter: 'litellm', kind: 'counter', labels: ['model_group'], observed: LITELLM },
  litellm_deployment_failure_responses_total: {
    exporter: 'litellm',
    kind: 'counter',
    labels: ['model_group'],
    observed: `${LITELLM}, after a provider answered 503`,
  },
  litellm_deployment_cooled_down_total: {
    exporter: 'litellm',
    kind: 'counter',
    labels: ['litellm_model_name', 'api_base'],
    observed: `${LITELLM}, after a deployment failed more than allowed_fails`,
  },
  litellm_deployment_successful_fallbacks_total: {
    exporter: 'litellm',
    kind: 'counter',
    labels: ['requested_model', 'fallback_model'],
    observed: `${LITELLM}, after a fallback answered`,
  },
  litellm_cache_hits_metric_total: {
    exporter: 'litellm',
    kind: 'counter',
    labels: [],
    observed: `${LITELLM}, with the Redis cache on and a repeated request`,
  },
  litellm_cache_misses_metric_total: { exporter: 'litellm', kind: 'counter', labels: [], observed: `${LITELLM}, with the Redis cache on` },
  'vllm:num_requests_running': { exporter: 'vllm', kind: 'gauge', labels: ['model_name'], observed: VLLM },
  'vllm:num_requests_waiting': { exporter: 'vllm', kind: 'gauge', labels: ['model_name'], observed: VLLM },
  'vllm:kv_cache_usage_perc': { exporter: 'vllm', kind: 'gauge', labels: ['model_name'], observed: VLLM },
  'vllm:time_to_first_token_seconds': { exporter: 'vllm', kind: 'histogram', labels: ['model_name'], observed: VLLM },
  'llamacpp:requests_processing': { exporter: 'llamacpp', kind: 'gauge', labels: [], observed: LLAMACPP },
  'llamacpp:requests_deferred': { exporter: 'llamacpp', kind: 'gauge', labels: [], observed: LLAMACPP },
  'llamacpp:predicted_tokens_seconds': { exporter: 'llamacpp', kind: 'gauge', labels: [], observed: LLAMACPP },
  redis_up: { exporter: 'redis_exporter', kind: 'gauge', labels: [], observed: REDIS },
  redis_keyspace_hits_total: { exporter: 'redis_exporter', kind: 'counter', labels: [], observed: REDIS },
  redis_keyspace_misses_total: { exporter: 'redis_exporter', kind: 'counter', labels: [], observed: REDIS },
  redis_memory_used_bytes: { exporter: 'redis_exporter', kind: 'gauge', labels: [], observed: REDIS },
  redis_db_keys: { exporter: 'redis_exporter', kind: 'gauge', labels: ['db'], observed: REDIS },
};

// PromQL words that look like metric names but are not.
const PROMQL_WORDS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'group',
  'count_values',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'rate',
  'irate',
  'increase',
  'delta',
  'histogram_quantile',
  'clamp_min',
  'clamp_max',
  'abs',
  'absent',
  'vector',
  'scalar',
  'time',
  'le',
  'inf',
  'nan',
]);

/**
 * The metric names an expression reads: identifiers outside label matchers, strings, ranges and
 * grouping clauses, with histogram suffixes folded to the base name listed in METRICS.
 */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, '{}')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '$1()');
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w:$.])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:])/g)) {
    const word = m[1]!;
    if (PROMQL_WORDS.has(word) || /^\d/.test(word)) continue;
    names.add(word.replace(/_(bucket|sum|count)$/, (s) => (METRICS[word] ? s : '')));
  }
  return [...names].sort();
}
