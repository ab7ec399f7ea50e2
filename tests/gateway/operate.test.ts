// try, verify, stats, logs and cache against the real LiteLLM gateway (process runtime, metrics
// and the Redis cache on, LITELLM_LOG=INFO), fake providers that record what they receive, and a
// real redis-server.
import { execa, type ResultPromise } from 'execa';
import { createClient } from '@redis/client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
  freePort,
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  hasRedis,
  makeGatewayProject,
  requireLitellm,
  stopGateway,
  type GatewayProject,
} from '../helpers/gateway.js';
import { expectSchema, jsonOf } from '../helpers/schemas.js';

const bin = requireLitellm();
const redis = hasRedis();
const NAMES = ['coder', 'llama2-13b', 'llama3.1:8b', 'qwen-coder-vllm', 'qwen2.5-coder:7b'];

describe.skipIf(!bin || !redis)('operating the live stack: try, verify, stats, logs, cache', { timeout: GATEWAY_TEST_MS }, () => {
  let ollama: FakeServer, llamaA: FakeServer, llamaB: FakeServer, vllm: FakeServer;
  let gw: GatewayProject;
  let redisPort: number;
  let redisProc: ResultPromise;
  const cli = (...args: string[]) => runCli(args, { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
  const json = (schema: string, ...args: string[]) => jsonOf(cli, schema, ...args);

  beforeAll(async () => {
    ollama = await startFakeLLM('ollama', ['llama3.1:8b', 'qwen2.5-coder:7b'], 'ollama');
    llamaA = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-native');
    llamaB = await startFakeLLM('openai', ['llama-2-13b-chat'], 'llama-python');
    vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'], 'vllm');
    redisPort = Number(process.env.AIBACKEND_TEST_REDIS_PORT ?? 0) || (await freePort());
    if (!process.env.AIBACKEND_TEST_REDIS_PORT)
      redisProc = execa('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
        reject: false,
      });
    const extra = `metrics:\n  prometheus: true\ncache:\n  enabled: true\n  host: 127.0.0.1\n  port: ${redisPort}\n  namespace: aibackend-operate\n  ttl_s: 300\n`;
    gw = await makeGatewayProject({ bin: bin!, ollama, llamaA, llamaB, vllm, gatewayExtra: extra });
    const g = (await import('node:fs')).readFileSync(`${gw.config}/gateway.yaml`, 'utf8');
    gw.write({
      'gateway.yaml': g.replace(
        '    LITELLM_LOCAL_MODEL_COST_MAP: "True"\n',
        '    LITELLM_LOCAL_MODEL_COST_MAP: "True"\n    LITELLM_LOG: INFO\n',
      ),
    });
    const r = await cli('reload', '--yes');
    expect(r.exitCode, r.stderr).toBe(0);
  }, GATEWAY_TEST_MS);

  afterAll(async () => {
    if (gw) stopGateway(gw.project);
    redisProc?.kill('SIGKILL');
    await redisProc?.catch(() => undefined);
    await Promise.all([ollama, llamaA, llamaB, vllm].map((s) => s?.close()));
    cleanupTempDirs();
  });

  test('verify passes: every name answered by its own routes, both routes of the load-balanced name reached', async () => {
    const { code, out } = await json('verify', 'verify', '--requests', '16');
    expect(out.names.map((n: { name: string }) => n.name)).toEqual(NAMES);
    expect(out.findings, JSON.stringify(out, null, 2)).toBe(0);
    expect(code).toBe(0);
    const lb = out.names.find((n: { name: string }) => n.name === 'llama2-13b');
    expect(lb.requests).toBe(16);
    expect(Object.keys(lb.reached).sort()).toEqual(['llama_cpp_native/llama-2-13b-chat', 'llama_cpp_python/llama-2-13b-chat']);
    expect(out.names.find((n: { name: string }) => n.name === 'coder').reached).toEqual({ 'vllm/Qwen/Qwen2.5-Coder-7B-Instruct-AWQ': 1 });
    // and the providers really received what verify says answered, each with a small max_tokens:
    // verify asks who answers, not what
    expect(llamaA.chats().length + llamaB.chats().length).toBe(16);
    const bodies = [...llamaA.requests, ...llamaB.requests]
      .filter((r) => /chat/.test(r.path))
      .map((r) => r.body as { max_tokens?: number });
    expect(bodies.every((b) => b.max_tokens === 16)).toBe(true);
  });

  test('try names the provider, backend model and route, times and the call id; logs --call-id finds its lines', async () => {
    const { code, out } = await json('try', 'try', 'qwen-coder-vllm', '--prompt', 'hello there');
    expect(code).toBe(0);
    expect(out).toMatchObject({
      ok: true,
      via: 'route',
      answered_by: { provider: 'vllm', backend_model: 'Qwen/Qwen2.5-Coder-7B-Instruct-AWQ', model_group: 'qwen-coder-vllm' },
      attempted_fallbacks: 0,
      cache_hit: false,
    });
    expect(out.tokens.total).toBe(8);
    expect(out.timings.overhead_ms).toBeGreaterThan(0);
    expect(vllm.chats().at(-1)!.model).toBe('Qwen/Qwen2.5-Coder-7B-Instruct-AWQ');
    // bounded by default (a real server would otherwise generate until its context is full), or as --max-tokens says
    expect((vllm.requests.at(-1)!.body as { max_tokens?: number }).max_tokens).toBe(256);
    expect((await cli('try', 'qwen-coder-vllm', '--max-tokens', '7')).exitCode).toBe(0);
    expect((vllm.requests.at(-1)!.body as { max_tokens?: number }).max_tokens).toBe(7);
    const streamed = await json('try', 'try', 'qwen-coder-vllm', '--stream', '--prompt', 'stream me');
    expect(streamed.out.timings.ttft_ms).toBeGreaterThan(0);
    expect(streamed.out.reply).toBe('hello from vllm Qwen/Qwen2.5-Coder-7B-Instruct-AWQ');
    const text = await cli('try', 'qwen-coder-vllm');
    expect(text.stdout).toMatch(
      /answered by vllm \(Qwen\/Qwen2\.5-Coder-7B-Instruct-AWQ\) at http:\/\/127\.0\.0\.1:\d+\/v1, a route of qwen-coder-vllm/,
    );
    // the log lines of that one request
    const id = out.call_id as string;
    let lines: { trace_id: string | null; message: string }[] = [];
    for (let i = 0; i < 20 && lines.length === 0; i++) {
      lines = (await json('logs', 'logs', '--call-id', id)).out.lines;
      if (lines.length === 0) await new Promise((r) => setTimeout(r, 250));
    }
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.trace_id === id || l.message.includes(id))).toBe(true);
    const other = (await json('logs', 'logs', '--call-id', streamed.out.call_id)).out.lines as { trace_id: string | null }[];
    expect(other.some((l) => l.trace_id === id)).toBe(false);
    const unknown = await cli('try', 'qwen-coder');
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/did you mean 'qwen-coder-vllm'/);
  });

  test('stats counts exactly the requests sent between its two reads', async () => {
    const stats = cli('stats', '--json', '--interval', '8');
    await new Promise((r) => setTimeout(r, 2000));
    for (let i = 0; i < 5; i++) expect((await cli('try', 'qwen2.5-coder:7b', '--prompt', `stats ${i}`)).exitCode).toBe(0);
    const r = await stats;
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expectSchema('stats', out);
    const row = out.names.find((n: { name: string }) => n.name === 'qwen2.5-coder:7b');
    expect(row).toMatchObject({ requests: 5, errors: 0, error_rate: 0 });
    expect(row.latency_p95_s).toBeGreaterThan(0);
    expect(out.names.find((n: { name: string }) => n.name === 'llama2-13b').requests).toBe(0);
    // every deployment that served is mapped back to its provider id, once
    const deps = out.deployments.map((d: { provider: string | null; model: string }) => `${d.provider} ${d.model}`);
    expect(deps).toEqual([...new Set(deps)]);
    expect(deps).toEqual(
      expect.arrayContaining([
        'ollama qwen2.5-coder:7b',
        'vllm Qwen/Qwen2.5-Coder-7B-Instruct-AWQ',
        'llama_cpp_native llama-2-13b-chat',
        'llama_cpp_python llama-2-13b-chat',
      ]),
    );
    expect(out.deployments.every((d: { provider: string | null; state: string }) => d.provider !== null && d.state === 'healthy')).toBe(
      true,
    );
  });

  test("cache: a repeated request is a hit; flush removes the namespace's keys and leaves others", async () => {
    const first = await json('try', 'try', 'llama3.1:8b', '--prompt', 'cache me');
    const again = await json('try', 'try', 'llama3.1:8b', '--prompt', 'cache me');
    expect(first.out.cache_hit).toBe(false);
    expect(again.out.cache_hit).toBe(true);
    const stats = await json('cache-stats', 'cache', 'stats');
    expect(stats.out.keys).toBeGreaterThan(0);
    expect(stats.out.namespace).toBe('aibackend-operate');
    expect(stats.out.gateway).not.toBeNull();
    const keys = await json('cache-keys', 'cache', 'keys', '--limit', '2');
    expect(keys.out.keys.length).toBeLessThanOrEqual(2);
    expect(keys.out.keys.every((k: { key: string }) => /^aibackend-operate:[0-9a-f]{64}$/.test(k.key))).toBe(true);

    const client = createClient({ socket: { host: '127.0.0.1', port: redisPort } });
    await client.connect();
    try {
      await client.set('not-the-cache:keep-me', '1');
      await client.set('aibackend-operatex', '1'); // shares the prefix but not the namespace separator
      await client.set('aibackend-operate:{user:default_user_id}:tokens', '7'); // router state in the namespace
      const refused = await cli('cache', 'flush');
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toMatch(/pass --yes/);
      const dry = await json('cache-flush', 'cache', 'flush', '--dry-run');
      expect(dry.out).toMatchObject({ keys: stats.out.keys, deleted: 0, dry_run: true });
      const flushed = await json('cache-flush', 'cache', 'flush', '--yes');
      expect(flushed.out).toMatchObject({ keys: stats.out.keys, deleted: stats.out.keys });
      expect(await client.get('not-the-cache:keep-me')).toBe('1');
      expect(await client.get('aibackend-operatex')).toBe('1');
      expect(await client.get('aibackend-operate:{user:default_user_id}:tokens')).toBe('7');
      expect((await json('cache-stats', 'cache', 'stats')).out.keys).toBe(0);
    } finally {
      client.destroy();
    }
  });

  test("try reports a fallback when the primary provider is down; verify fails when a route's provider serves under another name", async () => {
    vllm.failing = true;
    try {
      const { code, out } = await json('try', 'try', 'qwen-coder-vllm', '--prompt', 'fallback please');
      expect(code).toBe(1);
      expect(out).toMatchObject({
        ok: true,
        via: 'fallback',
        answered_by: { provider: 'ollama', backend_model: 'qwen2.5-coder:7b', model_group: 'qwen2.5-coder:7b' },
      });
      expect(out.attempted_fallbacks).toBeGreaterThan(0);
    } finally {
      vllm.failing = false;
    }
    llamaB.strict = true;
    llamaB.models.splice(0, llamaB.models.length, 'llama-2-13b-chat-q4');
    try {
      const { code, out } = await json('verify', 'verify', '--requests', '8');
      expect(code).toBe(1);
      const lb = out.names.find((n: { name: string }) => n.name === 'llama2-13b');
      expect(lb.findings.length).toBeGreaterThan(0);
      expect(lb.reached['llama_cpp_python/llama-2-13b-chat']).toBeUndefined();
    } finally {
      llamaB.strict = false;
      llamaB.models.splice(0, llamaB.models.length, 'llama-2-13b-chat');
    }
  });

  test('a wrong master key and a gateway that is down are clear errors', async () => {
    const wrong = await runCli(['try', 'llama3.1:8b', '--json'], {
      cwd: gw.project,
      env: { LITELLM_MASTER_KEY: 'sk-wrong-0000000000000000' },
    });
    expect(wrong.exitCode).toBe(1);
    expect(JSON.parse(wrong.stdout).error.message).toMatch(/refused the master key \(HTTP 40[013]/);
    expect(wrong.stdout + wrong.stderr).not.toContain('sk-wrong');
    stopGateway(gw.project);
    await new Promise((r) => setTimeout(r, 500));
    const down = await cli('stats', '--interval', '1');
    expect(down.exitCode).toBe(1);
    expect(down.stderr).toMatch(/cannot be reached \(ECONNREFUSED\)/);
  });
});
