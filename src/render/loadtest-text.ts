// Human rendering of bench and load.
import type { ChalkInstance } from 'chalk';
import type { BenchReport, Regression } from '../bench/bench.js';
import type { Percentiles } from '../bench/histogram.js';
import type { LoadReport } from '../bench/load.js';
import type { Figures } from '../bench/runner.js';
import { table } from './table.js';

const ms = (v: number | null) => (v === null ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)}s` : `${Math.round(v)}ms`);
const three = (p: Percentiles) => `${ms(p.p50)} ${ms(p.p95)} ${ms(p.p99)}`;

function row(label: string, f: Figures, s: ChalkInstance): string[] {
  return [
    label,
    String(f.requests),
    f.errors ? s.red(String(f.errors)) : '0',
    f.requests_per_s.toFixed(2),
    f.output_tokens_per_s.toFixed(1),
    three(f.ttft_ms),
    `${ms(f.itl_ms.p50)} ${ms(f.itl_ms.p95)}`,
    three(f.e2e_ms),
  ];
}

const HEAD = ['', 'requests', 'errors', 'ok req/s', 'out tok/s', 'TTFT p50 p95 p99', 'ITL p50 p95', 'latency p50 p95 p99'];

/** What the table does not say: failures by kind (with the first message), cache answers, cut requests. */
function notes(f: Figures, s: ChalkInstance, indent = '  '): string[] {
  const out = Object.entries(f.error_kinds).map(([k, n]) =>
    s.red(`${indent}${n} × ${k}${f.error_examples[k] ? `: ${f.error_examples[k]}` : ''}`),
  );
  if (f.cached) out.push(s.yellow(`${indent}${f.cached} answered by the response cache, not a provider: left out of every figure`));
  if (f.cut) out.push(s.dim(`${indent}${f.cut} in flight when the time was up: cut, counted neither ok nor failed`));
  return out;
}

export function renderBench(r: BenchReport, regressed: Regression[], threshold: number | undefined, s: ChalkInstance): string {
  const out: string[] = [];
  for (const n of r.names) {
    out.push(s.bold(n.name));
    out.push(
      table(
        ['concurrency', ...HEAD.slice(1)],
        n.levels.map((l) => row(String(l.concurrency), l.figures, s)),
        s,
      ),
    );
    for (const l of n.levels) {
      const lines = notes(l.figures, s, '    ');
      if (lines.length) out.push(`  concurrency ${l.concurrency}:`, ...lines);
    }
    if (n.levels.length > 1)
      out.push(
        n.knee === null
          ? s.dim('  throughput still grows at the highest concurrency tried')
          : `  ${s.yellow(`beyond concurrency ${n.knee}, throughput stops growing while p95 keeps rising`)}`,
      );
    out.push('');
  }
  if (r.overhead?.length) {
    out.push(s.bold('gateway overhead (median end-to-end latency, gateway minus the provider called directly)'));
    out.push(
      table(
        ['name', 'provider', 'direct p50', 'gateway p50', 'overhead', 'TTFT direct', 'TTFT gateway'],
        r.overhead.map((o) => [
          o.name,
          o.provider,
          ms(o.direct_e2e_p50_ms),
          ms(o.gateway_e2e_p50_ms),
          ms(o.overhead_p50_ms),
          ms(o.direct_ttft_p50_ms),
          ms(o.gateway_ttft_p50_ms),
        ]),
        s,
      ),
    );
    out.push('');
  }
  if (threshold !== undefined) {
    out.push(
      regressed.length === 0
        ? `${s.green('✔')} no regression against the baseline (p95 and successful throughput within ${Math.round(threshold * 100)}%, error rate not higher)`
        : `${s.red('✖')} regressed beyond ${Math.round(threshold * 100)}%: ${regressed.map((g) => `${g.name} at concurrency ${g.concurrency}: ${g.metric} ${g.baseline} -> ${g.now}`).join('; ')}`,
    );
  }
  return out.join('\n').trimEnd();
}

export function renderLoad(r: LoadReport, s: ChalkInstance): string {
  const rows = Object.entries(r.names).map(([n, f]) => row(n, f, s));
  rows.push(row(s.bold('all'), r.total, s));
  return [
    `${s.bold(`scenario ${r.scenario.name}`)}: ${r.seconds} s, ${r.total.requests} requests, ${r.total.requests_per_s} successful req/s, error rate ${(r.total.error_rate * 100).toFixed(2)}%`,
    table(['public name', ...HEAD.slice(1)], rows, s),
    ...notes(r.total, s),
    r.passed
      ? `${s.green('✔')} thresholds met (error rate ≤ ${(r.thresholds.error_rate * 100).toFixed(2)}%, p95 ≤ ${ms(r.thresholds.p95_ms)})`
      : `${s.red('✖')} ${r.failures.join('; ')}`,
  ].join('\n');
}
