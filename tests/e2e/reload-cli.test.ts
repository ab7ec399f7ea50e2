// reload through the command runtime against a small stand-in HTTP endpoint: the paths of the
// transaction that do not need LiteLLM itself (usage errors, exit 4, the JSON result).
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { execa, execaSync } from 'execa';
import { parse } from 'yaml';
import { BIN, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

/**
 * A stand-in gateway: /v1/models answers `names`, and /v1/model/info lists the deployments of the
 * file at `ep.serves` (what a gateway that loaded it would list), so that these tests exercise the
 * transaction, not LiteLLM (tests/gateway does that).
 */
async function endpoint(names: () => string[]) {
  const state: { serves?: string } = {};
  const s = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url === '/v1/model/info') {
      const list =
        state.serves && existsSync(state.serves)
          ? ((parse(readFileSync(state.serves, 'utf8')) as { model_list?: unknown[] }).model_list ?? [])
          : [];
      return res.end(JSON.stringify({ data: list }));
    }
    res.end(JSON.stringify(req.url === '/v1/models' ? { data: names().map((id) => ({ id })) } : { status: 'healthy' }));
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return {
    port: (s.address() as AddressInfo).port,
    set serves(file: string) {
      state.serves = file;
    },
    close: () => new Promise<void>((r) => s.close(() => r())),
  };
}

function project(port: number, restart: string[], ep?: { serves: string }) {
  const p = makeProject({
    'gateway.yaml': `version: 1\ngateway:\n  url: http://127.0.0.1:${port}\nruntime:\n  kind: command\n  restart: ${JSON.stringify(restart)}\nhealth:\n  timeout_s: 3\n  interval_ms: 100\n`,
    'ports.yaml': null,
  });
  const deployed = path.join(p.config, 'litellm-unified.yaml');
  if (ep) ep.serves = deployed;
  return { ...p, deployed };
}

const BASE_NAMES = ['coder', 'llama3.1:8b', 'qwen-coder-vllm', 'qwen2.5-coder:7b'];

describe('reload with the compose runtime, Compose v1 only (docker on PATH is a recording stand-in)', () => {
  async function composeProject(dockerScript: string, composeScript?: string) {
    const ep = await endpoint(() => BASE_NAMES);
    const p = makeProject({
      'gateway.yaml': `version: 1\ngateway:\n  url: http://127.0.0.1:${ep.port}\nruntime:\n  kind: compose\n  file: deploy/compose.yml\n  service: gw\nhealth:\n  timeout_s: 3\n  interval_ms: 100\n`,
      'ports.yaml': null,
    });
    ep.serves = path.join(p.config, 'litellm-unified.yaml');
    mkdirSync(path.join(p.project, 'deploy'));
    writeFileSync(
      path.join(p.project, 'deploy/compose.yml'),
      `services:\n  gw:\n    image: ghcr.io/berriai/litellm:v1.106.12-stable\n    command: ["--config", "/app/config.yaml", "--port", "4000"]\n    ports: ["127.0.0.1:${ep.port}:4000"]\n`,
    );
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

  // The compose runtime itself is tested on a real engine (tests/gateway/docker-compose*.test.ts);
  // what no engine here has is Compose v1 alone, which must be refused before anything changes.
  test('with only Compose v1 (docker-compose 1.x) installed, the pre-flight refuses and says to install the plugin', async () => {
    const c = await composeProject(`echo "docker: 'compose' is not a docker command." >&2; exit 1`, 'echo 1.29.2');
    const r = await runCli(['reload', '--yes', '--json'], { cwd: c.project, env: c.env });
    expect(r.exitCode, r.stderr).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.status).toBe('refused');
    const runtime = out.preflight.find((x: { check: string }) => x.check === 'runtime');
    expect(runtime.ok).toBe(false);
    expect(runtime.detail).toMatch(/only Compose v1 .* end of life .* install the compose plugin .*found docker-compose 1\.29\.2/);
    // nothing but the version questions was asked: no run, no restart
    expect(readFileSync(c.log, 'utf8').trim().split('\n')).toEqual(['docker compose version --short', 'docker-compose version --short']);
    expect(existsSync(path.join(c.config, 'litellm-unified.yaml'))).toBe(false);
    await c.ep.close();
  });
});

describe('reload with the command runtime', () => {
  test('applies, backs up, and reports each probe with its timing in JSON', async () => {
    const ep = await endpoint(() => BASE_NAMES);
    const { project: dir, deployed } = project(ep.port, ['true'], ep);
    const r = await runCli(['reload', '--yes', '--json'], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ operation: 'reload', status: 'applied', exit_code: 0, backup: null, rollback: { happened: false } });
    expect(result.probes[0].steps.map((s: { step: string }) => s.step)).toEqual(['liveliness', 'readiness', 'models', 'deployments']);
    expect(typeof result.probes[0].steps[0].at_ms).toBe('number');
    expect(existsSync(deployed)).toBe(true);

    // A second change is backed up first, with its metadata.
    const m = path.join(path.dirname(deployed), 'model-mappings.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    const names = [...BASE_NAMES, 'dev'];
    await ep.close();
    const ep2 = await endpoint(() => names);
    ep2.serves = deployed;
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
    const { project: dir, deployed } = project(ep.port, ['true'], ep);
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
    const { project: dir } = project(ep.port, ['sh', '-c', `echo restarted >> ${marker}`], ep);
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
    const { project: dir, deployed } = project(ep.port, ['sleep', '30'], ep);
    const m = path.join(path.dirname(deployed), 'model-mappings.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    const child = execa(process.execPath, [BIN, 'reload', '--yes'], {
      cwd: dir,
      env: { NO_COLOR: '1', LITELLM_MASTER_KEY: 'k' },
      reject: false,
    });
    const journal = path.join(dir, 'backups/journal.jsonl');
    for (let i = 0; i < 200 && !(existsSync(journal) && readFileSync(journal, 'utf8').includes('"event":"written"')); i++)
      await new Promise((r) => setTimeout(r, 25));
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
    const { project: dir } = project(ep.port, ['true'], ep);
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

describe('pre-flight: checked before anything is written or stopped', () => {
  test('compose runtime without the compose plugin or docker-compose: --dry-run says so, and reload --yes refuses without writing', async () => {
    const p = makeProject({ 'ports.yaml': null });
    mkdirSync(path.join(p.project, 'emptybin'));
    const env = { PATH: path.join(p.project, 'emptybin'), LITELLM_MASTER_KEY: 'k' };
    const dry = await runCli(['reload', '--dry-run'], { cwd: p.project, env });
    expect(dry.exitCode).toBe(1);
    expect(dry.stdout).toMatch(/pre-flight runtime: failed: neither the docker compose plugin nor docker-compose is installed/);
    const r = await runCli(['reload', '--yes', '--json'], { cwd: p.project, env });
    expect(r.exitCode).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe('refused');
    expect(result.preflight[0]).toMatchObject({ check: 'runtime', ok: false });
    expect(existsSync(path.join(p.config, 'litellm-unified.yaml'))).toBe(false);
  });

  test('a process command whose --port differs from gateway.url is refused before it starts anything', async () => {
    const p = makeProject({
      'gateway.yaml': `version: 1\ngateway:\n  url: http://127.0.0.1:4999\nruntime:\n  kind: process\n  command: [${JSON.stringify(process.execPath)}, "-e", "0", "--", "litellm", "--port", "4998"]\n`,
      'ports.yaml': null,
    });
    const r = await runCli(['reload', '--yes', '--json'], { cwd: p.project, env: { LITELLM_MASTER_KEY: 'k' } });
    expect(r.exitCode).toBe(1);
    const port = JSON.parse(r.stdout).preflight.find((c: { check: string }) => c.check === 'port');
    expect(port).toMatchObject({ ok: false });
    expect(port.detail).toMatch(/port 4998, but gateway\.url says 4999/);
    expect(existsSync(path.join(p.config, 'litellm-unified.yaml'))).toBe(false);
  });
});

const isRoot = process.getuid?.() === 0;
const can = (cmd: string) => execa('sh', ['-c', `command -v ${cmd}`], { reject: false }).then((r) => r.exitCode === 0);

describe('errors the user can fix are results with exit codes, never "internal error"; --json prints one object on every path', () => {
  async function applied() {
    let file = '';
    // This stand-in serves whatever is deployed, names included.
    const ep = await endpoint(() =>
      existsSync(file)
        ? [...new Set((parse(readFileSync(file, 'utf8')) as { model_list: { model_name: string }[] }).model_list.map((m) => m.model_name))]
        : [],
    );
    const p = project(ep.port, ['true'], ep);
    file = p.deployed;
    expect((await runCli(['reload', '--yes'], { cwd: p.project })).exitCode).toBe(0);
    const m = path.join(p.config, 'model-mappings.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    return { ...p, ep };
  }

  test.skipIf(!isRoot)('EPERM on backups/ (an immutable directory)', async () => {
    if (!(await can('chattr'))) return;
    const p = await applied();
    const before = readFileSync(p.deployed, 'utf8');
    const backups = path.join(p.project, 'backups');
    await execa('chattr', ['+i', backups]);
    try {
      const r = await runCli(['reload', '--yes', '--json'], { cwd: p.project });
      expect(r.exitCode).toBe(1);
      const result = JSON.parse(r.stdout);
      expect(result).toMatchObject({ status: 'error', exit_code: 1 });
      expect(result.message).toContain('EPERM');
      expect(result.message).toContain('were not changed');
      expect(r.stderr).not.toContain('internal error');
      const text = await runCli(['reload', '--yes'], { cwd: p.project });
      expect(text.stderr).toContain('EPERM');
    } finally {
      await execa('chattr', ['-i', backups]);
      await p.ep.close();
    }
    expect(readFileSync(p.deployed, 'utf8')).toBe(before);
  });

  test.skipIf(!isRoot)('ENOSPC (a full filesystem under backups/)', async () => {
    const p = await applied();
    const before = readFileSync(p.deployed, 'utf8');
    const backups = path.join(p.project, 'backups');
    const mount = await execa('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', backups], { reject: false });
    if (mount.exitCode !== 0) return; // no mount permission in this sandbox
    try {
      writeFileSync(path.join(backups, 'filler'), Buffer.alloc(4096));
      const r = await runCli(['reload', '--yes', '--json'], { cwd: p.project });
      expect(r.exitCode).toBe(1);
      const result = JSON.parse(r.stdout);
      expect(result.status).toBe('error');
      expect(result.message).toContain('ENOSPC');
      expect(r.stderr).not.toContain('internal error');
    } finally {
      await execa('umount', [backups], { reject: false });
      await p.ep.close();
    }
    expect(readFileSync(p.deployed, 'utf8')).toBe(before);
  });

  test('a backup edited after it was taken is never deployed: rollback --to refuses it, as JSON', async () => {
    const p = await applied();
    expect((await runCli(['reload', '--yes'], { cwd: p.project })).exitCode).toBe(0);
    const list = JSON.parse((await runCli(['backups', '--json'], { cwd: p.project })).stdout).backups as { path: string; file: string }[];
    writeFileSync(list[0]!.path, `${readFileSync(list[0]!.path, 'utf8')}# edited\n`);
    const r = await runCli(['rollback', '--yes', '--json', '--to', list[0]!.file], { cwd: p.project });
    expect(r.exitCode).toBe(1);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe('refused');
    expect(result.message).toContain('was changed after it was taken');
    expect(r.stderr).not.toContain('internal error');
    await p.ep.close();
  });

  test('a reload writes no second backup of bytes the newest backup already holds', async () => {
    const p = await applied();
    expect((await runCli(['reload', '--yes'], { cwd: p.project })).exitCode).toBe(0);
    const count = () => readFileSync(path.join(p.project, 'backups/journal.jsonl'), 'utf8').trim().split('\n').length;
    const backups = () => (JSON.parse(execaSyncBackups(p.project)) as { backups: unknown[] }).backups.length;
    expect((await runCli(['reload', '--yes', '--restart'], { cwd: p.project })).exitCode).toBe(0);
    const n = backups();
    // The same deployed bytes again: the newest backup already holds them.
    expect((await runCli(['reload', '--yes', '--restart'], { cwd: p.project })).exitCode).toBe(0);
    expect(backups()).toBe(n);
    expect(count()).toBeGreaterThan(0);
    await p.ep.close();
  });
});

function execaSyncBackups(cwd: string): string {
  return execaSync(process.execPath, [BIN, 'backups', '--json'], { cwd, env: { NO_COLOR: '1' } }).stdout as string;
}

describe('leftovers of a killed run', () => {
  test("temp files of a dead run (atomic writes, pre-flight candidates, lock attempts) are removed by the next reload; a live run's are kept", async () => {
    const ep = await endpoint(() => BASE_NAMES);
    const p = project(ep.port, ['true'], ep);
    expect((await runCli(['reload', '--yes'], { cwd: p.project })).exitCode).toBe(0);
    const dead = 2 ** 22 - 5;
    const left = [
      path.join(p.config, `.litellm-unified.yaml.tmp-${dead}-0badc0de`),
      path.join(p.config, `.litellm-unified.yaml.preflight-${dead}-0badc0de`),
      path.join(p.project, 'backups', `reload.lock.${dead}-0badc0de`),
    ];
    const live = path.join(p.config, `.litellm-unified.yaml.tmp-${process.pid}-0badc0de`);
    for (const f of [...left, live]) writeFileSync(f, 'partial');
    const r = await runCli(['reload', '--yes', '--restart'], { cwd: p.project });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/removed 3 temporary files left by a killed run/);
    expect(left.filter((f) => existsSync(f))).toEqual([]);
    expect(existsSync(live)).toBe(true);
    await ep.close();
  });
});

describe('secrets the config references', () => {
  test('a changed secret is said in the plan by name and fingerprint, never its value, and restarts the gateway', async () => {
    const ep = await endpoint(() => BASE_NAMES);
    const marker = path.join(makeProject().project, 'restarts.log');
    const p = project(ep.port, ['sh', '-c', `echo restarted >> ${marker}`], ep);
    const first = 'sk-first-master-key-0123456789abcdef';
    const second = 'sk-second-master-key-0123456789abcdef';
    expect((await runCli(['reload', '--yes'], { cwd: p.project, env: { LITELLM_MASTER_KEY: first } })).exitCode).toBe(0);
    const same = await runCli(['reload', '--yes', '--json'], { cwd: p.project, env: { LITELLM_MASTER_KEY: first } });
    expect(JSON.parse(same.stdout).status).toBe('unchanged');
    const dry = await runCli(['reload', '--dry-run'], { cwd: p.project, env: { LITELLM_MASTER_KEY: second } });
    expect(dry.stdout).toMatch(
      /the gateway's environment changed since the last applied reload: LITELLM_MASTER_KEY \([0-9a-f]{10} -> [0-9a-f]{10}\)/,
    );
    const r = await runCli(['reload', '--yes', '--json'], { cwd: p.project, env: { LITELLM_MASTER_KEY: second } });
    expect(r.exitCode, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result.status).toBe('applied');
    expect(result.secrets_changed).toEqual([
      { name: 'LITELLM_MASTER_KEY', before: expect.stringMatching(/^[0-9a-f]{10}$/), after: expect.stringMatching(/^[0-9a-f]{10}$/) },
    ]);
    expect(readFileSync(marker, 'utf8')).toBe('restarted\nrestarted\n');
    for (const out of [dry.stdout, dry.stderr, r.stdout, r.stderr, readFileSync(path.join(p.project, 'backups/journal.jsonl'), 'utf8')]) {
      expect(out).not.toContain(first);
      expect(out).not.toContain(second);
    }
    // Keyed (issue 20): the unsalted sha256 the journal used to hold would confirm a guessed password offline.
    const unkeyed = (v: string) => createHash('sha256').update(`aibackend-fingerprint\u0000${v}`).digest('hex').slice(0, 10);
    expect(result.secrets_changed[0].after).not.toBe(unkeyed(second));
    expect(readFileSync(path.join(p.project, 'backups/journal.jsonl'), 'utf8')).not.toContain(unkeyed(second));
    expect(statSync(path.join(p.project, 'backups/fingerprint.key')).mode & 0o777).toBe(0o600);
    await ep.close();
  });
});
