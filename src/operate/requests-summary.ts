// A period's requests, summarised from their records: error rate and error kinds per provider,
// slow requests, latency percentiles per public name, usage and spend per name and provider, and
// the fallbacks taken. Pure: the records in, the figures out.
import type { RequestRecord } from './requests.js';

export interface NameFigures {
  requests: number;
  errors: number;
  error_rate: number;
  p50_ms: number | null;
  p95_ms: number | null;
  max_ms: number | null;
  slow: number;
  tokens: { prompt: number; completion: number; total: number };
  cost: number;
}

export interface ProviderFigures {
  /** Attempts that went to this provider (a retried or fallen-back request counts once per attempt). */
  attempts: number;
  errors: number;
  error_rate: number;
  /** Error type (LiteLLM's exception class) -> count. */
  error_kinds: Record<string, number>;
  tokens: { prompt: number; completion: number; total: number };
  cost: number;
}

export interface Summary {
  requests: number;
  errors: number;
  error_rate: number;
  slow_ms: number;
  slow: { call_id: string | null; time: string; public_name: string | null; latency_ms: number; provider: string | null }[];
  retries: number;
  /** "from -> to" -> count. */
  fallbacks: Record<string, number>;
  names: Record<string, NameFigures>;
  providers: Record<string, ProviderFigures>;
}

/** The q-quantile by the nearest-rank method (the value a request actually had). */
export function nearestRank(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1]!;
}

const rate = (errors: number, n: number) => (n === 0 ? 0 : Math.round((errors / n) * 10000) / 10000);
const add = (a: number | null, b: number) => b + (a ?? 0);

export function summarise(records: readonly RequestRecord[], slowMs: number): Summary {
  const names: Record<string, NameFigures> = {};
  const providers: Record<string, ProviderFigures> = {};
  const latencies = new Map<string, number[]>();
  const fallbacks: Record<string, number> = {};
  const slow: Summary['slow'] = [];
  let errors = 0;
  let retries = 0;
  for (const r of records) {
    const name = r.public_name ?? '(none)';
    const n = (names[name] ??= {
      requests: 0,
      errors: 0,
      error_rate: 0,
      p50_ms: null,
      p95_ms: null,
      max_ms: null,
      slow: 0,
      tokens: { prompt: 0, completion: 0, total: 0 },
      cost: 0,
    });
    n.requests++;
    if (!r.ok) {
      n.errors++;
      errors++;
    }
    if (r.latency_ms >= slowMs) {
      n.slow++;
      slow.push({
        call_id: r.call_id,
        time: r.time,
        public_name: r.public_name,
        latency_ms: r.latency_ms,
        provider: r.answered_by?.provider ?? null,
      });
    }
    (latencies.get(name) ?? latencies.set(name, []).get(name)!).push(r.latency_ms);
    n.tokens.prompt = add(r.tokens.prompt, n.tokens.prompt);
    n.tokens.completion = add(r.tokens.completion, n.tokens.completion);
    n.tokens.total = add(r.tokens.total, n.tokens.total);
    n.cost = add(r.cost, n.cost);
    retries += r.retries;
    let from = r.public_name;
    for (const to of r.fallbacks) {
      const k = `${from ?? '?'} -> ${to}`;
      fallbacks[k] = (fallbacks[k] ?? 0) + 1;
      from = to;
    }
    for (const a of r.attempts) {
      const id = a.provider ?? (a.candidates ? a.candidates.join(' or ') : '(no provider)');
      const p = (providers[id] ??= {
        attempts: 0,
        errors: 0,
        error_rate: 0,
        error_kinds: {},
        tokens: { prompt: 0, completion: 0, total: 0 },
        cost: 0,
      });
      p.attempts++;
      if (!a.ok) {
        p.errors++;
        const kind = a.error?.type ?? 'error';
        p.error_kinds[kind] = (p.error_kinds[kind] ?? 0) + 1;
      }
      p.tokens.prompt = add(a.tokens.prompt, p.tokens.prompt);
      p.tokens.completion = add(a.tokens.completion, p.tokens.completion);
      p.tokens.total = add(a.tokens.total, p.tokens.total);
      p.cost = add(a.cost, p.cost);
    }
  }
  for (const [name, n] of Object.entries(names)) {
    const l = latencies.get(name)!.sort((a, b) => a - b);
    n.p50_ms = nearestRank(l, 0.5);
    n.p95_ms = nearestRank(l, 0.95);
    n.max_ms = l[l.length - 1] ?? null;
    n.error_rate = rate(n.errors, n.requests);
  }
  for (const p of Object.values(providers)) p.error_rate = rate(p.errors, p.attempts);
  slow.sort((a, b) => b.latency_ms - a.latency_ms);
  return {
    requests: records.length,
    errors,
    error_rate: rate(errors, records.length),
    slow_ms: slowMs,
    slow,
    retries,
    fallbacks,
    names: sortedRecord(names),
    providers: sortedRecord(providers),
  };
}

function sortedRecord<T>(r: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
}
