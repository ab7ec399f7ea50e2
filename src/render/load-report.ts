// The load test's report as one self-contained HTML file: summary, thresholds, a table per public
// name, and charts drawn as inline SVG (requests and errors per second, latency percentiles and
// users over time). No script, no external file: it opens anywhere, offline.
import type { LoadReport } from '../bench/load.js';
import type { Percentiles } from '../bench/histogram.js';

interface Series {
  name: string;
  color: string;
  points: [number, number | null][];
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function niceMax(v: number): number {
  if (v <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

export function lineChart(title: string, unit: string, series: Series[], xMax: number): string {
  const W = 560;
  const H = 220;
  const L = 56;
  const R = 12;
  const T = 28;
  const B = 34;
  const ys = series.flatMap((s) => s.points.map((p) => p[1] ?? 0));
  const yMax = niceMax(Math.max(0, ...ys));
  const x = (v: number) => L + ((W - L - R) * v) / Math.max(xMax, 1);
  const y = (v: number) => T + (H - T - B) * (1 - v / yMax);
  const grid = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (f) =>
        `<line x1="${L}" x2="${W - R}" y1="${y(yMax * f)}" y2="${y(yMax * f)}" stroke="#e5e7eb"/><text x="${L - 6}" y="${y(yMax * f) + 4}" text-anchor="end" font-size="11" fill="#6b7280">${+(yMax * f).toFixed(2)}</text>`,
    )
    .join('');
  const xTicks = Array.from({ length: 6 }, (_, i) => Math.round((xMax * i) / 5))
    .map((t) => `<text x="${x(t)}" y="${H - B + 16}" text-anchor="middle" font-size="11" fill="#6b7280">${t}s</text>`)
    .join('');
  const lines = series
    .map((s) => {
      const pts = s.points.filter((p): p is [number, number] => p[1] !== null);
      if (pts.length === 0) return '';
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
      return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`;
    })
    .join('');
  const legend = series
    .map(
      (s, i) =>
        `<rect x="${L + i * 120}" y="8" width="10" height="10" fill="${s.color}"/><text x="${L + 14 + i * 120}" y="17" font-size="12">${esc(s.name)}</text>`,
    )
    .join('');
  return `<figure><figcaption>${esc(title)} <span class="unit">(${esc(unit)})</span></figcaption><svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">${grid}${xTicks}${lines}${legend}<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#9ca3af"/><line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#9ca3af"/></svg></figure>`;
}

const ms = (v: number | null) => (v === null ? '-' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v)} ms`);
const pcts = (p: Percentiles) => `${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.p99)}`;

export function renderLoadReport(r: LoadReport, generatedBy: string): string {
  const xMax = Math.max(1, r.timeline.length);
  const t = r.timeline;
  const charts = [
    lineChart(
      'Requests and errors per second',
      'per second',
      [
        { name: 'requests', color: '#2563eb', points: t.map((p) => [p.t, p.requests]) },
        { name: 'errors', color: '#dc2626', points: t.map((p) => [p.t, p.errors]) },
      ],
      xMax,
    ),
    lineChart(
      'End-to-end latency',
      'ms',
      [
        { name: 'p50', color: '#059669', points: t.map((p) => [p.t, p.p50_ms]) },
        { name: 'p95', color: '#d97706', points: t.map((p) => [p.t, p.p95_ms]) },
      ],
      xMax,
    ),
    lineChart('Virtual users', 'users', [{ name: 'users', color: '#7c3aed', points: t.map((p) => [p.t, p.users]) }], xMax),
  ].join('\n');
  const rows = Object.entries(r.names)
    .map(
      ([n, f]) =>
        `<tr><td>${esc(n)}</td><td>${r.mix[n] ?? ''}</td><td>${f.requests}</td><td>${f.errors}</td><td>${f.requests_per_s}</td><td>${pcts(f.e2e_ms)}</td><td>${pcts(f.ttft_ms)}</td><td>${f.output_tokens_per_s}</td></tr>`,
    )
    .join('');
  const verdict = r.passed ? '<p class="ok">✔ thresholds met</p>' : `<p class="bad">✖ ${r.failures.map(esc).join('; ')}</p>`;
  const s = r.scenario;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aibackend load: ${esc(s.name)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#111827;max-width:1200px}
h1{font-size:20px;margin:0 0 4px} .meta{color:#6b7280;margin:0 0 16px}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}
.card{border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;min-width:140px}
.card b{display:block;font-size:20px}
.charts{display:flex;flex-wrap:wrap;gap:16px} figure{margin:0;border:1px solid #e5e7eb;border-radius:8px;padding:8px}
figcaption{font-weight:600;margin:0 0 4px} .unit{color:#6b7280;font-weight:400}
table{border-collapse:collapse;margin:16px 0} td,th{border-bottom:1px solid #e5e7eb;padding:6px 10px;text-align:right} td:first-child,th:first-child{text-align:left}
.ok{color:#059669;font-weight:600} .bad{color:#dc2626;font-weight:600}
</style></head><body>
<h1>Load test: ${esc(s.name)}</h1>
<p class="meta">${esc(generatedBy)} · ${s.users} users${s.spike ? ` (×${s.spike.factor} from ${s.spike.atS} s for ${s.spike.forS} s)` : ''}${s.rampS ? `, ramp-up ${s.rampS} s` : ''} · ${r.seconds} s · ${r.stream ? 'streaming' : 'non-streaming'}</p>
${verdict}
<div class="cards">
<div class="card">requests<b>${r.total.requests}</b></div>
<div class="card">requests/s<b>${r.total.requests_per_s}</b></div>
<div class="card">errors<b>${r.total.errors} (${(r.total.error_rate * 100).toFixed(2)}%)</b></div>
<div class="card">p50 / p95 / p99<b>${pcts(r.total.e2e_ms)}</b></div>
<div class="card">output tokens/s<b>${r.total.output_tokens_per_s}</b></div>
</div>
<div class="charts">
${charts}
</div>
<table><thead><tr><th>public name</th><th>weight</th><th>requests</th><th>errors</th><th>req/s</th><th>latency p50/p95/p99</th><th>TTFT p50/p95/p99</th><th>output tok/s</th></tr></thead><tbody>${rows}</tbody></table>
<p class="meta">thresholds: error rate ≤ ${(r.thresholds.error_rate * 100).toFixed(2)}%, p95 ≤ ${ms(r.thresholds.p95_ms)}</p>
</body></html>
`;
}
