// What the validator knows about LiteLLM (src/generated/litellm-facts.ts) is what the installed,
// pinned LiteLLM says, and the passthrough mistakes it refuses really are mistakes in that LiteLLM:
// its own --validate_config fails on them, or it ignores them. The configs here are built
// without aibackend's check, the way a hand-edited file would be.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject, tempDir } from '../helpers/fixtures.js';
import { GATEWAY_TEST_MS, requireLitellm } from '../helpers/gateway.js';

const bin = requireLitellm();
afterAll(cleanupTempDirs);

describe.skipIf(!bin)('the validator\'s facts about the pinned LiteLLM', { timeout: GATEWAY_TEST_MS }, () => {
  test('src/generated/litellm-facts.ts is what scripts/litellm-facts.py reads from the installed proxy', () => {
    const python = path.join(path.dirname(bin!), 'python');
    const now = execFileSync(python, [path.join(ROOT, 'scripts/litellm-facts.py')], { env: { ...process.env, LITELLM_LOCAL_MODEL_COST_MAP: 'True' }, stdio: ['ignore', 'pipe', 'ignore'] }).toString('utf8');
    expect(now).toBe(readFileSync(path.join(ROOT, 'src/generated/litellm-facts.ts'), 'utf8'));
  });

  test('passthrough mistakes aibackend refuses: LiteLLM fails at load, or silently ignores the key', async () => {
    const { project } = makeProject();
    const compiled = (await runCli(['generate', '--stdout'], { cwd: project })).stdout;
    const dir = tempDir();
    const loads = async (inject: string) => {
      const file = path.join(dir, `c-${Math.random().toString(16).slice(2)}.yaml`);
      writeFileSync(file, compiled.replace('router_settings:\n', `router_settings:\n${inject}`));
      const r = await execa(bin!, ['--config', file, '--validate_config'], { reject: false, all: true, env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_MASTER_KEY: 'sk-e2e-master-key-000000000000' } });
      return { code: r.exitCode, out: String(r.all) };
    };
    // aibackend: passthrough-unknown-key (router_settings.health_check_interval); LiteLLM refuses the file.
    const refused = await loads('  health_check_interval: 30\n');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain("'health_check_interval' is NOT a valid router_settings parameter");
    // aibackend: passthrough-unknown-key (num_retry, did you mean num_retries); LiteLLM loads it and drops it.
    const typo = await loads('  num_retry: 4\n');
    expect(typo.code).toBe(0);
    expect(typo.out).toMatch(/Key 'num_retry' is not a valid argument for Router\.__init__\(\)\. Ignoring this key/);
    // The same two, in aibackend: refused with their positions.
    for (const [inject, key] of [['    health_check_interval: 30\n', 'health_check_interval'], ['    num_retry: 4\n', 'num_retry']] as const) {
      const g = path.join(project, 'config/gateway.yaml');
      writeFileSync(g, `${readFileSync(path.join(ROOT, 'tests/fixtures/base/gateway.yaml'), 'utf8')}passthrough:\n  router_settings:\n${inject}`);
      const v = JSON.parse((await runCli(['validate', '--json'], { cwd: project })).stdout);
      expect(v.diagnostics.find((d: { code: string }) => d.code === 'passthrough-unknown-key')).toMatchObject({ line: 8, column: 5, message: expect.stringContaining(key) });
    }
  });
});

describe.skipIf(!bin)('validate --deep', { timeout: GATEWAY_TEST_MS }, () => {
  test('the installed LiteLLM loads the compiled config; what it refuses is an error, and exit 1', async () => {
    const { project, config } = makeProject();
    const ok = await runCli(['validate', '--deep', '--json'], { cwd: project, env: { AIBACKEND_LITELLM: bin } });
    const good = JSON.parse(ok.stdout);
    expect(good.deep).toMatchObject({ ran: true, ok: true, litellm: bin });
    expect(ok.exitCode).toBe(0);
    // A callback module that does not exist: aibackend's own rules accept the key, LiteLLM does not load it.
    writeFileSync(path.join(config, 'gateway.yaml'), `${readFileSync(path.join(config, 'gateway.yaml'), 'utf8')}passthrough:\n  litellm_settings:\n    callbacks: ["no_such_callback_module"]\n`);
    const bad = await runCli(['validate', '--deep', '--json'], { cwd: project, env: { AIBACKEND_LITELLM: bin } });
    expect(bad.exitCode).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.deep).toMatchObject({ ran: true, ok: false });
    expect(report.diagnostics.find((d: { code: string }) => d.code === 'litellm-refused')).toMatchObject({ severity: 'error', file: 'config/gateway.yaml', message: expect.stringContaining('config validation failed') });
  });
});
