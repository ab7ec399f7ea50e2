// checkConfig's own decisions, apart from the rules: whether the output path can be used, when a
// source hash exists, which generated files come with the output and where, and the last mask
// over every message and suggestion.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checkConfig } from '../../../src/config/check-config.js';
import { resolvePaths } from '../../../src/config/load/paths.js';
import { REDACTED } from '../../../src/util/secrets.js';
import { checkFiles } from '../../helpers/check.js';
import { BASE, cleanupTempDirs, makeProject } from '../../helpers/fixtures.js';

afterAll(cleanupTempDirs);
const G = readFileSync(path.join(BASE, 'gateway.yaml'), 'utf8');
const M = readFileSync(path.join(BASE, 'model-mappings.yaml'), 'utf8');
const P = readFileSync(path.join(BASE, 'providers.yaml'), 'utf8');

describe('checkConfig', () => {
  test('the output is usable unless it lies outside the project or over a source, or there is no config at all', () => {
    expect(checkFiles({}).outputUsable).toBe(true);
    expect(checkFiles({ 'gateway.yaml': `${G}output: ../out.yaml\n` }).outputUsable).toBe(false);
    expect(checkFiles({ 'gateway.yaml': `${G}output: config/model-mappings.yaml\n` }).outputUsable).toBe(false);
    // other errors do not make the output unusable
    expect(checkFiles({ 'model-mappings.yaml': M.replace('provider: vllm', 'provider: vllmm') }).outputUsable).toBe(true);
    const { project } = makeProject({ 'providers.yaml': null, 'model-mappings.yaml': null, 'gateway.yaml': null, 'ports.yaml': null });
    expect(checkConfig(resolvePaths('config', project), { env: {}, unsetEnvSeverity: 'warning' }).outputUsable).toBe(false);
  });

  test('a source hash only when every present source parses', () => {
    expect(checkFiles({}).sourceHash).toMatch(/^[0-9a-f]{64}$/);
    expect(checkFiles({ 'ports.yaml': 'version: 1\nports: [\n' })).not.toHaveProperty('sourceHash');
    // a missing optional source is not a broken one
    expect(checkFiles({ 'ports.yaml': null }).sourceHash).toMatch(/^[0-9a-f]{64}$/);
  });

  test('the output goes where gateway.output says, relative to the project', () => {
    const c = checkFiles({ 'gateway.yaml': `${G}output: build/litellm.yaml\n` });
    expect(c.outputPath.endsWith(`${path.sep}build${path.sep}litellm.yaml`)).toBe(true);
    expect(path.isAbsolute(c.outputPath)).toBe(true);
    expect(checkFiles({}).outputPath.endsWith(`${path.sep}config${path.sep}litellm-unified.yaml`)).toBe(true);
  });

  test('haproxy.cfg comes with two replicas behind HAProxy, beside the output; not with one, nor with Caddy', () => {
    const two = checkFiles({
      'gateway.yaml': `${G}output: build/litellm.yaml\nreplicas: 2\nreplica_ports: [4001, 4002]\ncache: { enabled: true }\n`,
      'ports.yaml': null,
    });
    expect(two.generated?.map((g) => [g.group, path.relative(path.dirname(two.outputPath), g.path), g.format])).toEqual([
      ['load_balancer', 'haproxy.cfg', 'text'],
    ]);
    expect(two.generated![0]!.text).toMatch(/^# AUTO-GENERATED/);
    expect(two.generated![0]!.text).toContain('server r2 127.0.0.1:4002 check');
    expect(checkFiles({})).not.toHaveProperty('generated');
    const caddy = checkFiles({
      'gateway.yaml': `${G}replicas: 2\nreplica_ports: [4001, 4002]\ncache: { enabled: true }\nload_balancer: { kind: caddy }\n`,
      'ports.yaml': null,
    });
    expect(caddy.errors).toBe(0);
    expect(caddy).not.toHaveProperty('generated');
  });

  test('monitoring files under monitoring.dir, none while there are errors', () => {
    const on = `${G}metrics: { prometheus: true }\nmonitoring:\n  enabled: true\n  dir: ops/mon\n`;
    const c = checkFiles({ 'gateway.yaml': on, 'ports.yaml': null });
    const dir = path.join(path.dirname(path.dirname(c.outputPath)), 'ops', 'mon');
    expect(c.generated!.length).toBeGreaterThan(3);
    expect(c.generated!.every((g) => g.group === 'monitoring' && g.path.startsWith(dir + path.sep))).toBe(true);
    expect(c.generated!.map((g) => path.relative(dir, g.path))).toContain('prometheus.yml');
    const broken = checkFiles({
      'gateway.yaml': on,
      'ports.yaml': null,
      'model-mappings.yaml': M.replace('provider: vllm', 'provider: vllmm'),
    });
    expect(broken).not.toHaveProperty('generated');
    expect(broken).not.toHaveProperty('compiled');
  });

  test('no message or suggestion carries a secret, whichever rule wrote it', () => {
    const id = `sk-${'abcdefghijklmnopqrstuv'}`;
    const c = checkFiles({
      'providers.yaml': `${P}  ${id}:\n    type: anthropic\n    models:\n      - name: claude\n`,
      'model-mappings.yaml': M.replace('  coder: qwen-coder-vllm', '  coder: qwen-coder-vllm').replace(
        'aliases:',
        `  claude:\n    routes:\n      - provider: ${id}x\naliases:`,
      ),
    });
    const unknown = c.diagnostics.find((d) => d.code === 'unknown-provider')!;
    expect(unknown.message).toContain(REDACTED);
    expect(unknown.suggestion).toBe(REDACTED);
    for (const d of c.diagnostics) expect(`${d.message} ${d.suggestion ?? ''}`).not.toContain(id);
  });

  test('a diagnostic without a secret is passed through as it is', () => {
    const c = checkFiles({ 'model-mappings.yaml': M.replace('provider: vllm', 'provider: vllmm') });
    const d = c.diagnostics.find((x) => x.code === 'unknown-provider')!;
    expect(d.suggestion).toBe('vllm');
    expect(d.message).toContain("'vllmm'");
    const noSuggestion = checkFiles({ 'model-mappings.yaml': M.replace('provider: vllm', 'provider: zzzzzzzz') }).diagnostics.find(
      (x) => x.code === 'unknown-provider',
    )!;
    expect(noSuggestion).not.toHaveProperty('suggestion');
  });
});
