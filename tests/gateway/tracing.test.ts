// Requests traced end to end: the real LiteLLM (process runtime) with `tracing:` on exports its
// spans over OTLP/HTTP to a real Jaeger (built from the pinned Go module by scripts/setup-jaeger.sh,
// run on the generated monitoring/jaeger.yml); `aibackend trace`, `requests` and `requests
// --summary` read them back. Requests come from a plain HTTP client with its own call id, as an
// application's would, never from `aibackend try`.
import { execa, type ResultPromise } from 'execa';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BIN, runCli } from '../helpers/cli.js';
import type { FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  makeGatewayProject,
  MASTER_KEY,
  requireLitellm,
  gatewayPid,
  startFakes,
  stopGateway,
  type GatewayProject,
  waitFor,
} from '../helpers/gateway.js';
import { jsonOf } from '../helpers/schemas.js';
import { findTool, requireTool } from '../helpers/tools.js';

const bin = requireLitellm();
const jaegerBin =
  process.env.AIBACKEND_JAEGER && existsSync(process.env.AIBACKEND_JAEGER)
    ? process.env.AIBACKEND_JAEGER
    : (findTool('jaeger') ??
      requireTool('jaeger', 'bash scripts/setup-jaeger.sh, then AIBACKEND_JAEGER=<the path it prints>', Boolean(bin)));

async function send(url: string, model: string, callId: string, extra: Record<string, unknown> = {}): Promise<Response> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json', 'x-litellm-call-id': callId },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: `hello ${callId}` }], ...extra }),
  });
  await res.text();
  return res;
}

describe.skipIf(!bin || !jaegerBin)('requests traced through the real gateway into Jaeger', { timeout: GATEWAY_TEST_MS }, () => {
  let fakes: { ollama: FakeServer; llamaA: FakeServer; llamaB: FakeServer; vllm: FakeServer };
  let gw: GatewayProject;
  let jaeger: ResultPromise | undefined;
  let queryUrl: string;
  const cli = (...args: string[]) => runCli(args, { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
  const json = (schema: string, ...args: string[]) => jsonOf(cli, schema, ...args);
  /** The trace of a call id, once its spans have all arrived. */
  const traced = (callId: string, attempts = 1) =>
    waitFor(
      `the trace of ${callId}`,
      async () => {
        const r = await json('trace', 'trace', callId);
        return r.code === 0 && r.out.request.attempts.length >= attempts ? r.out : undefined;
      },
      30_000,
    );

  beforeAll(async () => {
    fakes = await startFakes();
    const [otlp, query] = [await freePort(), await freePort()];
    queryUrl = `http://127.0.0.1:${query}`;
    const extra = `router:\n  num_retries: 0\n  allowed_fails: 100\ntracing:\n  enabled: true\n  endpoint: http://127.0.0.1:${otlp}\n  query_url: ${queryUrl}\n  max_traces: 5000\n`;
    gw = await makeGatewayProject({ bin: bin!, ...fakes, gatewayExtra: extra });
    // INFO: LiteLLM's lines about each request, each with its trace id (`logs --call-id`).
    const g0 = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    gw.write({
      'gateway.yaml': g0.replace(
        '    LITELLM_LOCAL_MODEL_COST_MAP: "True"\n',
        '    LITELLM_LOCAL_MODEL_COST_MAP: "True"\n    LITELLM_LOG: INFO\n',
      ),
    });
    // The trace backend first, on the config generate compiles, so that no span is lost.
    const g = await cli('generate');
    expect(g.exitCode, g.stderr).toBe(0);
    const config = path.join(gw.project, 'monitoring', 'jaeger.yml');
    expect(existsSync(config)).toBe(true);
    jaeger = execa(jaegerBin!, ['--config', config], { reject: false });
    await waitFor('Jaeger to answer', async () => ((await fetch(`${queryUrl}/api/services`)).ok ? true : undefined), 30_000);
    const r = await cli('reload', '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) stopGateway(gw.project);
    jaeger?.kill('SIGKILL');
    await jaeger?.catch(() => undefined);
    await Promise.all(Object.values(fakes ?? {}).map((s) => s.close()));
    cleanupTempDirs();
  });

  test("an application's request, sent with its own call id, is found by `trace` with the deployment that answered", async () => {
    const res = await send(gw.url, 'qwen-coder-vllm', 'app-call-0001');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-litellm-call-id')).toBe('app-call-0001');
    const out = await traced('app-call-0001');
    const r = out.request;
    expect(r).toMatchObject({
      call_id: 'app-call-0001',
      public_name: 'qwen-coder-vllm',
      status: 200,
      ok: true,
      retries: 0,
      fallbacks: [],
      answered_by: { provider: 'vllm', backend_model: 'Qwen/Qwen2.5-Coder-7B-Instruct-AWQ', model_group: 'qwen-coder-vllm' },
      tokens: { prompt: 3, completion: 5, total: 8 },
    });
    expect(r.attempts).toHaveLength(1);
    expect(r.provider_calls).toBe(1);
    expect(out.source).toMatchObject({ backend: 'jaeger', url: queryUrl, service: 'litellm' });
    // The human view tells the same story.
    const text = await cli('trace', 'app-call-0001');
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/qwen-coder-vllm: HTTP 200/);
    expect(text.stdout).toMatch(/answered by vllm \(Qwen\/Qwen2\.5-Coder-7B-Instruct-AWQ\)/);
    expect(text.stdout).toMatch(/source: Jaeger at/);
    // The trace id finds it too; an unknown id is exit 1 with the reasons.
    expect((await json('trace', 'trace', r.trace_id)).out.request.call_id).toBe('app-call-0001');
    // The gateway's own log lines of that request: they carry its trace id, which the call id leads to.
    const logs = await json('logs', 'logs', '--call-id', 'app-call-0001');
    expect(logs.out.lines.length).toBeGreaterThan(0);
    expect(logs.out.lines.every((l: { trace_id: string }) => l.trace_id === r.trace_id)).toBe(true);
    // An alias is recorded under the name the client sent, and --model finds it by that name.
    expect((await send(gw.url, 'coder', 'app-call-alias')).status).toBe(200);
    expect((await traced('app-call-alias')).request).toMatchObject({ public_name: 'coder', answered_by: { provider: 'vllm' } });
    const byAlias = await json('requests', 'requests', '--since', '5m', '--model', 'coder');
    expect(byAlias.out.records.map((x: { call_id: string }) => x.call_id)).toEqual(['app-call-alias']);
    const missing = await cli('trace', 'no-such-call-id', '--since', '10m');
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/has no request with call id or trace id 'no-such-call-id'/);
  });

  test('a request that fell back shows both attempts: the failed provider, then the fallback that answered', async () => {
    fakes.vllm.failing = true;
    try {
      const res = await send(gw.url, 'qwen-coder-vllm', 'app-call-fallback');
      expect(res.status).toBe(200);
    } finally {
      fakes.vllm.failing = false;
    }
    const r = (await traced('app-call-fallback', 2)).request;
    expect(r).toMatchObject({ public_name: 'qwen-coder-vllm', ok: true, fallbacks: ['qwen2.5-coder:7b'], retries: 0 });
    expect(r.attempts.map((a: { provider: string; ok: boolean; model_group: string }) => [a.model_group, a.provider, a.ok])).toEqual([
      ['qwen-coder-vllm', 'vllm', false],
      ['qwen2.5-coder:7b', 'ollama', true],
    ]);
    expect(r.attempts[0]).toMatchObject({ status: 503, error: { type: 'ServiceUnavailableError' } });
    expect(r.provider_calls).toBe(2);
    expect(r.answered_by).toMatchObject({ provider: 'ollama', model_group: 'qwen2.5-coder:7b' });
    const text = await cli('trace', 'app-call-fallback');
    expect(text.stdout).toMatch(/1\. asked\s+qwen-coder-vllm → vllm/);
    expect(text.stdout).toMatch(/2\. fallback\s+qwen2\.5-coder:7b → ollama/);
  });

  test("the summary's counts equal what was sent: requests, errors, slow ones, per name and per provider", async () => {
    await new Promise((r) => setTimeout(r, 1500));
    const t0 = Date.now();
    // 4 good answers from Ollama, 3 failures of qwen2.5-coder:7b (Ollama answers 503; the name has
    // no fallback), 2 slow answers (Ollama waits 1.2 s), 1 unknown name.
    for (let i = 0; i < 4; i++) expect((await send(gw.url, 'llama3.1:8b', `sum-ok-${i}`)).status).toBe(200);
    fakes.ollama.failing = true;
    try {
      for (let i = 0; i < 3; i++) expect((await send(gw.url, 'qwen2.5-coder:7b', `sum-err-${i}`)).status).toBe(503);
    } finally {
      fakes.ollama.failing = false;
    }
    fakes.ollama.delayMs = 1200;
    try {
      for (let i = 0; i < 2; i++) expect((await send(gw.url, 'qwen2.5-coder:7b', `sum-slow-${i}`)).status).toBe(200);
    } finally {
      fakes.ollama.delayMs = 0;
    }
    expect((await send(gw.url, 'no-such-name', 'sum-unknown')).status).toBe(400);
    const since = () => `${((Date.now() - t0) / 1000 + 0.5).toFixed(1)}s`;
    const { out } = await waitFor(
      'all ten requests in the trace backend',
      async () => {
        const r = await json('requests-summary', 'requests', '--summary', '--since', since(), '--slow', '1s');
        return r.out.summary.requests === 10 ? r : undefined;
      },
      30_000,
    );
    const s = out.summary;
    expect(s).toMatchObject({ requests: 10, errors: 4, error_rate: 0.4, slow_ms: 1000, retries: 0, fallbacks: {} });
    expect(s.slow.map((x: { call_id: string }) => x.call_id).sort()).toEqual(['sum-slow-0', 'sum-slow-1']);
    expect(s.names['llama3.1:8b']).toMatchObject({ requests: 4, errors: 0, slow: 0, tokens: { prompt: 12, completion: 20, total: 32 } });
    expect(s.names['qwen2.5-coder:7b']).toMatchObject({ requests: 5, errors: 3, error_rate: 0.6, slow: 2 });
    expect(s.names['qwen2.5-coder:7b'].max_ms).toBeGreaterThanOrEqual(1200);
    expect(s.names['no-such-name']).toMatchObject({ requests: 1, errors: 1 });
    expect(s.providers.ollama).toMatchObject({ attempts: 9, errors: 3, error_kinds: { ServiceUnavailableError: 3 } });
    expect(Object.keys(s.providers).sort()).toEqual(['(no provider)', 'ollama']);
    // The records: --errors and --model filter them; each names its call id and provider.
    const errors = await json('requests', 'requests', '--since', since(), '--errors');
    expect(errors.out.records.map((r: { call_id: string }) => r.call_id).sort()).toEqual([
      'sum-err-0',
      'sum-err-1',
      'sum-err-2',
      'sum-unknown',
    ]);
    const slow = await json('requests', 'requests', '--since', since(), '--slow', '1s');
    expect(slow.out.records.map((r: { call_id: string }) => r.call_id)).toEqual(['sum-slow-0', 'sum-slow-1']);
    const one = await json('requests', 'requests', '--since', since(), '--model', 'llama3.1:8b');
    expect(one.out.records).toHaveLength(4);
    expect(one.out.records.every((r: { answered_by: { provider: string } }) => r.answered_by.provider === 'ollama')).toBe(true);
    const text = await cli('requests', '--summary', '--since', since(), '--slow', '1s');
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/10 request\(s\), 4 failed \(40\.0%\), 2 slower than 1000 ms/);
  });

  test('--follow prints a request as it ends, once', async () => {
    const follow = execa(process.execPath, [BIN, 'requests', '--follow', '--json', '--since', '1s'], {
      cwd: gw.project,
      env: { ...GATEWAY_ENV, NO_COLOR: '1' },
      reject: false,
    });
    const lines: string[] = [];
    follow.stdout!.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    try {
      await new Promise((r) => setTimeout(r, 2500));
      expect((await send(gw.url, 'llama3.1:8b', 'follow-1')).status).toBe(200);
      await waitFor('the followed record', async () => (lines.some((l) => l.includes('"follow-1"')) ? true : undefined), 20_000);
      await new Promise((r) => setTimeout(r, 4500));
      expect(lines.filter((l) => l.includes('"follow-1"'))).toHaveLength(1);
      expect(JSON.parse(lines.find((l) => l.includes('"follow-1"'))!)).toMatchObject({
        call_id: 'follow-1',
        public_name: 'llama3.1:8b',
        ok: true,
      });
    } finally {
      follow.kill('SIGTERM');
      await follow;
    }
  });

  test('status reports the trace backend; once it is gone, status, requests and trace say so with exit 1', async () => {
    const up = await json('status', 'status');
    expect(up.out.tracing).toEqual({ query_url: queryUrl, up: true, has_gateway_spans: true, ok: true });
    jaeger?.kill('SIGKILL');
    await jaeger?.catch(() => undefined);
    jaeger = undefined;
    const down = await json('status', 'status');
    expect(down.code).toBe(1);
    expect(down.out.tracing).toMatchObject({ up: false, ok: false });
    for (const args of [['requests'], ['requests', '--summary'], ['trace', 'app-call-0001']]) {
      const r = await cli(...args);
      expect(r.exitCode, args.join(' ')).toBe(1);
      expect(r.stderr).toMatch(/the trace backend at http:\/\/127\.0\.0\.1:\d+ does not answer .*is Jaeger running\?/);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    }
  });

  test("a change to the process runtime's env restarts the gateway with it, instead of 'only the header differs'", async () => {
    // The walk-through's fix (docs/tracing.md): a variable added to runtime.env must reach the gateway.
    const before = gatewayPid(gw.project)!;
    const g = readFileSync(path.join(gw.config, 'gateway.yaml'), 'utf8');
    gw.write({ 'gateway.yaml': g.replace('    LITELLM_LOG: INFO\n', '    LITELLM_LOG: INFO\n    AIBACKEND_TEST_MARKER: "walkthrough"\n') });
    const plan = await cli('reload', '--dry-run');
    expect(plan.stdout).toMatch(
      /the gateway's environment changed since the last applied reload: AIBACKEND_TEST_MARKER \(unset -> [0-9a-f]{10}\)/,
    );
    const r = await json('reload', 'reload', '--yes');
    expect(r.code, r.stderr).toBe(0);
    expect(r.out.status).toBe('applied');
    expect(r.out.secrets_changed).toEqual([
      { name: 'AIBACKEND_TEST_MARKER', before: 'unset', after: expect.stringMatching(/^[0-9a-f]{10}$/) },
    ]);
    const after = gatewayPid(gw.project)!;
    expect(after).not.toBe(before);
    expect(readFileSync(`/proc/${after}/environ`, 'utf8').split('\0')).toContain('AIBACKEND_TEST_MARKER=walkthrough');
    // and once applied, the same file is unchanged again
    expect((await json('reload', 'reload', '--yes')).out.status).toBe('unchanged');
  });
});
