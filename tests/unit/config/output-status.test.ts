// Is the generated file what the sources say? Every state output-status tells apart, with the
// position it reports: missing, up to date, header-outdated, hand-edited, stale, unreadable.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkConfig } from '../../../src/config/check-config.js';
import { generatedStatus, outputStatus } from '../../../src/config/output-status.js';
import { verifyLiteLLMConfig } from '../../../src/config/emit/verify-output.js';
import { resolvePaths } from '../../../src/config/load/paths.js';
import { BASE, cleanupTempDirs, makeProject } from '../../helpers/fixtures.js';

afterAll(cleanupTempDirs);

function project(files: Record<string, string | null> = {}) {
  const p = makeProject(files);
  const check = () => checkConfig(resolvePaths('config', p.project), { env: { LITELLM_MASTER_KEY: 'x' }, unsetEnvSeverity: 'warning' });
  const out = path.join(p.config, 'litellm-unified.yaml');
  return { ...p, check, out, generate: () => writeFileSync(out, check().compiled!.text) };
}
const M = readFileSync(path.join(BASE, 'model-mappings.yaml'), 'utf8');
const P = readFileSync(path.join(BASE, 'providers.yaml'), 'utf8');
const summary = (s: ReturnType<typeof outputStatus>) => [s.state, ...s.diagnostics.map((d) => [d.code, d.severity, d.line])];

describe('outputStatus', () => {
  test('missing: an error by default, a warning when asked (validate)', () => {
    const p = project();
    expect(summary(outputStatus(p.check()))).toEqual(['missing', ['output-missing', 'error', 1]]);
    expect(summary(outputStatus(p.check(), 'warning'))).toEqual(['missing', ['output-missing', 'warning', 1]]);
  });

  test('up to date, and the same file checked out with CRLF line endings', () => {
    const p = project();
    p.generate();
    expect(summary(outputStatus(p.check()))).toEqual(['up-to-date']);
    writeFileSync(p.out, readFileSync(p.out, 'utf8').replace(/\n/g, '\r\n'));
    expect(outputStatus(p.check()).state).toBe('up-to-date');
  });

  test('a description changed: only the header is older; not stale', () => {
    const p = project();
    p.generate();
    writeFileSync(path.join(p.config, 'providers.yaml'), P.replace('    type: ollama\n', '    type: ollama\n    description: described\n'));
    expect(summary(outputStatus(p.check()))).toEqual(['header-outdated']);
  });

  test('stale: the body differs from what the sources compile to', () => {
    const p = project();
    p.generate();
    writeFileSync(
      path.join(p.config, 'model-mappings.yaml'),
      M.replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'),
    );
    expect(summary(outputStatus(p.check()))).toEqual(['stale', ['output-stale', 'error', 1]]);
  });

  test('stale while the sources do not compile: judged by the source hash', () => {
    const p = project();
    p.generate();
    writeFileSync(path.join(p.config, 'model-mappings.yaml'), M.replace('provider: vllm', 'provider: vllmm'));
    expect(summary(outputStatus(p.check()))).toEqual(['stale', ['output-stale', 'error', 1]]);
  });

  test('hand-edited: at the first line of the body that differs', () => {
    const p = project();
    p.generate();
    const lines = readFileSync(p.out, 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes('api_base: http://127.0.0.1:8001/v1'));
    lines[i] = lines[i]!.replace('8001', '8011');
    writeFileSync(p.out, lines.join('\n'));
    expect(summary(outputStatus(p.check()))).toEqual(['hand-edited', ['output-hand-edited', 'error', i + 1]]);
  });

  test('no AUTO-GENERATED header: written by hand', () => {
    const p = project();
    writeFileSync(p.out, 'model_list: []\n');
    expect(summary(outputStatus(p.check()))).toEqual(['hand-edited', ['output-hand-edited', 'error', 1]]);
  });

  test('unreadable (a directory where the file belongs)', () => {
    const p = project();
    mkdirSync(p.out);
    expect(summary(outputStatus(p.check()))).toEqual(['unknown', ['file-unreadable', 'error', 1]]);
  });
});

describe('outputStatus: the data its findings carry', () => {
  test('every finding names the file it is about', () => {
    const p = project();
    const checks = [outputStatus(p.check())];
    p.generate();
    writeFileSync(
      path.join(p.config, 'model-mappings.yaml'),
      M.replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'),
    );
    checks.push(outputStatus(p.check()));
    writeFileSync(path.join(p.config, 'model-mappings.yaml'), M.replace('provider: vllm', 'provider: vllmm'));
    checks.push(outputStatus(p.check()));
    writeFileSync(p.out, 'model_list: []\n');
    checks.push(outputStatus(p.check()));
    expect(checks.map((s) => s.state)).toEqual(['missing', 'stale', 'stale', 'hand-edited']);
    for (const s of checks) {
      expect(s.diagnostics).toHaveLength(1);
      expect(s.diagnostics[0]!.file).toBe(p.check().outputDisplay);
      expect(s.diagnostics[0]!.message).toContain(p.check().outputDisplay);
    }
  });

  test('hand-edited while the sources do not compile: at the first line of the body, and stale as well', () => {
    const p = project();
    p.generate();
    const text = readFileSync(p.out, 'utf8');
    const lines = text.split('\n');
    const body = lines.findIndex((l) => !l.startsWith('#'));
    lines[lines.length - 2] = `${lines[lines.length - 2]} # edited`;
    writeFileSync(p.out, lines.join('\n'));
    writeFileSync(path.join(p.config, 'model-mappings.yaml'), M.replace('provider: vllm', 'provider: vllmm'));
    expect(summary(outputStatus(p.check()))).toEqual([
      'hand-edited',
      ['output-hand-edited', 'error', body + 1],
      ['output-stale', 'error', 1],
    ]);
  });

  test('up to date and then stale keep the file text', () => {
    const p = project();
    p.generate();
    const s = outputStatus(p.check());
    expect(s.text).toBe(readFileSync(p.out, 'utf8'));
  });
});

describe('generatedStatus: the load balancer and monitoring files', () => {
  const gateway = readFileSync(path.join(BASE, 'gateway.yaml'), 'utf8');
  const withStack = () =>
    project({
      'gateway.yaml': `${gateway}replicas: 2\nreplica_ports: [4001, 4002]\ncache: { enabled: true }\nmetrics: { prometheus: true }\nmonitoring:\n  enabled: true\n`,
      'ports.yaml': null,
    });
  const write = (p: ReturnType<typeof project>) => {
    for (const f of p.check().generated!) {
      mkdirSync(path.dirname(f.path), { recursive: true });
      writeFileSync(f.path, f.text);
    }
  };

  test('missing, then up to date; text and JSON files alike', () => {
    const p = withStack();
    const before = generatedStatus(p.check());
    expect(before.length).toBeGreaterThan(3);
    expect(new Set(before.map((s) => s.file.format))).toEqual(
      new Set(['text', 'json', 'yaml'].filter((f) => before.some((s) => s.file.format === f))),
    );
    expect(
      before.every((s) => s.state === 'missing' && s.diagnostics[0]!.code === 'output-missing' && s.diagnostics[0]!.severity === 'error'),
    ).toBe(true);
    expect(generatedStatus(p.check(), 'warning').every((s) => s.diagnostics[0]!.severity === 'warning')).toBe(true);
    write(p);
    expect(generatedStatus(p.check()).map((s) => [s.file.display, s.state])).toEqual(before.map((s) => [s.file.display, 'up-to-date']));
  });

  test('a hand edit in a JSON dashboard is found at its line; one in haproxy.cfg at its own', () => {
    const p = withStack();
    write(p);
    const files = p.check().generated!;
    const dash = files.find((f) => f.format === 'json')!;
    const lines = dash.text.split('\n');
    const i = lines.findIndex((l) => l.includes('"title"'));
    lines[i] = lines[i]!.replace('"title": "', '"title": "Edited ');
    writeFileSync(dash.path, lines.join('\n'));
    const lb = files.find((f) => f.path.endsWith('haproxy.cfg'))!;
    const lbLines = lb.text.split('\n');
    const j = lbLines.findIndex((l) => l.includes('maxconn'));
    lbLines[j] = lbLines[j]!.replace('4096', '4097');
    writeFileSync(lb.path, lbLines.join('\n'));
    const status = generatedStatus(p.check());
    const got = (f: { path: string }) => status.find((s) => s.file.path === f.path)!;
    expect([got(dash).state, got(dash).diagnostics.map((d) => [d.code, d.line])]).toEqual(['hand-edited', [['output-hand-edited', i + 1]]]);
    expect([got(lb).state, got(lb).diagnostics.map((d) => [d.code, d.line])]).toEqual(['hand-edited', [['output-hand-edited', j + 1]]]);
  });

  test('no generated files without replicas or monitoring', () => {
    expect(generatedStatus(project().check())).toEqual([]);
  });
});

describe('verifyLiteLLMConfig', () => {
  test('a config of the contract passes; each problem names its path, the root as /', () => {
    const p = project();
    expect(verifyLiteLLMConfig(p.check().compiled!.config)).toEqual([]);
    const problems = verifyLiteLLMConfig({ model_list: [{ model_name: 'x', litellm_params: { model: 'nope/x' } }] } as never);
    expect(problems.some((m) => m.startsWith('/: ') && m.length > 3)).toBe(true);
    expect(problems.some((m) => m.startsWith('/model_list/0/litellm_params/model: ') && m.length > 40)).toBe(true);
  });
});
