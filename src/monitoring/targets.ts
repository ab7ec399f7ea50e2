// What the monitoring stack scrapes, read from the registry: the gateway (each replica on its own
// port), every active provider that exposes metrics, redis_exporter when the cache is on, and
// Prometheus itself. One list, shared by the Prometheus config, the dashboards' conditional panels
// and `aibackend status`.
import type { GatewayFile } from '../config/schema/gateway.js';
import type { Provider, ProvidersFile } from '../config/schema/providers.js';
import { byCodePoint } from '../util/canonical.js';

export interface ScrapeTarget {
  job: string;
  /** host:port */
  address: string;
  scheme: 'http' | 'https';
  metricsPath: string;
  labels: Record<string, string>;
  /** The gateway's metrics need the master key unless passthrough turns that off. */
  auth: boolean;
}

/** Where a provider serves Prometheus metrics: its own `metrics:`, else vLLM's /metrics, else none. */
export function providerMetricsPath(p: Provider): string | undefined {
  if (p.metrics === false) return undefined;
  if (typeof p.metrics === 'string') return p.metrics;
  return p.type === 'vllm' ? '/metrics' : undefined;
}

function hostPort(url: string): { address: string; scheme: 'http' | 'https' } {
  const u = new URL(url);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  const port = u.port || (scheme === 'https' ? '443' : '80');
  return { address: `${u.hostname.includes(':') ? `[${u.hostname}]` : u.hostname}:${port}`, scheme };
}

export function gatewayMetricsNeedAuth(gw: GatewayFile): boolean {
  return gw.passthrough.litellm_settings?.require_auth_for_metrics_endpoint !== false;
}

export function scrapeTargets(providers: ProvidersFile, gw: GatewayFile): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  const gwUrl = new URL(gw.gateway.url);
  const auth = gatewayMetricsNeedAuth(gw);
  const gwScheme = gwUrl.protocol === 'https:' ? 'https' : 'http';
  if (gw.replicas >= 2 && gw.replica_ports) {
    gw.replica_ports.forEach((port, i) => {
      out.push({
        job: 'litellm',
        address: `${gwUrl.hostname}:${port}`,
        scheme: gwScheme,
        metricsPath: '/metrics/',
        labels: { replica: String(i + 1) },
        auth,
      });
    });
  } else {
    out.push({ job: 'litellm', ...hostPort(gw.gateway.url), metricsPath: '/metrics/', labels: {}, auth });
  }
  const ids = Object.keys(providers.providers).sort(byCodePoint);
  for (const id of ids) {
    const p = providers.providers[id]!;
    const metricsPath = providerMetricsPath(p);
    if (p.status === 'disabled' || !metricsPath || !p.base_url) continue;
    out.push({ job: `provider-${id}`, ...hostPort(p.base_url), metricsPath, labels: { provider: id, provider_type: p.type }, auth: false });
  }
  if (gw.cache.enabled)
    out.push({ job: 'redis_exporter', ...hostPort(gw.monitoring.redis_exporter.url), metricsPath: '/metrics', labels: {}, auth: false });
  out.push({ job: 'prometheus', ...hostPort(gw.monitoring.prometheus.url), metricsPath: '/metrics', labels: {}, auth: false });
  return out;
}

/** Provider types whose exporters the dashboards have panels for, among the scraped providers. */
export function scrapedProviderTypes(targets: readonly ScrapeTarget[]): Set<string> {
  return new Set(targets.filter((t) => t.labels.provider_type).map((t) => t.labels.provider_type!));
}
