// Small inference servers on loopback that speak the Ollama and OpenAI APIs well enough for
// LiteLLM, and record every request they receive. LiteLLM itself is never faked.
//
// They stand in where a real server cannot be made to misbehave on cue (a 503, a stream that breaks
// off, a 40 s stream, a precise TTFT, a provider that fails every n-th request) and for vLLM, which
// needs a GPU; tests/gateway/real-servers.test.ts runs the real llama-server, llama-cpp-python and
// Ollama. What each part copies, checked against the real servers (docs/real-servers.md lists every
// difference found):
// - kind 'ollama': Ollama 0.17.4's /api/tags, /api/version, /api/show, /api/chat (NDJSON stream
//   unless "stream": false, as Ollama defaults), /api/embed; errors as {"error": "..."}, an unknown
//   model as 404 "model 'x' not found".
// - kind 'openai': vLLM 0.34's OpenAI server (read in its source): /v1/models, chat completions, SSE
//   streams with a role chunk first, a finish chunk, and the usage in a chunk of its own only when
//   stream_options.include_usage asks; an unknown model as vLLM's 404 NotFoundError (`strict`).
//   llama.cpp's servers differ: they answer any model name and never 404 on one.
// - metrics 'vllm' / 'llamacpp': metric names (and vLLM's model_name and engine labels) that
//   vLLM 0.34 and llama-server export; only a few of each.
// - `badRequest` is OpenAI's API answer to a max_tokens beyond the model; vLLM 0.34 and llama.cpp
//   clamp max_tokens to the context instead.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  model?: string;
  authorization?: string;
  body: unknown;
}

export interface FakeServer {
  kind: 'ollama' | 'openai';
  port: number;
  url: string;
  models: string[];
  requests: Recorded[];
  /** Chat requests only, as [path, model]. */
  chats(): { path: string; model: string }[];
  /** While true, chat and completion requests get HTTP 503 (the server is "down" for inference). */
  failing: boolean;
  /** While true, a request for a model not in `models` gets HTTP 404, as real servers answer. */
  strict: boolean;
  /** The HTTP status `failing` answers with (503 unless set). */
  failStatus: number;
  /** While above 0, chat answers (not streams) are sent this many ms late: a slow provider. */
  delayMs: number;
  /** Errors returned because of `failEvery`. */
  readonly errorsReturned: number;
  close(): Promise<void>;
}

export interface FakeOptions {
  /** Serve GET /metrics in the names that vLLM or llama.cpp's server export. */
  metrics?: 'vllm' | 'llamacpp';
  /** Delay between streamed chunks (OpenAI "stream": true), in ms. */
  chunkDelayMs?: number;
  /** Behave like an LLM: wait this long before the first token (streamed) or, plus the tokens' time, before answering. */
  ttftMs?: number;
  /** With ttftMs: this many tokens, one chunk each. */
  tokens?: number;
  /** Every n-th chat request gets HTTP 500 (counted in `errorsReturned`). */
  failEvery?: number;
  /** Streamed chat: send this many content chunks, then drop the connection (a provider that breaks off). */
  dropStreamAfter?: number;
  /** Every chat request gets HTTP 400 invalid_request_error about max_tokens, as OpenAI-compatible servers answer a bad parameter. */
  badRequest?: boolean;
  /** The address to listen on (default 127.0.0.1): the docker bridge's, for containers on an overlay network. */
  host?: string;
}

export async function startFakeLLM(
  kind: 'ollama' | 'openai',
  models: string[],
  name: string = kind,
  options: FakeOptions = {},
): Promise<FakeServer> {
  const requests: Recorded[] = [];
  const state = { failing: false, failStatus: 503, strict: false, errors: 0, chats: 0, delayMs: 0 };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      let body: unknown = undefined;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const model = (body as { model?: string } | undefined)?.model;
      const path = (req.url ?? '/').split('?')[0]!;
      requests.push({
        method: req.method ?? 'GET',
        path,
        ...(model ? { model } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body,
      });
      const sendNow = (status: number, payload: unknown) => {
        const text = JSON.stringify(payload);
        res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.end(text);
      };
      // A slow provider: chat answers (not streams) wait delayMs first.
      const send = (status: number, payload: unknown) =>
        state.delayMs > 0 && /chat|completions|generate/.test(path)
          ? void setTimeout(() => sendNow(status, payload), state.delayMs)
          : sendNow(status, payload);
      const reply = `hello from ${name} ${model ?? ''}`.trim();
      if (path === '/metrics' && options.metrics) {
        const text = metricsText(options.metrics, models, requests.filter((r) => /chat/.test(r.path)).length);
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4', 'content-length': Buffer.byteLength(text) });
        return res.end(text);
      }
      // Errors in each server's own shape: Ollama's is a string, the OpenAI servers' an object.
      const error = (message: string, type = 'server_error', code?: number) =>
        kind === 'ollama' ? { error: message } : { error: { message, type, param: null, code: code ?? null } };
      if (state.failing && /chat|generate|completions/.test(path)) return send(state.failStatus, error(`${name} is unavailable`));
      if (/chat|completions/.test(path) && req.method === 'POST') {
        state.chats++;
        if (options.badRequest) {
          state.errors++;
          return send(400, {
            error: {
              message: 'max_tokens is too large: 99999999. This model supports at most 4096 completion tokens',
              type: 'invalid_request_error',
              param: 'max_tokens',
              code: null,
            },
          });
        }
        if (options.dropStreamAfter !== undefined && (body as { stream?: boolean } | undefined)?.stream) {
          return void dropStream(res, model ?? '', options.dropStreamAfter);
        }
        if (options.failEvery && state.chats % options.failEvery === 0) {
          state.errors++;
          return send(500, error(`${name} was told to fail every ${options.failEvery}th request`));
        }
      }
      const llm =
        options.ttftMs !== undefined ? { ttft: options.ttftMs, itl: options.chunkDelayMs ?? 20, tokens: options.tokens ?? 16 } : undefined;
      const openaiChat = path === '/v1/chat/completions' || path === '/chat/completions';
      const withUsage = Boolean((body as { stream_options?: { include_usage?: boolean } } | undefined)?.stream_options?.include_usage);
      if (llm && openaiChat && (body as { stream?: boolean } | undefined)?.stream) {
        return void streamTokens(res, model ?? '', llm, withUsage);
      }
      if (llm && openaiChat) {
        return void setTimeout(
          () =>
            send(200, {
              id: 'chatcmpl-fake',
              object: 'chat.completion',
              created: 1_700_000_000,
              model,
              choices: [
                {
                  index: 0,
                  message: { role: 'assistant', content: Array.from({ length: llm.tokens }, (_, i) => `tok${i}`).join(' ') },
                  finish_reason: 'stop',
                },
              ],
              usage: { prompt_tokens: 3, completion_tokens: llm.tokens, total_tokens: 3 + llm.tokens },
            }),
          llm.ttft + (llm.tokens - 1) * llm.itl,
        );
      }
      // An unknown model, in Ollama's and in vLLM's words (llama.cpp's servers answer any name).
      if (state.strict && model && /chat|generate|completions|embed/.test(path) && !models.includes(model))
        return send(
          404,
          kind === 'ollama'
            ? error(`model '${model}' not found`)
            : error(`The model \`${model}\` does not exist. Valid aliases: ${models.join(', ')}.`, 'NotFoundError', 404),
        );
      if (kind === 'ollama' && !path.startsWith('/v1/')) {
        if (path === '/api/tags')
          return send(200, {
            models: models.map((m) => ({ name: m, model: m, modified_at: '2026-01-01T00:00:00Z', size: 1, digest: 'x', details: {} })),
          });
        if (path === '/api/version') return send(200, { version: '0.5.0' });
        if (path === '/api/show') return send(200, { modelfile: '', parameters: '', template: '', details: {}, model_info: {} });
        // Ollama streams unless the request says "stream": false: NDJSON, one object a word, then
        // the last one with done: true, the reason and the counts.
        if (path === '/api/chat' && (body as { stream?: boolean } | undefined)?.stream !== false) {
          return void ndjsonChat(res, model ?? '', reply, options.chunkDelayMs ?? 20);
        }
        if (path === '/api/chat') {
          return send(200, {
            model,
            created_at: '2026-01-01T00:00:00Z',
            message: { role: 'assistant', content: reply },
            done: true,
            done_reason: 'stop',
            prompt_eval_count: 3,
            eval_count: 5,
          });
        }
        if (path === '/api/generate')
          return send(200, { model, created_at: '2026-01-01T00:00:00Z', response: reply, done: true, prompt_eval_count: 3, eval_count: 5 });
        if (path === '/api/embed' || path === '/api/embeddings')
          return send(200, { model, embeddings: [[0.1, 0.2, 0.3]], embedding: [0.1, 0.2, 0.3] });
        return send(404, { error: `no route ${path}` });
      }
      if (path === '/v1/models' || path === '/models')
        return send(200, { object: 'list', data: models.map((m) => ({ id: m, object: 'model', created: 0, owned_by: name })) });
      if ((path === '/v1/chat/completions' || path === '/chat/completions') && (body as { stream?: boolean } | undefined)?.stream) {
        return void streamChat(res, model ?? '', reply, options.chunkDelayMs ?? 20, withUsage);
      }
      if (path === '/v1/chat/completions' || path === '/chat/completions') {
        return send(200, {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: 1_700_000_000,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
        });
      }
      if (path === '/v1/embeddings' || path === '/embeddings')
        return send(200, {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2, 0.3] }],
          model,
          usage: { prompt_tokens: 1, total_tokens: 1 },
        });
      return send(404, { error: { message: `no route ${path}` } });
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    get failing() {
      return state.failing;
    },
    set failing(v: boolean) {
      state.failing = v;
    },
    get strict() {
      return state.strict;
    },
    set strict(v: boolean) {
      state.strict = v;
    },
    get errorsReturned() {
      return state.errors;
    },
    get failStatus() {
      return state.failStatus;
    },
    set failStatus(v: number) {
      state.failStatus = v;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(v: number) {
      state.delayMs = v;
    },
    kind,
    port,
    url: kind === 'ollama' ? `http://${host}:${port}` : `http://${host}:${port}/v1`,
    models,
    requests,
    chats: () => requests.filter((r) => /chat/.test(r.path) && r.model).map((r) => ({ path: r.path, model: r.model! })),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

type ChunkOf = (delta: Record<string, unknown> | undefined, finish: string | null, extra?: Record<string, unknown>) => string;

function chunker(model: string): ChunkOf {
  return (delta, finish, extra = {}) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: delta ? [{ index: 0, delta, finish_reason: finish }] : [], ...extra })}\n\n`;
}

/**
 * The end of an OpenAI stream as vLLM and llama-server send it: the finish chunk (empty delta), then
 * the usage in a chunk of its own with no choices, only when the request asked for it
 * (stream_options.include_usage), then [DONE].
 */
function endStream(chunk: ChunkOf, usage: Record<string, number> | undefined): string {
  return `${chunk({}, 'stop')}${usage ? chunk(undefined, null, { usage }) : ''}data: [DONE]\n\n`;
}

/** OpenAI server-sent events: the role chunk (as vLLM sends it), one chunk a word, the finish chunk, the usage if asked, [DONE]. */
async function streamChat(res: http.ServerResponse, model: string, reply: string, delayMs: number, withUsage: boolean): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = chunker(model);
  res.write(chunk({ role: 'assistant', content: '' }, null));
  const words = reply.split(' ');
  for (let i = 0; i < words.length; i++) {
    res.write(chunk({ content: `${i ? ' ' : ''}${words[i]}` }, null));
    await new Promise((r) => setTimeout(r, delayMs));
  }
  res.end(endStream(chunk, withUsage ? { prompt_tokens: 3, completion_tokens: words.length, total_tokens: 3 + words.length } : undefined));
}

/** Ollama's stream: newline-delimited JSON objects, the last with done: true and the counts. */
async function ndjsonChat(res: http.ServerResponse, model: string, reply: string, delayMs: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  const line = (o: Record<string, unknown>) => `${JSON.stringify({ model, created_at: '2026-01-01T00:00:00Z', ...o })}\n`;
  const words = reply.split(' ');
  for (let i = 0; i < words.length; i++) {
    res.write(line({ message: { role: 'assistant', content: `${i ? ' ' : ''}${words[i]}` }, done: false }));
    await new Promise((r) => setTimeout(r, delayMs));
  }
  res.end(
    line({ message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 3, eval_count: words.length }),
  );
}

/** A few of the metrics vLLM (labelled by model_name and engine) and llama.cpp's server (unlabelled) export. */
function metricsText(flavour: 'vllm' | 'llamacpp', models: string[], chats: number): string {
  if (flavour === 'llamacpp') {
    return [
      '# TYPE llamacpp:requests_processing gauge',
      'llamacpp:requests_processing 0',
      '# TYPE llamacpp:requests_deferred gauge',
      'llamacpp:requests_deferred 0',
      '# TYPE llamacpp:predicted_tokens_seconds gauge',
      `llamacpp:predicted_tokens_seconds ${chats > 0 ? 42.5 : 0}`,
      '',
    ].join('\n');
  }
  const lines: string[] = [];
  for (const m of models) {
    const l = `model_name="${m}",engine="0"`;
    lines.push(
      `vllm:num_requests_running{${l}} 0`,
      `vllm:num_requests_waiting{${l}} 0`,
      `vllm:kv_cache_usage_perc{${l}} ${Math.min(chats / 100, 1)}`,
    );
    // A histogram whose count grows with each chat request, so that its rate is not zero.
    lines.push(
      `vllm:time_to_first_token_seconds_bucket{${l},le="0.1"} ${chats}`,
      `vllm:time_to_first_token_seconds_bucket{${l},le="+Inf"} ${chats}`,
      `vllm:time_to_first_token_seconds_sum{${l}} ${chats * 0.05}`,
      `vllm:time_to_first_token_seconds_count{${l}} ${chats}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** An LLM's stream: the first token after `ttft` ms, then one every `itl` ms, then the usage if asked. */
async function streamTokens(
  res: http.ServerResponse,
  model: string,
  llm: { ttft: number; itl: number; tokens: number },
  withUsage: boolean,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const chunk = chunker(model);
  const start = performance.now();
  for (let i = 0; i < llm.tokens; i++) {
    // Against the clock, not by summing sleeps: timer lateness must not accumulate.
    const due = start + llm.ttft + i * llm.itl - performance.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    // The role chunk goes out with the first token, as vLLM sends it once the prompt is processed.
    if (i === 0) res.write(chunk({ role: 'assistant', content: '' }, null));
    res.write(chunk({ content: `${i ? ' ' : ''}tok${i}` }, null));
  }
  res.end(endStream(chunk, withUsage ? { prompt_tokens: 3, completion_tokens: llm.tokens, total_tokens: 3 + llm.tokens } : undefined));
}

/** A stream that breaks off: `chunks` content chunks, then the connection is destroyed without [DONE]. */
async function dropStream(res: http.ServerResponse, model: string, chunks: number): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (let i = 0; i < chunks; i++) {
    res.write(
      `data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model, choices: [{ index: 0, delta: { ...(i === 0 ? { role: 'assistant' } : {}), content: `w${i} ` }, finish_reason: null }] })}\n\n`,
    );
    await new Promise((r) => setTimeout(r, 10));
  }
  res.socket?.destroy();
}
