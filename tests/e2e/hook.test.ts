// The pre-commit hook in real git repositories, and the CI report formats.
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { Ajv } from 'ajv';
import AjvDraft04Module from 'ajv-draft-04';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, FIXTURES, makeProject, tempDir } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);
// ajv-draft-04 is CommonJS whose module.exports is the class itself.
const AjvDraft04 = ((AjvDraft04Module as unknown as { default?: typeof AjvDraft04Module }).default ?? AjvDraft04Module) as unknown as new (
  o: object,
) => Ajv;
const ENV = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.com',
  LITELLM_MASTER_KEY: 'x',
  NO_COLOR: '1',
};
const git = (cwd: string, ...args: string[]) => execa('git', args, { cwd, env: ENV, reject: false });

/** A repository holding the example config, generated file included, committed. */
async function repo(): Promise<{ dir: string; config: string }> {
  const { project, config } = makeProject({}, path.join(ROOT, 'config'));
  await git(project, 'init', '-q');
  await git(project, 'add', '.');
  const c = await git(project, 'commit', '-qm', 'init');
  expect(c.exitCode, String(c.stderr)).toBe(0);
  return { dir: project, config };
}
const edit = (file: string, from: string, to: string) => writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));

describe('pre-commit hook', () => {
  test('blocks broken staged content even when the working tree is fixed', async () => {
    const { dir, config } = await repo();
    expect((await runCli(['hook', 'install'], { cwd: dir })).exitCode).toBe(0);
    const providers = path.join(config, 'providers.yaml');
    edit(providers, 'type: vllm', 'type: vlm');
    await git(dir, 'add', 'config/providers.yaml');
    edit(providers, 'type: vlm', 'type: vllm'); // fixed, but not staged
    const c = await git(dir, 'commit', '-m', 'broken');
    expect(c.exitCode).not.toBe(0);
    expect(String(c.stderr)).toMatch(/config\/providers\.yaml:\d+:\d+: error: .*'vlm'.*\[invalid-value\]/);
    expect(String(c.stderr)).toContain('commit blocked');
  });

  test('accepts good staged content even when the working tree is broken', async () => {
    const { dir, config } = await repo();
    await runCli(['hook', 'install'], { cwd: dir });
    const mappings = path.join(config, 'model-mappings.yaml');
    edit(mappings, '  chat: llama3.1:8b\n', '');
    expect((await runCli(['generate'], { cwd: dir })).exitCode).toBe(0);
    await git(dir, 'add', 'config/model-mappings.yaml', 'config/litellm-unified.yaml');
    edit(mappings, 'provider: vllm', 'provider: nope'); // broken, but not staged
    const c = await git(dir, 'commit', '-m', 'good');
    expect(c.exitCode, String(c.stderr)).toBe(0);
  });

  test('the monitoring stack: a hand-edited dashboard staged alone is blocked; regenerated, it passes', async () => {
    const { dir, config } = await repo();
    await runCli(['hook', 'install'], { cwd: dir });
    const g = path.join(config, 'gateway.yaml');
    writeFileSync(
      g,
      readFileSync(g, 'utf8').replace(/^metrics:\n(?:  .*\n)*/m, '') + 'metrics:\n  prometheus: true\nmonitoring:\n  enabled: true\n',
    );
    expect((await runCli(['generate'], { cwd: dir })).exitCode).toBe(0);
    await git(dir, 'add', '.');
    const first = await git(dir, 'commit', '-m', 'monitoring');
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const dash = path.join(dir, 'monitoring/grafana/dashboards/overview.json');
    edit(dash, '"refresh": "30s"', '"refresh": "5s"');
    await git(dir, 'add', 'monitoring/grafana/dashboards/overview.json');
    const c = await git(dir, 'commit', '-m', 'hand edit');
    expect(c.exitCode).not.toBe(0);
    expect(String(c.stderr)).toMatch(
      /monitoring\/grafana\/dashboards\/overview\.json:\d+:1: error: .*edited by hand.*\[output-hand-edited\]/,
    );
    expect((await runCli(['generate'], { cwd: dir })).exitCode).toBe(0);
    await git(dir, 'add', 'monitoring');
    const ok = await git(dir, 'commit', '-m', 'regenerated', '--allow-empty');
    expect(ok.exitCode, String(ok.stderr)).toBe(0);
  });

  test('a commit that touches nothing under config/ passes', async () => {
    const { dir, config } = await repo();
    await runCli(['hook', 'install'], { cwd: dir });
    edit(path.join(config, 'providers.yaml'), 'type: vllm', 'type: vlm'); // broken but unstaged and irrelevant
    writeFileSync(path.join(dir, 'NOTES.md'), 'notes\n');
    await git(dir, 'add', 'NOTES.md');
    const c = await git(dir, 'commit', '-m', 'notes');
    expect(c.exitCode, String(c.stderr)).toBe(0);
    expect(String(c.stderr)).toBe('');
  });

  test('staged sources whose staged generated file was not regenerated are blocked as stale', async () => {
    const { dir, config } = await repo();
    await runCli(['hook', 'install'], { cwd: dir });
    edit(path.join(config, 'model-mappings.yaml'), '  chat: llama3.1:8b\n', '');
    await git(dir, 'add', 'config/model-mappings.yaml');
    const c = await git(dir, 'commit', '-m', 'stale');
    expect(c.exitCode).not.toBe(0);
    expect(String(c.stderr)).toContain('[output-stale]');
    await runCli(['generate'], { cwd: dir });
    await git(dir, 'add', 'config/litellm-unified.yaml');
    expect((await git(dir, 'commit', '-m', 'regenerated')).exitCode).toBe(0);
  });

  test('installing twice changes nothing', async () => {
    const { dir } = await repo();
    await runCli(['hook', 'install'], { cwd: dir });
    const hook = path.join(dir, '.git/hooks/pre-commit');
    const first = { text: readFileSync(hook, 'utf8'), mtime: statSync(hook).mtimeMs };
    const again = await runCli(['hook', 'install'], { cwd: dir });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already installed');
    expect(readFileSync(hook, 'utf8')).toBe(first.text);
    expect(statSync(hook).mtimeMs).toBe(first.mtime);
  });

  test('an existing hook is refused without --force, chained with it, and restored by uninstall', async () => {
    const { dir, config } = await repo();
    const hook = path.join(dir, '.git/hooks/pre-commit');
    const mine = '#!/bin/sh\necho "my own hook ran" >&2\n';
    writeFileSync(hook, mine);
    chmodSync(hook, 0o755);
    const refused = await runCli(['hook', 'install'], { cwd: dir });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(hook, 'utf8')).toBe(mine);

    expect((await runCli(['hook', 'install', '--force'], { cwd: dir })).exitCode).toBe(0);
    edit(path.join(config, 'providers.yaml'), 'type: vllm', 'type: vlm');
    await git(dir, 'add', '-A');
    const c = await git(dir, 'commit', '-m', 'x');
    expect(String(c.stderr)).toContain('my own hook ran');
    expect(c.exitCode).not.toBe(0);

    expect((await runCli(['hook', 'uninstall'], { cwd: dir })).exitCode).toBe(0);
    expect(readFileSync(hook, 'utf8')).toBe(mine);
    expect(existsSync(`${hook}.aibackend-prev`)).toBe(false);
  });

  test('core.hooksPath is honoured', async () => {
    const { dir, config } = await repo();
    await git(dir, 'config', 'core.hooksPath', '.githooks');
    const r = await runCli(['hook', 'install'], { cwd: dir });
    expect(r.exitCode).toBe(0);
    expect(existsSync(path.join(dir, '.githooks/pre-commit'))).toBe(true);
    expect(existsSync(path.join(dir, '.git/hooks/pre-commit'))).toBe(false);
    edit(path.join(config, 'providers.yaml'), 'type: vllm', 'type: vlm');
    await git(dir, 'add', 'config/providers.yaml');
    expect((await git(dir, 'commit', '-m', 'x')).exitCode).not.toBe(0);
    await runCli(['hook', 'uninstall'], { cwd: dir });
    expect(existsSync(path.join(dir, '.githooks/pre-commit'))).toBe(false);
  });

  test('outside a git repository: a clear error, no stack trace', async () => {
    const r = await runCli(['hook', 'install'], { cwd: tempDir() });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('not inside a git work tree');
  });
});

describe('report formats', () => {
  async function broken() {
    const { project, config } = makeProject({}, path.join(ROOT, 'config'));
    edit(path.join(config, 'providers.yaml'), 'type: vllm', 'type: vlm');
    edit(path.join(config, 'model-mappings.yaml'), 'provider: vllm', 'provider: vllm');
    edit(path.join(config, 'gateway.yaml'), 'v1.106.12-stable', 'main-latest');
    mkdirSync(path.join(project, 'x'), { recursive: true });
    return project;
  }

  test('github: one workflow command per diagnostic, every line well-formed', async () => {
    const dir = await broken();
    const r = await runCli(['validate', '--format', 'github'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    const lines = r.stdout.trimEnd().split('\n');
    const json = JSON.parse((await runCli(['validate', '--json'], { cwd: dir })).stdout);
    expect(lines.length).toBe(json.diagnostics.length);
    lines.forEach((line, i) => {
      const d = json.diagnostics[i];
      const m = /^::(error|warning) file=([^,]+),line=(\d+),col=(\d+)(?:,endColumn=(\d+))?,title=([^:]+)::(.+)$/.exec(line);
      expect(m, line).not.toBeNull();
      expect([m![1], m![2], Number(m![3]), Number(m![4])]).toEqual([d.severity, d.file, d.line, d.column]);
      expect(m![6]).toBe(`aibackend ${d.code}`);
      expect(m![7]).not.toMatch(/[\r\n]/);
    });
    expect(lines.some((l) => l.startsWith('::warning ') && l.includes('image-floating-tag'))).toBe(true);
  });

  test('sarif: valid SARIF 2.1.0 with rule ids, levels and physical locations', async () => {
    const dir = await broken();
    const r = await runCli(['validate', '--format', 'sarif'], { cwd: dir });
    expect(r.exitCode).toBe(1);
    const log = JSON.parse(r.stdout);
    const schema = JSON.parse(readFileSync(path.join(FIXTURES, 'sarif/sarif-2.1.0.schema.json'), 'utf8'));
    // The official schema has a pattern that is not valid under the u flag.
    const ajv = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false });
    const validate = ajv.compile(schema);
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = log.runs[0];
    const json = JSON.parse((await runCli(['validate', '--json'], { cwd: dir })).stdout);
    expect(run.results.length).toBe(json.diagnostics.length);
    for (const res of run.results) {
      expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
      expect(['error', 'warning']).toContain(res.level);
      expect(res.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^config\//);
      expect(res.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
    }
    const clean = await runCli(['validate', '--format', 'sarif'], { cwd: ROOT });
    expect(validate(JSON.parse(clean.stdout))).toBe(true);
    expect(JSON.parse(clean.stdout).runs[0].results).toEqual([]);
  });

  test('schemas/report.schema.json describes the real --json output, valid and invalid', async () => {
    const schema = JSON.parse(readFileSync(path.join(ROOT, 'schemas/report.schema.json'), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);
    const dirs = [ROOT, await broken(), makeProject({ 'providers.yaml': 'version: 2\n' }).project];
    for (const cwd of dirs) {
      const out = JSON.parse((await runCli(['validate', '--json'], { cwd })).stdout);
      expect(validate(out), JSON.stringify(validate.errors)).toBe(true);
    }
    expect(validate({ ok: true, errors: 0, warnings: 0, diagnostics: [], checks: [], extra: 1 })).toBe(false);
  });
});
