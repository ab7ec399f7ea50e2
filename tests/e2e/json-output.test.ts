// Under --json every command prints exactly one JSON object on stdout, on every exit path, and
// that object matches the command's schema in schemas/output/ (errors: error.schema.json).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject, tempDir } from '../helpers/fixtures.js';

afterAll(cleanupTempDirs);

const ajv = new (Ajv2020 as unknown as typeof import('ajv').default)({ allErrors: true, strict: false });
const validators = Object.fromEntries(
  readdirSync(path.join(ROOT, 'schemas/output')).map((f) => [
    f.replace('.schema.json', ''),
    ajv.compile(JSON.parse(readFileSync(path.join(ROOT, 'schemas/output', f), 'utf8'))),
  ]),
);

async function json(
  schema: string,
  args: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Promise<{ exitCode: number; out: Record<string, unknown> }> {
  const r = await runCli(args, { cwd, env });
  let out: Record<string, unknown>;
  try {
    out = JSON.parse(r.stdout);
  } catch {
    throw new Error(`aibackend ${args.join(' ')} printed no single JSON object on stdout (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
  }
  const validate = validators[schema]!;
  expect(validate(out), `${args.join(' ')} against ${schema}: ${JSON.stringify(validate.errors)}\n${r.stdout}`).toBe(true);
  return { exitCode: r.exitCode, out };
}

function example() {
  const p = makeProject({}, path.join(ROOT, 'config'));
  // A gateway that reload can "restart" without Docker: the command runtime with `true`.
  const g = path.join(p.config, 'gateway.yaml');
  writeFileSync(
    g,
    readFileSync(g, 'utf8').replace(
      /runtime:\n  kind: compose\n  file: docker-compose.yml\n  service: litellm\n/,
      'runtime:\n  kind: command\n  restart: ["true"]\n',
    ),
  );
  rmSync(path.join(p.config, 'litellm-unified.yaml'), { force: true });
  return p;
}

describe('--json on every command matches its schema', () => {
  test('generate: written, unchanged, stale (with a diff), invalid', async () => {
    const { project, config } = example();
    expect((await json('generate', ['generate', '--json'], project)).out.status).toBe('written');
    expect((await json('generate', ['generate', '--json'], project)).out.status).toBe('unchanged');
    const m = path.join(config, 'model-mappings.yaml');
    writeFileSync(m, readFileSync(m, 'utf8').replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
    const stale = await json('generate', ['generate', '--check', '--json'], project);
    expect(stale.exitCode).toBe(1);
    expect(stale.out).toMatchObject({ ok: false, status: 'stale' });
    expect(String(stale.out.diff)).toContain('+  - model_name: dev');
    writeFileSync(m, 'version: 1\nmodels: [\n');
    expect((await json('generate', ['generate', '--json'], project)).out).toMatchObject({ ok: false, status: 'invalid' });
  });

  test('explain, explain --list, backups, ports, init, hook install and uninstall', async () => {
    const { project } = example();
    await json('explain', ['explain', 'coder', '--json'], project);
    await json('explain-list', ['explain', '--list', '--json'], project);
    await json('backups', ['backups', '--json'], project);
    await json('ports', ['ports', '--json'], project);
    const fresh = tempDir();
    expect((await json('init', ['init', '--json'], fresh)).out.written).toContain('config/providers.yaml');
    execFileSync('git', ['init', '-q'], { cwd: fresh });
    expect((await json('hook', ['hook', 'install', '--json'], fresh)).out.action).toBe('installed');
    expect((await json('hook', ['hook', 'install', '--json'], fresh)).out.action).toBe('unchanged');
    expect((await json('hook', ['hook', 'uninstall', '--json'], fresh)).out.action).toBe('removed');
  });

  test('status and discover, with every provider down', async () => {
    const { project } = example();
    expect((await json('status', ['status', '--json', '--timeout', '200ms'], project)).exitCode).toBe(1);
    const d = await json('discover', ['discover', '--json', '--timeout', '200ms'], project);
    expect(d).toMatchObject({ exitCode: 1, out: { ok: false } });
  });

  test('reload: dry run, validate-only, invalid sources', async () => {
    const { project, config } = example();
    expect((await json('reload', ['reload', '--dry-run', '--json'], project)).out.status).toBe('dry-run');
    expect((await json('reload', ['reload', '--validate-only', '--json'], project)).out.status).toBe('validated');
    writeFileSync(path.join(config, 'providers.yaml'), 'version: 1\nproviders: {}\n');
    expect((await json('reload', ['reload', '--yes', '--json'], project)).out.status).toBe('invalid');
    expect((await json('reload', ['rollback', '--yes', '--json'], project)).exitCode).toBe(1);
  });
});

describe('--json error paths print the error object', () => {
  test.each([
    ['a usage error', ['reload', '--json', '--timeout', 'soon'], 2],
    ['an unknown command', ['nosuch', '--json'], 2],
    ['-C naming a file', ['-C', 'README.md', 'validate', '--json'], 2],
    ['explain of an unknown name', ['explain', 'zzzzzz', '--json'], 1],
  ])('%s', async (_what, args, code) => {
    const r = await json('error', args as string[], ROOT);
    expect(r.exitCode).toBe(code);
    expect(r.out.exit_code).toBe(code);
  });

  test('status, discover, ports and backups when their sources do not load', async () => {
    const { project, config } = example();
    writeFileSync(path.join(config, 'providers.yaml'), 'version: 1\nproviders: [\n');
    writeFileSync(path.join(config, 'gateway.yaml'), 'version: 2\n');
    writeFileSync(path.join(config, 'ports.yaml'), 'version: 1\nports: 3\n');
    for (const args of [
      ['status', '--json'],
      ['discover', '--json'],
      ['ports', '--json'],
      ['backups', '--json'],
      ['init', '--json'],
    ]) {
      const r = await json('error', args, project);
      expect(r.exitCode, args.join(' ')).not.toBe(0);
    }
    mkdirSync(path.join(project, 'x'));
  });
});
