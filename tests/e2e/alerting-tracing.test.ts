// monitoring.alerting and tracing as `aibackend generate` compiles them: alertmanager.yml accepted by
// Alertmanager's own amtool (Debian's prometheus-alertmanager), jaeger.yml by the pinned Jaeger's
// `validate`, the gateway's OpenTelemetry settings in litellm-unified.yaml, drift caught like any
// generated file, and bad input refused with a precise finding and nothing written.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject } from '../helpers/fixtures.js';
import { findTool, requireTool } from '../helpers/tools.js';

const ENV = {
  LITELLM_MASTER_KEY: 'sk-test-alerting-0000',
  GRAFANA_ADMIN_PASSWORD: 'x',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.invalid/T000/B000/secret-slack-value',
  HOOK_TOKEN: 'secret-hook-token-value',
};
const ALERTING = `  alerting:
    enabled: true
    alertmanager: { url: "http://127.0.0.1:9093" }
    group_wait_s: 10
    receivers:
      team-chat: { kind: slack, webhook_url: env:SLACK_WEBHOOK_URL, channel: "#llm-alerts", severities: [warning, critical] }
      oncall: { kind: pagerduty, routing_key: "file:/run/secrets/pagerduty-key", severities: [critical] }
      hook: { kind: webhook, url: "http://127.0.0.1:5001/alerts", token: env:HOOK_TOKEN }
`;
const G = (alerting = ALERTING, tracing = 'tracing: { enabled: true }\n') =>
  `version: 1\ngateway:\n  url: http://127.0.0.1:4000\n  master_key: env:LITELLM_MASTER_KEY\nmetrics: { prometheus: true }\nmonitoring:\n  enabled: true\n  grafana: { admin_password: env:GRAFANA_ADMIN_PASSWORD }\n${alerting}${tracing}`;
const PROVIDERS =
  'version: 1\nproviders:\n  ollama:\n    type: ollama\n    base_url: http://127.0.0.1:11434\n    models:\n      - name: llama3.1:8b\n      - name: qwen2.5-coder:7b\n  vllm:\n    type: vllm\n    base_url: http://127.0.0.1:8001/v1\n    models:\n      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n  llama:\n    type: llama_cpp\n    base_url: http://127.0.0.1:8080/v1\n    models:\n      - name: tiny\n';

const amtool = requireTool('amtool', 'Debian: apt-get install prometheus-alertmanager');
const jaeger = process.env.AIBACKEND_JAEGER && existsSync(process.env.AIBACKEND_JAEGER) ? process.env.AIBACKEND_JAEGER : findTool('jaeger');

let project: string;
let mon: string;

beforeAll(async () => {
  ({ project } = makeProject({ 'gateway.yaml': G(), 'providers.yaml': PROVIDERS, 'ports.yaml': null }));
  mon = path.join(project, 'monitoring');
  const r = await runCli(['generate'], { cwd: project, env: ENV });
  expect(r.exitCode, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/12 of the 12 other generated files written/);
});

afterAll(() => cleanupTempDirs());

describe('alertmanager.yml', () => {
  test('routes each receiver by severity, groups and repeats as configured, and inhibits provider alerts while the gateway is down', () => {
    const text = readFileSync(path.join(mon, 'alertmanager.yml'), 'utf8');
    expect(text).toMatch(/^# AUTO-GENERATED/);
    for (const secret of [ENV.SLACK_WEBHOOK_URL, ENV.HOOK_TOKEN]) expect(text).not.toContain(secret);
    const am = parse(text) as Record<string, any>;
    expect(am.route).toMatchObject({
      receiver: '_unrouted',
      group_by: ['alertname', 'severity'],
      group_wait: '10s',
      group_interval: '300s',
      repeat_interval: '14400s',
    });
    expect(am.route.routes).toEqual([
      { receiver: 'hook', matchers: ['severity=~"critical|warning"'], continue: true },
      { receiver: 'oncall', matchers: ['severity=~"critical"'], continue: true },
      { receiver: 'team-chat', matchers: ['severity=~"critical|warning"'], continue: true },
    ]);
    const receivers = Object.fromEntries((am.receivers as Record<string, any>[]).map((r) => [r.name, r])) as Record<string, any>;
    expect(receivers['team-chat'].slack_configs[0]).toMatchObject({ api_url_file: 'secrets/SLACK_WEBHOOK_URL', channel: '#llm-alerts' });
    expect(receivers.oncall.pagerduty_configs[0]).toMatchObject({ routing_key_file: '/run/secrets/pagerduty-key' });
    expect(receivers.hook.webhook_configs[0]).toMatchObject({
      url: 'http://127.0.0.1:5001/alerts',
      http_config: { authorization: { type: 'Bearer', credentials_file: 'secrets/HOOK_TOKEN' } },
    });
    expect(am.inhibit_rules).toEqual([
      {
        source_matchers: ['alertname="AibackendGatewayDown"'],
        target_matchers: [
          'alertname=~"AibackendDeploymentOutage|AibackendHighErrorRate|AibackendHighLatencyP95|AibackendProviderMetricsDown"',
        ],
        equal: ['stack'],
      },
    ]);
    // Prometheus sends its alerts there.
    const prom = parse(readFileSync(path.join(mon, 'prometheus.yml'), 'utf8')) as Record<string, any>;
    expect(prom.alerting).toEqual({ alertmanagers: [{ scheme: 'http', static_configs: [{ targets: ['127.0.0.1:9093'] }] }] });
  });

  test.skipIf(!amtool)('amtool check-config accepts it, and refuses a broken one', () => {
    const file = path.join(mon, 'alertmanager.yml');
    const r = spawnSync(amtool!, ['check-config', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toMatch(/SUCCESS/);
    expect(r.stdout).toMatch(/1 inhibit rules/);
    expect(r.stdout).toMatch(/4 receivers/);
    expect(r.status).toBe(0);
    const broken = path.join(path.dirname(file), 'broken.yml');
    writeFileSync(broken, readFileSync(file, 'utf8').replace('receiver: hook', 'receiver: nobody-by-this-name'));
    expect(spawnSync(amtool!, ['check-config', broken], { encoding: 'utf8' }).status).not.toBe(0);
  });

  test('a hand edit is drift: validate names the file, generate restores it', async () => {
    const file = path.join(mon, 'alertmanager.yml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('group_wait: 10s', 'group_wait: 1s'));
    const v = await runCli(['validate', '--json'], { cwd: project, env: ENV });
    expect(v.exitCode).toBe(1);
    expect((JSON.parse(v.stdout) as { diagnostics: { code: string; file: string }[] }).diagnostics).toContainEqual(
      expect.objectContaining({ code: 'output-hand-edited', file: 'monitoring/alertmanager.yml' }),
    );
    expect((await runCli(['generate'], { cwd: project, env: ENV })).exitCode).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(good);
  });
});

describe('tracing', () => {
  test("the gateway's config turns LiteLLM's otel callback on, exporting to tracing.endpoint, without prompts", () => {
    const cfg = parse(readFileSync(path.join(project, 'config/litellm-unified.yaml'), 'utf8')) as Record<string, any>;
    expect(cfg.litellm_settings.callbacks).toEqual(['prometheus', 'otel']);
    expect(cfg.environment_variables).toEqual({
      OTEL_BSP_SCHEDULE_DELAY: '1000',
      OTEL_ENDPOINT: 'http://127.0.0.1:4318',
      OTEL_EXPORTER: 'otlp_http',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'NO_CONTENT',
      OTEL_SERVICE_NAME: 'litellm',
    });
    const j = parse(readFileSync(path.join(mon, 'jaeger.yml'), 'utf8')) as Record<string, any>;
    expect(j.receivers.otlp.protocols.http.endpoint).toBe('127.0.0.1:4318');
    expect(j.extensions.jaeger_query.http.endpoint).toBe('127.0.0.1:16686');
    expect(j.extensions.jaeger_storage.backends.aibackend_memory.memory.max_traces).toBe(100000);
  });

  test.skipIf(!jaeger)("the pinned Jaeger's own `validate` accepts jaeger.yml", () => {
    const r = spawnSync(jaeger!, ['validate', '--config', path.join(mon, 'jaeger.yml')], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  test('with tracing off, the config has no environment_variables and jaeger.yml is not written', async () => {
    const { project: p } = makeProject({ 'gateway.yaml': G(ALERTING, ''), 'providers.yaml': PROVIDERS, 'ports.yaml': null });
    expect((await runCli(['generate'], { cwd: p, env: ENV })).exitCode).toBe(0);
    expect(readFileSync(path.join(p, 'config/litellm-unified.yaml'), 'utf8')).not.toMatch(/environment_variables|otel/);
    expect(existsSync(path.join(p, 'monitoring/jaeger.yml'))).toBe(false);
  });
});

describe('bad alerting input: a precise finding, exit 1, nothing written', () => {
  const attempt = async (gateway: string, env: Record<string, string> = ENV) => {
    const { project: p } = makeProject({ 'gateway.yaml': gateway, 'providers.yaml': PROVIDERS, 'ports.yaml': null });
    const r = await runCli(['generate', '--json'], { cwd: p, env });
    return { r, p, out: JSON.parse(r.stdout) as { diagnostics: { code: string; severity: string; message: string; line: number }[] } };
  };

  test('a literal secret is refused without being printed', async () => {
    const { r, p, out } = await attempt(
      G(ALERTING.replace('env:SLACK_WEBHOOK_URL', '"https://hooks.slack.com/services/T0/B0/literalsecret"')),
    );
    expect(r.exitCode).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('literalsecret');
    expect(out.diagnostics).toContainEqual(expect.objectContaining({ code: 'secret-literal', line: 14 }));
    expect(existsSync(path.join(p, 'monitoring'))).toBe(false);
    expect(existsSync(path.join(p, 'config/litellm-unified.yaml'))).toBe(false);
  });

  test('credentials in a webhook URL are found by the secret scanner, and not shown', async () => {
    const { r, out } = await attempt(G(ALERTING.replace('http://127.0.0.1:5001/alerts', 'http://user:pw-secret@127.0.0.1:5001/alerts')));
    expect(r.exitCode).toBe(1);
    expect(r.stdout + r.stderr).not.toContain('pw-secret');
    expect(out.diagnostics).toContainEqual(expect.objectContaining({ code: 'secret-in-source', line: 16 }));
  });

  test('alerting without the monitoring stack, an unknown receiver kind, and no receiver', async () => {
    const off = await attempt(G(ALERTING).replace('monitoring:\n  enabled: true\n', 'monitoring:\n  enabled: false\n'));
    expect(off.r.exitCode).toBe(1);
    expect(off.out.diagnostics).toContainEqual(expect.objectContaining({ code: 'alerting-needs-monitoring', severity: 'error' }));
    const kind = await attempt(G(ALERTING.replace('kind: pagerduty', 'kind: pagerduti')));
    expect(kind.r.exitCode).toBe(1);
    expect(kind.out.diagnostics.map((d) => d.message).join('\n')).toMatch(/pagerduty/);
    const none = await attempt(G('  alerting: { enabled: true }\n'));
    expect(none.out.diagnostics).toContainEqual(expect.objectContaining({ code: 'alerting-no-receiver', severity: 'warning' }));
  });

  test('an unset receiver variable is a warning that says Alertmanager needs it, not the gateway', async () => {
    const { SLACK_WEBHOOK_URL: _, ...env } = ENV;
    const v = await runCli(['validate', '--json'], { cwd: project, env });
    const d = (JSON.parse(v.stdout) as { diagnostics: { code: string; message: string }[] }).diagnostics.find(
      (x) => x.code === 'env-unset',
    );
    expect(d?.message).toMatch(/SLACK_WEBHOOK_URL is not set; Alertmanager reads it from monitoring\/secrets\/SLACK_WEBHOOK_URL/);
  });
});

describe('the compose monitoring profile', () => {
  test('docker-compose.yml runs Alertmanager and Jaeger on the generated files, in the monitoring profile', () => {
    const compose = parse(readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, any> };
    expect(compose.services.alertmanager.profiles).toEqual(['monitoring']);
    expect(compose.services.alertmanager.volumes).toContain('./monitoring/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro');
    expect(compose.services.jaeger.profiles).toEqual(['monitoring']);
    expect(compose.services.jaeger.volumes).toContain('./monitoring/jaeger.yml:/etc/jaeger/jaeger.yml:ro');
  });
});
