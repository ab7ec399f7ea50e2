// One request through the gateway, and who answered it: the provider (by registry id), backend
// model and api_base from LiteLLM's response headers, whether that was one of the name's own
// routes or a fallback, retries and fallbacks attempted, timings, tokens and the call id. The call
// id is sent by us (x-litellm-call-id, and litellm_trace_id so that the gateway's log lines carry
// it with request_correlation_in_logs), so `aibackend logs --call-id` finds the request.
import { randomUUID } from 'node:crypto';
import { ChatStreamReader } from '../client/chat-stream.js';
import { classifyError, gatewayUnreachable, keyRefused } from '../client/gateway-errors.js';
import { identify, type RouteMap } from '../config/route-map.js';

export interface TryOptions {
  gatewayUrl: string;
  key: string | undefined;
  prompt: string;
  stream: boolean;
  timeoutMs: number;
  /**
   * max_tokens of a chat request. A real server without it generates until its context is full:
   * over a thousand tokens of a small model's nonsense, minutes on a large one.
   */
  maxTokens: number;
  callId?: string;
}

export interface TryResult {
  name: string;
  ok: boolean;
  status: number;
  mode: 'chat' | 'embedding';
  stream: boolean;
  call_id: string;
  answered_by: {
    provider: string | null;
    backend_model: string | null;
    model: string | null;
    api_base: string | null;
    model_group: string | null;
  };
  /**
   * route: one of the name's own routes; fallback: another public name answered; unknown: a deployment
   * the registry does not route the name to.
   */
  via: 'route' | 'fallback' | 'unknown' | 'none';
  attempted_retries: number | null;
  attempted_fallbacks: number | null;
  cache_hit: boolean;
  timings: { total_ms: number; ttft_ms: number | null; gateway_ms: number | null; overhead_ms: number | null };
  tokens: { prompt: number | null; completion: number | null; total: number | null };
  reply: string | null;
  /** Why it failed: a kind (from LiteLLM's structured error, or stream-error / stream-cut for a stream that broke off) and the words. */
  error?: { kind: string; message: string };
}

const num = (v: string | null): number | null =>
  v === null || v === '' || Number.isNaN(Number(v)) ? null : Math.round(Number(v) * 10) / 10;

export async function tryName(map: RouteMap, name: string, o: TryOptions): Promise<TryResult> {
  const routes = map.routes.get(name) ?? [];
  const mode = routes[0]?.mode ?? 'chat';
  const callId = o.callId ?? `aibackend-${randomUUID()}`;
  const stream = o.stream && mode === 'chat';
  const body =
    mode === 'embedding'
      ? { model: name, input: o.prompt, litellm_trace_id: callId }
      : {
          model: name,
          messages: [{ role: 'user', content: o.prompt }],
          max_tokens: o.maxTokens,
          litellm_trace_id: callId,
          ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
        };
  const url = `${o.gatewayUrl.replace(/\/+$/, '')}/v1/${mode === 'embedding' ? 'embeddings' : 'chat/completions'}`;
  const t0 = performance.now();
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-litellm-call-id': callId, ...(o.key ? { authorization: `Bearer ${o.key}` } : {}) },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs),
    });
  } catch (err) {
    throw gatewayUnreachable(err, o.gatewayUrl, o.timeoutMs);
  }
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    const text = await res
      .clone()
      .text()
      .catch(() => '');
    const refused = keyRefused(res.status, text);
    if (refused) throw refused;
  }
  let ttft: number | null = null;
  let reply = '';
  let usage: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } | undefined;
  let error: TryResult['error'];
  if (stream && res.ok && res.body) {
    // The one stream reader bench and load use too: a stream that breaks off is a failure.
    const reader = new ChatStreamReader(t0);
    const decoder = new TextDecoder();
    let dropped: string | undefined;
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) reader.push(decoder.decode(chunk, { stream: true }));
    } catch (err) {
      dropped = (err as Error).message;
    }
    const o = reader.outcome(dropped);
    ttft = reader.ttftMs === null ? null : Math.round(reader.ttftMs);
    reply = reader.content;
    usage = reader.usage;
    if (!o.complete) error = o.error!;
  } else {
    let text = '';
    try {
      text = await res.text();
    } catch (err) {
      error = { kind: 'connection', message: `the answer broke off: ${(err as Error).message}` };
    }
    let json: { choices?: { message?: { content?: string } }[]; data?: unknown[]; usage?: typeof usage } | undefined;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const e = classifyError(res.status, text);
      error = { kind: e.kind, message: e.message };
    } else if (!error && json === undefined) error = { kind: 'bad-answer', message: 'the answer is not JSON' };
    else if (mode === 'embedding') reply = `${Array.isArray(json?.data) ? json.data.length : 0} embedding(s)`;
    else reply = json?.choices?.[0]?.message?.content ?? '';
    usage = json?.usage;
  }
  const total = Math.round(performance.now() - t0);
  const h = (k: string) => res.headers.get(k);
  const group = h('x-litellm-model-group');
  const model = h('x-litellm-model-name');
  const apiBase = h('x-litellm-model-api-base');
  const answered = res.ok ? identify(map, group, model, apiBase) : undefined;
  const own = answered && group === name ? routes.some((r) => r.provider === answered.provider && r.backend === answered.backend) : false;
  const via: TryResult['via'] = !res.ok || error ? 'none' : group !== null && group !== name ? 'fallback' : own ? 'route' : 'unknown';
  return {
    name,
    ok: res.ok && !error,
    status: res.status,
    mode,
    stream,
    call_id: h('x-litellm-call-id') ?? callId,
    answered_by: {
      provider: answered?.provider ?? null,
      backend_model: answered?.backend ?? null,
      model,
      api_base: apiBase,
      model_group: group,
    },
    via,
    attempted_retries: num(h('x-litellm-attempted-retries')),
    attempted_fallbacks: num(h('x-litellm-attempted-fallbacks')),
    cache_hit: h('x-litellm-cache-key') !== null,
    timings: {
      total_ms: total,
      ttft_ms: ttft,
      gateway_ms: num(h('x-litellm-response-duration-ms')),
      overhead_ms: num(h('x-litellm-overhead-duration-ms')),
    },
    tokens: { prompt: usage?.prompt_tokens ?? null, completion: usage?.completion_tokens ?? null, total: usage?.total_tokens ?? null },
    reply: reply ? reply.slice(0, 400) : null,
    ...(error ? { error: { kind: error.kind, message: error.message.slice(0, 500) } } : {}),
  };
}
