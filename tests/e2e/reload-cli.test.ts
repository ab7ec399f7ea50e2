// reload through the command runtime against a small stand-in HTTP endpoint: the paths of the
// transaction that do not need LiteLLM itself (usage errors, exit 4, the JSON result).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { execa } from 'execa';
import { BIN, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

async function endpoint(names: () => string[]) {
  const s = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(req.url === '/v1/models' ? { data: names().map((id) => ({ id })) } : { status: 'healthy' }));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, close: () => new Promise<void>((r) => s.close(() => r())) };
}

function project(port: number, restart: string[]) {
  const p = makeProject({
    'gateway.yaml': `version: 1\ngateway:\n  url: http://127.0.0.1:${port}\nruntime:\n  kind: command\n  restart: ${JSON.stringify(restart)}\nhealth:\n  timeout_s: 3\n  interval_ms: 100\n`,
    'ports.yaml': null,
  });
  return { ...p, deployed: path.join(p.config, 'litellm-unified.yaml') };
}

const BASE_NAMES = ['coder', 'llama3.1:8b', 'qwen-coder-vllm', 'qwen2.5-coder:7b'];

describe('reload with the compose runtime (docker on PATH is a recording stand-in; no engine runs here)', () => {
  async function composeProject(dockerScript: string, composeScript?: string) {
    const ep = await endpoint(() => BASE_NAMES);
    const p = makeProject({
      'gateway.yaml': `version: 1\ngateway:\n  url: http://127.0.0.1:${ep.port}\nruntime:\n  kind: compose\n  file: deploy/compose.yml\n  service: gw\nhealth:\n  timeout_s: 3\n  interval_ms: 100\n`,
      'ports.yaml': null,
    });
    const bin = path.join(p.project, 'fakebin');
    const log = path.join(p.project, 'calls.log');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\necho "docker $*" >> ${log}\n${dockerScript}\n`);
    chmodSync(path.join(bin, 'docker'), 0o755);
    if (composeScript !== undefined) {
      writeFileSync(path.join(bin, 'docker-compose'), `#!/bin/sh\necho "docker-compose $*" >> ${log}\n${composeScript}\n`);
      chmodSync(path.join(bin, 'docker-compose'), 0o755);
    }
    return { ...p, ep, log, env: { PATH: `${bin}:${process.env.PATH}` } };
  }

  test('restarts one service with docker compose -f FILE restart SERVICE', async () => {
    const c = await composeProject('exit 0');
    const r = await runCli(['reload', '--yes'], { cwd: c.project, env: c.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(c.log, 'utf8')).toBe(`docker compose -f ${path.join(c.project, 'deploy/compose.yml')} restart gw\n`);
    await c.ep.close();
  });

  test('falls back to docker-compose when docker has no compose command', async () => {
    const c = await composeProject(`echo "docker: 'compose' is not a docker command." >&2; exit 1`, 'exit 0');
    const r = await runCli(['reload', '--yes'], { cwd: c.project, env: c.env });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(c.log, 'utf8').trim().split('\n')).toEqual([
      `docker compose -f ${path.join(c.project, 'deploy/compose.yml')} restart gw`,
      `docker-compose -f ${path.join(c.project, 'deploy/compose.yml')} restart gw`,
    ]);
    await c.ep.close();
  });
});

describe('reload with the command runtime', () => {
  test('applies, backs up, and reports each probe with its timing in JSON', async () => {
    const ep = await endpoint(() => BASE_NAMES);
    const { project: dir, deployed } = project(ep.port, ['true']);
    const r = await runCli(['reload', '--yes', '--json'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ operation: 'reload', status: 'applied', exit_code: 0, backup: null, rollback: { happened: false } });
    expect(result.probes[0].steps.map((s: { step: string }) => s.step)).toEqual(['liveliness', 'readiness', 'models']);
    expect(typeof result.probes[0].steps[0].at_ms).toBe('number');
    expect(existsSync(deployed)).toBe(true);

    // A second change is backed up first, with its metadata.
    const m = path.join(path.dirname(deployed), 'model-mappings.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    const names = [...BASE_NAMES, 'dev'];
    await ep.close();
    const ep2 = await endpoint(() => names);
    const g = path.join(path.dirname(deployed), 'gateway.yaml');
    writeFileSync(g, readFileSync(g, 'utf8').replace(String(ep.port), String(ep2.port)));
    const second = await runCli(['reload', '--yes', '--json'], { cwd: dir });
    expect(second.exitCode, second.stderr).toBe(0);
    const res2 = JSON.parse(second.stdout);
    expect(res2.changes.added).toEqual(['dev']);
    expect(res2.diff).toContain('+  - model_name: dev');
    const meta = JSON.parse(readFileSync(`${res2.backup}.meta.json`, 'utf8'));
    expect(meta).toMatchObject({ command: 'aibackend reload --yes --json' });
    expect(meta.sha256).toMatch(/^[0-9a-f]{64}$/);
    await ep2.close();
  });

  test('a failing restart command: the old file is restored, and a gateway still serving it means exit 3', async () => {
    const ep = await endpoint(() => BASE_NAMES);
    const { project: dir, deployed } = project(ep.port, ['true']);
    expect((await runCli(['reload', '--yes'], { cwd: dir })).exitCode).toBe(0);
    const before = readFileSync(deployed, 'utf8');
    const g = path.join(path.dirname(deployed), 'gateway.yaml');
    writeFileSync(g, readFileSync(g, 'utf8').replace('restart: ["true"]', 'restart: ["false"]'));
    const m = path.join(path.dirname(deployed), 'model-mappings.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    const r = await runCli(['reload', '--yes', '--json'], { cwd: dir });
    expect(r.exitCode).toBe(3);
    const result = JSON.parse(r.stdout);
    expect(result.rollback).toMatchObject({ happened: true, healthy: true });
    expect(result.rollback.reason).toContain('restart command `false` failed');
    expect(result.message).toContain('kept serving it');
    expect(readFileSync(deployed, 'utf8')).toBe(before);

    // Now nothing serves at all: the rollback cannot be verified, and a person is needed.
    await ep.close();
    const dead = await runCli(['reload', '--yes'], { cwd: dir });
    expect(dead.exitCode).toBe(4);
    expect(dead.stdout).toContain('The gateway needs a person');
    expect(dead.stdout).toMatch(/deployed: .*litellm-unified\.yaml \(restored from .*backups/);
    expect(dead.stdout).toMatch(/backup: {3}.*backups\/litellm-unified\..*\.yaml/);
    expect(readFileSync(deployed, 'utf8')).toBe(before);
    const journal = readFileSync(path.join(dir, 'backups/journal.jsonl'), 'utf8');
    expect(journal).toContain('"event":"rolled-back"');
    expect(journal).toContain('"event":"rollback-failed"');
  });

  test('a file written by generate but never applied is restarted into service; after that, identical means no restart', async () => {
    const ep = await endpoint(() => BASE_NAMES);
    const marker = path.join(makeProject().project, 'restarts.log');
    const { project: dir } = project(ep.port, ['sh', '-c', `echo restarted >> ${marker}`]);
    expect((await runCli(['generate'], { cwd: dir })).exitCode).toBe(0);
    const first = await runCli(['reload', '--yes', '--json'], { cwd: dir });
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stderr).toContain('no reload has applied it yet');
    expect(JSON.parse(first.stdout)).toMatchObject({ status: 'applied', changes: { identical: true } });
    expect(readFileSync(marker, 'utf8')).toBe('restarted\n');
    const second = await runCli(['reload', '--yes', '--json'], { cwd: dir });
    expect(JSON.parse(second.stdout).status).toBe('unchanged');
    expect(readFileSync(marker, 'utf8')).toBe('restarted\n');
    await ep.close();
  });

  test('SIGTERM during a reload frees the lock and exits 143; the next reload recovers from the journal', async () => {
    const ep = await endpoint(() => [...BASE_NAMES, 'dev']);
    const { project: dir, deployed } = project(ep.port, ['sleep', '30']);
    const m = path.join(path.dirname(deployed), 'model-mappings.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    const child = execa(process.execPath, [BIN, 'reload', '--yes'], { cwd: dir, env: { NO_COLOR: '1', LITELLM_MASTER_KEY: 'k' }, reject: false });
    const journal = path.join(dir, 'backups/journal.jsonl');
    for (let i = 0; i < 200 && !(existsSync(journal) && readFileSync(journal, 'utf8').includes('"event":"written"')); i++) await new Promise((r) => setTimeout(r, 25));
    child.kill('SIGTERM');
    const r = await child;
    expect(r.exitCode).toBe(143);
    expect(String(r.stderr)).toContain('interrupted by SIGTERM');
    expect(existsSync(path.join(dir, 'backups/reload.lock'))).toBe(false);
    const g = path.join(path.dirname(deployed), 'gateway.yaml');
    writeFileSync(g, readFileSync(g, 'utf8').replace('restart: ["sleep","30"]', 'restart: ["true"]'));
    const again = await runCli(['reload', '--yes', '--json'], { cwd: dir, env: { LITELLM_MASTER_KEY: 'k' } });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stderr).toContain('was interrupted after');
    expect(JSON.parse(again.stdout).recovery).toMatchObject({ healthy: true });
    await ep.close();
  });

  test('a gateway that serves other names than compiled is unhealthy', async () => {
    const ep = await endpoint(() => ['something-else']);
    const { project: dir } = project(ep.port, ['true']);
    const r = await runCli(['reload', '--yes', '--json'], { cwd: dir });
    expect(r.exitCode).toBe(4); // first deploy: nothing to roll back to
    const result = JSON.parse(r.stdout);
    expect(result.probes[0]).toMatchObject({ ok: false, missing: BASE_NAMES, unexpected: ['something-else'] });
    expect(result.message).toContain('no previous config to restore');
    await ep.close();
  });

  test('usage and validation errors change nothing', async () => {
    const { project: dir, config } = project(1, ['true']);
    const bad = await runCli(['reload', '--yes', '--timeout', 'soon'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--timeout');
    writeFileSync(path.join(config, 'providers.yaml'), 'version: 1\nproviders: {}\n');
    const invalid = await runCli(['reload', '--yes', '--json'], { cwd: dir });
    expect(invalid.exitCode).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ status: 'invalid', exit_code: 1 });
    expect(existsSync(path.join(dir, 'backups'))).toBe(false);
    expect(existsSync(path.join(config, 'litellm-unified.yaml'))).toBe(false);
  });
});
