// aibackend bench: per public name and concurrency level, the figures vllm bench serve and
// GuideLLM report (TTFT, inter-token latency, end-to-end latency, output tokens/s, requests/s,
// errors, with p50/p95/p99), the concurrency after which throughput stops growing while p95 keeps
// rising, the gateway's overhead against each route's provider called directly, and a comparison
// with an earlier run.
import { randomBytes } from 'node:crypto';
import type { RouteMap } from '../config/route-map.js';
import { figures, run, type Figures } from './runner.js';
import { makeTarget, type Target } from './request.js';
import type { Provider } from '../config/schema/providers.js';
import { envValue } from '../util/env-ref.js';

/** What every request of bench and load shares: where it goes, and its shape. */
export interface RequestOptions {
  stream: boolean;
  maxTokens: number;
  promptTokens: number;
  gatewayUrl: string;
  key: string | undefined;
  timeoutMs: number;
}

export interface BenchOptions extends RequestOptions {
  names: string[];
  concurrency: number[];
  requests?: number;
  durationS?: number;
  progress: (line: string) => void;
  /** Called four times a second while a level runs: requests done, and the level's total (or its seconds). */
  onTick?: (done: number, elapsedMs: number, of: { requests?: number; durationS?: number }) => void;
}

export interface BenchLevel {
  concurrency: number;
  figures: Figures;
}

export interface BenchName {
  name: string;
  levels: BenchLevel[];
  /** The concurrency after which throughput stops growing while p95 keeps rising (null: still growing at the highest level). */
  knee: number | null;
}

export interface OverheadRow {
  name: string;
  provider: string;
  direct_e2e_p50_ms: number | null;
  gateway_e2e_p50_ms: number | null;
  overhead_p50_ms: number | null;
  direct_ttft_p50_ms: number | null;
  gateway_ttft_p50_ms: number | null;
}

export interface BenchReport {
  kind: 'aibackend-bench';
  version: 1;
  stream: boolean;
  max_tokens: number;
  prompt_tokens: number;
  names: BenchName[];
  overhead?: OverheadRow[];
}

/** A run's own id: with the sequence number, every prompt of every run is different. */
export function runId(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * About one token a word. The run id and the sequence number make every prompt of every run
 * (and of every concurrency level) different, so that the response cache cannot answer in the
 * provider's place; answers it gives anyway are counted apart.
 */
export function prompt(tokens: number, seq: number, run = ''): string {
  return `Request ${run ? `${run}/` : ''}${seq}. ${Array.from({ length: Math.max(0, tokens - 3) }, (_, i) => ['alpha', 'beta', 'gamma', 'delta'][i % 4]).join(' ')}`.trim();
}

export function chatBody(
  model: string,
  o: Pick<BenchOptions, 'maxTokens' | 'promptTokens'>,
  seq: number,
  run: string,
): Record<string, unknown> {
  return { model, max_tokens: o.maxTokens, messages: [{ role: 'user', content: prompt(o.promptTokens, seq, run) }] };
}

async function level(target: Target, model: string, concurrency: number, o: BenchOptions): Promise<Figures> {
  const requests = o.durationS === undefined ? (o.requests ?? Math.max(20, concurrency * 5)) : undefined;
  const id = runId();
  const r = await run({
    target,
    users: () => concurrency,
    maxUsers: concurrency,
    pick: () => model,
    body: (name, seq) => chatBody(name, o, seq, id),
    stream: o.stream,
    ...(requests !== undefined ? { requests } : {}),
    ...(o.durationS !== undefined ? { durationMs: o.durationS * 1000 } : {}),
    timeoutMs: o.timeoutMs,
    ...(o.onTick
      ? { onTick: (done: number, ms: number) => o.onTick!(done, ms, requests !== undefined ? { requests } : { durationS: o.durationS! }) }
      : {}),
  });
  return figures(r.total, r.seconds);
}

export function knee(levels: BenchLevel[]): number | null {
  for (let i = 1; i < levels.length; i++) {
    const a = levels[i - 1]!.figures;
    const b = levels[i]!.figures;
    const grows = b.requests_per_s > a.requests_per_s * 1.1;
    const p95a = a.e2e_ms.p95 ?? 0;
    const p95b = b.e2e_ms.p95 ?? 0;
    if (!grows && p95b > p95a * 1.1) return levels[i - 1]!.concurrency;
  }
  return null;
}

export async function bench(o: BenchOptions): Promise<BenchReport> {
  const headers: Record<string, string> = o.key ? { authorization: `Bearer ${o.key}` } : {};
  const names: BenchName[] = [];
  for (const name of o.names) {
    const levels: BenchLevel[] = [];
    for (const c of o.concurrency) {
      o.progress(`${name}: concurrency ${c}`);
      const target = makeTarget(o.gatewayUrl, '/v1/chat/completions', headers, c);
      levels.push({ concurrency: c, figures: await level(target, name, c, o) });
      target.agent.destroy();
    }
    names.push({ name, levels, knee: knee(levels) });
  }
  return { kind: 'aibackend-bench', version: 1, stream: o.stream, max_tokens: o.maxTokens, prompt_tokens: o.promptTokens, names };
}

/** The same requests against each route's provider directly, and the gateway's overhead over it. */
export async function overhead(
  o: BenchOptions,
  map: RouteMap,
  direct: (provider: string) => { base: string; headers: Record<string, string> } | undefined,
  report: BenchReport,
): Promise<OverheadRow[]> {
  const c = o.concurrency[0] ?? 1;
  const rows: OverheadRow[] = [];
  for (const name of o.names) {
    const via = report.names.find((n) => n.name === name)?.levels[0]?.figures;
    for (const route of map.routes.get(name) ?? []) {
      const d = direct(route.provider);
      if (!d) continue;
      o.progress(`${name}: ${route.provider} directly, concurrency ${c}`);
      const target = makeTarget(d.base, '/chat/completions', d.headers, c);
      const f = await level(target, route.backend, c, o);
      target.agent.destroy();
      const sub = (x: number | null | undefined, y: number | null | undefined) =>
        x === null || x === undefined || y === null || y === undefined ? null : Math.round((x - y) * 10) / 10;
      rows.push({
        name,
        provider: route.provider,
        direct_e2e_p50_ms: f.e2e_ms.p50,
        gateway_e2e_p50_ms: via?.e2e_ms.p50 ?? null,
        overhead_p50_ms: sub(via?.e2e_ms.p50, f.e2e_ms.p50),
        direct_ttft_p50_ms: f.ttft_ms.p50,
        gateway_ttft_p50_ms: via?.ttft_ms.p50 ?? null,
      });
    }
  }
  return rows;
}

export interface Regression {
  name: string;
  concurrency: number;
  metric: 'e2e_p95_ms' | 'requests_per_s' | 'error_rate';
  baseline: number;
  now: number;
  change: number;
}

/**
 * Against the baseline, at the same name and concurrency: p95 up or successful throughput down by
 * more than `threshold` (a fraction), or the error rate up by more than `errorThreshold`
 * (percentage points as a fraction: 0.01 is one point). A level that failed more is never a pass.
 */
export function regressions(base: BenchReport, now: BenchReport, threshold: number, errorThreshold = 0.01): Regression[] {
  const out: Regression[] = [];
  for (const n of now.names) {
    const b = base.names.find((x) => x.name === n.name);
    if (!b) continue;
    for (const l of n.levels) {
      const bl = b.levels.find((x) => x.concurrency === l.concurrency);
      if (!bl) continue;
      const p95b = bl.figures.e2e_ms.p95;
      const p95n = l.figures.e2e_ms.p95;
      const change = (x: number, y: number) => Math.round(((y - x) / x) * 1000) / 1000;
      if (p95b && p95n !== null && p95n > p95b * (1 + threshold))
        out.push({ name: n.name, concurrency: l.concurrency, metric: 'e2e_p95_ms', baseline: p95b, now: p95n, change: change(p95b, p95n) });
      const rb = bl.figures.requests_per_s;
      const rn = l.figures.requests_per_s;
      if (rb > 0 && rn < rb * (1 - threshold))
        out.push({ name: n.name, concurrency: l.concurrency, metric: 'requests_per_s', baseline: rb, now: rn, change: change(rb, rn) });
      const eb = bl.figures.error_rate ?? 0;
      const en = l.figures.error_rate;
      if (en > eb + errorThreshold)
        out.push({
          name: n.name,
          concurrency: l.concurrency,
          metric: 'error_rate',
          baseline: eb,
          now: en,
          change: Math.round((en - eb) * 1000) / 1000,
        });
    }
  }
  return out;
}

/** A provider's OpenAI-compatible base for --compare (Ollama serves one under /v1); hosted APIs are left out. */
export function directBase(p: Provider | undefined, env: NodeJS.ProcessEnv): { base: string; headers: Record<string, string> } | undefined {
  if (!p?.base_url || p.type === 'openai' || p.type === 'anthropic') return undefined;
  const key = p.api_key ? envValue(p.api_key, env) : undefined;
  const base = p.type === 'ollama' ? `${p.base_url.replace(/\/+$/, '')}/v1` : p.base_url;
  return { base, headers: key ? { authorization: `Bearer ${key}` } : {} };
}
