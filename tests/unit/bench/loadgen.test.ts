// The load generator's pure parts: the histogram's percentiles, the knee of a sweep, regressions
// against a baseline, scenario shapes, the mix, and the emitted Locust and k6 files.
import { describe, expect, test } from 'vitest';
import { knee, prompt, regressions, type BenchLevel, type BenchReport } from '../../../src/bench/bench.js';
import { k6Script, locustFile, stages } from '../../../src/bench/emit.js';
import { Histogram } from '../../../src/bench/histogram.js';
import { parseMix, picker, scenario, usersAt } from '../../../src/bench/load.js';
import type { Figures } from '../../../src/bench/runner.js';

describe('histogram', () => {
  test('percentiles within 1% of the exact ones over four orders of magnitude; min, max and mean exact', () => {
    const h = new Histogram();
    const values = Array.from({ length: 10_000 }, (_, i) => 0.5 + i * 0.9); // 0.5 .. 9000 ms
    for (const v of values) h.record(v);
    const exact = (q: number) => values[Math.ceil(q * values.length) - 1]!;
    for (const q of [0.5, 0.9, 0.95, 0.99]) expect(Math.abs(h.quantile(q)! - exact(q)) / exact(q)).toBeLessThan(0.01);
    expect(h.quantile(0)).toBe(0.5);
    expect(h.quantile(1)).toBe(values.at(-1));
    expect(h.mean()).toBeCloseTo(values.reduce((a, b) => a + b) / values.length, 6);
    const other = new Histogram();
    other.record(100_000);
    h.merge(other);
    expect(h.count).toBe(10_001);
    expect(h.quantile(1)).toBe(100_000);
    expect(new Histogram().quantile(0.5)).toBeNull();
  });
});

function fig(rps: number, p95: number): Figures {
  const p = { mean: p95, p50: p95, p95, p99: p95, max: p95 };
  return {
    requests: 10,
    ok: 10,
    errors: 0,
    cached: 0,
    cut: 0,
    error_rate: 0,
    requests_per_s: rps,
    attempts_per_s: rps,
    output_tokens_per_s: 0,
    ttft_ms: p,
    itl_ms: p,
    e2e_ms: p,
    error_kinds: {},
    error_examples: {},
  };
}

describe('bench', () => {
  test('the knee: the last concurrency before throughput stops growing while p95 rises', () => {
    const levels = (pairs: [number, number, number][]): BenchLevel[] =>
      pairs.map(([c, rps, p95]) => ({ concurrency: c, figures: fig(rps, p95) }));
    expect(
      knee(
        levels([
          [1, 1, 100],
          [2, 2, 105],
          [4, 3.9, 110],
          [8, 4, 220],
          [16, 4.1, 430],
        ]),
      ),
    ).toBe(4);
    expect(
      knee(
        levels([
          [1, 1, 100],
          [2, 2, 100],
          [4, 4, 100],
        ]),
      ),
    ).toBeNull();
    // flat throughput with flat latency is not a knee
    expect(
      knee(
        levels([
          [1, 1, 100],
          [2, 1, 100],
        ]),
      ),
    ).toBeNull();
  });

  test('regressions: p95 up or throughput down beyond the threshold, at the same name and concurrency', () => {
    const report = (rps: number, p95: number): BenchReport => ({
      kind: 'aibackend-bench',
      version: 1,
      stream: false,
      max_tokens: 1,
      prompt_tokens: 1,
      names: [{ name: 'a', knee: null, levels: [{ concurrency: 1, figures: fig(rps, p95) }] }],
    });
    expect(regressions(report(10, 100), report(10, 119), 0.2)).toEqual([]);
    expect(regressions(report(10, 100), report(10, 121), 0.2)).toEqual([
      { name: 'a', concurrency: 1, metric: 'e2e_p95_ms', baseline: 100, now: 121, change: 0.21 },
    ]);
    expect(regressions(report(10, 100), report(7.9, 100), 0.2).map((r) => r.metric)).toEqual(['requests_per_s']);
    expect(regressions(report(10, 100), { ...report(1, 1000), names: [{ name: 'b', knee: null, levels: [] }] }, 0.2)).toEqual([]);
  });

  test('prompts differ by request and are about the size asked for', () => {
    expect(prompt(32, 1)).not.toBe(prompt(32, 2));
    expect(prompt(32, 1).split(' ').length).toBe(31);
  });
});

describe('load scenarios and the mix', () => {
  test('shapes: smoke constant, load ramps, spike multiplies for its window', () => {
    const smoke = scenario('smoke');
    expect([smoke.users, smoke.durationS]).toEqual([5, 30]);
    expect([0, 15, 29].map((t) => usersAt(smoke, t))).toEqual([5, 5, 5]);
    const load = scenario('load', 50, 100);
    expect(load.rampS).toBe(20);
    expect([0, 10, 19, 20, 90].map((t) => usersAt(load, t))).toEqual([1, 25, 48, 50, 50]);
    const spike = scenario('spike', 4, 50);
    expect(spike.spike).toEqual({ atS: 20, forS: 10, factor: 10 });
    expect([19, 20, 29, 30].map((t) => usersAt(spike, t))).toEqual([4, 40, 40, 4]);
    expect(stages(spike)).toEqual([
      { atS: 0, users: 4 },
      { atS: 20, users: 40 },
      { atS: 30, users: 4 },
    ]);
  });

  test('the mix: weights parsed against the known names, picked in proportion', () => {
    expect(parseMix('a=60, b=25,c=15', ['a', 'b', 'c'])).toEqual({ a: 60, b: 25, c: 15 });
    expect(parseMix('llama3.1:8b', ['llama3.1:8b'])).toEqual({ 'llama3.1:8b': 1 });
    expect(() => parseMix('x=1', ['a'])).toThrow(/'x' is not a chat public name/);
    expect(() => parseMix('a=0', ['a'])).toThrow(/above 0/);
    let seed = 1;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    const pick = picker({ a: 60, b: 25, c: 15 }, random);
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 10_000; i++) counts[pick()]!++;
    expect(Math.abs(counts.a! / 10_000 - 0.6)).toBeLessThan(0.02);
    expect(Math.abs(counts.c! / 10_000 - 0.15)).toBeLessThan(0.02);
  });

  test('Locust and k6 files carry the scenario, the mix and the thresholds, and never the key', () => {
    const o = {
      scenario: scenario('spike', 2, 10),
      mix: { chat: 3, coder: 1 },
      gatewayUrl: 'http://127.0.0.1:4000',
      keyVariable: 'LITELLM_MASTER_KEY',
      maxTokens: 64,
      promptTokens: 8,
      thresholds: { error_rate: 0.05, p95_ms: 30_000 },
      header: 'AUTO-GENERATED test',
    };
    const py = locustFile(o);
    expect(py).toContain('MIX = {"chat":3,"coder":1}');
    expect(py).toContain('STAGES = [[0,2],[4,20],[6,2]]');
    expect(py).toContain('DURATION = 10');
    expect(py).toContain('os.environ.get("LITELLM_MASTER_KEY", "")');
    const js = k6Script(o);
    expect(js).toContain("http_req_failed: ['rate<=0.05']");
    expect(js).toContain("http_req_duration: ['p(95)<=30000']");
    expect(js).toContain(
      '{"duration":"4s","target":2},{"duration":"0s","target":20},{"duration":"2s","target":20},{"duration":"0s","target":2},{"duration":"4s","target":2}',
    );
  });
});
