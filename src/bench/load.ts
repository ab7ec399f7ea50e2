// aibackend load: the seed's scenarios as shapes of virtual users over time, a traffic mix over
// public names (by default every chat name of the registry, equally), and thresholds (error rate,
// p95) that decide the exit code. The same scenario and mix can be written out for Locust and k6.
import { figures, run, type Figures, type SecondPoint } from './runner.js';
import { makeTarget } from './request.js';
import { chatBody, runId, type RequestOptions } from './bench.js';

export const SCENARIOS = ['smoke', 'load', 'stress', 'spike'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export interface Scenario {
  name: ScenarioName;
  /** Peak users (spike: the users before and after the spike; the spike is 10x). */
  users: number;
  durationS: number;
  /** Ramp-up time to `users`. */
  rampS: number;
  /** spike only: when the spike starts and how long it lasts. */
  spike?: { atS: number; forS: number; factor: number };
}

export function scenario(name: ScenarioName, users?: number, durationS?: number): Scenario {
  switch (name) {
    case 'smoke': {
      const d = durationS ?? 30;
      return { name, users: users ?? 5, durationS: d, rampS: 0 };
    }
    case 'load': {
      const d = durationS ?? 300;
      return { name, users: users ?? 20, durationS: d, rampS: Math.round(d * 0.2) };
    }
    case 'stress': {
      const d = durationS ?? 300;
      return { name, users: users ?? 200, durationS: d, rampS: Math.round(d * 0.5) };
    }
    case 'spike': {
      const d = durationS ?? 120;
      return {
        name,
        users: users ?? 10,
        durationS: d,
        rampS: 0,
        spike: { atS: Math.round(d * 0.4), forS: Math.max(1, Math.round(d * 0.2)), factor: 10 },
      };
    }
  }
}

/** Active users at t seconds: ramp up linearly, hold; a spike multiplies for its window. */
export function usersAt(s: Scenario, tS: number): number {
  let u = s.rampS > 0 && tS < s.rampS ? Math.max(1, Math.ceil((s.users * tS) / s.rampS)) : s.users;
  if (s.spike && tS >= s.spike.atS && tS < s.spike.atS + s.spike.forS) u = s.users * s.spike.factor;
  return u;
}

export function peakUsers(s: Scenario): number {
  return s.spike ? s.users * s.spike.factor : s.users;
}

/** The mix as cumulative weights, and a picker. */
export function picker(mix: Record<string, number>, random: () => number = Math.random): () => string {
  const names = Object.keys(mix).sort();
  const total = names.reduce((n, k) => n + mix[k]!, 0);
  return () => {
    let r = random() * total;
    for (const n of names) {
      r -= mix[n]!;
      if (r < 0) return n;
    }
    return names.at(-1)!;
  };
}

export function parseMix(text: string, known: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.lastIndexOf('=');
    const name = eq > 0 ? part.slice(0, eq) : part;
    const w = eq > 0 ? Number(part.slice(eq + 1)) : 1;
    if (!known.includes(name)) throw new Error(`'${name}' is not a chat public name or alias (known: ${known.join(', ')})`);
    if (!Number.isFinite(w) || w <= 0) throw new Error(`the weight of '${name}' must be a number above 0`);
    out[name] = w;
  }
  if (Object.keys(out).length === 0) throw new Error('the mix names no public name');
  return out;
}

export interface LoadOptions extends RequestOptions {
  scenario: Scenario;
  mix: Record<string, number>;
  thresholds: { error_rate: number; p95_ms: number };
  onTick?: (done: number, elapsedMs: number) => void;
}

export interface LoadReport {
  kind: 'aibackend-load';
  version: 1;
  scenario: Scenario;
  mix: Record<string, number>;
  stream: boolean;
  seconds: number;
  total: Figures;
  names: Record<string, Figures>;
  timeline: SecondPoint[];
  thresholds: { error_rate: number; p95_ms: number };
  passed: boolean;
  failures: string[];
}

export async function load(o: LoadOptions): Promise<LoadReport> {
  const s = o.scenario;
  const peak = peakUsers(s);
  const target = makeTarget(o.gatewayUrl, '/v1/chat/completions', o.key ? { authorization: `Bearer ${o.key}` } : {}, peak);
  const id = runId();
  try {
    const r = await run({
      target,
      users: (tMs) => usersAt(s, tMs / 1000),
      maxUsers: peak,
      pick: picker(o.mix),
      body: (name, seq) => chatBody(name, o, seq, id),
      stream: o.stream,
      durationMs: s.durationS * 1000,
      timeoutMs: o.timeoutMs,
      ...(o.onTick ? { onTick: o.onTick } : {}),
    });
    const total = figures(r.total, r.seconds);
    const failures: string[] = [];
    if (total.error_rate > o.thresholds.error_rate)
      failures.push(`error rate ${(total.error_rate * 100).toFixed(2)}% is above ${(o.thresholds.error_rate * 100).toFixed(2)}%`);
    if (total.e2e_ms.p95 !== null && total.e2e_ms.p95 > o.thresholds.p95_ms)
      failures.push(`p95 latency ${Math.round(total.e2e_ms.p95)} ms is above ${o.thresholds.p95_ms} ms`);
    if (total.ok === 0) failures.push('no request was answered by a provider');
    return {
      kind: 'aibackend-load',
      version: 1,
      scenario: s,
      mix: o.mix,
      stream: o.stream,
      seconds: Math.round(r.seconds * 100) / 100,
      total,
      names: Object.fromEntries([...r.byName].sort(([a], [b]) => a.localeCompare(b)).map(([n, a]) => [n, figures(a, r.seconds)])),
      timeline: r.timeline,
      thresholds: o.thresholds,
      passed: failures.length === 0,
      failures,
    };
  } finally {
    target.agent.destroy();
  }
}
