// The monitoring stack compiled from the registry: what each file says, that it is deterministic
// and carries its provenance, and that every expression reads only catalogued metric names.
import { describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { parseHeader, parseJsonProvenance } from '../../../src/config/emit/provenance.js';
import { METRICS, metricNames } from '../../../src/monitoring/metrics.js';
import { RECORDED } from '../../../src/monitoring/prometheus-config.js';
import { sha256 } from '../../../src/util/canonical.js';
import { checkFiles } from '../../helpers/check.js';

const G =
  'version: 1\ngateway:\n  url: http://127.0.0.1:4000\n  master_key: env:LITELLM_MASTER_KEY\n  image: ghcr.io/berriai/litellm:v1.106.12-stable\nmetrics: { prometheus: true }\n';
const PORTS =
  'version: 1\nports:\n  gateway: { port: 4000 }\n  ollama: { port: 11434 }\n  vllm: { port: 8001 }\n  llama: { port: 8080 }\n  prometheus: { port: 9090 }\n  grafana: { port: 3000 }\n  redis: { port: 6379 }\n  redis_exporter: { port: 9121 }\n';
const LLAMA =
  'version: 1\nproviders:\n  ollama:\n    type: ollama\n    base_url: http://127.0.0.1:11434\n    models:\n      - name: llama3.1:8b\n      - name: qwen2.5-coder:7b\n  vllm:\n    type: vllm\n    base_url: http://127.0.0.1:8001/v1\n    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n  llama:\n    type: llama_cpp\n    base_url: http://127.0.0.1:8080/v1\n    metrics: /metrics\n    models:\n      - name: tiny\n';

function stack(gateway: string, files: Record<string, string> = {}) {
  const checked = checkFiles({ 'gateway.yaml': `${G}${gateway}`, 'ports.yaml': PORTS, ...files });
  expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const out = new Map((checked.generated ?? []).filter((f) => f.group === 'monitoring').map((f) => [f.rel, f.text]));
  return {
    checked,
    out,
    yaml: (rel: string) => parse(out.get(rel)!) as Record<string, any>,
    json: (rel: string) => JSON.parse(out.get(rel)!) as Record<string, any>,
  };
}

function dashboards(out: Map<string, string>): { file: string; title: string; exprs: string[] }[] {
  return [...out]
    .filter(([rel]) => rel.endsWith('.json'))
    .flatMap(([rel, text]) =>
      (JSON.parse(text) as { panels: { title: string; targets: { expr: string }[] }[] }).panels.map((p) => ({
        file: rel,
        title: p.title,
        exprs: p.targets.map((t) => t.expr),
      })),
    );
}

describe('monitoring files', () => {
  test('off: nothing is compiled', () => {
    expect(checkFiles({ 'gateway.yaml': G }).generated).toBeUndefined();
  });

  test('on: Prometheus config, rules, Grafana provisioning, five dashboards and a .gitignore for the secret', () => {
    const { out } = stack('monitoring: { enabled: true }\n');
    expect([...out.keys()].sort()).toEqual([
      '.gitignore',
      'grafana/dashboards/overview.json',
      'grafana/dashboards/performance.json',
      'grafana/dashboards/provider-health.json',
      'grafana/dashboards/system-health.json',
      'grafana/dashboards/token-usage.json',
      'grafana/provisioning/dashboards/aibackend.yml',
      'grafana/provisioning/datasources/aibackend.yml',
      'prometheus.yml',
      'rules.yml',
    ]);
    expect(out.get('.gitignore')).toMatch(/^secrets\/$/m);
  });

  test('the gateway job scrapes /metrics/ with the key from a file, never the key itself', () => {
    const { yaml, out } = stack('monitoring: { enabled: true, scrape_interval_s: 5 }\n');
    const cfg = yaml('prometheus.yml');
    expect(cfg.global).toMatchObject({ scrape_interval: '5s', evaluation_interval: '5s' });
    const gw = cfg.scrape_configs.find((j: { job_name: string }) => j.job_name === 'litellm');
    expect(gw).toMatchObject({
      metrics_path: '/metrics/',
      authorization: { type: 'Bearer', credentials_file: 'secrets/litellm-master-key' },
      static_configs: [{ targets: ['127.0.0.1:4000'] }],
    });
    for (const text of out.values()) expect(text).not.toMatch(/LITELLM_MASTER_KEY|sk-/);
  });

  test('passthrough require_auth_for_metrics_endpoint: false scrapes without a key', () => {
    const { yaml } = stack(
      'monitoring: { enabled: true }\npassthrough:\n  litellm_settings: { require_auth_for_metrics_endpoint: false }\n',
    );
    expect(yaml('prometheus.yml').scrape_configs[0].authorization).toBeUndefined();
  });

  test('a job per provider that exposes metrics, labelled with its id and type; Ollama has none; disabled ones are left out', () => {
    const { yaml } = stack('monitoring: { enabled: true }\n', { 'providers.yaml': LLAMA });
    const jobs = yaml('prometheus.yml').scrape_configs as {
      job_name: string;
      metrics_path: string;
      static_configs: { targets: string[]; labels?: Record<string, string> }[];
    }[];
    expect(jobs.map((j) => j.job_name)).toEqual(['litellm', 'provider-llama', 'provider-vllm', 'prometheus']);
    expect(jobs[1]).toMatchObject({
      metrics_path: '/metrics',
      static_configs: [{ targets: ['127.0.0.1:8080'], labels: { provider: 'llama', provider_type: 'llama_cpp' } }],
    });
    expect(jobs[2]).toMatchObject({
      metrics_path: '/metrics',
      static_configs: [{ targets: ['127.0.0.1:8001'], labels: { provider: 'vllm', provider_type: 'vllm' } }],
    });
    const off = stack('monitoring: { enabled: true }\n', {
      'providers.yaml': LLAMA.replace('    type: vllm\n', '    type: vllm\n    metrics: false\n'),
    });
    expect((off.yaml('prometheus.yml').scrape_configs as { job_name: string }[]).map((j) => j.job_name)).not.toContain('provider-vllm');
  });

  test('redis_exporter and the Redis alert and panels only with the cache on', () => {
    const without = stack('monitoring: { enabled: true }\n');
    const withCache = stack('monitoring: { enabled: true }\ncache: { enabled: true }\n');
    const jobs = (s: typeof without) => (s.yaml('prometheus.yml').scrape_configs as { job_name: string }[]).map((j) => j.job_name);
    expect(jobs(without)).not.toContain('redis_exporter');
    expect(jobs(withCache)).toContain('redis_exporter');
    const alerts = (s: typeof without) => (s.yaml('rules.yml').groups[1].rules as { alert: string }[]).map((r) => r.alert);
    expect(alerts(without)).not.toContain('AibackendRedisDown');
    expect(alerts(withCache)).toContain('AibackendRedisDown');
    expect(dashboards(without.out).some((p) => p.exprs.some((e) => e.includes('redis_')))).toBe(false);
    expect(
      dashboards(withCache.out)
        .filter((p) => p.exprs.some((e) => e.includes('redis_')))
        .map((p) => p.title),
    ).toEqual(['Redis up', 'Redis keyspace hits and misses', 'Redis memory and keys']);
  });

  test('replicas are scraped one by one on their own ports', () => {
    const { yaml } = stack('monitoring: { enabled: true }\nreplicas: 2\nreplica_ports: [4001, 4002]\ncache: { enabled: true }\n', {
      'ports.yaml': `${PORTS}  r1: { port: 4001 }\n  r2: { port: 4002 }\n`,
    });
    const gw = yaml('prometheus.yml').scrape_configs[0];
    expect(gw.static_configs).toEqual([
      { targets: ['127.0.0.1:4001'], labels: { replica: '1' } },
      { targets: ['127.0.0.1:4002'], labels: { replica: '2' } },
    ]);
  });

  test('alert thresholds come from monitoring.alerts', () => {
    const { yaml } = stack('monitoring:\n  enabled: true\n  alerts: { error_rate: 0.1, p95_latency_s: 12 }\n');
    const rules = yaml('rules.yml').groups[1].rules as { alert: string; expr: string }[];
    expect(rules.find((r) => r.alert === 'AibackendHighErrorRate')!.expr).toBe(`${RECORDED.errorRatio} > 0.1`);
    expect(rules.find((r) => r.alert === 'AibackendHighLatencyP95')!.expr).toBe(`${RECORDED.p95} > 12`);
    expect(rules.find((r) => r.alert === 'AibackendGatewayDown')!.expr).toBe('up{job="litellm"} == 0');
  });

  test("template variables offer the registry's public names and active providers", () => {
    const { json } = stack('monitoring: { enabled: true }\n');
    const vars = json('grafana/dashboards/overview.json').templating.list as { name: string; options?: { value: string }[] }[];
    const values = (n: string) =>
      vars
        .find((v) => v.name === n)!
        .options!.map((o) => o.value)
        .filter((v) => v !== '$__all');
    expect(values('public_name')).toEqual(['coder', 'llama3.1:8b', 'qwen-coder-vllm', 'qwen2.5-coder:7b']);
    expect(values('provider')).toEqual(['ollama', 'vllm']);
  });

  test('every file carries its provenance, and its body hash holds', () => {
    const { out, checked } = stack('monitoring: { enabled: true }\ncache: { enabled: true }\n', { 'providers.yaml': LLAMA });
    for (const [rel, text] of out) {
      const parsed = rel.endsWith('.json') ? parseJsonProvenance(text) : parseHeader(text);
      expect(parsed, rel).toBeDefined();
      expect(parsed!.header.sourceHash, rel).toBe(checked.sourceHash);
      expect(sha256(parsed!.body), rel).toBe(parsed!.header.bodyHash);
    }
  });

  test('deterministic: the same sources in another key order give byte-identical files', () => {
    const a = stack('monitoring: { enabled: true, scrape_interval_s: 10 }\ncache: { enabled: true }\n', { 'providers.yaml': LLAMA });
    const reordered =
      'version: 1\nproviders:\n  llama:\n    metrics: /metrics\n    base_url: http://127.0.0.1:8080/v1\n    type: llama_cpp\n    models:\n      - name: tiny\n  vllm:\n    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n    type: vllm\n    base_url: http://127.0.0.1:8001/v1\n  ollama:\n    type: ollama\n    base_url: http://127.0.0.1:11434\n    models:\n      - name: llama3.1:8b\n      - name: qwen2.5-coder:7b\n';
    const b = stack('cache: { enabled: true }\nmonitoring: { scrape_interval_s: 10, enabled: true }\n', { 'providers.yaml': reordered });
    expect([...b.out]).toEqual([...a.out]);
  });
});

describe('metric names', () => {
  test('metricNames reads names, not functions, labels, strings or ranges', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, requested_model) (rate(litellm_request_total_latency_metric_bucket{requested_model=~"$public_name"}[$__rate_interval])))',
      ),
    ).toEqual(['litellm_request_total_latency_metric']);
    expect(metricNames('sum(rate(a_total[5m])) / (sum(rate(a_total[5m])) + sum(rate(b_total[5m])))')).toEqual(['a_total', 'b_total']);
    expect(metricNames('up{job=~"provider-.+"} == 0 or redis_up == 0')).toEqual(['redis_up', 'up']);
    expect(metricNames('max by (provider) (vllm:kv_cache_usage_perc{provider=~"$provider"})')).toEqual(['vllm:kv_cache_usage_perc']);
  });

  test("every panel and rule expression reads only catalogued names (or the rules' own records)", () => {
    const { out, yaml } = stack('monitoring: { enabled: true }\ncache: { enabled: true }\n', { 'providers.yaml': LLAMA });
    const known = new Set([...Object.keys(METRICS), ...Object.values(RECORDED)]);
    const exprs = [
      ...dashboards(out).flatMap((p) => p.exprs),
      ...(yaml('rules.yml').groups as { rules: { expr: string }[] }[]).flatMap((g) => g.rules.map((r) => r.expr)),
    ];
    expect(exprs.length).toBeGreaterThan(30);
    for (const e of exprs) for (const name of metricNames(e)) expect(known.has(name), `${name} in ${e}`).toBe(true);
  });

  test('five dashboards, each with panels; vLLM and llama.cpp panels only when such a provider is scraped', () => {
    const plain = dashboards(
      stack('monitoring: { enabled: true }\n', {
        'providers.yaml': LLAMA.replace(/  llama:\n(?: {4}.*\n)+/, '').replace('    type: vllm\n', '    type: vllm\n    metrics: false\n'),
      }).out,
    );
    expect(new Set(plain.map((p) => p.file)).size).toBe(5);
    expect(plain.some((p) => p.exprs.some((e) => /vllm:|llamacpp:/.test(e)))).toBe(false);
    const all = dashboards(stack('monitoring: { enabled: true }\n', { 'providers.yaml': LLAMA }).out);
    expect(all.filter((p) => p.exprs.some((e) => e.includes('vllm:'))).length).toBe(3);
    expect(all.filter((p) => p.exprs.some((e) => e.includes('llamacpp:'))).length).toBe(2);
  });
});
