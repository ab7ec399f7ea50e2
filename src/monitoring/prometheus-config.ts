// The Prometheus configuration and its alerting and recording rules, as plain data (the emitter
// writes them). The gateway's master key is never written: Prometheus reads it from a file
// beside its config (secrets/litellm-master-key, which the generated .gitignore keeps out of git;
// docker-compose.yml mounts it from the environment as a compose secret).
import type { GatewayFile } from '../config/schema/gateway.js';
import type { ScrapeTarget } from './targets.js';

export const MASTER_KEY_FILE = 'secrets/litellm-master-key';
export const RULES_FILE = 'rules.yml';

export function prometheusConfig(gw: GatewayFile, targets: readonly ScrapeTarget[]): Record<string, unknown> {
  const interval = `${gw.monitoring.scrape_interval_s}s`;
  const jobs: Record<string, unknown>[] = [];
  for (const job of [...new Set(targets.map((t) => t.job))]) {
    const mine = targets.filter((t) => t.job === job);
    const first = mine[0]!;
    const scrape: Record<string, unknown> = { job_name: job, metrics_path: first.metricsPath, scheme: first.scheme };
    if (first.auth) scrape.authorization = { type: 'Bearer', credentials_file: MASTER_KEY_FILE };
    scrape.static_configs = mine.map((t) =>
      Object.keys(t.labels).length > 0 ? { targets: [t.address], labels: t.labels } : { targets: [t.address] },
    );
    jobs.push(scrape);
  }
  const alerting = gw.monitoring.alerting;
  return {
    global: { scrape_interval: interval, evaluation_interval: interval, external_labels: { stack: 'aibackend' } },
    ...(alerting.enabled ? { alerting: { alertmanagers: [alertmanagerTarget(alerting.alertmanager.url)] } } : {}),
    rule_files: [RULES_FILE],
    scrape_configs: jobs,
  };
}

function alertmanagerTarget(url: string): Record<string, unknown> {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  const prefix = u.pathname.replace(/\/+$/, '');
  return {
    scheme: u.protocol.slice(0, -1),
    ...(prefix ? { path_prefix: prefix } : {}),
    static_configs: [{ targets: [`${u.hostname}:${port}`] }],
  };
}

/** Recording rules the alerts and dashboards share. */
export const RECORDED = {
  requests: 'aibackend:requests:rate5m',
  errors: 'aibackend:request_errors:rate5m',
  errorRatio: 'aibackend:request_error_ratio:rate5m',
  p95: 'aibackend:request_latency_seconds:p95_5m',
} as const;

export function prometheusRules(gw: GatewayFile, targets: readonly ScrapeTarget[]): Record<string, unknown> {
  const a = gw.monitoring.alerts;
  // Long enough to ride out one missed scrape, short enough to notice a real outage quickly.
  const down = `${Math.max(2 * gw.monitoring.scrape_interval_s, 2)}s`;
  const recording = [
    { record: RECORDED.requests, expr: 'sum by (requested_model) (rate(litellm_proxy_total_requests_metric_total[5m]))' },
    { record: RECORDED.errors, expr: 'sum by (requested_model) (rate(litellm_proxy_failed_requests_metric_total[5m]))' },
    { record: RECORDED.errorRatio, expr: `${RECORDED.errors} / ${RECORDED.requests}` },
    {
      record: RECORDED.p95,
      expr: 'histogram_quantile(0.95, sum by (le, requested_model) (rate(litellm_request_total_latency_metric_bucket[5m])))',
    },
  ];
  const alerts = [
    alert(
      'AibackendGatewayDown',
      'up{job="litellm"} == 0',
      down,
      'critical',
      'LiteLLM gateway {{ $labels.instance }} is down',
      "Prometheus cannot scrape the gateway's /metrics/: applications calling it get no answer. `aibackend status` and the gateway's logs say why.",
    ),
    alert(
      'AibackendDeploymentOutage',
      'max by (litellm_model_name, api_base) (litellm_deployment_state) == 2',
      '1m',
      'warning',
      'Deployment {{ $labels.litellm_model_name }} at {{ $labels.api_base }} is in outage',
      'LiteLLM marks the deployment as down (litellm_deployment_state 2): its requests fail or fall back.',
    ),
    alert(
      'AibackendHighErrorRate',
      `${RECORDED.errorRatio} > ${a.error_rate}`,
      '5m',
      'warning',
      'Public name {{ $labels.requested_model }} fails {{ $value | humanizePercentage }} of its requests',
      `More than ${a.error_rate * 100}% of the requests for this public name failed over 5 minutes (monitoring.alerts.error_rate in gateway.yaml).`,
    ),
    alert(
      'AibackendHighLatencyP95',
      `${RECORDED.p95} > ${a.p95_latency_s}`,
      '5m',
      'warning',
      'Public name {{ $labels.requested_model }} has a p95 latency of {{ $value | humanizeDuration }}',
      `The 95th percentile of the request latency is above ${a.p95_latency_s} s over 5 minutes (monitoring.alerts.p95_latency_s in gateway.yaml).`,
    ),
  ];
  if (targets.some((t) => t.job.startsWith('provider-'))) {
    alerts.push(
      alert(
        'AibackendProviderMetricsDown',
        'up{job=~"provider-.+"} == 0',
        down,
        'warning',
        'Provider {{ $labels.provider }} does not answer on its metrics endpoint',
        'The inference server is down or no longer serves metrics; `aibackend status` probes it.',
      ),
    );
  }
  if (gw.cache.enabled) {
    alerts.push(
      alert(
        'AibackendRedisDown',
        'redis_up == 0 or up{job="redis_exporter"} == 0',
        down,
        'warning',
        'Redis (the response cache) is down',
        'LiteLLM answers without its cache and replicas no longer share cooldowns and usage counts.',
      ),
    );
  }
  return {
    groups: [
      { name: 'aibackend-recording', rules: recording },
      { name: 'aibackend-alerts', rules: alerts },
    ],
  };
}

function alert(
  name: string,
  expr: string,
  duration: string,
  severity: 'critical' | 'warning',
  summary: string,
  description: string,
): Record<string, unknown> {
  return { alert: name, expr, for: duration, labels: { severity }, annotations: { summary, description } };
}
