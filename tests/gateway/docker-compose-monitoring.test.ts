// The monitoring profile of the shipped docker-compose.yml on a real Docker engine: Prometheus and
// redis_exporter (Debian's, in the images scripts/setup-docker.sh tags with the official names)
// scrape the gateway container that `aibackend reload` started, the master key reaching Prometheus
// as the compose secret the file declares. After traffic, every panel of every generated dashboard
// returns data, as in the process runtime's monitoring test. Grafana has no image here (no Debian
// package, no registry): its panels' queries are run against Prometheus directly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { compose, down, requireDocker, shippedCompose } from '../helpers/docker.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  makeGatewayProject,
  providersYaml,
  requireLitellm,
  waitFor,
  type GatewayProject,
} from '../helpers/gateway.js';
import { emptyPanels, promQuery, trafficForPanels } from '../helpers/monitoring.js';
import { requireLlamaCpp, serve, type RealServer } from '../helpers/real-servers.js';

const bin = requireLitellm();
const docker = requireDocker(Boolean(bin));
const lc = requireLlamaCpp(docker);

describe.skipIf(!docker || !lc)('the monitoring profile of docker-compose.yml on a real engine', { timeout: GATEWAY_TEST_MS }, () => {
  let ollama: FakeServer, llamaA: RealServer, llamaB: FakeServer, vllm: FakeServer;
  let gw: GatewayProject;
  let file: string;
  let promUrl: string;
  const env = { ...GATEWAY_ENV };

  beforeAll(async () => {
    ollama = await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b'], 'ollama');
    llamaA = await serve(lc!, 'llama-server', { alias: 'llama-2-13b-chat' });
    llamaB = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-python');
    vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'], 'vllm', { metrics: 'vllm', chunkDelayMs: 30 });
    const [redis, exporter, prom] = [await freePort(), await freePort(), await freePort()];
    promUrl = `http://127.0.0.1:${prom}`;
    const extra = `metrics:\n  prometheus: true\ncache:\n  enabled: true\n  host: 127.0.0.1\n  port: ${redis}\n  namespace: aibackend-monitoring\n  ttl_s: 120\nrouter:\n  allowed_fails: 1\n  cooldown_s: 60\n  num_retries: 0\nmonitoring:\n  enabled: true\n  scrape_interval_s: 1\n  prometheus: { url: "${promUrl}" }\n  redis_exporter: { url: "http://127.0.0.1:${exporter}" }\n`;
    gw = await makeGatewayProject({ bin: bin!, ollama, llamaA, llamaB, vllm, gatewayExtra: extra, timeoutS: 120 });
    file = shippedCompose('docker-compose.yml', gw.project, [
      ['"--port", "4000"]', `"--port", "${gw.port}"]`],
      ['"--port", "6379"', `"--port", "${redis}"`],
      ['redis://127.0.0.1:6379', `redis://127.0.0.1:${redis}`],
      ['127.0.0.1:9121', `127.0.0.1:${exporter}`],
      ['127.0.0.1:9090', `127.0.0.1:${prom}`],
    ]);
    const gateway = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8').replace(
      /runtime:\n(?: {2}.*\n)+/,
      'runtime:\n  kind: compose\n  file: docker-compose.yml\n  service: litellm\n',
    );
    gw.rebase({
      'gateway.yaml': gateway,
      'providers.yaml': providersYaml({ ollama, llamaA, llamaB, vllm }).replace(
        `    base_url: ${llamaA.url}\n`,
        `    base_url: ${llamaA.url}\n    metrics: /metrics\n`,
      ),
    });
    expect((await runCli(['generate'], { cwd: gw.project, env })).exitCode).toBe(0);
    const r = await runCli(['reload', '--yes'], { cwd: gw.project, env, timeout: GATEWAY_TEST_MS });
    expect(r.exitCode, r.stderr).toBe(0);
    const up = await compose(gw.project, file, ['--profile', 'monitoring', 'up', '-d', 'prometheus', 'redis_exporter'], env);
    expect(up.exitCode, up.all).toBe(0);
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw && file) await down(gw.project, file, env);
    await llamaA?.stop();
    await Promise.all([ollama, llamaB, vllm].map((s) => s?.close()));
    cleanupTempDirs();
  });

  test('Prometheus in its container scrapes every target, the gateway with the master key from the compose secret', async () => {
    const jobs = await waitFor(
      'every target up',
      async () => {
        const up = await promQuery(promUrl, 'up').catch(() => []);
        return up.length === 5 && up.every((s) => s.value[1] === '1') ? up.map((s) => s.metric.job).sort() : undefined;
      },
      90_000,
      500,
    );
    expect(jobs).toEqual(['litellm', 'prometheus', 'provider-llama_cpp_native', 'provider-vllm', 'redis_exporter']);
    const s = await runCli(['status', '--json'], { cwd: gw.project, env });
    expect((JSON.parse(s.stdout) as { monitoring: { ok: boolean } }).monitoring.ok).toBe(true);
  });

  test('after traffic, every panel of every dashboard returns data', async () => {
    await trafficForPanels(gw.url, { llamaA, llamaB, vllm });
    const { panels, empty } = await emptyPanels(promUrl, path.join(gw.project, 'monitoring/grafana/dashboards'));
    expect(panels).toBeGreaterThanOrEqual(30);
    expect(empty).toEqual([]);
  });
});
