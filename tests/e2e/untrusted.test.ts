// Issue 20: validate, generate --check, validate --deep and the hook run in CI on files a pull
// request wrote, on a runner that holds secrets. Each attack of the issue, as an attacker would
// write it: no code of the PR runs, no value of the runner's environment is printed, nothing
// outside the project is read or written, and nothing stalls.
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject, snapshot, tempDir } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

const SECRET = 'AKIAplantedRunnerSecret-7f3e9c2a1b';
const RUNNER = { AWS_SECRET_ACCESS_KEY: SECRET, LITELLM_MASTER_KEY: 'sk-runner-master-key-0123456789', CI: 'true' };

/** The example project (config/ and docker-compose.yml), in a temp dir. */
function example(): { project: string; config: string } {
  return makeProject({}, path.join(ROOT, 'config'));
}

/** Every output of validate in every format, and of generate --check, for one project. */
async function everyOutput(
  project: string,
  env: Record<string, string> = RUNNER,
): Promise<{ outputs: string[]; codes: string[]; exits: number[] }> {
  const runs = await Promise.all([
    runCli(['validate'], { cwd: project, env }),
    runCli(['validate', '--json'], { cwd: project, env }),
    runCli(['validate', '--format', 'sarif'], { cwd: project, env }),
    runCli(['validate', '--format', 'github'], { cwd: project, env }),
    runCli(['generate', '--check'], { cwd: project, env }),
    runCli(['generate', '--check', '--json'], { cwd: project, env }),
  ]);
  const json = JSON.parse(runs[1]!.stdout) as { diagnostics: { code: string }[] };
  return {
    outputs: runs.flatMap((r) => [r.stdout, r.stderr]),
    codes: json.diagnostics.map((d) => d.code),
    exits: runs.map((r) => r.exitCode),
  };
}

describe("the runner's environment is never printed", () => {
  test('a compose image that interpolates a runner secret is quoted as written, in text, JSON, SARIF, GitHub annotations and generate --check', async () => {
    const { project } = example();
    const compose = path.join(project, 'docker-compose.yml');
    writeFileSync(
      compose,
      readFileSync(compose, 'utf8').replace('image: ghcr.io/berriai/litellm:v1.106.12-stable', 'image: "leak/${AWS_SECRET_ACCESS_KEY}"'),
    );
    const { outputs, codes, exits } = await everyOutput(project);
    expect(codes).toContain('image-mismatch');
    expect(exits.every((e) => e === 1)).toBe(true);
    for (const out of outputs) expect(out).not.toContain(SECRET);
    expect(outputs.join('\n')).toContain('leak/${AWS_SECRET_ACCESS_KEY}');
  });
});

describe('files outside the project are named, never read, quoted or written', () => {
  const outside = () => {
    const file = path.join(tempDir(), 'id_rsa');
    writeFileSync(file, `-----BEGIN NOTHING-----\nrunner-private-content-${SECRET}\n`);
    return file;
  };

  test('a generated file that links out of the project: generate --check neither prints nor diffs it, generate does not write through it', async () => {
    const { project, config } = example();
    const target = outside();
    const before = readFileSync(target, 'utf8');
    const out = path.join(config, 'litellm-unified.yaml');
    const { rmSync } = await import('node:fs');
    rmSync(out);
    symlinkSync(target, out);
    const { outputs, codes, exits } = await everyOutput(project);
    expect(codes).toContain('output-outside-project');
    expect(exits.every((e) => e === 1)).toBe(true);
    for (const o of outputs) expect(o).not.toContain('runner-private-content');
    const gen = await runCli(['generate'], { cwd: project, env: RUNNER });
    expect(gen.exitCode).toBe(1);
    expect(readFileSync(target, 'utf8')).toBe(before);
  });

  test('a generated file behind a dangling link out of the project is not created there', async () => {
    const { project, config } = example();
    const target = path.join(tempDir(), 'planted.sh');
    const out = path.join(config, 'litellm-unified.yaml');
    const { rmSync } = await import('node:fs');
    rmSync(out);
    symlinkSync(target, out);
    const gen = await runCli(['generate', '--json'], { cwd: project, env: RUNNER });
    expect(gen.exitCode).toBe(1);
    expect(JSON.parse(gen.stdout).diagnostics.map((d: { code: string }) => d.code)).toContain('output-outside-project');
    expect(existsSync(target)).toBe(false);
  });

  test('a source that links out of the project (ports.yaml -> a private file) is a diagnostic naming the path, never a code frame of its content', async () => {
    const { project, config } = example();
    const target = outside();
    const { rmSync } = await import('node:fs');
    rmSync(path.join(config, 'ports.yaml'));
    symlinkSync(target, path.join(config, 'ports.yaml'));
    const { outputs, codes } = await everyOutput(project);
    expect(codes).toContain('path-outside-project');
    for (const o of outputs) expect(o).not.toContain('runner-private-content');
    expect(outputs[0]).toContain(target);
  });

  test('a compose file (runtime.file) that links out of the project, or is a device, is refused without being read', async () => {
    const { project, config } = example();
    const gw = path.join(config, 'gateway.yaml');
    const target = outside();
    symlinkSync(target, path.join(project, 'compose-link.yml'));
    writeFileSync(gw, readFileSync(gw, 'utf8').replace('file: docker-compose.yml', 'file: compose-link.yml'));
    const linked = await runCli(['validate', '--json'], { cwd: project, env: RUNNER });
    expect(JSON.parse(linked.stdout).diagnostics.map((d: { code: string }) => d.code)).toContain('path-outside-project');
    expect(linked.stdout).not.toContain('runner-private-content');
    // /dev/zero was read until memory ran out.
    writeFileSync(gw, readFileSync(gw, 'utf8').replace('file: compose-link.yml', 'file: /dev/zero'));
    const zero = await runCli(['validate', '--json'], { cwd: project, env: RUNNER, timeout: 30_000 });
    expect(zero.exitCode).toBe(1);
    expect(JSON.parse(zero.stdout).diagnostics.map((d: { code: string }) => d.code)).toContain('path-outside-project');
    // A FIFO inside the project would block a reader for ever.
    execFileSync('mkfifo', [path.join(project, 'compose.fifo')]);
    writeFileSync(gw, readFileSync(gw, 'utf8').replace('file: /dev/zero', 'file: compose.fifo'));
    const fifo = await runCli(['validate', '--json'], { cwd: project, env: RUNNER, timeout: 30_000 });
    expect(fifo.exitCode).toBe(1);
    expect(JSON.parse(fifo.stdout).diagnostics.find((d: { code: string }) => d.code === 'file-unreadable')).toMatchObject({
      file: 'config/gateway.yaml',
    });
  });

  test('a monitoring file that links out of the project is neither diffed nor written', async () => {
    const { project, config } = example();
    const gw = path.join(config, 'gateway.yaml');
    writeFileSync(
      gw,
      readFileSync(gw, 'utf8').replace('metrics:\n  prometheus: false', 'metrics:\n  prometheus: true\nmonitoring:\n  enabled: true'),
    );
    expect((await runCli(['generate'], { cwd: project, env: RUNNER })).exitCode).toBe(0);
    const files = readdirSync(path.join(project, 'monitoring'), { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    const victim = path.join(files[0]!.parentPath, files[0]!.name);
    const target = outside();
    const before = readFileSync(target, 'utf8');
    const { rmSync } = await import('node:fs');
    rmSync(victim);
    symlinkSync(target, victim);
    const check = await runCli(['generate', '--check', '--json'], { cwd: project, env: RUNNER });
    expect(check.exitCode).toBe(1);
    expect(check.stdout).not.toContain('runner-private-content');
    expect(JSON.parse(check.stdout).diagnostics.map((d: { code: string }) => d.code)).toContain('path-outside-project');
    const gen = await runCli(['generate'], { cwd: project, env: RUNNER });
    expect(gen.exitCode).toBe(1);
    expect(gen.stderr).toMatch(/nothing written/);
    expect(readFileSync(target, 'utf8')).toBe(before);
  });

  test('a config/ that is itself a link, and an output kept in a linked directory inside the project, keep working', async () => {
    const { project } = example();
    // config/ kept elsewhere and linked into place.
    const elsewhere = tempDir();
    const { renameSync } = await import('node:fs');
    renameSync(path.join(project, 'config'), path.join(elsewhere, 'config'));
    symlinkSync(path.join(elsewhere, 'config'), path.join(project, 'config'));
    const linked = await runCli(['validate', '--json'], { cwd: project, env: RUNNER });
    expect(JSON.parse(linked.stdout)).toMatchObject({ ok: true, errors: 0 });
    expect((await runCli(['generate', '--check'], { cwd: project, env: RUNNER })).exitCode).toBe(0);
    // An output directory that is a link to another directory of the project.
    const { project: p2, config: c2 } = example();
    mkdirSync(path.join(p2, 'generated'));
    symlinkSync(path.join(p2, 'generated'), path.join(c2, 'out'));
    const gw = path.join(c2, 'gateway.yaml');
    writeFileSync(gw, readFileSync(gw, 'utf8').replace('output: config/litellm-unified.yaml', 'output: config/out/litellm-unified.yaml'));
    const gen = await runCli(['generate'], { cwd: p2, env: RUNNER });
    expect(gen.exitCode, gen.stderr).toBe(0);
    expect(existsSync(path.join(p2, 'generated', 'litellm-unified.yaml'))).toBe(true);
    expect((await runCli(['generate', '--check'], { cwd: p2, env: RUNNER })).exitCode).toBe(0);
  });
});

describe('validate --deep runs no code of the pull request', () => {
  /** A stand-in LiteLLM outside the project that records how it was run; --deep's plumbing, not the gateway. */
  function recordingLiteLLM(): { exe: string; record: string } {
    const dir = tempDir();
    const record = path.join(dir, 'record.json');
    const exe = path.join(dir, 'litellm');
    writeFileSync(
      exe,
      `#!/usr/bin/env node
const fs = require('fs'); const path = require('path');
const cfg = process.argv[process.argv.indexOf('--config') + 1];
fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env, config: cfg, dir: fs.readdirSync(path.dirname(cfg)), text: fs.readFileSync(cfg, 'utf8') }));
`,
    );
    chmodSync(exe, 0o755);
    return { exe, record };
  }

  function hostile(): { project: string; config: string; marker: string } {
    const { project, config } = example();
    const marker = path.join(tempDir(), 'pwned');
    mkdirSync(path.join(project, 'tools'));
    writeFileSync(path.join(project, 'tools', 'litellm'), `#!/bin/sh\nenv > ${marker}\n`);
    chmodSync(path.join(project, 'tools', 'litellm'), 0o755);
    writeFileSync(path.join(config, 'custom_callbacks.py'), `open(${JSON.stringify(marker)}, 'w').write('imported')\nhandler = None\n`);
    const gw = path.join(config, 'gateway.yaml');
    writeFileSync(
      gw,
      `${readFileSync(gw, 'utf8').replace(/runtime:\n  kind: compose\n  file: docker-compose.yml\n  service: litellm\n/, 'runtime:\n  kind: process\n  command: ["./tools/litellm", "--config", "{config}", "--port", "4000"]\n  validate: ["./tools/litellm", "--config", "{config}", "--validate_config"]\n  pass_env: [AWS_SECRET_ACCESS_KEY]\n')}passthrough:\n  litellm_settings:\n    callbacks: ["prometheus", "custom_callbacks.handler"]\n    success_callback: ["custom_callbacks.handler"]\n  general_settings:\n    custom_key_generate: custom_callbacks.handler\n`,
    );
    return { project, config, marker };
  }

  test('neither runtime.command nor runtime.validate runs; the LiteLLM the operator named loads a candidate without code-loading keys, alone in a private dir, with no runner secret', async () => {
    const { project, marker } = hostile();
    const { exe, record } = recordingLiteLLM();
    const r = await runCli(['validate', '--deep', '--json'], {
      cwd: project,
      env: { ...RUNNER, AIBACKEND_LITELLM: exe, LITELLM_SALT_KEY: 'sk-runner-salt-key-0123456789' },
    });
    expect(existsSync(marker)).toBe(false);
    const report = JSON.parse(r.stdout);
    expect(report.deep).toMatchObject({ ran: true, ok: true, litellm: exe });
    expect(report.deep.removed).toEqual([
      'litellm_settings.callbacks.1',
      'litellm_settings.success_callback.0',
      'general_settings.custom_key_generate',
    ]);
    const loads = report.diagnostics.filter((d: { code: string }) => d.code === 'passthrough-loads-code');
    expect(loads.map((d: { line: number; severity: string }) => d.severity)).toEqual(['warning', 'warning', 'warning']);
    const seen = JSON.parse(readFileSync(record, 'utf8'));
    expect(seen.argv.at(-1)).toBe('--validate_config');
    expect(seen.dir).toEqual([path.basename(seen.config)]);
    expect(path.relative(project, seen.cwd).startsWith('..')).toBe(true);
    expect(seen.cwd).toBe(path.dirname(seen.config));
    expect(seen.text).not.toContain('custom_callbacks');
    expect(seen.text).toContain('prometheus');
    expect(Object.keys(seen.env).sort()).toEqual([
      'HOME',
      'LANG',
      'LITELLM_LOCAL_MODEL_COST_MAP',
      'NO_COLOR',
      'PATH',
      'PYTHONDONTWRITEBYTECODE',
      'TMPDIR',
    ]);
    expect(JSON.stringify(seen.env)).not.toContain(SECRET);
    // The private dir is gone afterwards.
    expect(existsSync(seen.cwd)).toBe(false);
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  test('a litellm committed in the repository is never used, even when PATH leads to it; --litellm names one explicitly', async () => {
    const { project } = example();
    mkdirSync(path.join(project, 'bin'));
    const marker = path.join(tempDir(), 'pwned');
    writeFileSync(path.join(project, 'bin', 'litellm'), `#!/bin/sh\ntouch ${marker}\n`);
    chmodSync(path.join(project, 'bin', 'litellm'), 0o755);
    const empty = tempDir();
    const env = {
      ...RUNNER,
      PATH: `${path.join(project, 'bin')}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      XDG_CACHE_HOME: empty,
      AIBACKEND_VENV: path.join(empty, 'none'),
      AIBACKEND_LITELLM: undefined,
    };
    const r = await runCli(['validate', '--deep', '--json'], { cwd: project, env });
    expect(existsSync(marker)).toBe(false);
    expect(JSON.parse(r.stdout).deep).toMatchObject({ ran: false, reason: expect.stringContaining('no LiteLLM found') });
    const { exe, record } = recordingLiteLLM();
    const named = await runCli(['validate', '--deep', '--litellm', exe, '--json'], { cwd: project, env });
    expect(JSON.parse(named.stdout).deep).toMatchObject({ ran: true, ok: true, litellm: exe });
    expect(existsSync(record)).toBe(true);
    const usage = await runCli(['validate', '--litellm', exe], { cwd: project, env });
    expect(usage.exitCode).toBe(2);
  });
});

describe('validation cannot be stalled', () => {
  // Each of these took from seconds to hours before; the time limit here only catches a hang.
  const limit = 30_000;

  test("a 1 MB comment of the secret scanner's worst cases", async () => {
    for (const unit of ['a.', '-eyJaaaa']) {
      const { project, config } = makeProject();
      const file = path.join(config, 'providers.yaml');
      writeFileSync(file, `${readFileSync(file, 'utf8')}# ${unit.repeat(Math.floor(1_000_000 / unit.length))}\n`);
      const r = await runCli(['validate', '--json'], { cwd: project, timeout: limit });
      expect(r.exitCode, `${unit}: ${r.stderr}`).toBe(0);
    }
  });

  test('4,000 misspelled backend models, each with its diagnostic', async () => {
    const { project, config } = makeProject();
    const names = Array.from({ length: 4000 }, (_, i) => `model-${String(i).padStart(5, '0')}-instruct-q4`);
    writeFileSync(
      path.join(config, 'providers.yaml'),
      `version: 1\nproviders:\n  ollama:\n    type: ollama\n    base_url: http://127.0.0.1:11434\n    models:\n${names.map((n) => `      - name: ${n}\n`).join('')}`,
    );
    writeFileSync(
      path.join(config, 'model-mappings.yaml'),
      `version: 1\nmodels:\n${names.map((n, i) => `  pub-${i}:\n    routes:\n      - provider: ollama\n        model: zz${n.slice(2, -3)}xq9\n`).join('')}`,
    );
    writeFileSync(path.join(config, 'ports.yaml'), 'version: 1\nports: {}\n');
    const r = await runCli(['validate', '--json'], { cwd: project, timeout: limit });
    expect(r.exitCode, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.diagnostics.filter((d: { code: string }) => d.code === 'unknown-backend-model')).toHaveLength(4000);
  });

  test('generate --check against a wholly different 60,000-line generated file says it is too different to diff', async () => {
    const { project, config } = example();
    const out = path.join(config, 'litellm-unified.yaml');
    const header = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join('\n');
    writeFileSync(out, `${header}\n${Array.from({ length: 60_000 }, (_, i) => `k${i}: v${i * 7919}`).join('\n')}\n`);
    const r = await runCli(['generate', '--check', '--json'], { cwd: project, env: RUNNER, timeout: limit });
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).diff).toMatch(/not diffed: more than 2000 lines differ/);
  });
});

describe('the hook takes paths from a staged gateway.yaml literally', () => {
  test('output: ":(glob)**" names no file, so no other staged file is read', async () => {
    const { indexContents } = await import('../../src/git/git.js');
    const repo = tempDir();
    execFileSync('git', ['init', '-q', repo]);
    mkdirSync(path.join(repo, 'secrets'));
    writeFileSync(path.join(repo, 'secrets', 'deploy_key'), 'private');
    writeFileSync(path.join(repo, 'a.txt'), 'a');
    execFileSync('git', ['add', '.'], { cwd: repo });
    const got = await indexContents(repo, [':(glob)**', 'secrets/*']);
    expect([...got.keys()]).toEqual([]);
    expect([...(await indexContents(repo, ['a.txt'])).keys()]).toEqual(['a.txt']);
  });
});

describe('nothing is written by validate or generate --check, even on hostile input', () => {
  test('the project is unchanged', async () => {
    const { project } = example();
    const before = snapshot(project);
    await everyOutput(project);
    expect(snapshot(project)).toEqual(before);
  });
});
