// The pure parts of try, stats and logs: Prometheus text, quantiles between two reads, log lines
// and their filters, and mapping a response back to a route.
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseLogLine, passes } from '../../../src/operate/logs.js';
import { parseDuration } from '../../../src/util/duration.js';
import { bucketsBy, parsePromText, quantile, sumBy } from '../../../src/client/prom-text.js';
import { baseOf, identify, routeMap } from '../../../src/config/route-map.js';
import { computeStats } from '../../../src/operate/stats.js';
import type { MappingsFile } from '../../../src/config/schema/mappings.js';
import type { ProvidersFile } from '../../../src/config/schema/providers.js';

const providers = {
  version: 1,
  providers: {
    ollama: {
      type: 'ollama',
      base_url: 'http://127.0.0.1:11434',
      models: [{ name: 'llama3.1:8b' }, { name: 'nomic-embed-text', mode: 'embedding' }],
    },
    a: { type: 'llama_cpp', base_url: 'http://127.0.0.1:8080/v1', models: [{ name: 'm' }] },
    b: { type: 'llama_cpp', base_url: 'http://127.0.0.1:8000/v1', models: [{ name: 'm' }] },
    openai: { type: 'openai', api_key: 'env:OPENAI_API_KEY', models: [{ name: 'gpt-4o-mini' }] },
  },
} as unknown as ProvidersFile;
const mappings = {
  version: 1,
  models: {
    chat: { routes: [{ provider: 'ollama', model: 'llama3.1:8b' }], fallbacks: ['lb'] },
    lb: {
      routes: [
        { provider: 'a', model: 'm' },
        { provider: 'b', model: 'm' },
      ],
    },
    cloud: { routes: [{ provider: 'openai', model: 'gpt-4o-mini' }] },
    embed: { routes: [{ provider: 'ollama', model: 'nomic-embed-text' }] },
  },
  aliases: { default: 'chat' },
} as unknown as MappingsFile;
const map = routeMap(providers, mappings);

describe('route map', () => {
  test("routes per served name, aliases with their target's, modes", () => {
    expect(map.names).toEqual(['chat', 'cloud', 'default', 'embed', 'lb']);
    expect(map.routes.get('default')).toEqual(map.routes.get('chat'));
    expect(map.routes.get('embed')![0]).toMatchObject({ model: 'ollama/nomic-embed-text', mode: 'embedding' });
    expect(map.fallbacks.get('default')).toEqual(['lb']);
  });

  test("identify by model and api_base, with LiteLLM's endpoint suffixes and hosted APIs", () => {
    expect(identify(map, 'lb', 'openai/m', 'http://127.0.0.1:8000/v1/')!.provider).toBe('b');
    expect(identify(map, 'lb', 'openai/m', 'http://127.0.0.1:8080/v1/chat/completions')!.provider).toBe('a');
    expect(identify(map, 'chat', 'ollama_chat/llama3.1:8b', 'http://127.0.0.1:11434/api/chat')!.provider).toBe('ollama');
    expect(identify(map, 'cloud', 'openai/gpt-4o-mini', 'https://api.openai.com/v1')!.provider).toBe('openai');
    expect(identify(map, 'lb', 'openai/m', 'http://127.0.0.1:9999/v1')).toBeUndefined();
    expect(baseOf('http://h:1/v1/embeddings')).toBe('http://h:1/v1');
    expect(baseOf(null)).toBeNull();
  });
});

const READ_A = `# HELP x
litellm_proxy_total_requests_metric_total{requested_model="lb",status_code="200"} 10
litellm_proxy_total_requests_metric_total{requested_model="chat",status_code="200"} 4
litellm_proxy_failed_requests_metric_total{requested_model="lb"} 1
litellm_request_total_latency_metric_bucket{requested_model="lb",le="0.1"} 5
litellm_request_total_latency_metric_bucket{requested_model="lb",le="1.0"} 10
litellm_request_total_latency_metric_bucket{requested_model="lb",le="+Inf"} 10
litellm_cache_hits_metric_total{model="m"} 2
litellm_cache_misses_metric_total{model="m"} 8
`;
const READ_B = `litellm_proxy_total_requests_metric_total{requested_model="lb",status_code="200"} 18
litellm_proxy_total_requests_metric_total{requested_model="lb",status_code="500"} 2
litellm_proxy_total_requests_metric_total{requested_model="chat",status_code="200"} 4
litellm_proxy_failed_requests_metric_total{requested_model="lb"} 3
litellm_total_tokens_metric_total{requested_model="lb"} 100
litellm_request_total_latency_metric_bucket{requested_model="lb",le="0.1"} 5
litellm_request_total_latency_metric_bucket{requested_model="lb",le="1.0"} 20
litellm_request_total_latency_metric_bucket{requested_model="lb",le="+Inf"} 20
litellm_cache_hits_metric_total{model="m"} 5
litellm_cache_misses_metric_total{model="m"} 9
litellm_deployment_state{litellm_model_name="m",api_base="http://127.0.0.1:8080/v1/chat/completions",model_id="x"} 0
litellm_deployment_state{litellm_model_name="m",api_base="http://127.0.0.1:8080/v1",model_id="x"} 2
litellm_deployment_state{litellm_model_name="m",api_base="http://127.0.0.1:8000/v1",model_id="y"} 0
litellm_deployment_cooled_down_total{model_id="y",litellm_model_name="lb",api_base="http://127.0.0.1:8000/v1"} 1
`;

describe('Prometheus text and stats', () => {
  test('parses names, labels (with escapes) and values; skips comments', () => {
    const s = parsePromText('# TYPE a counter\na_total{x="q\\"uote",y="2"} 3.5\nb 1e3\nc{le="+Inf"} +Inf\n');
    expect(s).toEqual([
      { name: 'a_total', labels: { x: 'q"uote', y: '2' }, value: 3.5 },
      { name: 'b', labels: {}, value: 1000 },
      { name: 'c', labels: { le: '+Inf' }, value: Infinity },
    ]);
    expect(sumBy(parsePromText(READ_B), 'litellm_proxy_total_requests_metric_total', 'requested_model')).toEqual(
      new Map([
        ['lb', 20],
        ['chat', 4],
      ]),
    );
  });

  test('quantiles of the observations between two reads, interpolated within the bucket', () => {
    const a = bucketsBy(parsePromText(READ_A), 'litellm_request_total_latency_metric', 'requested_model').get('lb');
    const b = bucketsBy(parsePromText(READ_B), 'litellm_request_total_latency_metric', 'requested_model').get('lb');
    // the 10 new observations all fell in (0.1, 1.0]
    expect(quantile(0.5, a, b)).toBeCloseTo(0.55, 5);
    expect(quantile(0.95, a, b)).toBeCloseTo(0.955, 5);
    expect(quantile(0.5, b, b)).toBeNull();
    expect(quantile(0.5, undefined, b)).toBeCloseTo(0.1 + 0.9 * (5 / 15), 5);
  });

  test('computeStats: counts, rates, error rate, cache hit rate, deployments mapped to providers, the worse state winning', () => {
    const r = computeStats(map, { at: 0, samples: parsePromText(READ_A) }, { at: 5000, samples: parsePromText(READ_B) });
    expect(r.window_s).toBe(5);
    const lb = r.names.find((n) => n.name === 'lb')!;
    expect(lb).toMatchObject({ requests: 10, errors: 2, requests_per_s: 2, error_rate: 0.2, tokens_per_s: 20 });
    expect(r.names.find((n) => n.name === 'chat')).toMatchObject({ requests: 0, error_rate: null, latency_p50_s: null });
    expect(r.cache).toEqual({ hits: 3, misses: 1, hit_rate: 0.75 });
    expect(r.deployments).toEqual([
      { provider: 'a', model: 'm', api_base: 'http://127.0.0.1:8080/v1', state: 'outage', cooled_down: false },
      { provider: 'b', model: 'm', api_base: 'http://127.0.0.1:8000/v1', state: 'healthy', cooled_down: true },
    ]);
  });
});

describe('log lines', () => {
  const json =
    '{"message": "Falling back to model_group = good", "level": "INFO", "timestamp": "2026-11-27T13:53:57.448153", "trace_id": "call-1", "component": "LiteLLM Router"}';
  test("JSON, LiteLLM's plain and uvicorn's lines; colour codes and secrets removed", () => {
    expect(parseLogLine(json)).toEqual({
      timestamp: '2026-11-27T13:53:57.448153',
      level: 'info',
      component: 'LiteLLM Router',
      message: 'Falling back to model_group = good',
      trace_id: 'call-1',
    });
    expect(parseLogLine('13:53:04 - LiteLLM:ERROR: dual_cache.py:182 - boom')).toMatchObject({
      level: 'error',
      component: 'LiteLLM',
      message: 'dual_cache.py:182 - boom',
    });
    expect(parseLogLine('INFO:     127.0.0.1:1 - "POST /v1/chat/completions HTTP/1.1" 200 OK')).toMatchObject({
      level: 'info',
      component: 'uvicorn',
    });
    expect(parseLogLine('\u001b[32mLiteLLM: Proxy initialized\u001b[0m').message).toBe('LiteLLM: Proxy initialized');
    expect(parseLogLine('key sk-abcdefghijklmnopqrstuvwxyz012345 leaked').message).not.toContain('abcdefghijklmnopqrstuvwxyz');
  });

  test('filters: level, call id, grep, since (lines without a time follow the last one that had one)', () => {
    const line = parseLogLine(json);
    expect(passes(line, { level: 'warning' }, true).ok).toBe(false);
    expect(passes(line, { level: 'info' }, true).ok).toBe(true);
    expect(passes(line, { callId: 'call-1' }, true).ok).toBe(true);
    expect(passes(line, { callId: 'call-2' }, true).ok).toBe(false);
    // With tracing, an application's call id leads to the trace id its lines carry.
    expect(passes(line, { callId: 'app-call', traceId: 'call-1' }, true).ok).toBe(true);
    expect(passes(line, { callId: 'app-call', traceId: 'other' }, true).ok).toBe(false);
    expect(passes(line, { grep: 'FALLING' }, true).ok).toBe(true);
    expect(passes(line, { grep: 'router' }, true).ok).toBe(true);
    const old = passes(line, { sinceMs: Date.parse('2026-11-27T14:00:00') }, true);
    expect(old).toEqual({ ok: false, timeOk: false });
    expect(passes(parseLogLine('plain'), { sinceMs: 0 }, old.timeOk).ok).toBe(false);
    expect(passes(line, { sinceMs: Date.parse('2026-11-27T13:00:00') }, false)).toEqual({ ok: true, timeOk: true });
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(() => parseDuration('ten')).toThrow(/30s, 10m/);
  });
});

describe('cache entries', () => {
  test('only <namespace>:<sha256> is a cache entry: not router state in the namespace, not a longer prefix', async () => {
    const { isCacheEntry } = await import('../../../src/operate/cache.js');
    const sha = 'a'.repeat(64);
    expect(isCacheEntry('litellm', `litellm:${sha}`)).toBe(true);
    expect(isCacheEntry('litellm', `litellm:{user:default_user_id}:tokens`)).toBe(false);
    expect(isCacheEntry('litellm', `litellmx:${sha}`)).toBe(false);
    expect(isCacheEntry('litellm', `litellm:${sha}0`)).toBe(false);
    expect(isCacheEntry('litellm', `litellm:${'A'.repeat(64)}`)).toBe(false);
    expect(isCacheEntry('lite', `litellm:${sha}`)).toBe(false);
  });
});

// Issue 29: timestamps with their zone, rotated logs, following by inode, bounded memory.
describe('log times, files and following', () => {
  test("a naive timestamp is the gateway's local time, not the CLI's; an offset is honoured; a plain line's time of day is today or yesterday", async () => {
    const { lineTime } = await import('../../../src/operate/logs.js');
    const naive = parseLogLine('{"message": "m", "level": "INFO", "timestamp": "2026-11-27T13:53:57.500000"}');
    expect(lineTime(naive, 'UTC')).toBe(Date.UTC(2026, 10, 27, 13, 53, 57, 500));
    expect(lineTime(naive, 'Asia/Tokyo')).toBe(Date.UTC(2026, 10, 27, 4, 53, 57, 500));
    expect(lineTime({ ...naive, timestamp: '2026-11-27T13:53:57+02:00' }, 'Asia/Tokyo')).toBe(Date.UTC(2026, 10, 27, 11, 53, 57));
    const now = Date.UTC(2026, 11, 5, 10, 0, 0);
    const plain = parseLogLine('09:59:00 - LiteLLM:ERROR: x.py:1 - boom');
    expect(lineTime(plain, 'UTC', now)).toBe(Date.UTC(2026, 11, 5, 9, 59, 0));
    expect(lineTime(parseLogLine('23:00:00 - LiteLLM:INFO: x.py:1 - late'), 'UTC', now)).toBe(Date.UTC(2026, 11, 4, 23, 0, 0));
    // --since 1h at 10:00 UTC keeps a 09:30 UTC line whatever zone the CLI runs in.
    expect(
      passes(
        parseLogLine('{"message": "m", "level": "INFO", "timestamp": "2026-12-05T09:30:00"}'),
        { sinceMs: now - 3_600_000, zone: 'UTC' },
        false,
      ).ok,
    ).toBe(true);
  });

  test('rotated copies are read oldest first; a followed log is read again when replaced or truncated, even when it regrew', async () => {
    const { logFiles, readLines } = await import('../../../src/operate/logs.js');
    const { mkdtempSync, writeFileSync, renameSync, appendFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(path.join(tmpdir(), 'aibackend-logs-'));
    const log = path.join(dir, 'gateway.log');
    writeFileSync(`${log}.2`, 'two\n');
    writeFileSync(`${log}.1`, 'one\n');
    writeFileSync(path.join(dir, 'gateway.prev.log'), 'prev\n');
    writeFileSync(log, 'now\npartial');
    expect(logFiles(log).map((f) => path.basename(f))).toEqual(['gateway.log.2', 'gateway.log.1', 'gateway.prev.log', 'gateway.log']);
    const got: string[] = [];
    let st = readLines(log, { offset: 0 }, (l) => got.push(l));
    expect(got).toEqual(['now']);
    appendFileSync(log, ' line\nmore\n');
    st = readLines(log, st, (l) => got.push(l));
    expect(got).toEqual(['now', 'partial line', 'more']);
    // Replaced by rename: another inode, read from its start.
    renameSync(log, `${log}.old`);
    writeFileSync(log, 'fresh\n');
    st = readLines(log, st, (l) => got.push(l));
    expect(got.at(-1)).toBe('fresh');
    // Truncated in place and written again past the old offset before the next poll.
    writeFileSync(log, `rewritten ${'x'.repeat(100)}\nafter\n`);
    st = readLines(log, st, (l) => got.push(l));
    expect(got.slice(-2)).toEqual([`rewritten ${'x'.repeat(100)}`, 'after']);
    // A large log in bounded chunks: every line, once.
    writeFileSync(log, `${'line\n'.repeat(600_000)}`);
    let n = 0;
    readLines(log, { offset: 0 }, () => n++);
    expect(n).toBe(600_000);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('stats across a restart, and cache namespaces', () => {
  test('a counter that went down is a restart: it counts from the restart (increase()), and the report says so', async () => {
    const { computeStats } = await import('../../../src/operate/stats.js');
    const { parsePromText } = await import('../../../src/client/prom-text.js');
    const read = (n: number, at: number) => ({
      at,
      samples: parsePromText(`litellm_proxy_total_requests_metric_total{requested_model="lb"} ${n}\n`),
    });
    const map = { names: ['lb'], routes: new Map() } as unknown as Parameters<typeof computeStats>[0];
    const grew = computeStats(map, read(10, 0), read(15, 1000));
    expect(grew.restarted).toBe(false);
    expect(grew.names[0]!.requests).toBe(5);
    const reset = computeStats(map, read(100, 0), read(7, 1000));
    expect(reset.restarted).toBe(true);
    expect(reset.names[0]!.requests).toBe(7);
    // A new process has no series for a name until it serves it: gone is a restart too.
    const gone = computeStats(map, read(100, 0), {
      at: 1000,
      samples: parsePromText('litellm_proxy_total_requests_metric_total{requested_model="other"} 1\n'),
    });
    expect(gone.restarted).toBe(true);
  });

  test('a namespace with glob characters is matched literally', async () => {
    const { globEscape } = await import('../../../src/operate/cache.js');
    expect(globEscape('op[x]*?\\')).toBe('op\\[x\\]\\*\\?\\\\');
    expect(globEscape('litellm')).toBe('litellm');
  });
});
