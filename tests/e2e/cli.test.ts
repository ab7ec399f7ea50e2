// The built CLI as a process in temp directories: validate, generate, explain, flags and exit codes.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject, snapshot } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);
const EXAMPLE = path.join(ROOT, 'config');
const ANSI = /\u001b\[/;

function example() {
  const p = makeProject({}, EXAMPLE);
  rmSync(path.join(p.config, 'litellm-unified.yaml'), { force: true });
  return { ...p, out: path.join(p.config, 'litellm-unified.yaml') };
}

describe('usage', () => {
  test('--help explains the commands and exit codes', async () => {
    const r = await runCli(['--help'], { cwd: ROOT });
    expect(r.exitCode).toBe(0);
    for (const w of ['validate', 'generate', 'explain', 'Exit codes', '--config-dir']) expect(r.stdout).toContain(w);
  });
  test('an unknown command or flag is a usage error (exit 2) without a stack trace', async () => {
    const a = await runCli(['valdate'], { cwd: ROOT });
    expect(a.exitCode).toBe(2);
    expect(a.stderr).toContain('validate');
    const b = await runCli(['validate', '--jsn'], { cwd: ROOT });
    expect(b.exitCode).toBe(2);
    expect(b.stderr).not.toMatch(/\bat .*:\d+:\d+/);
    const c = await runCli(['validate', '--format', 'xml'], { cwd: ROOT });
    expect(c.exitCode).toBe(2);
  });
  test('--version prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const r = await runCli(['--version'], { cwd: ROOT });
    expect(r.stdout.trim()).toBe(pkg.version);
  });
});

describe('validate', () => {
  test('the shipped example is valid in the repository as committed', async () => {
    const r = await runCli(['validate'], { cwd: ROOT });
    expect(r.stdout).toContain('is valid');
    expect(r.exitCode).toBe(0);
  });

  test('--json prints one object of the documented shape and nothing else', async () => {
    const { project } = example();
    const r = await runCli(['validate', '--json'], { cwd: project });
    const report = JSON.parse(r.stdout);
    expect(Object.keys(report).sort()).toEqual(['checks', 'diagnostics', 'errors', 'ok', 'warnings']);
    // The generated file is missing: a warning at validate (spec, "Output"), so init then validate works.
    expect(report.ok).toBe(true);
    expect(report.diagnostics).toEqual([
      { code: 'output-missing', severity: 'warning', message: expect.any(String), file: 'config/litellm-unified.yaml', line: 1, column: 1 },
    ]);
    expect(report.checks.map((c: { name: string }) => c.name)).toEqual([
      'loading',
      'shape',
      'references',
      'secrets',
      'ports',
      'gateway',
      'output',
    ]);
    expect(r.exitCode).toBe(0);
    const strict = await runCli(['validate', '--json', '--strict'], { cwd: project });
    expect(strict.exitCode).toBe(1);
    expect(JSON.parse(strict.stdout).diagnostics[0]).toMatchObject({ code: 'output-missing', severity: 'error' });
    const f = await runCli(['validate', '--format', 'json'], { cwd: project });
    expect(JSON.parse(f.stdout)).toEqual(report);
  });

  test('writes nothing, even when everything is wrong', async () => {
    const { project, config } = example();
    writeFileSync(path.join(config, 'providers.yaml'), 'version: 1\nproviders: [\n');
    const before = snapshot(project);
    const r = await runCli(['validate'], { cwd: project });
    expect(r.exitCode).toBe(1);
    expect(snapshot(project)).toEqual(before);
  });

  test('warnings pass, and fail under --strict', async () => {
    const { project } = example();
    expect((await runCli(['generate'], { cwd: project })).exitCode).toBe(0);
    const env = { LITELLM_MASTER_KEY: undefined };
    const r = await runCli(['validate'], { cwd: project, env });
    expect(r.stdout).toContain('[env-unset]');
    expect(r.exitCode).toBe(0);
    const s = await runCli(['validate', '--strict', '--json'], { cwd: project, env });
    expect(JSON.parse(s.stdout)).toMatchObject({ ok: false, errors: 0, warnings: 1 });
    expect(s.exitCode).toBe(1);
  });

  test('text output: position, code, source line with a caret, suggestion; no colour off a TTY', async () => {
    const { project, config } = example();
    const p = readFileSync(path.join(config, 'model-mappings.yaml'), 'utf8').replace('      - provider: vllm\n', '      - provider: vlm\n');
    writeFileSync(path.join(config, 'model-mappings.yaml'), p);
    const r = await runCli(['validate'], { cwd: project, env: { NO_COLOR: undefined } });
    const line = p.split('\n').findIndex((l) => l.includes('provider: vlm')) + 1;
    expect(r.stdout).toContain(
      `config/model-mappings.yaml:${line}:19: error: route 1 of 'qwen-coder-vllm' names unknown provider 'vlm'; did you mean 'vllm'? [unknown-provider]`,
    );
    expect(r.stdout).toContain(`${line} |       - provider: vlm\n${' '.repeat(String(line).length)} |                   ^^^`);
    expect(r.stdout).not.toMatch(ANSI);
    const c = await runCli(['validate'], { cwd: project, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(c.stdout).toMatch(ANSI);
    const n = await runCli(['validate'], { cwd: project, env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(n.stdout).not.toMatch(ANSI);
  });

  test('a config directory that does not exist: one clear error', async () => {
    const r = await runCli(['-C', 'no/such/dir', 'validate', '--json'], { cwd: makeProject().project });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics).toEqual([
      {
        code: 'file-missing',
        severity: 'error',
        message: expect.stringContaining('config directory no/such/dir does not exist'),
        file: 'no/such/dir',
        line: 1,
        column: 1,
      },
    ]);
  });

  test('--config-dir points at another directory', async () => {
    const { project } = example();
    const r = await runCli(['--config-dir', path.join(project, 'config'), 'generate'], { cwd: ROOT });
    expect(r.exitCode).toBe(0);
    expect(statSync(path.join(project, 'config', 'litellm-unified.yaml')).isFile()).toBe(true);
  });
});

describe('generate', () => {
  test('writes once, then reports up to date without rewriting', async () => {
    const { project, out } = example();
    const a = await runCli(['generate'], { cwd: project });
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toContain('wrote config/litellm-unified.yaml');
    const first = statSync(out).mtimeMs;
    const text = readFileSync(out, 'utf8');
    expect(text.startsWith('# AUTO-GENERATED by aibackend')).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    const b = await runCli(['generate'], { cwd: project });
    expect(b.stdout).toContain('up to date');
    expect(statSync(out).mtimeMs).toBe(first);
    expect(readdirSync(path.dirname(out)).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  test('--check tells missing, stale and hand-edited apart, and writes nothing', async () => {
    const { project, config, out } = example();
    const missing = await runCli(['generate', '--check'], { cwd: project });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('[output-missing]');
    expect(() => statSync(out)).toThrow();

    await runCli(['generate'], { cwd: project });
    expect((await runCli(['generate', '--check'], { cwd: project })).exitCode).toBe(0);

    const mappings = path.join(config, 'model-mappings.yaml');
    const original = readFileSync(mappings, 'utf8');
    writeFileSync(mappings, original.replace('  chat: llama3.1:8b\n', ''));
    const stale = await runCli(['generate', '--check'], { cwd: project });
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toContain('[output-stale]');
    expect(stale.stderr).toContain('is stale');

    writeFileSync(mappings, original);
    writeFileSync(mappings, `${original}# a comment changes nothing that matters\n`);
    expect((await runCli(['generate', '--check'], { cwd: project })).exitCode).toBe(0);

    const generated = readFileSync(out, 'utf8');
    writeFileSync(out, generated.replace('num_retries: 2', 'num_retries: 9'));
    const edited = await runCli(['generate', '--check'], { cwd: project });
    expect(edited.exitCode).toBe(1);
    expect(edited.stderr).toContain('[output-hand-edited]');
    const line = generated.split('\n').findIndex((l) => l.includes('num_retries')) + 1;
    expect(edited.stderr).toContain(`config/litellm-unified.yaml:${line}:1:`);
    const v = await runCli(['validate', '--json'], { cwd: project });
    expect(JSON.parse(v.stdout).diagnostics.map((d: { code: string }) => d.code)).toEqual(['output-hand-edited']);
  });

  test('a checkout with CRLF line endings is valid and up to date, and a broken CRLF file points at the right line', async () => {
    const { project, config } = makeProject({}, path.join(ROOT, 'config'));
    for (const f of readdirSync(config))
      writeFileSync(path.join(config, f), readFileSync(path.join(config, f), 'utf8').replace(/\n/g, '\r\n'));
    expect((await runCli(['validate'], { cwd: project })).exitCode).toBe(0);
    const out = path.join(config, 'litellm-unified.yaml');
    const before = readFileSync(out, 'utf8');
    expect((await runCli(['generate'], { cwd: project })).stdout).toContain('up to date');
    expect(readFileSync(out, 'utf8')).toBe(before);
    const p = path.join(config, 'providers.yaml');
    writeFileSync(p, readFileSync(p, 'utf8').replace('type: vllm\r\n', 'type: vlm\r\n'));
    const line =
      readFileSync(p, 'utf8')
        .split('\r\n')
        .findIndex((l) => l.includes('type: vlm')) + 1;
    const r = await runCli(['validate'], { cwd: project });
    expect(r.stdout).toContain(`config/providers.yaml:${line}:11: error:`);
    expect(r.stdout).not.toContain('\r');
  });

  test('--stdout prints the file and writes nothing', async () => {
    const { project, out } = example();
    const r = await runCli(['generate', '--stdout'], { cwd: project });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(readFileSync(path.join(ROOT, 'tests/golden/example.litellm-unified.yaml'), 'utf8'));
    expect(() => statSync(out)).toThrow();
  });

  test('an invalid config writes nothing and keeps the previous file', async () => {
    const { project, config, out } = example();
    await runCli(['generate'], { cwd: project });
    const before = readFileSync(out, 'utf8');
    writeFileSync(
      path.join(config, 'providers.yaml'),
      readFileSync(path.join(config, 'providers.yaml'), 'utf8').replace('type: vllm', 'type: vlm'),
    );
    const r = await runCli(['generate'], { cwd: project });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('[invalid-value]');
    expect(r.stderr).toContain('nothing written');
    expect(readFileSync(out, 'utf8')).toBe(before);
  });

  test('the committed example output is up to date', async () => {
    const r = await runCli(['generate', '--check'], { cwd: ROOT });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
  });
});

describe('explain', () => {
  test('an alias: its target, route, backend model, provider URL and fallbacks', async () => {
    const { project } = example();
    const r = await runCli(['explain', 'coder'], { cwd: project });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('coder (alias of qwen-coder-vllm)');
    expect(r.stdout).toContain(
      'vllm [vllm] http://127.0.0.1:8001/v1 -> Qwen/Qwen2.5-Coder-7B-Instruct-AWQ as hosted_vllm/Qwen/Qwen2.5-Coder-7B-Instruct-AWQ',
    );
    expect(r.stdout).toContain('1. qwen2.5-coder:7b (fallback of coder)');
  });

  test('a load-balanced name: weights and shares, and fallbacks of fallbacks in LiteLLM order', async () => {
    const { project } = example();
    const r = await runCli(['explain', 'llama2-13b', '--json'], { cwd: project });
    const e = JSON.parse(r.stdout);
    expect(e.routes.map((x: { provider: string; weight: number; share: number }) => [x.provider, x.weight, x.share])).toEqual([
      ['llama_cpp_native', 3, 75],
      ['llama_cpp_python', 1, 25],
    ]);
    expect(e.fallbacks.map((f: { name: string; depth: number }) => [f.name, f.depth])).toEqual([
      ['llama3.1:8b', 1],
      ['qwen2.5-coder:7b', 2],
    ]);
  });

  test('an unknown name exits 1 with a suggestion', async () => {
    const { project } = example();
    const r = await runCli(['explain', 'codr'], { cwd: project });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("did you mean 'coder'?");
  });
});

describe('init', () => {
  test('writes a starter config that validates and compiles, with schema comments that resolve; never overwrites', async () => {
    const dir = makeProject({}, '').project;
    rmSync(path.join(dir, 'config'), { recursive: true, force: true });
    const r = await runCli(['init'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    const providers = readFileSync(path.join(dir, 'config/providers.yaml'), 'utf8');
    const ref = /\$schema=(\S+)/.exec(providers)![1]!;
    expect(statSync(path.resolve(dir, 'config', ref)).isFile()).toBe(true);
    expect((await runCli(['generate'], { cwd: dir })).exitCode).toBe(0);
    const v = await runCli(['validate', '--json'], { cwd: dir });
    expect(JSON.parse(v.stdout)).toMatchObject({ ok: true, errors: 0, warnings: 0 });
    const again = await runCli(['init'], { cwd: dir });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('never overwrites');
    expect(readFileSync(path.join(dir, 'config/providers.yaml'), 'utf8')).toBe(providers);
  });
});

describe('one convention for every command', () => {
  test('`aibackend nosuchcommand --help` is an unknown command (exit 2), not the main help', async () => {
    const r = await runCli(['nosuchcommand', '--help'], { cwd: ROOT });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("unknown command 'nosuchcommand'");
    expect(r.stdout).toBe('');
    const near = await runCli(['-C', 'config', 'explian', 'coder'], { cwd: ROOT });
    expect(near.exitCode).toBe(2);
    expect(near.stderr).toContain("did you mean 'explain'");
  });

  test('a stdout closed early (| head) ends the process quietly, without a stack trace', async () => {
    const { execa } = await import('execa');
    const r = await execa(
      'sh',
      [
        '-c',
        `"${process.execPath}" bin/aibackend.js validate --help | head -1; "${process.execPath}" bin/aibackend.js explain --list | head -c 3`,
      ],
      { cwd: ROOT, reject: false, env: { NO_COLOR: '1', LITELLM_MASTER_KEY: 'k' } },
    );
    expect(String(r.stdout).split('\n')[0]).toBe('Usage: aibackend validate [options]');
    expect(String(r.stderr)).not.toMatch(/EPIPE|Error|\bat .*:\d+:\d+/);
  });

  test('FORCE_COLOR=0 turns colour off; any other FORCE_COLOR turns it on, even without a terminal', async () => {
    const off = await runCli(['validate'], { cwd: ROOT, env: { NO_COLOR: undefined, FORCE_COLOR: '0' } });
    expect(off.stdout).not.toMatch(ANSI);
    const on = await runCli(['validate'], { cwd: ROOT, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(on.stdout).toMatch(ANSI);
  });

  test('--timeout takes seconds, 1.5s or 500ms; anything else is a usage error', async () => {
    const { project } = example();
    for (const t of ['0.2', '200ms', '0.2s']) {
      const r = await runCli(['status', '--json', '--timeout', t], { cwd: project });
      expect(r.stderr, t).not.toContain('--timeout');
      expect(JSON.parse(r.stdout).providers.length, t).toBeGreaterThan(0);
    }
    for (const t of ['soon', '0', '-1', '5m']) {
      const r = await runCli(['status', '--timeout', t], { cwd: project });
      expect(r.exitCode, t).toBe(2);
    }
  });

  test('discover with every provider unreachable says so and exits 1', async () => {
    const { project } = example();
    const r = await runCli(['discover', '--timeout', '200ms'], { cwd: project });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/no provider could be reached \(ollama, .*\); nothing was discovered/);
    const j = await runCli(['discover', '--json', '--timeout', '200ms'], { cwd: project });
    expect(j.exitCode).toBe(1);
    expect(JSON.parse(j.stdout)).toMatchObject({ additions: [], written: false });
  });

  test('explain --list lists names and aliases; an unknown name with nothing close lists them too', async () => {
    const list = await runCli(['explain', '--list'], { cwd: ROOT });
    expect(list.exitCode).toBe(0);
    expect(list.stdout.split('\n')).toContain('coder -> qwen-coder-vllm (alias)');
    const j = JSON.parse((await runCli(['explain', '--list', '--json'], { cwd: ROOT })).stdout);
    expect(j.names).toContain('llama3.1:8b');
    expect(j.aliases).toMatchObject({ coder: 'qwen-coder-vllm' });
    const far = await runCli(['explain', 'zzzzzzzz'], { cwd: ROOT });
    expect(far.exitCode).toBe(1);
    expect(far.stderr).toMatch(/the names are: .*llama3\.1:8b.*coder/);
  });

  test('generate --check shows what differs, as a diff', async () => {
    const { project, config } = example();
    expect((await runCli(['generate'], { cwd: project })).exitCode).toBe(0);
    const m = path.join(config, 'model-mappings.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    const r = await runCli(['generate', '--check'], { cwd: project });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('+  - model_name: dev');
    expect(r.stderr).toContain('[output-stale]');
  });

  test('a header-only change (a description) is rewritten by generate and is not stale', async () => {
    const { project, config, out } = example();
    expect((await runCli(['generate'], { cwd: project })).exitCode).toBe(0);
    const body = readFileSync(out, 'utf8').split('\n').slice(5).join('\n');
    const p = path.join(config, 'providers.yaml');
    writeFileSync(p, readFileSync(p, 'utf8').replace('description: Local Ollama', 'description: The local Ollama'));
    const check = await runCli(['generate', '--check'], { cwd: project });
    expect(check.exitCode, check.stderr).toBe(0);
    expect((await runCli(['validate', '--strict'], { cwd: project })).exitCode).toBe(0);
    const g = await runCli(['generate'], { cwd: project });
    expect(g.stdout).toContain('rewrote the provenance header');
    expect(readFileSync(out, 'utf8').split('\n').slice(5).join('\n')).toBe(body);
  });
});

describe('finding the project', () => {
  test('from a subdirectory, the nearest config/ above is used, and said', async () => {
    const { project } = example();
    const sub = path.join(project, 'deep', 'er');
    (await import('node:fs')).mkdirSync(sub, { recursive: true });
    const r = await runCli(['validate'], { cwd: sub });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('the nearest config/ above this directory');
    expect(r.stdout).toContain(path.join(project, 'config'));
  });

  test('the search stops at the repository root', async () => {
    const { project } = example();
    const repo = path.join(project, 'inner-repo');
    (await import('node:fs')).mkdirSync(path.join(repo, '.git'), { recursive: true });
    const r = await runCli(['validate', '--json'], { cwd: repo });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).diagnostics[0].code).toBe('file-missing');
  });

  test('-C naming a file is one usage error; -C naming nothing reports no check as passed', async () => {
    const file = await runCli(['-C', 'README.md', 'validate'], { cwd: ROOT });
    expect(file.exitCode).toBe(2);
    expect(file.stderr).toContain('is a file, not a directory');
    expect(file.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    const none = await runCli(['-C', 'nonexistent', 'validate', '--json'], { cwd: ROOT });
    const report = JSON.parse(none.stdout);
    expect(report.checks.filter((c: { status: string }) => c.status === 'passed')).toEqual([]);
    expect(report.checks[0]).toMatchObject({ name: 'loading', status: 'failed' });
  });
});

describe('generate writes like write-file-atomic', () => {
  test('a symlinked output is written through the link, and the file keeps its mode', async () => {
    const fs = await import('node:fs');
    const { project, out } = example();
    expect((await runCli(['generate'], { cwd: project })).exitCode).toBe(0);
    const real = path.join(project, 'real-output.yaml');
    fs.renameSync(out, real);
    fs.symlinkSync(real, out);
    fs.chmodSync(real, 0o640);
    const p = path.join(project, 'config', 'model-mappings.yaml');
    writeFileSync(p, readFileSync(p, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    const r = await runCli(['generate'], { cwd: project });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(fs.lstatSync(out).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toContain('model_name: dev');
    expect(statSync(real).mode & 0o777).toBe(0o640);
    expect(readdirSync(path.join(project, 'config')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('the compose file beside the config', () => {
  const codes = (r: { stdout: string }) =>
    (JSON.parse(r.stdout).diagnostics as { code: string; line: number; column: number }[]).map((d) => [d.code, d.line, d.column]);

  test('an image given as ${VAR:-default} is compared as compose would run it', async () => {
    const { project } = example();
    const compose = path.join(project, 'docker-compose.yml');
    writeFileSync(
      compose,
      readFileSync(compose, 'utf8').replace(
        'image: ghcr.io/berriai/litellm:v1.106.12-stable',
        'image: ${LITELLM_IMAGE:-ghcr.io/berriai/litellm:v1.106.12-stable}',
      ),
    );
    const same = await runCli(['validate', '--json'], { cwd: project });
    expect(codes(same)).toEqual([['output-missing', 1, 1]]);
    const other = await runCli(['validate', '--json'], { cwd: project, env: { LITELLM_IMAGE: 'ghcr.io/berriai/litellm:v1.99.0-stable' } });
    expect(codes(other).map((c) => c[0])).toContain('image-mismatch');
  });

  test('the monitoring images gateway.yaml pins must be the ones the compose services run', async () => {
    const { project, config } = example();
    const g = path.join(config, 'gateway.yaml');
    const pinned = `${readFileSync(g, 'utf8')}monitoring:\n  prometheus: { image: "prom/prometheus:v3.5.0" }\n  grafana: { image: "grafana/grafana:12.0.0" }\n`;
    writeFileSync(g, pinned);
    const r = await runCli(['validate', '--json'], { cwd: project });
    const grafanaLine = pinned.split('\n').findIndex((l) => l.includes('grafana/grafana:12.0.0')) + 1;
    const found = (JSON.parse(r.stdout).diagnostics as { code: string; line: number; message: string }[]).filter(
      (d) => d.code === 'image-mismatch',
    );
    expect(found.map((d) => d.line)).toEqual([grafanaLine]);
    expect(found[0]!.message).toMatch(
      /monitoring\.grafana\.image is grafana\/grafana:12\.0\.0, but docker-compose\.yml runs grafana\/grafana:12\.1\.1 for service 'grafana'/,
    );
  });

  test('a runtime.file that does not exist is an error at its position, as is a missing service', async () => {
    const { project, config } = example();
    const g = path.join(config, 'gateway.yaml');
    const text = readFileSync(g, 'utf8');
    writeFileSync(g, text.replace('  file: docker-compose.yml', '  file: deploy/compose.yml'));
    const line = text.split('\n').findIndex((l) => l === '  file: docker-compose.yml') + 1;
    expect(codes(await runCli(['validate', '--json'], { cwd: project }))).toContainEqual(['compose-file-missing', line, 9]);
    writeFileSync(g, text.replace('  service: litellm', '  service: gateway'));
    const svc = await runCli(['validate', '--json'], { cwd: project });
    expect(JSON.parse(svc.stdout).diagnostics.find((d: { code: string }) => d.code === 'compose-file-missing').message).toContain(
      "no service 'gateway'",
    );
  });
});

describe('--quiet', () => {
  test('prints nothing on success, and still prints findings and failures', async () => {
    const { project, config } = example();
    const gen = await runCli(['--quiet', 'generate'], { cwd: project });
    expect(gen.exitCode).toBe(0);
    expect(gen.stdout).toBe('');
    const ok = await runCli(['-q', 'validate'], { cwd: project });
    expect(ok.exitCode).toBe(0);
    expect(ok.stdout).toBe('');
    writeFileSync(
      path.join(config, 'model-mappings.yaml'),
      readFileSync(path.join(config, 'model-mappings.yaml'), 'utf8').replace('provider: ollama', 'provider: olama'),
    );
    const bad = await runCli(['-q', 'validate'], { cwd: project });
    expect(bad.exitCode).toBe(1);
    expect(bad.stdout).toContain('[unknown-provider]');
  });
});

describe('validate --deep without a LiteLLM', () => {
  test('says so, and does not fail', async () => {
    const { project } = example();
    const empty = tempDirOf(project);
    const r = await runCli(['validate', '--deep', '--json'], {
      cwd: project,
      env: {
        PATH: path.dirname(process.execPath),
        XDG_CACHE_HOME: empty,
        AIBACKEND_LITELLM: undefined,
        AIBACKEND_VENV: path.join(empty, 'none'),
      },
    });
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.deep).toMatchObject({ ran: false, reason: expect.stringContaining('no LiteLLM found') });
    expect(r.stderr).toContain('--deep did not run');
  });
});

function tempDirOf(project: string): string {
  const d = path.join(project, 'empty-cache');
  mkdirSync(d, { recursive: true });
  return d;
}
