// The compose runtime on a real Docker engine, against the shipped docker-compose.yml (its ports
// moved to free ones): the images are those scripts/setup-docker.sh builds (LiteLLM from the
// hashed requirements, Debian's Redis) under the names the file uses. Nothing else of the file is
// changed, except one wrapper around LiteLLM's entrypoint: the container exits at start-up when
// its config has the public name "broken-marker", a config LiteLLM's --validate_config accepts
// but that never serves.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { compose, containers, down, requireDocker, shippedCompose, wallClock, withJson } from '../helpers/docker.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import { underTraffic } from '../helpers/traffic.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  makeGatewayProject,
  MAPPINGS,
  MASTER_KEY,
  requireLitellm,
  servedModels,
  startFakes,
  type GatewayProject,
} from '../helpers/gateway.js';

const bin = requireLitellm();
const docker = requireDocker(Boolean(bin));
const ALL_NAMES = ['coder', 'llama2-13b', 'llama3.1:8b', 'qwen-coder-vllm', 'qwen2.5-coder:7b'];

describe.skipIf(!docker)('the compose runtime on a real Docker engine (docker-compose.yml)', { timeout: GATEWAY_TEST_MS }, () => {
  let fakes: Awaited<ReturnType<typeof startFakes>>;
  let gw: GatewayProject;
  let file: string;
  const env = { ...GATEWAY_ENV };
  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCli(args, { cwd: gw.project, env: { ...env, ...extraEnv }, timeout: GATEWAY_TEST_MS });
  const reload = async (extraEnv: Record<string, string> = {}, ...args: string[]) =>
    withJson(await cli(['reload', '--yes', '--json', ...args], extraEnv));
  const litellmId = async () => (await containers(gw.project, file, env)).litellm?.id;

  beforeAll(async () => {
    fakes = await startFakes();
    const redis = await freePort();
    gw = await makeGatewayProject({ bin: bin!, ...fakes, timeoutS: 120 });
    file = shippedCompose('docker-compose.yml', gw.project, [
      ['"--port", "4000"]', `"--port", "${gw.port}"]`],
      ['"--port", "6379"', `"--port", "${redis}"`],
      [
        '    network_mode: host\n    command: ["--config"',
        `    network_mode: host\n    entrypoint: ["sh", "-c", "grep -q broken-marker /app/config.yaml && { echo 'refusing broken-marker' >&2; exit 3; }; exec litellm \\"$$@\\"", "litellm"]\n    command: ["--config"`,
      ],
    ]);
    const gateway = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8').replace(
      /runtime:\n(?: {2}.*\n)+/,
      'runtime:\n  kind: compose\n  file: docker-compose.yml\n  service: litellm\n',
    );
    gw.rebase({ 'gateway.yaml': gateway });
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw && file) {
      await down(gw.project, file, env);
      await compose(gw.project, file, ['-p', 'elsewhere', 'down', '-t', '2'], env);
    }
    await Promise.all(Object.values(fakes ?? {}).map((s: FakeServer) => s.close()));
    cleanupTempDirs();
  });

  test('with the stack not up and GRAFANA_ADMIN_PASSWORD unset, the first reload creates the gateway and Redis, and serves', async () => {
    // Every compose command works without Grafana's password (only Grafana itself needs it).
    const config = await compose(gw.project, file, ['config', '--quiet'], env);
    expect(config.exitCode, config.all).toBe(0);
    expect(await containers(gw.project, file, env)).toEqual({});
    // Before `aibackend generate`, the file the service mounts does not exist: docker would make it a
    // directory, as root. The pre-flight says so, and nothing is created.
    const early = await reload();
    expect(early.exitCode, early.stdout).toBe(1);
    const mount = (early.out.preflight as { check: string; ok: boolean; detail: string }[]).find((c) => c.check === 'compose file')!;
    expect(mount.detail).toMatch(/litellm-unified\.yaml, which does not exist: docker would create it as a directory.*aibackend generate/);
    expect(await containers(gw.project, file, env)).toEqual({});
    expect((await cli(['generate'])).exitCode).toBe(0);
    const r = await reload();
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.out.status).toBe('applied');
    const checks = r.out.preflight as { check: string; ok: boolean; detail: string }[];
    expect(checks.find((c) => c.check === 'container')!.detail).toMatch(/no container in compose project .* the reload creates it/);
    expect(checks.find((c) => c.check === 'runtime')!.detail).toMatch(/docker compose 5\.6\.0 is installed/);
    const running = await containers(gw.project, file, env);
    expect(running.litellm?.state).toBe('running');
    expect(running.redis?.state).toBe('running');
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('a route change is served by a recreated container; logs --call-id still finds a call made before it', async () => {
    await gw.baseline(env);
    const tried = await cli(['try', 'coder', '--json', '--prompt', 'before the reload']);
    expect(tried.exitCode, tried.stderr).toBe(0);
    const callId = (JSON.parse(tried.stdout) as { call_id: string }).call_id;
    const before = await litellmId();
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  rolled: llama3.1:8b\n') });
    // One gateway is down while its container is recreated: what that costs callers is measured, not hidden.
    const clock = wallClock('compose');
    const {
      result: r,
      sent,
      failed,
      outageMs,
    } = await underTraffic(gw.url, () => clock.timed(() => reload()), { streamed: true, workers: 4 });
    clock.note(
      `single gateway, route change: ${sent} requests (plain and streamed), ${failed} failed over ${outageMs} ms (first to last failure)`,
    );
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(sent).toBeGreaterThan(0);
    expect(await servedModels(gw.url)).toContain('rolled');
    expect(await litellmId()).not.toBe(before);
    const logs = await cli(['logs', '--call-id', callId, '--json']);
    expect(logs.exitCode, logs.stderr).toBe(0);
    const lines = (JSON.parse(logs.stdout) as { lines: { trace_id: string | null; message: string }[] }).lines;
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.trace_id === callId || l.message.includes(callId))).toBe(true);
  });

  test('a config LiteLLM refuses is stopped at pre-flight: nothing written, the container untouched', async () => {
    await gw.baseline(env);
    const deployed = readFileSync(path.join(gw.config, 'litellm-unified.yaml'), 'utf8');
    const before = await litellmId();
    const good = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    gw.write({ 'gateway.yaml': `${good}passthrough:\n  litellm_settings:\n    callbacks: ["no_such_callback_module"]\n` });
    const r = await reload();
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.out.status).toBe('refused');
    const load = (r.out.preflight as { check: string; ok: boolean; detail: string }[]).find((c) => c.check === 'litellm load')!;
    expect(load.ok).toBe(false);
    expect(load.detail).toMatch(/^LiteLLM refuses the candidate/);
    expect(readFileSync(path.join(gw.config, 'litellm-unified.yaml'), 'utf8')).toBe(deployed);
    expect(await litellmId()).toBe(before);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('a compose failure during the load check is said to be the runtime, not LiteLLM refusing the candidate', async () => {
    await gw.baseline(env);
    const shipped = readFileSync(file, 'utf8');
    writeFileSync(
      path.join(gw.project, 'docker-compose.noimage.yml'),
      shipped.replace('ghcr.io/berriai/litellm:v1.106.12-stable', 'aibackend/no-such-image:0'),
    );
    const good = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    gw.write({
      'gateway.yaml': good.replace('file: docker-compose.yml', 'file: docker-compose.noimage.yml'),
      'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  unjudged: llama3.1:8b\n'),
    });
    const r = await reload();
    expect(r.exitCode, r.stdout).toBe(1);
    expect(r.out.status).toBe('refused');
    const load = (r.out.preflight as { check: string; ok: boolean; detail: string }[]).find((c) => c.check === 'litellm load')!;
    expect(load.detail).toMatch(/^the runtime could not start LiteLLM to load the candidate .*the candidate itself was not judged/);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('a gateway that dies at start-up is seen from the engine (exit code, its own last lines) and rolled back', async () => {
    await gw.baseline(env);
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  broken-marker: llama3.1:8b\n') });
    const r = await reload();
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(3);
    expect(r.out.status).toBe('rolled-back');
    const applyProbe = (r.out.probes as { phase: string; reason?: string }[]).find((p) => p.phase === 'apply')!;
    // the engine's own view: exited with its code, or restarted by the restart policy (the code of a past run is not kept)
    expect(applyProbe.reason).toMatch(/^the container \S+ (exited with code 3|exited and was restarted \d+ times?)/);
    expect(applyProbe.reason).toContain('refusing broken-marker');
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('a rotated LITELLM_MASTER_KEY recreates the container: the new key is served, the old one refused', async () => {
    await gw.baseline(env);
    const rotated = 'sk-e2e-rotated-key-111111111111';
    const r = await reload({ LITELLM_MASTER_KEY: rotated });
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.out.status).toBe('applied');
    const models = async (key: string) => (await fetch(`${gw.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } })).status;
    expect(await models(rotated)).toBe(200);
    // LiteLLM answers an unknown key with 400 or 401, depending on the route
    expect([400, 401]).toContain(await models(MASTER_KEY));
    // and back
    const back = await reload();
    expect(back.exitCode, back.stderr).toBe(0);
    expect(await models(MASTER_KEY)).toBe(200);
  });

  test('a gateway container stopped between reloads: status fails, and a reload with the same sources recreates it (status "healed")', async () => {
    await gw.baseline(env);
    expect((await compose(gw.project, file, ['stop', '-t', '2', 'litellm'], env)).exitCode).toBe(0);
    expect((await cli(['status'])).exitCode).not.toBe(0);
    const r = await reload();
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.out.status).toBe('healed');
    expect(r.out.message).toMatch(/compose service 'litellm' is not running \(container \S+: exited/);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('rollback restores the previous config through compose', async () => {
    await gw.baseline(env);
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  extra: llama3.1:8b\n') });
    expect((await reload()).exitCode).toBe(0);
    expect(await servedModels(gw.url)).toContain('extra');
    const r = await cli(['rollback', '--yes', '--json']);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('the service running under another compose project name stops the pre-flight, which names that project', async () => {
    await down(gw.project, file, env);
    const other = await compose(gw.project, file, ['-p', 'elsewhere', 'up', '-d', '--no-deps', 'litellm'], env);
    expect(other.exitCode, other.all).toBe(0);
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('aliases:\n', 'aliases:\n  moved: llama3.1:8b\n') });
    const r = await reload();
    expect(r.exitCode, r.stdout).toBe(1);
    expect(r.out.status).toBe('refused');
    const check = (r.out.preflight as { check: string; ok: boolean; detail: string }[]).find((c) => c.check === 'container')!;
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/runs in compose project 'elsewhere'.*set runtime\.project: elsewhere/);
    await compose(gw.project, file, ['-p', 'elsewhere', 'down', '-t', '2'], env);
  });
});
