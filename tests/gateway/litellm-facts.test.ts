// What the validator knows about LiteLLM (src/generated/litellm-facts.ts) is what the installed,
// pinned LiteLLM says, and the passthrough mistakes it refuses really are mistakes in that LiteLLM:
// its own --validate_config fails on them, or it ignores them. The configs here are built
// without aibackend's check, the way a hand-edited file would be.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeProject, tempDir } from '../helpers/fixtures.js';
import { GATEWAY_TEST_MS, gatewayMs, requireLitellm } from '../helpers/gateway.js';

const bin = requireLitellm();
afterAll(cleanupTempDirs);

describe.skipIf(!bin)("the validator's facts about the pinned LiteLLM", { timeout: GATEWAY_TEST_MS }, () => {
  test('src/generated/litellm-facts.ts is what scripts/litellm-facts.py reads from the installed proxy', () => {
    const python = path.join(path.dirname(bin!), 'python');
    const now = execFileSync(python, [path.join(ROOT, 'scripts/litellm-facts.py')], {
      env: { ...process.env, LITELLM_LOCAL_MODEL_COST_MAP: 'True' },
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString('utf8');
    expect(now).toBe(readFileSync(path.join(ROOT, 'src/generated/litellm-facts.ts'), 'utf8'));
  });

  test('passthrough mistakes aibackend refuses: LiteLLM fails at load, or silently ignores the key', async () => {
    const { project } = makeProject();
    const compiled = (await runCli(['generate', '--stdout'], { cwd: project })).stdout;
    const dir = tempDir();
    const loads = async (inject: string) => {
      const file = path.join(dir, `c-${Math.random().toString(16).slice(2)}.yaml`);
      writeFileSync(file, compiled.replace('router_settings:\n', `router_settings:\n${inject}`));
      const r = await execa(bin!, ['--config', file, '--validate_config'], {
        reject: false,
        all: true,
        env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_MASTER_KEY: 'sk-e2e-master-key-000000000000' },
      });
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
    for (const [inject, key] of [
      ['    health_check_interval: 30\n', 'health_check_interval'],
      ['    num_retry: 4\n', 'num_retry'],
    ] as const) {
      const g = path.join(project, 'config/gateway.yaml');
      writeFileSync(
        g,
        `${readFileSync(path.join(ROOT, 'tests/fixtures/base/gateway.yaml'), 'utf8')}passthrough:\n  router_settings:\n${inject}`,
      );
      const v = JSON.parse((await runCli(['validate', '--json'], { cwd: project })).stdout);
      expect(v.diagnostics.find((d: { code: string }) => d.code === 'passthrough-unknown-key')).toMatchObject({
        line: 8,
        column: 5,
        message: expect.stringContaining(key),
      });
    }
  });
});

describe.skipIf(!bin)('validate --deep', { timeout: GATEWAY_TEST_MS }, () => {
  test('the installed LiteLLM loads the compiled config; what it refuses is an error, and exit 1', async () => {
    const { project, config } = makeProject();
    const ok = await runCli(['validate', '--deep', '--json'], { cwd: project, env: { AIBACKEND_LITELLM: bin }, timeout: gatewayMs(1) });
    const good = JSON.parse(ok.stdout);
    expect(good.deep).toMatchObject({ ran: true, ok: true, litellm: bin });
    expect(ok.exitCode).toBe(0);
    // A callback module that does not exist: aibackend's own rules accept the key, LiteLLM does not load it.
    writeFileSync(
      path.join(config, 'gateway.yaml'),
      `${readFileSync(path.join(config, 'gateway.yaml'), 'utf8')}passthrough:\n  litellm_settings:\n    callbacks: ["no_such_callback_module"]\n`,
    );
    const bad = await runCli(['validate', '--deep', '--json'], { cwd: project, env: { AIBACKEND_LITELLM: bin }, timeout: gatewayMs(1) });
    expect(bad.exitCode).toBe(1);
    const report = JSON.parse(bad.stdout);
    expect(report.deep).toMatchObject({ ran: true, ok: false });
    expect(report.diagnostics.find((d: { code: string }) => d.code === 'litellm-refused')).toMatchObject({
      severity: 'error',
      file: 'config/gateway.yaml',
      message: expect.stringContaining('config validation failed'),
    });
  });
});

describe.skipIf(!bin)('validate --deep on an untrusted pull request (issue 20)', { timeout: GATEWAY_TEST_MS }, () => {
  test("the real LiteLLM loads the candidate without importing the repository's callback module", async () => {
    const { project, config } = makeProject();
    const marker = path.join(makeProject().project, 'imported');
    // What LiteLLM would import from the config's directory: it records that it ran, and what it saw.
    writeFileSync(
      path.join(config, 'custom_callbacks.py'),
      `import os\nopen(${JSON.stringify(marker)}, 'w').write(repr(sorted(os.environ)))\nhandler = None\n`,
    );
    writeFileSync(
      path.join(config, 'gateway.yaml'),
      `${readFileSync(path.join(config, 'gateway.yaml'), 'utf8')}passthrough:\n  litellm_settings:\n    callbacks: ["custom_callbacks.handler"]\n  general_settings:\n    custom_key_generate: custom_callbacks.handler\n`,
    );
    const r = await runCli(['validate', '--deep', '--json'], {
      cwd: project,
      env: { AIBACKEND_LITELLM: bin, AWS_SECRET_ACCESS_KEY: 'runner-secret-value' },
      timeout: gatewayMs(1),
    });
    const report = JSON.parse(r.stdout);
    expect(report.deep).toMatchObject({
      ran: true,
      ok: true,
      litellm: bin,
      removed: ['litellm_settings.callbacks.0', 'general_settings.custom_key_generate'],
    });
    expect(report.diagnostics.filter((d: { code: string }) => d.code === 'passthrough-loads-code')).toHaveLength(2);
    expect(existsSync(marker), 'the callback module was imported').toBe(false);
    expect(r.exitCode).toBe(0);
  });
});

describe.skipIf(!bin)('passthrough overrides aibackend refuses, served by the real proxy', { timeout: GATEWAY_TEST_MS }, () => {
  test('model_group_alias serves names aibackend does not know; fallbacks replaced drop the compiled ones; all three overrides are refused at their keys', async () => {
    const { startFakeLLM } = await import('../helpers/fake-llm.js');
    const { freePort, MASTER_KEY } = await import('../helpers/gateway.js');
    const ollama = await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b']);
    const vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ']);
    const { project, config } = makeProject({
      'providers.yaml': readFileSync(path.join(ROOT, 'tests/fixtures/base/providers.yaml'), 'utf8')
        .replace('http://127.0.0.1:11434', ollama.url)
        .replace('http://127.0.0.1:8001/v1', vllm.url),
      'ports.yaml': null,
    });
    const compiled = (await runCli(['generate', '--stdout'], { cwd: project })).stdout;
    expect(compiled).toContain('- qwen-coder-vllm:');
    // What passthrough would have made of it, had aibackend not refused: written by hand here.
    const handMade = compiled
      .replace(/  fallbacks:\n(    .*\n|  - .*\n)+/, '  fallbacks:\n    - coder: [llama3.1:8b]\n')
      .replace('router_settings:\n', 'router_settings:\n  model_group_alias: { gpt-4: qwen-coder-vllm }\n');
    const file = path.join(tempDir(), 'hand-made.yaml');
    writeFileSync(file, handMade);
    const port = await freePort();
    const proxy = execa(bin!, ['--config', file, '--host', '127.0.0.1', '--port', String(port)], {
      reject: false,
      all: true,
      env: { LITELLM_LOCAL_MODEL_COST_MAP: 'True', LITELLM_MASTER_KEY: MASTER_KEY },
    });
    try {
      const auth = { authorization: `Bearer ${MASTER_KEY}` };
      let models: string[] = [];
      for (let i = 0; i < 600 && models.length === 0; i++) {
        try {
          const r = await fetch(`http://127.0.0.1:${port}/v1/models`, { headers: auth });
          if (r.ok) models = ((await r.json()) as { data: { id: string }[] }).data.map((d) => d.id);
        } catch {
          // still booting
        }
        if (models.length === 0) await new Promise((r) => setTimeout(r, 200));
      }
      // model_group_alias: a served name that the sources (and so explain and reload's probe) do not
      // have; reload would see it as unexpected and roll back.
      expect(models).toContain('gpt-4');
      expect(compiled).not.toContain('gpt-4');
      // fallbacks replaced: with vLLM failing, coder is answered by the fallback written by hand, but
      // qwen-coder-vllm, whose compiled fallback (qwen2.5-coder:7b) the replacement dropped, fails.
      vllm.failing = true;
      const ask = (model: string) =>
        fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
        });
      expect((await ask('coder')).status).toBe(200);
      expect((await ask('qwen-coder-vllm')).status).not.toBe(200);
    } finally {
      proxy.kill('SIGKILL');
      await proxy.catch(() => undefined);
      await Promise.all([ollama.close(), vllm.close()]);
    }
    // aibackend refuses all three, each at its key.
    writeFileSync(
      path.join(config, 'gateway.yaml'),
      `${readFileSync(path.join(config, 'gateway.yaml'), 'utf8')}cache:\n  enabled: true\npassthrough:\n  litellm_settings:\n    cache_params: { ttl: 60 }\n  router_settings:\n    fallbacks: [{ coder: [llama3.1:8b] }]\n    model_group_alias: { gpt-4: qwen-coder-vllm }\n`,
    );
    const v = JSON.parse((await runCli(['validate', '--json'], { cwd: project })).stdout);
    expect(v.diagnostics.filter((d: { code: string }) => d.code === 'passthrough-override').map((d: { line: number }) => d.line)).toEqual([
      10, 12, 13,
    ]);
  });
});
