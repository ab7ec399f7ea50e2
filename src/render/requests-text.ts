// Human rendering of requests, trace and requests --summary: records as table rows, one request's
// story, a period's figures. Every view ends with where the figures come from and their limits.
import type { ChalkInstance } from 'chalk';
import type { RecordSource } from '../operate/request-source.js';
import type { Attempt, RequestRecord } from '../operate/requests.js';
import type { Summary } from '../operate/requests-summary.js';
import { table } from './table.js';

const ms = (v: number | null) => (v === null ? '-' : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`);
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const time = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
const tokens = (t: { prompt: number | null; completion: number | null }) =>
  t.prompt === null && t.completion === null ? '-' : `${t.prompt ?? '?'}+${t.completion ?? '?'}`;
const money = (v: number | null) => (v === null ? '-' : v === 0 ? '0' : `$${v.toFixed(v < 0.01 ? 6 : 4)}`);

function who(a: { provider: string | null; candidates?: string[]; model: string | null }): string {
  if (a.provider) return a.provider;
  if (a.candidates) return `${a.candidates.join(' or ')}?`;
  return a.model ?? '?';
}

export const RECORD_HEAD = ['time', 'name', 'provider', 'status', 'latency', 'tokens', 'route', 'call id'];

export function recordRow(r: RequestRecord, s: ChalkInstance): string[] {
  const status = r.status === null ? '-' : String(r.status);
  const path =
    r.fallbacks.length > 0
      ? s.yellow(`fallback ${r.fallbacks.join(' > ')}`)
      : r.retries > 0
        ? s.yellow(`${r.retries} retr${r.retries === 1 ? 'y' : 'ies'}`)
        : '';
  return [
    time(r.time),
    r.public_name ?? '-',
    r.answered_by ? who({ ...r.answered_by, model: r.answered_by.backend_model }) : s.red(r.error?.type ?? 'failed'),
    r.ok ? s.green(status) : s.red(status),
    ms(r.latency_ms) + (r.stream ? ' (stream)' : ''),
    tokens(r.tokens),
    path,
    s.dim(r.call_id ?? r.trace_id),
  ];
}

export function renderSource(src: RecordSource, s: ChalkInstance): string {
  const lines = [
    s.dim(`source: Jaeger at ${src.url} (service ${src.service}), ${time(src.from)} to ${time(src.to)}, ${src.traces} trace(s) read`),
  ];
  if (src.limit_reached)
    lines.push(
      s.yellow(`! the search limit (${src.limit}) was reached: some requests of the window are left out: raise --limit or narrow --since`),
    );
  for (const l of src.limits) lines.push(s.dim(`  ${l}`));
  return lines.join('\n');
}

export function renderRecords(records: readonly RequestRecord[], src: RecordSource, s: ChalkInstance): string {
  const body =
    records.length === 0
      ? s.dim('no request in the window matches')
      : table(
          RECORD_HEAD,
          records.map((r) => recordRow(r, s)),
          s,
        );
  return `${body}\n${renderSource(src, s)}`;
}

function attemptLine(a: Attempt, i: number, first: string | null, s: ChalkInstance): string {
  const step = i === 0 ? 'asked' : a.model_group === first ? 'retry' : 'fallback';
  const where = `${s.bold(who(a))}${a.backend_model ? ` (${a.backend_model})` : a.model ? ` (${a.model})` : ''}${a.api_base ? ` at ${a.api_base}` : ''}`;
  const outcome = a.ok
    ? s.green(`✔ answered in ${ms(a.duration_ms)}, tokens ${tokens(a.tokens)}${a.cost ? `, ${money(a.cost)}` : ''}`)
    : s.red(
        `✖ ${a.status ?? ''} ${a.error?.type ?? 'error'}${a.error?.message ? `: ${a.error.message}` : ''} (after ${ms(a.duration_ms)})`,
      );
  return `  ${i + 1}. ${step.padEnd(8)} ${a.model_group ?? '?'} → ${where}\n       ${outcome}`;
}

export function renderTrace(r: RequestRecord, src: RecordSource, s: ChalkInstance): string {
  const head = `${r.ok ? s.green('✔') : s.red('✖')} ${s.bold(r.public_name ?? '?')}: HTTP ${r.status ?? '?'} in ${ms(r.latency_ms)}${r.stream ? ' (streamed)' : ''}`;
  const lines = [
    head,
    `  call id ${r.call_id ?? '-'}  ·  trace ${r.trace_id}  ·  ${time(r.time)}${r.route ? `  ·  ${r.route}` : ''}`,
    `  ${r.provider_calls} call(s) to providers${r.retries ? `, ${r.retries} retr${r.retries === 1 ? 'y' : 'ies'}` : ''}, ${r.fallbacks.length} fallback(s)${r.fallbacks.length ? ` (${r.fallbacks.join(' > ')})` : ''}${
      r.provider_calls > r.attempts.length
        ? s.dim(
            `; LiteLLM recorded ${r.attempts.length} of them with their outcome (one failure span per name: its other calls there have none)`,
          )
        : ''
    }`,
    ...r.attempts.map((a, i) => attemptLine(a, i, r.attempts[0]!.model_group, s)),
  ];
  // Time no attempt covers, when it is most of the request: LiteLLM's own work (the gateway's log lines of the request say what).
  if (r.outside_attempts_ms >= 1000 && r.outside_attempts_ms > r.latency_ms / 2)
    lines.push(
      s.yellow(
        `  ${ms(r.outside_attempts_ms)} of the ${ms(r.latency_ms)} passed outside any attempt at a provider: LiteLLM's own work; \`aibackend logs --call-id ${r.call_id ?? r.trace_id}\` shows what it did`,
      ),
    );
  if (r.answered_by) {
    const a = r.answered_by;
    lines.push(
      `  answered by ${s.bold(a.provider ?? '?')}${a.backend_model ? ` (${a.backend_model})` : ''} for ${a.model_group ?? '?'}; tokens ${tokens(r.tokens)}${r.cost ? `, ${money(r.cost)}` : ''}`,
    );
  } else lines.push(s.red(`  nobody answered: ${r.error?.type ?? 'failed'}${r.error?.message ? `: ${r.error.message}` : ''}`));
  lines.push(renderSource(src, s));
  return lines.join('\n');
}

export function renderSummary(sum: Summary, src: RecordSource, s: ChalkInstance): string {
  const out: string[] = [];
  out.push(
    `${s.bold(String(sum.requests))} request(s), ${sum.errors ? s.red(`${sum.errors} failed (${pct(sum.error_rate)})`) : s.green('none failed')}, ${sum.slow.length} slower than ${ms(sum.slow_ms)}, ${sum.retries} retr${sum.retries === 1 ? 'y' : 'ies'}`,
  );
  if (sum.requests === 0) return `${out.join('\n')}\n${renderSource(src, s)}`;
  out.push('', s.bold('per public name'));
  out.push(
    table(
      ['name', 'requests', 'errors', 'p50', 'p95', 'max', 'slow', 'tokens in+out', 'spend'],
      Object.entries(sum.names).map(([name, n]) => [
        name,
        String(n.requests),
        n.errors ? s.red(`${n.errors} (${pct(n.error_rate)})`) : '0',
        ms(n.p50_ms),
        ms(n.p95_ms),
        ms(n.max_ms),
        String(n.slow),
        `${n.tokens.prompt}+${n.tokens.completion}`,
        money(n.cost),
      ]),
      s,
    ),
  );
  out.push('', s.bold('per provider (attempts)'));
  out.push(
    table(
      ['provider', 'attempts', 'errors', 'error kinds', 'tokens in+out', 'spend'],
      Object.entries(sum.providers).map(([id, p]) => [
        id,
        String(p.attempts),
        p.errors ? s.red(`${p.errors} (${pct(p.error_rate)})`) : '0',
        Object.entries(p.error_kinds)
          .map(([k, n]) => `${k} ×${n}`)
          .join(', ') || '-',
        `${p.tokens.prompt}+${p.tokens.completion}`,
        money(p.cost),
      ]),
      s,
    ),
  );
  const fb = Object.entries(sum.fallbacks);
  if (fb.length > 0) {
    out.push('', s.bold('fallbacks taken'));
    for (const [k, n] of fb) out.push(`  ${k}: ${n}`);
  }
  if (sum.slow.length > 0) {
    out.push('', s.bold(`slow requests (over ${ms(sum.slow_ms)}), slowest first`));
    for (const r of sum.slow.slice(0, 10))
      out.push(`  ${time(r.time)}  ${r.public_name ?? '-'}  ${ms(r.latency_ms)}  ${r.provider ?? '-'}  ${s.dim(r.call_id ?? '')}`);
    if (sum.slow.length > 10) out.push(s.dim(`  … and ${sum.slow.length - 10} more (--json has them all)`));
  }
  out.push('', renderSource(src, s));
  return out.join('\n');
}
