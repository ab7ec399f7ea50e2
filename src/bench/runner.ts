// The closed-loop load generator: virtual users, each sending its next request when the last one
// ended. The number of active users follows a shape over time (a constant concurrency for bench,
// ramp-up, steady and spike shapes for load); it stops by itself at its request count or its
// duration (at which in-flight requests are cut and counted as cut, not waited for). Results are
// aggregated per public name and per second as they arrive. Throughput counts successful answers
// from a provider; answers from the response cache are counted apart; a refused or unreachable
// gateway makes each user back off instead of spinning.
import { Histogram, percentiles, type Percentiles } from './histogram.js';
import { send, type Sample, type Target } from './request.js';
import { sleep } from '../util/sleep.js';

export interface RunOptions {
  target: Target;
  /** Active users at t ms after the start. */
  users: (tMs: number) => number;
  maxUsers: number;
  /** The public name of the next request. */
  pick: () => string;
  body: (name: string, seq: number) => Record<string, unknown>;
  stream: boolean;
  requests?: number;
  durationMs?: number;
  timeoutMs: number;
  onTick?: (done: number, elapsedMs: number) => void;
}

export class Aggregate {
  readonly ttft = new Histogram();
  readonly itl = new Histogram();
  readonly e2e = new Histogram();
  ok = 0;
  errors = 0;
  /** Answered by the response cache: neither a success of the provider nor an error. */
  cached = 0;
  /** In flight when the run's time was up. */
  cut = 0;
  outputTokens = 0;
  readonly errorKinds = new Map<string, number>();
  /** The first message seen of each kind, to say what it was. */
  readonly errorExamples = new Map<string, string>();

  add(s: Sample): void {
    if (s.error_kind === 'cut') {
      this.cut++;
      return;
    }
    if (!s.ok) {
      this.errors++;
      const k = s.error_kind ?? `HTTP ${s.status}`;
      this.errorKinds.set(k, (this.errorKinds.get(k) ?? 0) + 1);
      if (!this.errorExamples.has(k) && s.error) this.errorExamples.set(k, s.error);
      return;
    }
    if (s.cached) {
      this.cached++;
      return;
    }
    this.ok++;
    this.outputTokens += s.output_tokens;
    this.e2e.record(s.e2e_ms);
    if (s.ttft_ms !== null) this.ttft.record(s.ttft_ms);
    for (const gap of s.itl_ms) this.itl.record(gap);
  }
}

export interface Figures {
  /** Every request that finished: ok + errors + cached. */
  requests: number;
  /** Answered by a provider, whole. */
  ok: number;
  errors: number;
  /** Answered by the response cache: not in the latency or throughput figures. */
  cached: number;
  /** In flight when the run's time was up: neither ok nor an error. */
  cut: number;
  error_rate: number;
  /** Successful answers from a provider per second (failures are not throughput). */
  requests_per_s: number;
  /** Every finished request per second, failures and cache answers included. */
  attempts_per_s: number;
  output_tokens_per_s: number;
  ttft_ms: Percentiles;
  itl_ms: Percentiles;
  e2e_ms: Percentiles;
  error_kinds: Record<string, number>;
  /** The first message of each error kind. */
  error_examples: Record<string, string>;
}

export function figures(a: Aggregate, seconds: number): Figures {
  const requests = a.ok + a.errors + a.cached;
  const r = (v: number, d = 2) => Math.round(v * 10 ** d) / 10 ** d;
  return {
    requests,
    ok: a.ok,
    errors: a.errors,
    cached: a.cached,
    cut: a.cut,
    error_rate: requests ? r(a.errors / requests, 4) : 0,
    requests_per_s: r(a.ok / Math.max(seconds, 1e-3)),
    attempts_per_s: r(requests / Math.max(seconds, 1e-3)),
    output_tokens_per_s: r(a.outputTokens / Math.max(seconds, 1e-3), 1),
    ttft_ms: percentiles(a.ttft),
    itl_ms: percentiles(a.itl),
    e2e_ms: percentiles(a.e2e),
    error_kinds: Object.fromEntries(a.errorKinds),
    error_examples: Object.fromEntries(a.errorExamples),
  };
}

export interface SecondPoint {
  t: number;
  users: number;
  requests: number;
  errors: number;
  p50_ms: number | null;
  p95_ms: number | null;
}

export interface RunResult {
  seconds: number;
  total: Aggregate;
  byName: Map<string, Aggregate>;
  timeline: SecondPoint[];
}

export async function run(o: RunOptions): Promise<RunResult> {
  const epoch = performance.now();
  const elapsed = () => performance.now() - epoch;
  const total = new Aggregate();
  const byName = new Map<string, Aggregate>();
  const perSecond: { users: number; requests: number; errors: number; e2e: Histogram }[] = [];
  let started = 0;
  let finished = 0;
  const more = () =>
    (o.requests !== undefined ? started < o.requests : true) && (o.durationMs !== undefined ? elapsed() < o.durationMs : true);
  // At the run's time, requests still in flight are cut (and counted), not waited for.
  const stop = new AbortController();
  const timer = o.durationMs !== undefined ? setTimeout(() => stop.abort(), o.durationMs) : undefined;
  const second = (t: number) => {
    const i = Math.floor(t / 1000);
    while (perSecond.length <= i) perSecond.push({ users: 0, requests: 0, errors: 0, e2e: new Histogram() });
    return perSecond[i]!;
  };
  const tick = setInterval(() => {
    second(elapsed()).users = Math.min(o.maxUsers, o.users(elapsed()));
    o.onTick?.(finished, elapsed());
  }, 250);
  const backoff: number[] = [];
  const worker = async (index: number) => {
    while (more()) {
      if (index >= o.users(elapsed())) {
        await sleep(50);
        continue;
      }
      const name = o.pick();
      const seq = started++;
      const s = await send(o.target, o.body(name, seq), o.stream, epoch, o.timeoutMs, stop.signal);
      finished++;
      // A gateway that refuses connections or the key answers at once: back off, do not spin.
      if (s.error_kind === 'connection' || s.error_kind === 'key-refused') {
        backoff[index] = Math.min(1000, (backoff[index] || 25) * 2);
        await sleep(backoff[index]!);
      } else backoff[index] = 0;
      total.add(s);
      let agg = byName.get(name);
      if (!agg) byName.set(name, (agg = new Aggregate()));
      agg.add(s);
      const sec = second(s.start_ms);
      sec.requests++;
      if (s.ok) sec.e2e.record(s.e2e_ms);
      else sec.errors++;
    }
  };
  try {
    await Promise.all(Array.from({ length: o.maxUsers }, (_, i) => worker(i)));
  } finally {
    clearInterval(tick);
    clearTimeout(timer);
  }
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    seconds: elapsed() / 1000,
    total,
    byName,
    timeline: perSecond.map((p, t) => ({
      t,
      users: p.users,
      requests: p.requests,
      errors: p.errors,
      p50_ms: round(p.e2e.quantile(0.5)),
      p95_ms: round(p.e2e.quantile(0.95)),
    })),
  };
}
