// The monitoring stack proven against the real parts: Debian's Prometheus runs the generated
// prometheus.yml and rules.yml, scraping the real LiteLLM gateway (prometheus callback on, started
// by `aibackend reload` through the process runtime), the real llama.cpp llama-server --metrics
// (scripts/setup-llama-cpp.sh) and a vLLM-like fake that serve /metrics, and Debian's redis_exporter in front of a real redis-server. After traffic
// (plain, streamed, cached, failed, fallen back), every panel of every generated dashboard returns
// data from Prometheus' query API, `aibackend status` sees every target up, and the gateway-down
// alert fires once the gateway is stopped and reaches a webhook receiver through Debian's real
// Alertmanager on the generated alertmanager.yml (with its bearer token read from the secret file).
import { execa, type ResultPromise } from 'execa';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs, tempDir } from '../helpers/fixtures.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  makeGatewayProject,
  MASTER_KEY,
  providersYaml,
  requireLitellm,
  stopGateway,
  type GatewayProject,
  waitFor,
} from '../helpers/gateway.js';
import { emptyPanels, promQuery, trafficForPanels } from '../helpers/monitoring.js';
import { requireLlamaCpp, serve, type RealServer } from '../helpers/real-servers.js';
import { requireTool } from '../helpers/tools.js';

const bin = requireLitellm();

const tool = (name: string) =>
  requireTool(name, 'Debian: apt-get install prometheus prometheus-alertmanager prometheus-redis-exporter redis-server', Boolean(bin));

const prometheusBin = tool('prometheus');
const exporterBin = tool('prometheus-redis-exporter');
const redisBin = tool('redis-server');
const alertmanagerBin = tool('prometheus-alertmanager');
const lc = requireLlamaCpp(Boolean(bin));
const ready = Boolean(bin && prometheusBin && exporterBin && redisBin && alertmanagerBin && lc);
const HOOK_TOKEN = 'hook-token-for-the-monitoring-test';

interface Notification {
  authorization?: string;
  body: { status: string; alerts: { status: string; labels: Record<string, string> }[] };
}

describe.skipIf(!ready)(
  'the generated monitoring stack against the real gateway, Prometheus and redis_exporter',
  { timeout: GATEWAY_TEST_MS },
  () => {
    let ollama: FakeServer, llamaA: RealServer, llamaB: FakeServer, vllm: FakeServer;
    let gw: GatewayProject;
    let promUrl: string;
    const procs: ResultPromise[] = [];
    const notifications: Notification[] = [];
    let hook: http.Server;

    beforeAll(async () => {
      ollama = await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b'], 'ollama');
      llamaA = await serve(lc!, 'llama-server', { alias: 'llama-2-13b-chat' });
      llamaB = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-python');
      vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'], 'vllm', { metrics: 'vllm', chunkDelayMs: 30 });
      // The webhook receiver: what Alertmanager POSTs, with its Authorization header.
      hook = http.createServer((req, res) => {
        let raw = '';
        req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
        req.on('end', () => {
          notifications.push({ ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}), body: JSON.parse(raw) });
          res.end('ok');
        });
      });
      await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
      const hookPort = (hook.address() as AddressInfo).port;
      const [redisPort, exporterPort, promPort, amPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
      promUrl = `http://127.0.0.1:${promPort}`;
      procs.push(
        execa(redisBin!, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { reject: false }),
      );
      procs.push(
        execa(exporterBin!, [`--redis.addr=redis://127.0.0.1:${redisPort}`, `--web.listen-address=127.0.0.1:${exporterPort}`], {
          reject: false,
        }),
      );
      const extra = `metrics:\n  prometheus: true\ncache:\n  enabled: true\n  host: 127.0.0.1\n  port: ${redisPort}\n  namespace: aibackend-monitoring\n  ttl_s: 120\nrouter:\n  allowed_fails: 1\n  cooldown_s: 60\n  num_retries: 0\nmonitoring:\n  enabled: true\n  scrape_interval_s: 1\n  prometheus: { url: "${promUrl}" }\n  redis_exporter: { url: "http://127.0.0.1:${exporterPort}" }\n  alerting:\n    enabled: true\n    alertmanager: { url: "http://127.0.0.1:${amPort}" }\n    group_wait_s: 1\n    group_interval_s: 1\n    receivers:\n      hook: { kind: webhook, url: "http://127.0.0.1:${hookPort}/alerts", token: env:AIBACKEND_TEST_HOOK_TOKEN, severities: [critical] }\n`;
      gw = await makeGatewayProject({ bin: bin!, ollama, llamaA, llamaB, vllm, gatewayExtra: extra });
      gw.write({
        'providers.yaml': providersYaml({ ollama, llamaA, llamaB, vllm }).replace(
          `    base_url: ${llamaA.url}\n`,
          `    base_url: ${llamaA.url}\n    metrics: /metrics\n`,
        ),
      });
      const r = await runCli(['reload', '--yes'], { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
      expect(r.exitCode, r.stderr).toBe(0);
      const mon = path.join(gw.project, 'monitoring');
      mkdirSync(path.join(mon, 'secrets'), { recursive: true });
      writeFileSync(path.join(mon, 'secrets/litellm-master-key'), MASTER_KEY, { mode: 0o600 });
      // alertmanager.yml reads the webhook's token from secrets/AIBACKEND_TEST_HOOK_TOKEN beside it.
      writeFileSync(path.join(mon, 'secrets/AIBACKEND_TEST_HOOK_TOKEN'), HOOK_TOKEN, { mode: 0o600 });
      procs.push(
        execa(
          alertmanagerBin!,
          [
            `--config.file=${path.join(mon, 'alertmanager.yml')}`,
            `--storage.path=${tempDir()}`,
            `--web.listen-address=127.0.0.1:${amPort}`,
            '--cluster.listen-address=',
            '--log.level=warn',
          ],
          { reject: false, cwd: mon },
        ),
      );
      procs.push(
        execa(
          prometheusBin!,
          [
            `--config.file=${path.join(mon, 'prometheus.yml')}`,
            `--storage.tsdb.path=${tempDir()}`,
            `--web.listen-address=127.0.0.1:${promPort}`,
            '--log.level=warn',
          ],
          { reject: false },
        ),
      );
    }, GATEWAY_TEST_MS);

    afterAll(async () => {
      if (gw) stopGateway(gw.project);
      for (const p of procs) p.kill('SIGKILL');
      await Promise.all(procs.map((p) => p.catch(() => undefined)));
      await llamaA?.stop();
      await Promise.all([ollama, llamaB, vllm].map((s) => s?.close()));
      await new Promise((r) => (hook ? hook.close(r) : r(undefined)));
      cleanupTempDirs();
    });

    test('every target is scraped and up, and `aibackend status` says so', async () => {
      const jobs = await waitFor(
        'every target up',
        async () => {
          const up = await promQuery(promUrl, 'up');
          return up.length === 5 && up.every((s) => s.value[1] === '1') ? up.map((s) => s.metric.job).sort() : undefined;
        },
        60_000,
      );
      expect(new Set(jobs)).toEqual(new Set(['litellm', 'prometheus', 'provider-llama_cpp_native', 'provider-vllm', 'redis_exporter']));
      const s = await runCli(['status', '--json'], { cwd: gw.project, env: GATEWAY_ENV });
      const report = JSON.parse(s.stdout) as {
        ok: boolean;
        monitoring: {
          prometheus_up: boolean;
          ok: boolean;
          targets: { job: string; health: string }[];
          master_key_file: { exists: boolean };
        };
      };
      expect(report.monitoring).toMatchObject({ prometheus_up: true, ok: true, master_key_file: { exists: true } });
      // Alertmanager is ready, and the webhook's token file is where alertmanager.yml reads it.
      expect((report as unknown as { alerting: unknown }).alerting).toMatchObject({
        up: true,
        ok: true,
        secret_files: [{ key: 'monitoring.alerting.receivers.hook.token', exists: true }],
      });
      expect(report.monitoring.targets.map((t) => [t.job, t.health]).sort()).toEqual([
        ['litellm', 'up'],
        ['prometheus', 'up'],
        ['provider-llama_cpp_native', 'up'],
        ['provider-vllm', 'up'],
        ['redis_exporter', 'up'],
      ]);
    });

    test('after traffic, every panel of every dashboard returns data', async () => {
      await trafficForPanels(gw.url, { llamaA, llamaB, vllm });
      const { files, panels, empty } = await emptyPanels(promUrl, path.join(gw.project, 'monitoring/grafana/dashboards'));
      expect(files).toEqual(['overview.json', 'performance.json', 'provider-health.json', 'system-health.json', 'token-usage.json']);
      expect(panels).toBeGreaterThanOrEqual(30);
      expect(empty).toEqual([]);
    });

    test('the gateway-down alert fires once the gateway is stopped, Alertmanager delivers it to the webhook receiver, and status names the target down', async () => {
      const alerts = async () =>
        (
          (await (await fetch(`${promUrl}/api/v1/alerts`)).json()) as {
            data: { alerts: { labels: { alertname: string }; state: string }[] };
          }
        ).data.alerts;
      expect((await alerts()).filter((a) => a.labels.alertname === 'AibackendGatewayDown')).toEqual([]);
      stopGateway(gw.project);
      const firing = await waitFor(
        'AibackendGatewayDown to fire',
        async () =>
          (await alerts()).some((a) => a.labels.alertname === 'AibackendGatewayDown' && a.state === 'firing') ? true : undefined,
        60_000,
      );
      expect(firing).toBe(true);
      // Alertmanager routed it (critical) to the webhook receiver, with the token from the secret file.
      const delivered = await waitFor(
        'the webhook to receive AibackendGatewayDown',
        async () =>
          notifications.find((n) => n.body.status === 'firing' && n.body.alerts.some((a) => a.labels.alertname === 'AibackendGatewayDown')),
        60_000,
      );
      expect(delivered.authorization).toBe(`Bearer ${HOOK_TOKEN}`);
      expect(delivered.body.alerts.find((a) => a.labels.alertname === 'AibackendGatewayDown')!.labels).toMatchObject({
        severity: 'critical',
        stack: 'aibackend',
        job: 'litellm',
      });
      // Only critical alerts go to this receiver.
      expect(notifications.flatMap((n) => n.body.alerts).every((a) => a.labels.severity === 'critical')).toBe(true);
      const s = await runCli(['status', '--json'], { cwd: gw.project, env: GATEWAY_ENV });
      expect(s.exitCode).toBe(1);
      const report = JSON.parse(s.stdout) as { monitoring: { ok: boolean; targets: { job: string; health: string }[] } };
      expect(report.monitoring.ok).toBe(false);
      expect(report.monitoring.targets.find((t) => t.job === 'litellm')!.health).toBe('down');
    });
  },
);
