// Rolling reloads over two real LiteLLM replicas behind the real HAProxy (Debian), all on loopback,
// started and owned by the process runtime: requests sent through the load balancer during a
// reload all succeed; a config that kills its replica is stopped at the first one while the other
// keeps answering, and the backup is restored there.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import { requireTool } from '../helpers/tools.js';
import { traffic, underTraffic } from '../helpers/traffic.js';
import {
  BOOT_MS,
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  makeGatewayProject,
  startFakes,
  MAPPINGS,
  MASTER_KEY,
  providersYaml,
  requireLitellm,
  type GatewayProject,
} from '../helpers/gateway.js';

const bin = requireLitellm();

const haproxy = () => Boolean(requireTool('haproxy', 'Debian: apt-get install haproxy', Boolean(bin)));

/** The names a replica (or the load balancer) serves. */
const modelsAt = async (url: string) =>
  (
    (await (await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } })).json()) as { data: { id: string }[] }
  ).data.map((d) => d.id);

const pidOf = (project: string, name: string) => {
  try {
    return JSON.parse(readFileSync(path.join(project, '.aibackend', `${name}.pid`), 'utf8')) as { pid: number; config_sha256?: string };
  } catch {
    return undefined;
  }
};

describe.skipIf(!bin || !haproxy())('rolling reloads over two replicas behind HAProxy', { timeout: GATEWAY_TEST_MS }, () => {
  let ollama: FakeServer, llamaA: FakeServer, llamaB: FakeServer, vllm: FakeServer;
  let gw: GatewayProject;
  let ports: number[];
  const reload = (...args: string[]) =>
    runCli(['reload', '--yes', ...args], { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
  /** Reloads `files` under traffic, expecting the roll to stop at r1 and be rolled back with no request lost and r2 untouched. */
  const rollRefusedAtR1 = async (files: Record<string, string>) => {
    const r1 = pidOf(gw.project, 'gateway-r1')!.pid;
    const r2 = pidOf(gw.project, 'gateway-r2')!.pid;
    gw.write(files);
    const { result: r, sent, failed } = await underTraffic(gw.url, () => reload('--json'));
    expect(r.exitCode, r.stderr).toBe(3);
    const result = JSON.parse(r.stdout);
    expect(JSON.stringify(result)).toMatch(/replica r1 \(port \d+\) is not healthy with this config/);
    expect(result.rollback.happened).toBe(true);
    expect(sent).toBeGreaterThan(10);
    expect(failed).toBe(0);
    // the roll stopped at r1: r2 is the same process, on the old config; r1 is a new process
    expect(pidOf(gw.project, 'gateway-r2')!.pid).toBe(r2);
    expect(pidOf(gw.project, 'gateway-r1')!.pid).not.toBe(r1);
    // r1 serves the backup again: the baseline's names
    expect(await modelsAt(`http://127.0.0.1:${ports[0]}`)).toContain('coder');
  };

  beforeAll(async () => {
    ({ ollama, llamaA, llamaB, vllm } = await startFakes());
    ports = [await freePort(), await freePort()];
    // A replica dies at start-up when its config has a public name "broken-marker": a config that
    // LiteLLM's --validate_config accepts but that never serves.
    // One that never becomes ready when it has "never-ready-marker": a process that listens on the
    // replica's port and answers 404 to every health check.
    const command = [
      'sh',
      '-c',
      'grep -q broken-marker "$0" && { echo "refusing broken-marker" >&2; exit 3; }; grep -q never-ready-marker "$0" && exec python3 -m http.server "$1" --bind 127.0.0.1; exec "$2" --config "$0" --host 127.0.0.1 --port "$1"',
      '{config}',
      '{port}',
      bin!,
    ];
    const extra = `replicas: 2\nreplica_ports: [${ports.join(', ')}]\npassthrough:\n  litellm_settings:\n    disable_hf_tokenizer_download: true\n`;
    gw = await makeGatewayProject({ bin: bin!, ollama, llamaA, llamaB, vllm, gatewayExtra: extra, command });
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) {
      const { processMembers, ReplicaSetRuntime } = await import('../../src/deploy/rolling/replicas.js');
      const { loadConfig } = await import('../../src/config/load/load-config.js');
      const { resolvePaths } = await import('../../src/config/load/paths.js');
      const loaded = loadConfig(resolvePaths('config', gw.project));
      const rt = loaded.gateway!.runtime;
      if (rt.kind === 'process')
        await new ReplicaSetRuntime(
          loaded.gateway!,
          processMembers(loaded.gateway!, rt, gw.project, process.env),
          gw.project,
          path.join(gw.config, 'haproxy.cfg'),
        )
          .stopAll()
          .catch(() => undefined);
    }
    await Promise.all([ollama, llamaA, llamaB, vllm].map((s) => s?.close()));
    cleanupTempDirs();
  });

  test('the first reload starts HAProxy and both replicas; each serves on its own port, the load balancer on gateway.url', async () => {
    const r = await reload();
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/starting HAProxy/);
    expect(r.stderr).toMatch(/replica r1 \(port \d+\): serving again[\s\S]*replica r2 \(port \d+\): serving again/);
    // each replica took its slow first completion before it was put back: on the local Ollama, never a hosted API
    expect(r.stderr).toMatch(
      /replica r1 \(port \d+\): warm-up 'coder' answered, plain and streamed in \d+ ms[\s\S]*replica r1 \(port \d+\): serving again/,
    );
    for (const url of [gw.url, ...ports.map((p) => `http://127.0.0.1:${p}`)]) {
      const res = await fetch(`${url}/v1/models`, { headers: { authorization: `Bearer ${MASTER_KEY}` } });
      expect(res.status, url).toBe(200);
    }
    expect(pidOf(gw.project, 'haproxy')).toBeDefined();
    // status and explain show the replicas and which config each runs
    const st = await runCli(['status', '--json'], { cwd: gw.project, env: GATEWAY_ENV });
    const replicas = JSON.parse(st.stdout).gateway.replicas as { name: string; live: boolean; ready: boolean; runs_deployed: boolean }[];
    expect(replicas.map((x) => [x.name, x.live, x.ready, x.runs_deployed])).toEqual([
      ['r1', true, true, true],
      ['r2', true, true, true],
    ]);
    const ex = await runCli(['explain', 'coder'], { cwd: gw.project, env: GATEWAY_ENV });
    expect(ex.stdout).toContain(`served at ${gw.url} by haproxy in front of 2 replicas (r1 on port ${ports[0]}, r2 on port ${ports[1]})`);
  });

  test('a rolling reload under traffic: every request through the load balancer succeeds, and the new name is served by both', async () => {
    await gw.baseline();
    const before = [pidOf(gw.project, 'gateway-r1')!.pid, pidOf(gw.project, 'gateway-r2')!.pid];
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  rolled: llama3.1:8b\n') });
    const { result: r, sent, failed } = await underTraffic(gw.url, () => reload());
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(sent).toBeGreaterThan(20);
    expect(failed).toBe(0);
    const after = [pidOf(gw.project, 'gateway-r1')!.pid, pidOf(gw.project, 'gateway-r2')!.pid];
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    for (const p of ports) {
      expect(await modelsAt(`http://127.0.0.1:${p}`)).toContain('rolled');
    }
  });

  test('a config that kills its replica stops at the first one; the other keeps answering; the backup is restored there (exit 3)', async () => {
    await gw.baseline();
    await rollRefusedAtR1({
      'providers.yaml': providersYaml({ ollama, llamaA, llamaB, vllm }, ['broken-marker']),
      'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  rolled: llama3.1:8b\n').replace(
        'models:\n',
        'models:\n  broken-marker:\n    routes:\n      - provider: ollama\n',
      ),
    });
    for (const p of ports) expect(await modelsAt(`http://127.0.0.1:${p}`)).not.toContain('broken-marker');
    expect(await modelsAt(`http://127.0.0.1:${ports[0]}`)).not.toContain('rolled');
    const st = await runCli(['status', '--json'], { cwd: gw.project, env: GATEWAY_ENV });
    expect((JSON.parse(st.stdout).gateway.replicas as { runs_deployed: boolean }[]).map((x) => x.runs_deployed)).toEqual([true, true]);
  });

  test('kill -9 in the middle of a roll (one replica restarted, the other not): the next reload recovers and applies, losing no request', async () => {
    await gw.baseline();
    gw.write({
      'providers.yaml': providersYaml({ ollama, llamaA, llamaB, vllm }),
      'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  rolled: llama3.1:8b\n  after-kill: llama3.1:8b\n'),
    });
    const r1 = pidOf(gw.project, 'gateway-r1')!.pid;
    const r2 = pidOf(gw.project, 'gateway-r2')!.pid;
    const load = traffic(gw.url);
    const { execa } = await import('execa');
    const { BIN } = await import('../helpers/cli.js');
    const child = execa(process.execPath, [BIN, 'reload', '--yes'], {
      cwd: gw.project,
      env: { NO_COLOR: '1', ...GATEWAY_ENV },
      reject: false,
    });
    // Killed once replica r1 runs a new process: mid-roll, r2 still on the old config.
    const restarted = () => {
      const now = pidOf(gw.project, 'gateway-r1')?.pid;
      return now !== undefined && now !== r1;
    };
    for (let i = 0; i < 4800 && !restarted(); i++) await new Promise((res) => setTimeout(res, 25));
    expect(restarted()).toBe(true);
    child.kill('SIGKILL');
    await child;
    expect(pidOf(gw.project, 'gateway-r2')!.pid).toBe(r2);
    const r = await reload('--json');
    await new Promise((res) => setTimeout(res, 500));
    const { sent, failed } = await load.stop();
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.recovery).toMatchObject({ healthy: true });
    expect(result.status).toBe('applied');
    expect(sent).toBeGreaterThan(20);
    expect(failed).toBe(0);
    for (const p of ports) {
      expect(await modelsAt(`http://127.0.0.1:${p}`)).toContain('after-kill');
    }
  });

  test('a replica that never becomes ready is reported, the roll stops there, the other never stops serving, and the first is restored', async () => {
    await gw.baseline();
    // The probe's limit, from this machine's measured boot: long enough for the rollback's real boot.
    const timeoutS = Math.max(30, Math.ceil((BOOT_MS * 3) / 1000));
    const gatewayFile = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    await rollRefusedAtR1({
      'gateway.yaml': gatewayFile.replace(/timeout_s: \d+/, `timeout_s: ${timeoutS}`),
      'providers.yaml': providersYaml({ ollama, llamaA, llamaB, vllm }, ['never-ready-marker']),
      'model-mappings.yaml': MAPPINGS.replace('models:\n', 'models:\n  never-ready-marker:\n    routes:\n      - provider: ollama\n'),
    });
    expect(await modelsAt(`http://127.0.0.1:${ports[0]}`)).not.toContain('never-ready-marker');
  });
});
