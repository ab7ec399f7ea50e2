// Human rendering of try, verify, logs, stats and cache.
import type { ChalkInstance } from 'chalk';
import type { CacheStats } from '../operate/cache.js';
import type { LogLine } from '../operate/logs.js';
import type { StatsReport } from '../operate/stats.js';
import type { TryResult } from '../operate/try.js';
import type { TryToolResult } from '../operate/try-tool.js';
import type { VerifyReport } from '../operate/verify.js';
import { table } from './table.js';

const ms = (v: number | null) => (v === null ? '-' : `${Math.round(v)} ms`);
const sec = (v: number | null) => (v === null ? '-' : v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(2)} s`);
const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);

export function renderTryTool(r: TryToolResult, s: ChalkInstance): string {
  const head = `${s.bold(r.tool)} (MCP server ${r.server}) through ${r.url}: `;
  if (r.error) return `${head}${s.red('failed')} after ${r.ms} ms: ${r.error}`;
  const verdict = r.tool_error ? s.red('the tool reported an error') : s.green('ok');
  const body = r.structured !== undefined ? JSON.stringify(r.structured) : (r.text ?? '');
  return [`${head}${verdict} in ${r.ms} ms`, body ? `  ${body.split('\n').join('\n  ')}` : s.dim('  (no text in the result)')].join('\n');
}

export function renderTry(r: TryResult, s: ChalkInstance): string {
  const a = r.answered_by;
  const who = a.provider
    ? `${s.bold(a.provider)} (${a.backend_model}) at ${a.api_base ?? 'its hosted API'}`
    : `${a.model ?? '?'} at ${a.api_base ?? '?'} ${s.yellow('(no route of the registry)')}`;
  const via =
    r.via === 'route'
      ? s.green(`a route of ${r.name}`)
      : r.via === 'fallback'
        ? s.yellow(`the fallback ${a.model_group}`)
        : r.via === 'unknown'
          ? s.red('a deployment that is not a route of this name')
          : s.red('nobody');
  const lines = [
    `${r.ok ? s.green('✔') : s.red('✖')} ${r.name} (${r.mode}${r.stream ? ', streamed' : ''}): HTTP ${r.status}${r.cache_hit ? s.cyan(' (answered from the cache)') : ''}`,
    r.ok ? `  answered by ${who}, ${via}` : `  ${s.red(r.error ? `${r.error.kind}: ${r.error.message}` : 'no answer')}`,
    `  retries ${r.attempted_retries ?? '-'}, fallbacks tried ${r.attempted_fallbacks ?? '-'}`,
    `  total ${ms(r.timings.total_ms)}${r.stream ? `, first token ${ms(r.timings.ttft_ms)}` : ''}, gateway ${ms(r.timings.gateway_ms)}, LiteLLM overhead ${ms(r.timings.overhead_ms)}`,
    `  tokens: prompt ${r.tokens.prompt ?? '-'}, completion ${r.tokens.completion ?? '-'}, total ${r.tokens.total ?? '-'}`,
    `  call id ${r.call_id}  (aibackend logs --call-id ${r.call_id})`,
  ];
  if (r.reply) lines.push(s.dim(`  ${JSON.stringify(r.reply.length > 120 ? `${r.reply.slice(0, 120)}…` : r.reply)}`));
  return lines.join('\n');
}

export function renderVerify(r: VerifyReport, s: ChalkInstance): string {
  const rows = r.names.map((n) => [
    n.name,
    String(n.requests),
    Object.entries(n.reached)
      .map(([k, v]) => `${k} ×${v}`)
      .join(', ') || '-',
    n.findings.length ? s.red(n.findings.map((f) => f.message).join('; ')) : s.green('ok'),
  ]);
  const mcp = r.mcp
    ? [
        '',
        `${s.bold('MCP')} ${r.mcp.url}: ${r.mcp.listed === null ? s.red('no tool listing') : `${r.mcp.listed} tool${r.mcp.listed === 1 ? '' : 's'} listed`}`,
        table(
          ['MCP server', 'tools at the gateway', 'verdict'],
          r.mcp.servers.map((v) => [
            v.id,
            v.gateway_tools.join(', ') || '-',
            v.findings.length ? s.red(v.findings.map((f) => f.message).join('; ')) : s.green('ok'),
          ]),
          s,
        ),
        ...r.mcp.findings.filter((f) => !f.server).map((f) => s.red(f.message)),
      ]
    : [];
  return [
    table(['name', 'requests', 'answered by', 'verdict'], rows, s),
    ...mcp,
    '',
    r.ok
      ? `${s.green('✔')} every name is answered by its own routes, and every route of a load-balanced name answered${r.mcp ? "; every active MCP server's tools are served at /mcp" : ''}`
      : `${s.red('✖')} ${r.findings} finding${r.findings === 1 ? '' : 's'}: the gateway does not do what the sources say`,
  ].join('\n');
}

export function renderLogLine(l: LogLine, s: ChalkInstance): string {
  const level = (l.level ?? '').toUpperCase();
  const colour =
    level === 'ERROR' || level === 'CRITICAL' ? s.red : level === 'WARNING' ? s.yellow : level === 'DEBUG' ? s.dim : (x: string) => x;
  const parts = [
    l.timestamp ? s.dim(l.timestamp.replace('T', ' ').slice(0, 23)) : '',
    level ? colour(level.padEnd(7)) : '',
    l.component ? s.cyan(l.component) : '',
    l.message,
    l.trace_id ? s.dim(`[${l.trace_id}]`) : '',
  ];
  return parts.filter(Boolean).join(' ');
}

export function renderStats(r: StatsReport, s: ChalkInstance): string {
  const rows = r.names.map((n) => [
    n.name,
    String(n.requests),
    n.requests_per_s.toFixed(2),
    n.errors ? s.red(pct(n.error_rate)) : pct(n.error_rate),
    sec(n.latency_p50_s),
    sec(n.latency_p95_s),
    sec(n.ttft_p50_s),
    sec(n.ttft_p95_s),
    n.tokens_per_s.toFixed(1),
  ]);
  const state = (d: StatsReport['deployments'][number]) =>
    d.cooled_down
      ? s.yellow('cooled down')
      : d.state === 'healthy'
        ? s.green('healthy')
        : d.state === 'partial'
          ? s.yellow('partial')
          : d.state === 'outage'
            ? s.red('outage')
            : s.dim(d.state);
  const deps = r.deployments.map((d) => [d.provider ?? s.dim('?'), d.model, d.api_base ?? '-', state(d)]);
  return [
    `${s.bold('over the last')} ${r.window_s} s`,
    ...(r.restarted
      ? [s.yellow('! the gateway restarted between the two reads: the figures count from its restart (counters reset)')]
      : []),
    table(['name', 'requests', 'req/s', 'errors', 'p50', 'p95', 'ttft p50', 'ttft p95', 'tokens/s'], rows, s),
    '',
    `cache: ${r.cache.hits} hit${r.cache.hits === 1 ? '' : 's'}, ${r.cache.misses} miss${r.cache.misses === 1 ? '' : 'es'}, hit rate ${pct(r.cache.hit_rate)}`,
    '',
    deps.length
      ? table(['provider', 'model', 'api_base', 'state'], deps, s)
      : s.dim('no deployment has handled a request since the gateway started'),
  ].join('\n');
}

export function renderCacheStats(c: CacheStats & { gateway: Record<string, number> | null }, s: ChalkInstance): string {
  const ttl = Object.entries(c.ttl)
    .filter(([, n]) => n > 0)
    .map(([b, n]) => `${b}: ${n}`)
    .join(', ');
  const lines = [
    `${s.bold('cache')} ${c.redis}, namespace '${c.namespace}:'`,
    `  cache entries: ${c.keys}${ttl ? ` (expiry ${ttl})` : ''}`,
    `  memory used by Redis: ${c.memory_used_human ?? '-'}`,
    `  Redis lookups: ${c.keyspace_hits ?? '-'} hits, ${c.keyspace_misses ?? '-'} misses, hit rate ${pct(c.redis_hit_rate)}`,
  ];
  if (c.gateway) {
    const per = Object.entries(c.gateway).map(([m, n]) => `${m || '?'}: ${n}`);
    lines.push(`  gateway cache hits by model: ${per.length ? per.join(', ') : 'none yet'}`);
  }
  return lines.join('\n');
}

export function renderCacheKeys(keys: { key: string; ttl_s: number | null }[], truncated: boolean, s: ChalkInstance): string {
  if (keys.length === 0) return 'no keys match';
  const rows = keys.map((k) => [k.key, k.ttl_s === null ? 'no expiry' : `${k.ttl_s} s`]);
  return `${table(['key', 'expires in'], rows, s)}${truncated ? `\n${s.dim('… more keys match; raise --limit')}` : ''}`;
}
