// Issue 28: `aibackend diff` says what a change does to routing, per public name and alias, on
// scratch git repositories holding the example project. Each kind of change, a pure reordering, a
// change through an alias, a base where the sources did not exist yet, the default base, the
// formats, the hook's summary, and the same safety as validate.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, tempDir } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

const ajv = new (Ajv2020 as unknown as typeof import('ajv').default)({ allErrors: true, strict: false });
const schema = ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schemas/output/diff.schema.json'), 'utf8')));

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });

/** A repository whose first commit is the example project. */
function repo(withSources = true): string {
  const dir = tempDir('aibackend-diff-');
  git(dir, 'init', '-q', '-b', 'main');
  if (withSources) {
    cpSync(path.join(ROOT, 'config'), path.join(dir, 'config'), { recursive: true });
    cpSync(path.join(ROOT, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
  } else writeFileSync(path.join(dir, 'README'), 'nothing yet\n');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  return dir;
}

function edit(dir: string, file: string, from: string | RegExp, to: string): void {
  const p = path.join(dir, 'config', file);
  const text = readFileSync(p, 'utf8');
  const next = text.replace(from, to);
  expect(next, `${file}: ${String(from)} not found`).not.toBe(text);
  writeFileSync(p, next);
}

interface Report {
  base: { rev: string; commit?: string; sources: boolean; valid: boolean; note?: string };
  unchanged_routing: boolean;
  changes: {
    added: { name: string; routes: { provider: string; backend_model: string; share: number }[] }[];
    removed: string[];
    renamed: { from: string; to: string }[];
    changed: {
      name: string;
      alias_of?: { before?: string; after?: string };
      moved?: { from: { provider: string; backend_model: string }; to: { provider: string; backend_model: string } };
      routes_added: unknown[];
      routes_removed: unknown[];
      shares: { route: string; before: number; after: number }[];
      base_urls: { provider: string; before?: string; after?: string }[];
      mode?: { before: string; after: string };
      fallbacks?: { before: string[]; after: string[] };
    }[];
    unchanged: number;
    settings: { key: string; before?: string; after?: string }[];
  };
}

async function diffJson(dir: string, args: string[] = []): Promise<Report> {
  const r = await runCli(['diff', '--json', ...args], { cwd: dir });
  expect(r.exitCode, r.stderr + r.stdout).toBe(0);
  const out = JSON.parse(r.stdout);
  expect(schema(out), JSON.stringify(schema.errors)).toBe(true);
  return out as Report;
}

const changed = (r: Report, name: string) => r.changes.changed.find((c) => c.name === name);

describe('aibackend diff: each kind of routing change', () => {
  test('a weight change is a change of traffic shares', async () => {
    const dir = repo();
    edit(dir, 'model-mappings.yaml', 'weight: 3 }', 'weight: 1 }');
    const r = await diffJson(dir);
    expect(r.base).toMatchObject({ rev: 'HEAD', sources: true, valid: true });
    expect(r.changes.changed.map((c) => c.name)).toEqual(['llama2-13b']);
    expect(changed(r, 'llama2-13b')!.shares).toEqual([
      { route: 'llama_cpp_native/llama-2-13b-chat', before: 75, after: 50 },
      { route: 'llama_cpp_python/llama-2-13b-chat', before: 25, after: 50 },
    ]);
    expect(r.changes.unchanged).toBe(6);
    const text = await runCli(['diff'], { cwd: dir });
    expect(text.stdout).toMatch(/llama2-13b\n\s+share llama_cpp_native\/llama-2-13b-chat\s+75% → 50%/);
  });

  test('a provider move and a backend model change, with the fallback chain before and after; an alias of the name changes with it', async () => {
    const dir = repo();
    edit(
      dir,
      'model-mappings.yaml',
      '      - provider: vllm\n        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ\n    fallbacks: [qwen2.5-coder:7b]',
      '      - provider: ollama\n        model: qwen2.5-coder:7b\n    fallbacks: [llama3.1:8b]',
    );
    const r = await diffJson(dir);
    const c = changed(r, 'qwen-coder-vllm')!;
    expect(c.moved).toEqual({
      from: { provider: 'vllm', backend_model: 'Qwen/Qwen2.5-Coder-7B-Instruct-AWQ', share: 100 },
      to: { provider: 'ollama', backend_model: 'qwen2.5-coder:7b', share: 100 },
    });
    expect(c.fallbacks).toEqual({ before: ['qwen2.5-coder:7b'], after: ['llama3.1:8b', 'qwen2.5-coder:7b'] });
    // `coder` is an alias of qwen-coder-vllm: its traffic moved too.
    expect(changed(r, 'coder')).toMatchObject({ alias_of: { before: 'qwen-coder-vllm', after: 'qwen-coder-vllm' }, moved: c.moved });
  });

  test('a change through an alias: retargeting it changes only the alias', async () => {
    const dir = repo();
    edit(dir, 'model-mappings.yaml', '  coder: qwen-coder-vllm', '  coder: qwen2.5-coder:7b');
    const r = await diffJson(dir);
    expect(r.changes.changed.map((c) => c.name)).toEqual(['coder']);
    expect(changed(r, 'coder')).toMatchObject({
      alias_of: { before: 'qwen-coder-vllm', after: 'qwen2.5-coder:7b' },
      moved: { from: { provider: 'vllm' }, to: { provider: 'ollama', backend_model: 'qwen2.5-coder:7b' } },
    });
  });

  test('a base_url change of a provider is a change of every name it serves', async () => {
    const dir = repo();
    edit(dir, 'providers.yaml', 'base_url: http://127.0.0.1:11434', 'base_url: http://127.0.0.1:11435');
    const r = await diffJson(dir);
    const names = r.changes.changed.map((c) => c.name).sort();
    expect(names).toEqual(['chat', 'llama3.1:8b', 'nomic-embed-text', 'qwen2.5-coder:7b'].sort());
    expect(changed(r, 'llama3.1:8b')!.base_urls).toEqual([
      { provider: 'ollama', before: 'http://127.0.0.1:11434', after: 'http://127.0.0.1:11435' },
    ]);
  });

  test('names added, removed and renamed (same routing, other name); a mode change', async () => {
    const dir = repo();
    edit(dir, 'model-mappings.yaml', '  llama2-13b:', '  llama2-13b-chat:');
    edit(
      dir,
      'model-mappings.yaml',
      'fallbacks: [llama3.1:8b]\n',
      'fallbacks: [llama3.1:8b]\n\n  extra:\n    routes:\n      - { provider: ollama, model: llama3.1:8b }\n',
    );
    const r = await diffJson(dir);
    expect(r.changes.renamed).toEqual([{ from: 'llama2-13b', to: 'llama2-13b-chat' }]);
    expect(r.changes.added.map((n) => n.name)).toEqual(['extra']);
    expect(r.changes.added[0]!.routes).toMatchObject([{ provider: 'ollama', backend_model: 'llama3.1:8b', share: 100 }]);
    expect(r.changes.removed).toEqual([]);
    // Removed for real: a name nobody else routes like.
    const d2 = repo();
    const m = path.join(d2, 'config', 'model-mappings.yaml');
    const text = readFileSync(m, 'utf8');
    writeFileSync(m, text.replace(/\n  llama2-13b:\n[\s\S]*?fallbacks: \[llama3\.1:8b\]\n/, '\n'));
    expect((await diffJson(d2)).changes.removed).toEqual(['llama2-13b']);
    // A mode change: the embedding model is declared a chat model.
    const d3 = repo();
    edit(d3, 'providers.yaml', '      - name: nomic-embed-text\n        mode: embedding\n', '      - name: nomic-embed-text\n');
    expect(changed(await diffJson(d3), 'nomic-embed-text')!.mode).toEqual({ before: 'embedding', after: 'chat' });
  });

  test('settings that apply to every name', async () => {
    const dir = repo();
    edit(dir, 'gateway.yaml', 'num_retries: 2', 'num_retries: 3');
    edit(dir, 'gateway.yaml', 'strategy: simple-shuffle', 'strategy: least-busy');
    const r = await diffJson(dir);
    expect(r.changes.changed).toEqual([]);
    expect(r.changes.settings).toEqual([
      { key: 'router_settings.num_retries', before: '2', after: '3' },
      { key: 'router_settings.routing_strategy', before: '"simple-shuffle"', after: '"least-busy"' },
    ]);
    expect(r.unchanged_routing).toBe(false);
  });

  test('a pure reordering (and a description and a comment) is no routing change, said once', async () => {
    const dir = repo();
    const m = path.join(dir, 'config', 'model-mappings.yaml');
    const text = readFileSync(m, 'utf8');
    // Swap the routes of llama2-13b, move a whole name to the end, edit a description, add a comment.
    let next = text.replace(
      '      - { provider: llama_cpp_native, model: llama-2-13b-chat, weight: 3 }\n      - { provider: llama_cpp_python, model: llama-2-13b-chat, weight: 1 }',
      '      - { provider: llama_cpp_python, model: llama-2-13b-chat, weight: 1 }\n      - { provider: llama_cpp_native, model: llama-2-13b-chat, weight: 3 }',
    );
    const block = /\n  qwen2\.5-coder:7b:\n[\s\S]*?- provider: ollama\n/.exec(next)![0];
    next = next.replace(block, '\n').replace('\naliases:', `${block}\naliases:`).replace('Code model on Ollama', 'Coder, local');
    writeFileSync(m, `# reordered\n${next}`);
    expect(next).not.toBe(text);
    const r = await diffJson(dir);
    expect(r.unchanged_routing).toBe(true);
    expect(r.changes.unchanged).toBe(7);
    const t = await runCli(['diff'], { cwd: dir });
    expect(t.stdout).toMatch(/no routing change from HEAD .* \(7 names route as before\)/);
  });

  test('a base revision where the sources did not exist yet: every name is new', async () => {
    const dir = repo(false);
    const first = git(dir, 'rev-parse', 'HEAD').trim();
    cpSync(path.join(ROOT, 'config'), path.join(dir, 'config'), { recursive: true });
    cpSync(path.join(ROOT, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'config');
    const r = await diffJson(dir, ['--base', first]);
    expect(r.base).toMatchObject({ rev: first, sources: false, valid: true });
    expect(r.changes.added.map((n) => n.name)).toHaveLength(7);
    const t = await runCli(['diff', '--base', first], { cwd: dir });
    expect(t.stdout).toContain('has no config sources: every name is new');
  });
});

describe('aibackend diff: which base, which format', () => {
  test('a clean branch compares with its merge base with the default branch; --base names any commit; a bad one is a usage error', async () => {
    const dir = repo();
    git(dir, 'checkout', '-qb', 'feature');
    edit(dir, 'model-mappings.yaml', 'weight: 3 }', 'weight: 1 }');
    git(dir, 'commit', '-qam', 'weights');
    const r = await diffJson(dir);
    expect(r.base.rev).toBe('merge-base with main');
    expect(r.base.commit).toBe(git(dir, 'rev-parse', 'main').trim());
    expect(r.changes.changed.map((c) => c.name)).toEqual(['llama2-13b']);
    // Nothing between HEAD and itself.
    expect((await diffJson(dir, ['--base', 'HEAD'])).unchanged_routing).toBe(true);
    const bad = await runCli(['diff', '--base', 'no-such-rev'], { cwd: dir });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('no-such-rev');
    const opt = await runCli(['diff', '--base', '--output=/tmp/x'], { cwd: dir });
    expect(opt.exitCode).toBe(2);
  });

  test('markdown for a PR comment: a table per changed name; outside git, a usage error; invalid working tree, exit 1', async () => {
    const dir = repo();
    edit(dir, 'model-mappings.yaml', 'weight: 3 }', 'weight: 1 }');
    const md = await runCli(['diff', '--format', 'markdown'], { cwd: dir });
    expect(md.exitCode).toBe(0);
    expect(md.stdout).toContain('### Routing changes: HEAD');
    expect(md.stdout).toContain('#### `llama2-13b`');
    expect(md.stdout).toContain('| share llama_cpp_native/llama-2-13b-chat | 75% | 50% |');
    const nogit = tempDir();
    cpSync(path.join(ROOT, 'config'), path.join(nogit, 'config'), { recursive: true });
    expect((await runCli(['diff'], { cwd: nogit })).exitCode).toBe(2);
    edit(dir, 'model-mappings.yaml', 'provider: ollama', 'provider: olama');
    const invalid = await runCli(['diff', '--json'], { cwd: dir });
    expect(invalid.exitCode).toBe(1);
    expect(JSON.parse(invalid.stdout)).toMatchObject({ ok: false });
  });

  test("the pre-commit hook prints the staged change's routing summary with --diff", async () => {
    const dir = repo();
    const inst = await runCli(['hook', 'install', '--diff'], { cwd: dir });
    expect(inst.exitCode, inst.stderr).toBe(0);
    edit(dir, 'model-mappings.yaml', 'weight: 3 }', 'weight: 1 }');
    expect((await runCli(['generate'], { cwd: dir })).exitCode).toBe(0);
    git(dir, 'add', '-A');
    const run = await runCli(['hook', 'run', '--diff'], { cwd: dir });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/Routing changes from HEAD .* → the staged change:\n\s+~ llama2-13b/);
    expect(readFileSync(path.join(dir, '.git/hooks/pre-commit'), 'utf8')).toMatch(/hook run --diff\n$/);
  });
});

describe('aibackend diff is as safe as validate', () => {
  test('the working tree is untouched, nothing of the revision is run, and a symlink stored at the revision is left out, not followed', async () => {
    const dir = repo();
    const outside = path.join(tempDir(), 'secret.yaml');
    writeFileSync(outside, 'version: 1\nports: { secret-outside-content: 1 }\n');
    rmSync(path.join(dir, 'config', 'ports.yaml'));
    symlinkSync(outside, path.join(dir, 'config', 'ports.yaml'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-qm', 'link');
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    rmSync(path.join(dir, 'config', 'ports.yaml'));
    cpSync(path.join(ROOT, 'config', 'ports.yaml'), path.join(dir, 'config', 'ports.yaml'));
    const before = git(dir, 'status', '--porcelain');
    const r = await runCli(['diff', '--json', '--base', base], { cwd: dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Report;
    expect(out.base.note).toContain('config/ports.yaml');
    expect(r.stdout + r.stderr).not.toContain('secret-outside-content');
    expect(git(dir, 'status', '--porcelain')).toBe(before);
    mkdirSync(path.join(dir, 'unused'), { recursive: true });
  });
});
