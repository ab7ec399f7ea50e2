// reload against the real LiteLLM proxy, started through the process runtime on a free loopback
// port, with fake Ollama and OpenAI-compatible servers behind it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs, snapshot } from '../helpers/fixtures.js';
import {
  ALL_PROBE_STEPS_OK,
  chat,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  gatewayMs,
  gatewayPid,
  makeGatewayProject,
  startFakes,
  MAPPINGS,
  providersYaml,
  requireLitellm,
  servedModels,
  stopGateway,
  waitFor,
  type GatewayProject,
} from '../helpers/gateway.js';

const bin = requireLitellm();
const ALL_NAMES = ['coder', 'llama2-13b', 'llama3.1:8b', 'qwen-coder-vllm', 'qwen2.5-coder:7b'];

describe.skipIf(!bin)('reload against the real LiteLLM gateway', { timeout: GATEWAY_TEST_MS }, () => {
  let ollama: FakeServer, llamaA: FakeServer, llamaB: FakeServer, vllm: FakeServer;
  let gw: GatewayProject;
  const reload = (...args: string[]) =>
    runCli(['reload', '--yes', ...args], { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });

  beforeAll(async () => {
    ({ ollama, llamaA, llamaB, vllm } = await startFakes());
    gw = await makeGatewayProject({ bin: bin!, ollama, llamaA, llamaB, vllm });
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) stopGateway(gw.project);
    await Promise.all([ollama, llamaA, llamaB, vllm].map((s) => s?.close()));
    cleanupTempDirs();
  });

  test('a first reload serves every public name and alias, each reaching its provider with its backend model', async () => {
    const r = await reload('--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ status: 'applied', backup: null, rollback: { happened: false } });
    expect(result.probes[0].steps.map((s: { step: string; ok: boolean }) => [s.step, s.ok])).toEqual(ALL_PROBE_STEPS_OK);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);

    const expectations: [string, FakeServer, string][] = [
      ['llama3.1:8b', ollama, 'llama3.1:8b'],
      ['qwen2.5-coder:7b', ollama, 'qwen2.5-coder:7b'],
      ['qwen-coder-vllm', vllm, 'Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'],
      ['coder', vllm, 'Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'],
    ];
    for (const [name, server, backend] of expectations) {
      const before = server.chats().length;
      const res = await chat(gw.url, name);
      expect(res.status, name).toBe(200);
      const got = server.chats().slice(before);
      expect(
        got.map((c) => c.model),
        name,
      ).toEqual([backend]);
    }
    for (let i = 0; i < 24; i++) expect((await chat(gw.url, 'llama2-13b')).status).toBe(200);
    const a = llamaA.chats().filter((c) => c.model === 'llama-2-13b-chat').length;
    const b = llamaB.chats().filter((c) => c.model === 'llama-2-13b-chat').length;
    expect(a + b).toBe(24);
    expect(a).toBeGreaterThan(0);
    expect(b).toBeGreaterThan(0);
    expect(ollama.chats().every((c) => c.path === '/api/chat')).toBe(true);
  });

  test("an alias keeps its target's fallbacks: with vLLM failing, coder is answered by the fallback on Ollama", async () => {
    await gw.baseline();
    vllm.failing = true;
    try {
      const before = ollama.chats().length;
      const res = await chat(gw.url, 'coder');
      expect(res.status).toBe(200);
      expect(res.content).toBe('hello from ollama qwen2.5-coder:7b');
      expect(
        ollama
          .chats()
          .slice(before)
          .map((c) => c.model),
      ).toContain('qwen2.5-coder:7b');
    } finally {
      vllm.failing = false;
    }
  });

  test('the same sources again: nothing to do, no restart', async () => {
    await gw.baseline();
    const pid = readFileSync(path.join(gw.project, '.aibackend/gateway.pid'), 'utf8');
    const r = await reload();
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('already identical');
    expect(readFileSync(path.join(gw.project, '.aibackend/gateway.pid'), 'utf8')).toBe(pid);
  });

  test('a gateway killed between reloads: status exits 1, and a reload with the same sources starts it again (status "healed")', async () => {
    await gw.baseline();
    const pid = gatewayPid(gw.project)!;
    stopGateway(gw.project);
    await waitFor('the gateway gone', async () => ((await servedModels(gw.url).catch(() => undefined)) ? undefined : true), 10_000);
    const st = await runCli(['status', '--json', '--timeout', '2s'], { cwd: gw.project, env: GATEWAY_ENV });
    expect(st.exitCode).toBe(1);
    expect(JSON.parse(st.stdout).gateway).toMatchObject({ live: false });
    const r = await reload('--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe('healed');
    expect(result.message).toContain(`the gateway process ${pid} recorded in`);
    expect(result.probes.map((p: { phase: string; ok: boolean }) => [p.phase, p.ok])).toEqual([['heal', true]]);
    expect(gatewayPid(gw.project)).not.toBe(pid);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('status sees the live gateway serving every compiled name, and every provider up', async () => {
    await gw.baseline();
    const r = await runCli(['status', '--json'], { cwd: gw.project, env: GATEWAY_ENV });
    expect(r.exitCode, r.stdout).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.gateway).toMatchObject({ live: true, ready: true, missing: [], unexpected: [] });
    expect(s.providers.map((p: { id: string; reachable: boolean; missing: string[] }) => [p.id, p.reachable, p.missing])).toEqual([
      ['ollama', true, []],
      ['llama_cpp_native', true, []],
      ['llama_cpp_python', true, []],
      ['vllm', true, []],
    ]);
  });

  test('--dry-run and --validate-only change nothing on disk', async () => {
    await gw.baseline();
    gw.write({
      'model-mappings.yaml': MAPPINGS.replace(
        'aliases:',
        '  extra:\n    routes:\n      - provider: ollama\n        model: llama3.1:8b\naliases:',
      ),
    });
    const before = snapshot(gw.project);
    const dry = await reload('--dry-run');
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain('dry run: would');
    expect(dry.stdout).toContain('+  - model_name: extra');
    const only = await runCli(['reload', '--validate-only'], { cwd: gw.project, env: GATEWAY_ENV, timeout: gatewayMs(1) });
    expect(only.exitCode).toBe(0);
    expect(only.stdout).toContain('+  - model_name: extra');
    expect(snapshot(gw.project)).toEqual(before);
  });

  test('a reload that adds a model serves it; one that removes it stops serving it', async () => {
    await gw.baseline();
    gw.write({
      'providers.yaml': providersYaml({ ollama, llamaA, llamaB, vllm }, ['mistral:7b']),
      'model-mappings.yaml': MAPPINGS.replace('aliases:', '  mistral:7b:\n    routes:\n      - provider: ollama\naliases:'),
    });
    const add = await reload('--json');
    expect(add.exitCode, add.stderr).toBe(0);
    const added = JSON.parse(add.stdout);
    expect(added.changes.added).toEqual(['mistral:7b']);
    expect(added.backup).toMatch(/backups\/litellm-unified\..*\.yaml$/);
    expect(await servedModels(gw.url)).toContain('mistral:7b');
    expect((await chat(gw.url, 'mistral:7b')).status).toBe(200);
    expect(ollama.chats().at(-1)).toEqual({ path: '/api/chat', model: 'mistral:7b' });

    gw.write({ 'providers.yaml': providersYaml({ ollama, llamaA, llamaB, vllm }), 'model-mappings.yaml': MAPPINGS });
    const remove = await reload('--json');
    expect(remove.exitCode, remove.stderr).toBe(0);
    expect(JSON.parse(remove.stdout).changes.removed).toEqual(['mistral:7b']);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
  });

  test('valid, then a config LiteLLM refuses (stopped at pre-flight: never written, gateway never stopped), then valid again', async () => {
    await gw.baseline();
    const deployed = readFileSync(path.join(gw.config, 'litellm-unified.yaml'), 'utf8');
    const pid = readFileSync(path.join(gw.project, '.aibackend/gateway.pid'), 'utf8');
    const good = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    gw.write({ 'gateway.yaml': `${good}passthrough:\n  litellm_settings:\n    callbacks: ["no_such_callback_module"]\n` });
    const bad = await reload('--json');
    expect(bad.exitCode, bad.stderr).toBe(1);
    const result = JSON.parse(bad.stdout);
    expect(result.status).toBe('refused');
    const load = result.preflight.find((c: { check: string }) => c.check === 'litellm load');
    expect(load.ok).toBe(false);
    expect(load.detail).toContain('config validation failed');
    expect(result.probes).toEqual([]);
    expect(readFileSync(path.join(gw.config, 'litellm-unified.yaml'), 'utf8')).toBe(deployed);
    expect(readFileSync(path.join(gw.project, '.aibackend/gateway.pid'), 'utf8')).toBe(pid);
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
    expect((await chat(gw.url, 'coder')).status).toBe(200);

    gw.write({
      'gateway.yaml': good,
      'model-mappings.yaml': MAPPINGS.replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  chat: llama3.1:8b'),
    });
    const ok = await reload();
    expect(ok.exitCode, ok.stderr).toBe(0);
    expect(await servedModels(gw.url)).toEqual(['chat', ...ALL_NAMES]);
  });

  test('backups lists what was saved and marks the deployed one; rollback restores the previous config', async () => {
    await gw.baseline();
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  chat: llama3.1:8b') });
    expect((await reload()).exitCode).toBe(0);
    expect(await servedModels(gw.url)).toEqual(['chat', ...ALL_NAMES]);
    const list = await runCli(['backups', '--json'], { cwd: gw.project, env: GATEWAY_ENV });
    const backups = JSON.parse(list.stdout).backups as {
      file: string;
      deployed: boolean;
      sha256: string;
      git_commit?: string;
      command: string;
    }[];
    expect(backups.length).toBeGreaterThanOrEqual(1);
    expect(backups[0]!.command).toContain('aibackend reload');
    const refused = await runCli(['rollback', '--json'], { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
    expect(JSON.parse(refused.stdout), 'no terminal, no --yes').toMatchObject({ status: 'refused', exit_code: 2 });
    expect(JSON.parse(refused.stdout).preflight).toBeUndefined();
    const r = await runCli(['rollback', '--yes', '--json'], { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).status).toBe('applied');
    expect(await servedModels(gw.url)).toEqual(ALL_NAMES);
    const after = JSON.parse((await runCli(['backups', '--json'], { cwd: gw.project, env: GATEWAY_ENV })).stdout).backups as {
      deployed: boolean;
    }[];
    expect(after.filter((b) => b.deployed).length).toBeGreaterThanOrEqual(1);
    const text = await runCli(['backups'], { cwd: gw.project, env: GATEWAY_ENV });
    expect(text.stdout).toContain('deployed');
  });

  test('a reload with an unset env: variable is refused before anything changes', async () => {
    await gw.baseline();
    const before = snapshot(gw.project);
    const r = await runCli(['reload', '--yes'], { cwd: gw.project, env: { LITELLM_MASTER_KEY: undefined } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('[env-unset]');
    expect(snapshot(gw.project)).toEqual(before);
  });

  test('without a terminal and without --yes, reload refuses at once (no pre-flight start) and changes nothing', async () => {
    await gw.baseline();
    gw.write({ 'model-mappings.yaml': MAPPINGS.replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm') });
    const before = snapshot(gw.project);
    const r = await runCli(['reload'], { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain('--yes');
    const j = await runCli(['reload', '--json'], { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
    expect(j.exitCode).toBe(2);
    expect(JSON.parse(j.stdout)).toMatchObject({ status: 'refused', exit_code: 2 });
    expect(JSON.parse(j.stdout).preflight).toBeUndefined();
    expect(snapshot(gw.project).filter((l) => !l.startsWith('backups/journal'))).toEqual(
      before.filter((l) => !l.startsWith('backups/journal')),
    );
  });
});
