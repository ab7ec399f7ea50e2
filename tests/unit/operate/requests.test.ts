// Request records from spans, in the shapes the pinned LiteLLM exports (captured from its otel
// callback through Jaeger: tests/gateway/tracing.test.ts proves them against the real thing).
import { describe, expect, test } from 'vitest';
import type { JaegerSpan, JaegerTrace } from '../../../src/client/jaeger.js';
import { routeMap } from '../../../src/config/route-map.js';
import type { MappingsFile } from '../../../src/config/schema/mappings.js';
import type { ProvidersFile } from '../../../src/config/schema/providers.js';
import { matches, recordOf } from '../../../src/operate/requests.js';
import { nearestRank, summarise } from '../../../src/operate/requests-summary.js';

const providers = {
  version: 1,
  providers: {
    ollama: { type: 'ollama', base_url: 'http://127.0.0.1:11434', models: [{ name: 'llama3.1:8b' }] },
    a: { type: 'llama_cpp', base_url: 'http://127.0.0.1:8080/v1', models: [{ name: 'm' }] },
    b: { type: 'llama_cpp', base_url: 'http://127.0.0.1:8000/v1', models: [{ name: 'm' }] },
  },
} as unknown as ProvidersFile;
const mappings = {
  version: 1,
  models: {
    lb: {
      routes: [
        { provider: 'a', model: 'm' },
        { provider: 'b', model: 'm' },
      ],
      fallbacks: ['chat'],
    },
    chat: { routes: [{ provider: 'ollama', model: 'llama3.1:8b' }] },
  },
} as unknown as MappingsFile;
const map = routeMap(providers, mappings);

const T0 = 1_796_538_817_000_000; // µs
let n = 0;
function span(op: string, start: number, duration: number, tags: Record<string, unknown>): JaegerSpan {
  return {
    traceID: 'trace1',
    spanID: `s${n++}`,
    operationName: op,
    startTime: T0 + start,
    duration,
    processID: 'p1',
    tags: Object.entries(tags).map(([key, value]) => ({ key, type: typeof value === 'number' ? 'int64' : 'string', value })),
  };
}
const server = (status: number, duration: number) =>
  span('POST /v1/chat/completions', 0, duration, {
    'span.kind': 'server',
    'http.route': '/v1/chat/completions',
    'http.response.status_code': status,
  });
const hidden = (base: string | null) => JSON.stringify({ model_id: base ? 'x' : null, api_base: base, cache_key: null });
const failed = (start: number, group: string, model: string, status: number, type: string, message: string) =>
  span('litellm_request', start, 600_000, {
    'litellm.call_id': 'call-1',
    'litellm.model_group': group,
    'litellm.provider.model': model,
    'otel.status_code': 'ERROR',
    error: true,
    'error.type': type,
    'error.code': status,
    'error.message': message,
    'http.response.status_code': status,
    'llm.is_streaming': 'False',
    hidden_params: hidden(null),
  });
const answered = (start: number, group: string, model: string, base: string, stream = false) =>
  span('litellm_request', start, 12_000, {
    'litellm.call_id': 'call-1',
    'litellm.model_group': group,
    'litellm.provider.model': model,
    'otel.status_code': 'OK',
    'llm.is_streaming': stream ? 'True' : 'False',
    'gen_ai.usage.input_tokens': 3,
    'gen_ai.usage.output_tokens': 5,
    'gen_ai.usage.total_tokens': 8,
    'gen_ai.cost.total_cost': 0.0001,
    hidden_params: hidden(`${base}/chat/completions`),
  });
const trace = (...spans: JaegerSpan[]): JaegerTrace => ({ traceID: 'trace1', spans, processes: { p1: { serviceName: 'litellm' } } });

describe('recordOf', () => {
  test('a request that fell back: both attempts, the ambiguous failed one with its candidates, the answer by api_base', () => {
    const r = recordOf(
      trace(
        server(200, 3_058_000),
        failed(
          100_000,
          'lb',
          'openai/m',
          503,
          'ServiceUnavailableError',
          'litellm.ServiceUnavailableError: ServiceUnavailableError: OpenAIException - a is down\ntrace…',
        ),
        answered(2_900_000, 'chat', 'ollama_chat/llama3.1:8b', 'http://127.0.0.1:11434'),
        span('router', 50, 10, { 'otel.status_code': 'OK' }),
      ),
      map,
    )!;
    expect(r).toMatchObject({
      call_id: 'call-1',
      trace_id: 'trace1',
      public_name: 'lb',
      status: 200,
      ok: true,
      latency_ms: 3058,
      outside_attempts_ms: 2446,
      retries: 0,
      fallbacks: ['chat'],
      answered_by: { provider: 'ollama', backend_model: 'llama3.1:8b', model_group: 'chat', api_base: 'http://127.0.0.1:11434' },
      tokens: { prompt: 3, completion: 5, total: 8 },
      cost: 0.0001,
    });
    expect(r.attempts[0]).toMatchObject({
      provider: null,
      candidates: ['a', 'b'],
      ok: false,
      status: 503,
      error: { type: 'ServiceUnavailableError', message: 'OpenAIException - a is down' },
    });
    expect(r.attempts[1]).toMatchObject({ provider: 'ollama', ok: true, duration_ms: 12 });
    expect(r.error).toBeUndefined();
  });

  test('a failure everywhere: not ok, the last error; a retry of the same name counts as a retry', () => {
    const r = recordOf(
      trace(
        server(503, 1_300_000),
        failed(10, 'chat', 'ollama_chat/llama3.1:8b', 503, 'ServiceUnavailableError', 'x'),
        failed(700_000, 'chat', 'ollama_chat/llama3.1:8b', 503, 'APIConnectionError', 'refused'),
      ),
      map,
    )!;
    expect(r).toMatchObject({
      ok: false,
      status: 503,
      retries: 1,
      fallbacks: [],
      answered_by: null,
      error: { type: 'APIConnectionError', message: 'refused' },
    });
    expect(r.attempts.map((a) => a.provider)).toEqual(['ollama', 'ollama']);
    expect(r.provider_calls).toBe(2);
    // The one route of the name says where the failed attempt went.
    expect(r.attempts[0]!.api_base).toBe('http://127.0.0.1:11434');
  });

  test('an unknown model (LiteLLM records it as a 400 attempt without a group) and a trace without attempts', () => {
    const r = recordOf(
      trace(
        server(400, 13_000),
        span('litellm_request', 10, 3000, {
          'litellm.call_id': 'nope-1',
          'litellm.provider.model': 'nomodel',
          'gen_ai.request.model': 'nomodel',
          'otel.status_code': 'ERROR',
          error: true,
          'error.type': 'ProxyModelNotFoundError',
          'error.code': 400,
          'error.message': "400: {'error': 'Invalid model name passed in model=nomodel'}",
          'http.response.status_code': 400,
        }),
      ),
      map,
    )!;
    expect(r).toMatchObject({
      call_id: 'nope-1',
      public_name: 'nomodel',
      ok: false,
      status: 400,
      error: { type: 'ProxyModelNotFoundError' },
    });
    expect(r.attempts[0]).toMatchObject({ provider: null, model_group: null });
    expect(r.attempts[0]!.candidates).toBeUndefined();
    expect(recordOf(trace(span('GET /health/liveliness', 0, 10, { 'span.kind': 'server' })), map)).toBeUndefined();
  });

  test("calls to providers come from the router's picks when LiteLLM recorded fewer attempts", () => {
    const pick = (at: number) => span('router', at, 1, { call_type: 'async_get_available_deployment', service: 'router' });
    const r = recordOf(
      trace(
        server(503, 950_000),
        pick(10),
        failed(20, 'lb', 'openai/m', 503, 'ServiceUnavailableError', 'x'),
        pick(700_000),
        pick(800_000),
      ),
      map,
    )!;
    expect(r).toMatchObject({ provider_calls: 3, retries: 0, ok: false });
    expect(r.attempts).toHaveLength(1);
  });

  test('a stream is flagged; filters by name, errors and slowness', () => {
    const r = recordOf(trace(server(200, 160_000), answered(10, 'lb', 'openai/m', 'http://127.0.0.1:8000/v1', true)), map)!;
    expect(r).toMatchObject({ stream: true, answered_by: { provider: 'b' } });
    expect(matches(r, { names: ['lb'] })).toBe(true);
    expect(matches(r, { names: ['chat'] })).toBe(false);
    expect(matches(r, { errors: true })).toBe(false);
    expect(matches(r, { slowMs: 100 })).toBe(true);
    expect(matches(r, { slowMs: 200 })).toBe(false);
  });
});

describe('summarise', () => {
  test('nearest-rank percentiles are values a request had', () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(nearestRank([10], 0.95)).toBe(10);
    expect(nearestRank([1, 2, 3, 4], 0.5)).toBe(2);
    expect(
      nearestRank(
        Array.from({ length: 20 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBe(19);
  });

  test('counts per name and provider, error kinds, fallbacks and slow requests', () => {
    const ok = recordOf(trace(server(200, 200_000), answered(10, 'chat', 'ollama_chat/llama3.1:8b', 'http://127.0.0.1:11434')), map)!;
    const fell = recordOf(
      trace(
        server(200, 6_000_000),
        failed(10, 'lb', 'openai/m', 503, 'ServiceUnavailableError', 'down'),
        answered(5_000_000, 'chat', 'ollama_chat/llama3.1:8b', 'http://127.0.0.1:11434'),
      ),
      map,
    )!;
    const bad = recordOf(
      trace(server(503, 700_000), failed(10, 'chat', 'ollama_chat/llama3.1:8b', 503, 'ServiceUnavailableError', 'down')),
      map,
    )!;
    const s = summarise([ok, fell, bad], 5000);
    expect(s).toMatchObject({ requests: 3, errors: 1, error_rate: 0.3333, retries: 0, fallbacks: { 'lb -> chat': 1 } });
    expect(s.slow.map((x) => x.latency_ms)).toEqual([6000]);
    expect(s.names.chat).toMatchObject({ requests: 2, errors: 1, p50_ms: 200, p95_ms: 700, max_ms: 700, slow: 0 });
    expect(s.names.lb).toMatchObject({ requests: 1, errors: 0, slow: 1, tokens: { prompt: 3, completion: 5, total: 8 } });
    expect(s.providers).toEqual({
      'a or b': {
        attempts: 1,
        errors: 1,
        error_rate: 1,
        error_kinds: { ServiceUnavailableError: 1 },
        tokens: { prompt: 0, completion: 0, total: 0 },
        cost: 0,
      },
      ollama: {
        attempts: 3,
        errors: 1,
        error_rate: 0.3333,
        error_kinds: { ServiceUnavailableError: 1 },
        tokens: { prompt: 6, completion: 10, total: 16 },
        cost: 0.0002,
      },
    });
  });
});
