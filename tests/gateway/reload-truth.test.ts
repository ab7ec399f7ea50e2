// A reload that cannot be fooled, against the real LiteLLM started through the process runtime:
// wrapper commands, a stranger on the port, recovery that deploys only verified bytes, rollback
// after an interrupted reload, a --timeout shorter than the boot, rollback with broken sources,
// and a header-only change. Each of these gave a wrong answer before (issue 8).
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { groupMembers, isAlive } from '../../src/deploy/runtime/proc.js';
import { runCli } from '../helpers/cli.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
  ALL_PROBE_STEPS_OK,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  gatewayPid,
  gatewayYaml,
  killAfter,
  makeGatewayProject,
  MAPPINGS,
  providersYaml,
  reached,
  requireLitellm,
  servedModels,
  stopGateway,
  type GatewayProject,
} from '../helpers/gateway.js';

const bin = requireLitellm();
const withAlias = (name: string, target = 'llama3.1:8b') =>
  MAPPINGS.replace('  coder: qwen-coder-vllm', `  coder: qwen-coder-vllm\n  ${name}: ${target}`);
/** llama3.1:8b routed to another backend model on the same provider: the names stay, the route changes. */
const REROUTED = MAPPINGS.replace(
  '  llama3.1:8b:\n    routes:\n      - provider: ollama\n',
  '  llama3.1:8b:\n    routes:\n      - provider: ollama\n        model: qwen2.5-coder:7b\n',
);

describe.skipIf(!bin)('a reload proves the new config serves, against the real LiteLLM', { timeout: GATEWAY_TEST_MS }, () => {
  let ollama: FakeServer, llamaA: FakeServer, llamaB: FakeServer, vllm: FakeServer;
  const projects: GatewayProject[] = [];
  const make = async () => {
    const gw = await makeGatewayProject({ bin: bin!, ollama, llamaA, llamaB, vllm });
    projects.push(gw);
    return gw;
  };
  const cli = (gw: GatewayProject, ...args: string[]) => runCli(args, { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
  const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Record<string, any>;

  beforeAll(async () => {
    ollama = await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b'], 'ollama');
    llamaA = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-native');
    llamaB = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-python');
    vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'], 'vllm');
  });

  afterAll(async () => {
    for (const gw of projects) stopGateway(gw.project);
    await Promise.all([ollama, llamaA, llamaB, vllm].map((s) => s?.close()));
    cleanupTempDirs();
  });

  test('wrapper commands (sh -c "exec litellm", bash -c without exec): a changed route is served by a new gateway, and the old one is gone', async () => {
    const gw = await make();
    gw.write({
      'gateway.yaml': gatewayYaml(bin!, gw.port, '', ['sh', '-c', `exec ${bin} --config {config} --host 127.0.0.1 --port ${gw.port}`]),
    });
    const first = await cli(gw, 'reload', '--yes', '--json');
    expect(first.exitCode, first.stderr).toBe(0);
    const pid1 = gatewayPid(gw.project)!;
    expect(await reached(gw.url, 'llama3.1:8b', ollama)).toBe('llama3.1:8b');

    // Only the route changes: the names served are the same before and after.
    gw.write({ 'model-mappings.yaml': REROUTED });
    const r = await cli(gw, 'reload', '--yes', '--json');
    expect(r.exitCode, r.stderr).toBe(0);
    const result = json(r);
    expect(result.status).toBe('applied');
    expect(result.probes[0].steps.map((s: { step: string; ok: boolean }) => [s.step, s.ok])).toEqual(ALL_PROBE_STEPS_OK);
    expect(isAlive(pid1)).toBe(false);
    expect(gatewayPid(gw.project)).not.toBe(pid1);
    expect(await reached(gw.url, 'llama3.1:8b', ollama)).toBe('qwen2.5-coder:7b');

    // bash without exec: LiteLLM is bash's child, in the group the runtime started; stopping the
    // group stops both, so the next gateway can bind the port.
    gw.write({
      'gateway.yaml': gatewayYaml(bin!, gw.port, '', [
        'bash',
        '-c',
        `${bin} --config {config} --host 127.0.0.1 --port ${gw.port}; echo gateway ended`,
      ]),
    });
    const restarted = await cli(gw, 'reload', '--yes', '--restart');
    expect(restarted.exitCode, restarted.stderr).toBe(0);
    const group = gatewayPid(gw.project)!;
    gw.write({ 'model-mappings.yaml': MAPPINGS });
    const back = await cli(gw, 'reload', '--yes', '--json');
    expect(back.exitCode, back.stderr).toBe(0);
    expect(groupMembers(group)).toEqual([]);
    expect(await reached(gw.url, 'llama3.1:8b', ollama)).toBe('llama3.1:8b');
  });

  test('a stranger answering on the gateway port, with the right names, is a refusal before anything is written', async () => {
    const gw = await make();
    const stranger = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify(
          req.url === '/v1/models'
            ? { data: ['coder', 'llama2-13b', 'llama3.1:8b', 'qwen-coder-vllm', 'qwen2.5-coder:7b'].map((id) => ({ id })) }
            : { status: 'healthy' },
        ),
      );
    });
    await new Promise<void>((r) => stranger.listen(gw.port, '127.0.0.1', r));
    try {
      const r = await cli(gw, 'reload', '--yes', '--json');
      expect(r.exitCode, r.stderr).toBe(1);
      const result = json(r);
      expect(result.status).toBe('refused');
      const holder = result.preflight.find((c: { check: string }) => c.check === 'port holder');
      expect(holder).toMatchObject({ ok: false });
      expect(holder.detail).toContain(`pid ${process.pid}`);
      expect(existsSync(path.join(gw.config, 'litellm-unified.yaml'))).toBe(false);
      expect(gatewayPid(gw.project)).toBeUndefined();
    } finally {
      await new Promise<void>((r) => stranger.close(() => r()));
    }
  });

  describe('one gateway through interruptions, timeouts and restores', () => {
    let gw: GatewayProject;
    const deployed = () => readFileSync(path.join(gw.config, 'litellm-unified.yaml'), 'utf8');
    const backupOf = (pid: number) => {
      const lines = readFileSync(path.join(gw.project, 'backups/journal.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; event: string; path?: string });
      return lines.find((e) => e.id.endsWith(`-${pid}`) && e.event === 'backed-up')!.path!;
    };

    beforeAll(async () => {
      gw = await make();
      const r = await cli(gw, 'reload', '--yes');
      expect(r.exitCode, r.stderr).toBe(0);
    }, GATEWAY_TEST_MS);

    test('recovery deploys only a verified backup: a deleted or edited one is a refusal, and recover --abandon is the way out', async () => {
      await gw.baseline();
      gw.write({ 'model-mappings.yaml': withAlias('two') });
      const killed = await killAfter(gw.project, ['reload', '--yes'], 'written');
      const backup = backupOf(killed);
      rmSync(backup);
      const onDisk = deployed();
      for (const args of [
        ['reload', '--yes', '--json'],
        ['rollback', '--yes', '--json'],
      ]) {
        const r = await cli(gw, ...args);
        expect(r.exitCode, r.stderr).toBe(4);
        const result = json(r);
        expect(result.status).toBe('refused');
        expect(result.message).toContain(backup);
        expect(result.message).toContain('recover --abandon');
        expect(r.stderr).not.toContain('internal error');
        expect(deployed()).toBe(onDisk);
      }
      const abandoned = await cli(gw, 'recover', '--abandon', '--json');
      expect(abandoned.exitCode, abandoned.stderr).toBe(0);
      expect(json(abandoned).status).toBe('abandoned');
      const again = await cli(gw, 'reload', '--yes', '--json');
      expect(again.exitCode, again.stderr).toBe(0);
      expect(await servedModels(gw.url)).toContain('two');

      // An edited backup: never deployed, whatever its content.
      gw.write({ 'model-mappings.yaml': withAlias('three') });
      const killed2 = await killAfter(gw.project, ['reload', '--yes'], 'written');
      const backup2 = backupOf(killed2);
      writeFileSync(backup2, `${readFileSync(backup2, 'utf8')}# edited by hand\n`);
      const edited = await cli(gw, 'reload', '--yes', '--json');
      expect(edited.exitCode).toBe(4);
      expect(json(edited).message).toContain('was changed after it was taken');
      expect((await cli(gw, 'recover', '--abandon')).exitCode).toBe(0);
      const fixed = await cli(gw, 'reload', '--yes');
      expect(fixed.exitCode, fixed.stderr).toBe(0);
    });

    test('rollback after an interrupted reload stops at the last config that served, and says it recovered', async () => {
      await gw.baseline();
      gw.write({ 'model-mappings.yaml': withAlias('c3') });
      const c3 = await cli(gw, 'reload', '--yes');
      expect(c3.exitCode, c3.stderr).toBe(0);
      const c3Text = deployed();
      gw.write({ 'model-mappings.yaml': withAlias('c4') });
      await killAfter(gw.project, ['reload', '--yes'], 'written');
      expect(deployed()).not.toBe(c3Text);
      const r = await cli(gw, 'rollback', '--yes', '--json');
      expect(r.exitCode, r.stderr).toBe(0);
      const result = json(r);
      expect(result.status).toBe('recovered');
      expect(result.recovery).toMatchObject({ healthy: true });
      expect(deployed()).toBe(c3Text);
      const served = await servedModels(gw.url);
      expect(served).toContain('c3');
      expect(served).not.toContain('c4');
      expect((await cli(gw, 'rollback', '--yes')).stdout).not.toContain('internal error');
    });

    test('--timeout shorter than the boot warns, and the rollback still waits long enough: exit 3, not 4', async () => {
      await gw.baseline();
      gw.write({ 'model-mappings.yaml': withAlias('slow') });
      const before = await servedModels(gw.url);
      const r = await cli(gw, 'reload', '--yes', '--json', '--timeout', '1');
      expect(r.exitCode, r.stderr).toBe(3);
      const result = json(r);
      expect(result.warnings.join(' ')).toMatch(/last measured boot/);
      expect(result.rollback).toMatchObject({ happened: true, healthy: true });
      expect(await servedModels(gw.url)).toEqual(before);
    });

    test('rollback works while the sources are broken, and says what it skipped', async () => {
      await gw.baseline();
      gw.write({ 'model-mappings.yaml': withAlias('last') });
      expect((await cli(gw, 'reload', '--yes')).exitCode).toBe(0);
      gw.write({ 'model-mappings.yaml': 'version: 1\nmodels: [\n' });
      const r = await cli(gw, 'rollback', '--yes', '--json');
      expect(r.exitCode, r.stderr).toBe(0);
      const result = json(r);
      expect(result.status).toBe('applied');
      expect(result.skipped).toMatch(/model-mappings\.yaml/);
      expect(await servedModels(gw.url)).not.toContain('last');
      gw.write({ 'model-mappings.yaml': MAPPINGS });
    });

    test('a header-only change (a description) is not stale and restarts nothing', async () => {
      await gw.baseline();
      expect((await cli(gw, 'reload', '--yes')).exitCode).toBe(0);
      const pid = gatewayPid(gw.project);
      const providers = providersYaml({ ollama, llamaA, llamaB, vllm }).replace(
        '    type: ollama\n',
        '    type: ollama\n    description: the local Ollama, described\n',
      );
      gw.write({ 'providers.yaml': providers });
      const check = await cli(gw, 'generate', '--check');
      expect(check.exitCode, check.stderr).toBe(0);
      const r = await cli(gw, 'reload', '--yes', '--json');
      expect(r.exitCode, r.stderr).toBe(0);
      expect(json(r).status).toBe('unchanged');
      expect(gatewayPid(gw.project)).toBe(pid);
      expect((await cli(gw, 'generate', '--check')).exitCode).toBe(0);
      expect((await cli(gw, 'validate')).exitCode).toBe(0);
    });
  });
});
