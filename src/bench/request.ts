// One OpenAI-style chat request over a kept-alive connection, timed as vllm bench serve and
// GuideLLM time it, through the one stream reader try uses too (chat-stream.ts): time to first
// token, inter-token latency, end-to-end latency and output tokens (the usage the server reports,
// else the content chunks counted). A stream is a success only when it is complete; a failure
// carries its kind, from LiteLLM's structured error. An answer from LiteLLM's response cache is
// marked, so that it never enters a provider's figures. The timeout is a deadline for the whole
// request, not an idle timeout. node:http rather than fetch: a loopback server answering at once
// must not make the generator the bottleneck (bench/loadgen.mjs).
import http from 'node:http';
import https from 'node:https';
import { classifyError } from '../client/gateway-errors.js';
import { ChatStreamReader } from '../client/chat-stream.js';

export interface Target {
  /** Base URL, e.g. http://127.0.0.1:4000 (the gateway) or a provider's OpenAI-compatible base. */
  base: string;
  path: string;
  headers: Record<string, string>;
  agent: http.Agent;
}

export interface Sample {
  ok: boolean;
  status: number;
  /** ms since the generator started, when the request was sent. */
  start_ms: number;
  /** Streamed requests only: the first content chunk. */
  ttft_ms: number | null;
  itl_ms: number[];
  e2e_ms: number;
  output_tokens: number;
  /** Answered from LiteLLM's response cache (x-litellm-cache-key), not by a provider. */
  cached: boolean;
  /** The kind of failure: key-refused, rate-limited, timeout, bad-request, provider, stream-error, stream-cut, connection, deadline, ... */
  error_kind?: string;
  error?: string;
}

export function makeTarget(base: string, path: string, headers: Record<string, string>, concurrency: number): Target {
  const secure = base.startsWith('https:');
  const Agent = secure ? https.Agent : http.Agent;
  return {
    base: base.replace(/\/+$/, ''),
    path,
    headers,
    agent: new Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency }),
  };
}

type Failure = Pick<Sample, 'status' | 'error_kind' | 'error'>;

export function send(
  t: Target,
  body: Record<string, unknown>,
  stream: boolean,
  epoch: number,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<Sample> {
  const payload = JSON.stringify(stream ? { ...body, stream: true, stream_options: { include_usage: true } } : body);
  const url = new URL(t.base + t.path);
  const t0 = performance.now();
  const start_ms = t0 - epoch;
  return new Promise((resolve) => {
    let settled = false;
    let cached = false;
    const finish = (s: Omit<Sample, 'start_ms' | 'e2e_ms' | 'cached'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      signal?.removeEventListener('abort', onAbort);
      resolve({ ...s, cached, start_ms, e2e_ms: performance.now() - t0 });
    };
    const fail = (f: Failure) => finish({ ok: false, ttft_ms: null, itl_ms: [], output_tokens: 0, ...f });
    const lib = url.protocol === 'https:' ? https : http;
    const reader = new ChatStreamReader(t0);
    const req = lib.request(
      url,
      {
        method: 'POST',
        agent: t.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), ...t.headers },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const key = res.headers['x-litellm-cache-key'];
        cached = typeof key === 'string' && key !== '';
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (stream && status === 200) reader.push(d);
          else if (text.length < 1_000_000) text += d;
        });
        res.on('aborted', () => ended('the connection was reset'));
        res.on('error', (err) => ended(err.message));
        res.on('end', () => ended());
        const ended = (dropped?: string) => {
          if (status !== 200) {
            const e = classifyError(status, text);
            return fail({ status, error_kind: e.kind, error: `HTTP ${status}: ${e.message}` });
          }
          if (!stream) {
            if (dropped !== undefined) return fail({ status, error_kind: 'connection', error: dropped });
            let tokens = 0;
            try {
              tokens = (JSON.parse(text) as { usage?: { completion_tokens?: number } }).usage?.completion_tokens ?? 0;
            } catch {
              return fail({ status, error_kind: 'bad-answer', error: 'the answer is not JSON' });
            }
            return finish({ ok: true, status, ttft_ms: null, itl_ms: [], output_tokens: tokens });
          }
          const o = reader.outcome(dropped);
          if (!o.complete) return fail({ status, error_kind: o.error!.kind, error: o.error!.message });
          if (reader.ttftMs === null) return fail({ status, error_kind: 'empty', error: 'the stream carried no content' });
          finish({
            ok: true,
            status,
            ttft_ms: reader.ttftMs,
            itl_ms: reader.itlMs,
            output_tokens: reader.usage?.completion_tokens ?? reader.chunks,
          });
        };
      },
    );
    // A deadline for the whole request: a server that sends a byte every few seconds still ends here.
    const deadline = setTimeout(() => {
      fail({ status: 0, error_kind: 'deadline', error: `not done within ${Math.round(timeoutMs / 100) / 10} s` });
      req.destroy();
    }, timeoutMs);
    const onAbort = () => {
      fail({ status: 0, error_kind: 'cut', error: 'cut when the run ended' });
      req.destroy();
    };
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => fail({ status: 0, error_kind: 'connection', error: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end(payload);
  });
}
