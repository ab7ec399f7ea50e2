// Is the generated file what the sources say? Every state output-status tells apart, with the
// position it reports: missing, up to date, header-outdated, hand-edited, stale, unreadable.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkConfig } from '../../src/core/check-config.js';
import { outputStatus } from '../../src/core/output-status.js';
import { resolvePaths } from '../../src/load/paths.js';
import { BASE, cleanupTempDirs, makeProject } from '../helpers/fixtures.js';

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
    writeFileSync(path.join(p.config, 'model-mappings.yaml'), M.replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm\n  dev: qwen-coder-vllm'));
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
