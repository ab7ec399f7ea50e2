// Real inference servers behind the real gateway, serving a tiny random-weight model: llama.cpp's
// native llama-server and llama-cpp-python's server (scripts/setup-llama-cpp.sh, from the pinned
// sdist) as the example registry's llama_cpp_native and llama_cpp_python, a third llama-server with
// --embeddings, and Ollama (scripts/setup-ollama.sh, from the pinned Go module) with the model
// created under the example's names. Their answers are real generation: real /v1/models and
// /api/tags, real streams with real token timings, real /metrics. vLLM needs a GPU and stays a fake
// (docs/real-servers.md lists what the fakes copy and where they differ).
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { startFakeLLM, type FakeServer } from '../helpers/fake-llm.js';
import { cleanupTempDirs } from '../helpers/fixtures.js';
import {
  GATEWAY_ENV,
  GATEWAY_TEST_MS,
  gatewayMs,
  makeGatewayProject,
  MASTER_KEY,
  requireLitellm,
  stopGateway,
  type GatewayProject,
} from '../helpers/gateway.js';
import { requireLlamaCpp, requireOllama, serve, serveOllama, type RealOllama, type RealServer } from '../helpers/real-servers.js';
import { jsonOf } from '../helpers/schemas.js';

const bin = requireLitellm();
const lc = requireLlamaCpp(Boolean(bin));
const ollamaBuild = requireOllama(Boolean(bin));
const MODEL = 'llama-2-13b-chat';

function registry(
  s: { ollama: RealOllama; vllm: FakeServer; native: RealServer; python: RealServer; embed: RealServer },
  nativeModel = MODEL,
) {
  return `version: 1
providers:
  ollama:
    type: ollama
    base_url: ${s.ollama.url}
    models:
      - name: llama3.1:8b
      - name: nomic-embed-text
        mode: embedding
  llama_cpp_native:
    type: llama_cpp
    base_url: ${s.native.url}
    metrics: /metrics
    models:
      - name: ${nativeModel}
        context_window: 512
  llama_cpp_python:
    type: llama_cpp
    base_url: ${s.python.url}
    models:
      - name: ${MODEL}
        context_window: 512
  llama_cpp_embed:
    type: llama_cpp
    base_url: ${s.embed.url}
    models:
      - name: tiny-embed
        mode: embedding
  vllm:
    type: vllm
    base_url: ${s.vllm.url}
    models:
      - name: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ
`;
}

// The example's routing for llama2-13b: 3 to the native server for 1 to the Python one, falling
// back to Ollama. tiny-native reaches the native server alone, so its own counters can be compared.
const MAPPINGS = `version: 1
models:
  llama2-13b:
    routes:
      - { provider: llama_cpp_native, model: ${MODEL}, weight: 3 }
      - { provider: llama_cpp_python, model: ${MODEL}, weight: 1 }
    fallbacks: [llama3.1:8b]
  tiny-native:
    routes:
      - { provider: llama_cpp_native, model: ${MODEL} }
  tiny-python:
    routes:
      - { provider: llama_cpp_python, model: ${MODEL} }
  tiny-embed:
    routes:
      - provider: llama_cpp_embed
  llama3.1:8b:
    routes:
      - provider: ollama
  nomic-embed-text:
    routes:
      - provider: ollama
  qwen-coder-vllm:
    routes:
      - provider: vllm
        model: Qwen/Qwen2.5-Coder-7B-Instruct-AWQ
`;

/** A counter of llama-server's own /metrics. */
async function counter(server: RealServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.root}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in ${server.root}/metrics`);
  return Number(line.split(' ')[1]);
}

describe.skipIf(!bin || !lc || !ollamaBuild)(
  'real inference servers (llama-server, llama-cpp-python, Ollama) behind the real gateway',
  { timeout: GATEWAY_TEST_MS },
  () => {
    let ollama: RealOllama, vllm: FakeServer;
    let native: RealServer, python: RealServer, embed: RealServer;
    let gw: GatewayProject;
    const cli = (...args: string[]) => runCli(args, { cwd: gw.project, env: GATEWAY_ENV, timeout: GATEWAY_TEST_MS });
    const json = (schema: string, ...args: string[]) => jsonOf(cli, schema, ...args);
    const servers = () => ({ ollama, vllm, native, python, embed });

    beforeAll(
      async () => {
        ollama = await serveOllama(ollamaBuild!, ['llama3.1:8b', 'nomic-embed-text']);
        vllm = await startFakeLLM('openai', ['Qwen/Qwen2.5-Coder-7B-Instruct-AWQ'], 'vllm');
        [native, python, embed] = await Promise.all([
          serve(lc!, 'llama-server', { alias: MODEL }),
          serve(lc!, 'llama-cpp-python', { alias: MODEL }),
          serve(lc!, 'llama-server', { alias: 'tiny-embed', embeddings: true }),
        ]);
        // A failed deployment sits out 5 s after its first failure, and a request is retried twice on
        // the group's other deployments first.
        const extra = 'router:\n  num_retries: 2\n  allowed_fails: 0\n  cooldown_s: 5\n';
        gw = await makeGatewayProject({ bin: bin!, ollama, llamaA: native, llamaB: python, vllm, gatewayExtra: extra });
        gw.rebase({ 'providers.yaml': registry(servers()), 'model-mappings.yaml': MAPPINGS });
        const r = await cli('reload', '--yes');
        expect(r.exitCode, r.stdout + r.stderr).toBe(0);
      },
      gatewayMs(2) + 120_000,
    );

    afterAll(async () => {
      if (gw) stopGateway(gw.project);
      await Promise.all([native, python, embed].map((s) => s?.stop()));
      await ollama?.stop();
      await vllm?.close();
      cleanupTempDirs();
    });

    test('status and discover read the real servers: /v1/models lists the alias each was started with', async () => {
      const { code, out } = await json('status', 'status');
      expect(code, JSON.stringify(out)).toBe(0);
      const byId = Object.fromEntries(out.providers.map((p: { id: string }) => [p.id, p]));
      for (const id of ['llama_cpp_native', 'llama_cpp_python']) {
        expect(byId[id], id).toMatchObject({ reachable: true, served: [MODEL], missing: [], unregistered: [] });
      }
      expect(byId.llama_cpp_embed).toMatchObject({ reachable: true, served: ['tiny-embed'], missing: [] });
      // Ollama's /api/tags lists the models `ollama create` made, the tagless one as name:latest.
      expect(byId.ollama).toMatchObject({
        reachable: true,
        served: ['llama3.1:8b', 'nomic-embed-text:latest'],
        missing: [],
        unregistered: [],
      });
      const d = await json('discover', 'discover');
      expect(d.out).toMatchObject({ additions: [], unreachable: [] });

      // A registry and a route that name a model the server does not serve: llama-server would still
      // answer chats for it (it serves its one model under any name), so only its model list tells.
      gw.write({
        'providers.yaml': registry(servers(), 'llama-2-13b-chat-q4'),
        'model-mappings.yaml': MAPPINGS.replace(
          `provider: llama_cpp_native, model: ${MODEL}, weight: 3`,
          'provider: llama_cpp_native, model: llama-2-13b-chat-q4, weight: 3',
        ),
      });
      try {
        const s = await json('status', 'status');
        expect(s.code).toBe(1);
        expect(s.out.providers.find((p: { id: string }) => p.id === 'llama_cpp_native')).toMatchObject({
          reachable: true,
          served: [MODEL],
          missing: ['llama-2-13b-chat-q4'],
          unregistered: [MODEL],
        });
        const dd = await json('discover', 'discover');
        expect(dd.out.additions).toEqual([{ provider: 'llama_cpp_native', models: [MODEL] }]);
        // …while the server itself answers a chat for the name it does not serve.
        const direct = await fetch(`${native.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: 'llama-2-13b-chat-q4', messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
        });
        expect(direct.status).toBe(200);
      } finally {
        gw.write({ 'providers.yaml': registry(servers()), 'model-mappings.yaml': MAPPINGS });
      }
    });

    test('verify: llama2-13b is balanced 3:1 across the native and the Python server, every answer real', async () => {
      const { code, out } = await json('verify', 'verify', '--requests', '48', '--no-mcp');
      expect(out.findings, JSON.stringify(out, null, 2)).toBe(0);
      expect(code).toBe(0);
      const lb = out.names.find((n: { name: string }) => n.name === 'llama2-13b');
      expect(lb.requests).toBe(48);
      const a = lb.reached[`llama_cpp_native/${MODEL}`] ?? 0;
      const b = lb.reached[`llama_cpp_python/${MODEL}`] ?? 0;
      expect(a + b).toBe(48);
      // Binomial(48, 0.75): 36 expected; outside [25, 46] about once in 10^4 runs.
      expect(a).toBeGreaterThanOrEqual(25);
      expect(a).toBeLessThanOrEqual(46);
      expect(b).toBeGreaterThanOrEqual(2);
    });

    test('try --stream: a real stream through the gateway, its first token timed, its tokens counted by the server', async () => {
      const before = await counter(native, 'llamacpp:tokens_predicted_total');
      const { code, out } = await json('try', 'try', 'tiny-native', '--stream', '--prompt', 'tell me a story');
      expect(code, JSON.stringify(out)).toBe(0);
      expect(out).toMatchObject({
        ok: true,
        stream: true,
        via: 'route',
        answered_by: { provider: 'llama_cpp_native', backend_model: MODEL },
      });
      expect(out.reply.length).toBeGreaterThan(0);
      expect(out.timings.ttft_ms).toBeGreaterThan(0);
      expect(out.timings.ttft_ms).toBeLessThanOrEqual(out.timings.total_ms);
      // The completion tokens the gateway reports are the tokens llama-server generated.
      expect(out.tokens.completion).toBeGreaterThan(0);
      expect((await counter(native, 'llamacpp:tokens_predicted_total')) - before).toBe(out.tokens.completion);
      // try's max_tokens bounds the real generation (the server runs with --ignore-eos).
      expect(out.tokens.completion).toBe(256);
      const py = await json('try', 'try', 'tiny-python', '--stream', '--max-tokens', '20', '--prompt', 'tell me a story');
      // llama-cpp-python sends no usage in a stream, even when asked: the tokens are LiteLLM's own
      // count of the text (docs/real-servers.md), present but not the server's.
      expect(py.out).toMatchObject({ ok: true, answered_by: { provider: 'llama_cpp_python' } });
      expect(py.out.tokens.completion).toBeGreaterThan(0);
      const text = await cli('try', 'llama2-13b', '--stream');
      expect(text.exitCode, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/answered by llama_cpp_(native|python) \(llama-2-13b-chat\)/);
    });

    test('bench --stream: TTFT and inter-token latency from real generation; the tokens it counts are the tokens llama-server generated', async () => {
      const before = await counter(native, 'llamacpp:tokens_predicted_total');
      const { code, out } = await json(
        'bench',
        'bench',
        'tiny-native',
        '--stream',
        '--max-tokens',
        '24',
        '--concurrency',
        '1,2',
        '--requests',
        '6',
      );
      expect(code, JSON.stringify(out)).toBe(0);
      const levels = out.names[0].levels as { concurrency: number; figures: Record<string, any> }[];
      expect(levels.map((l) => l.concurrency)).toEqual([1, 2]);
      let tokens = 0;
      for (const { figures: f } of levels) {
        expect(f).toMatchObject({ requests: 6, ok: 6, errors: 0, cached: 0 });
        expect(f.ttft_ms.p50).toBeGreaterThan(0);
        expect(f.ttft_ms.p50).toBeLessThan(f.e2e_ms.p50);
        // At about a millisecond a token, chunks often reach the client in one read and share a
        // timestamp (a gap of 0), so the median gap can be 0 (CI saw it). Their sum cannot: each
        // request's gaps add up to the time from its first to its last content chunk, within its
        // end-to-end time after the first token (24 tokens: at least 20 gaps a request).
        expect(f.itl_ms.mean).toBeGreaterThan(0);
        expect(f.ttft_ms.mean + 20 * f.itl_ms.mean).toBeLessThanOrEqual(f.e2e_ms.mean + 1);
        expect(f.output_tokens_per_s).toBeGreaterThan(0);
        tokens += f.output_tokens_per_s * (6 / f.requests_per_s);
      }
      // max_tokens 24 each (the server runs with --ignore-eos): 12 requests' worth.
      const generated = (await counter(native, 'llamacpp:tokens_predicted_total')) - before;
      expect(generated).toBe(12 * 24);
      expect(Math.abs(tokens - generated) / generated).toBeLessThan(0.05);
    });

    test('Ollama: a real stream of its own format (NDJSON) through LiteLLM, and real embeddings', async () => {
      const { code, out } = await json('try', 'try', 'llama3.1:8b', '--stream', '--prompt', 'hello ollama');
      expect(code, JSON.stringify(out)).toBe(0);
      expect(out).toMatchObject({
        ok: true,
        stream: true,
        via: 'route',
        answered_by: { provider: 'ollama', backend_model: 'llama3.1:8b' },
      });
      expect(out.reply.length).toBeGreaterThan(0);
      expect(out.timings.ttft_ms).toBeGreaterThan(0);
      expect(out.tokens.completion).toBeGreaterThan(0);
      const e = await json('try', 'try', 'nomic-embed-text', '--prompt', 'embed me');
      expect(e.code, JSON.stringify(e.out)).toBe(0);
      expect(e.out).toMatchObject({ ok: true, mode: 'embedding', answered_by: { provider: 'ollama', backend_model: 'nomic-embed-text' } });
    });

    test('embeddings: try embeds through the gateway on llama-server --embeddings, 64 dimensions as the model has', async () => {
      const { code, out } = await json('try', 'try', 'tiny-embed', '--prompt', 'embed me');
      expect(code, JSON.stringify(out)).toBe(0);
      expect(out).toMatchObject({ ok: true, mode: 'embedding', answered_by: { provider: 'llama_cpp_embed', backend_model: 'tiny-embed' } });
      const res = await fetch(`${gw.url}/v1/embeddings`, {
        method: 'POST',
        headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'tiny-embed', input: ['one', 'two'] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { embedding: number[] }[] };
      expect(body.data.map((d) => d.embedding.length)).toEqual([64, 64]);
    });

    test('a stopped server: its share goes to the other one; both stopped, the fallback on Ollama answers; restarted, both serve again', async () => {
      await native.stop();
      try {
        const { out } = await json('verify', 'verify', '--requests', '12', '--no-mcp');
        const lb = out.names.find((n: { name: string }) => n.name === 'llama2-13b');
        expect(lb.reached, JSON.stringify(lb)).toEqual({ [`llama_cpp_python/${MODEL}`]: 12 });
        await python.stop();
        const t = await json('try', 'try', 'llama2-13b', '--prompt', 'anyone there?');
        expect(t.out).toMatchObject({ ok: true, via: 'fallback', answered_by: { provider: 'ollama', backend_model: 'llama3.1:8b' } });
      } finally {
        await Promise.all([native.running() ? undefined : native.start(), python.running() ? undefined : python.start()]);
      }
      // Out of cooldown (5 s), both take traffic again.
      await new Promise((r) => setTimeout(r, 6000));
      const { code, out } = await json('verify', 'verify', '--requests', '24', '--no-mcp');
      expect(code, JSON.stringify(out)).toBe(0);
      const lb = out.names.find((n: { name: string }) => n.name === 'llama2-13b');
      expect(Object.keys(lb.reached).sort()).toEqual([`llama_cpp_native/${MODEL}`, `llama_cpp_python/${MODEL}`]);
    });
  },
);
