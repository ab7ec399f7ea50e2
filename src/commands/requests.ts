// aibackend requests: the gateway's requests as records, read from the trace backend; listed,
// followed live, or summarised over the window.
import type { RequestsFlags } from '../cli/specs/operate.js';
import { readRecords, requireTracing } from '../operate/request-source.js';
import { matches, type RecordFilter, type RequestRecord } from '../operate/requests.js';
import { summarise } from '../operate/requests-summary.js';
import { recordRow, renderRecords, renderSource, renderSummary, RECORD_HEAD } from '../render/requests-text.js';
import { table } from '../render/table.js';
import { EXIT, UsageError } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import { print, type CommandContext } from './shared/context.js';
import { recordSources } from './shared/sources.js';

/** How often --follow asks the trace backend, and how far back each ask reaches (spans arrive late). */
const FOLLOW_EVERY_MS = 2000;
const FOLLOW_OVERLAP_MS = 30_000;
const DEFAULT_SLOW_MS = 5000;

export async function run(ctx: CommandContext, flags: RequestsFlags): Promise<number> {
  if (flags.follow && flags.summary) throw new UsageError('--follow and --summary do not go together: --summary covers a window (--since)');
  const { gateway, map } = recordSources(ctx, flags.json);
  requireTracing(gateway);
  const names = flags.model;
  for (const n of names ?? [])
    if (!map.routes.has(n)) throw new UsageError(`--model ${n}: not a public name or alias of model-mappings.yaml`);
  const filter: RecordFilter = {
    ...(names ? { names } : {}),
    ...(flags.errors ? { errors: true } : {}),
    // With --summary, --slow is the threshold of the slow count, not a filter.
    ...(flags.slow !== undefined && !flags.summary ? { slowMs: flags.slow } : {}),
  };
  const timeoutMs = flags.timeout * 1000;
  const now = Date.now();
  const window = { fromMs: now - flags.since, toMs: now };
  if (!flags.follow) {
    const { records, source } = await readRecords(gateway, map, window, flags.limit, timeoutMs);
    const kept = records.filter((r) => matches(r, filter));
    if (flags.summary) {
      const summary = summarise(kept, flags.slow ?? DEFAULT_SLOW_MS);
      if (flags.json) print(ctx.stdout, JSON.stringify({ source, filter, summary }, null, 2));
      else print(ctx.stdout, renderSummary(summary, source, ctx.out));
    } else if (flags.json) print(ctx.stdout, JSON.stringify({ source, filter, records: kept }, null, 2));
    else print(ctx.stdout, renderRecords(kept, source, ctx.out));
    return EXIT.ok;
  }
  return follow(ctx, flags, gateway, map, filter, window.fromMs, timeoutMs);
}

/** Print each request once, as it ends, until interrupted; a failed read is said and retried. */
async function follow(
  ctx: CommandContext,
  flags: RequestsFlags,
  gateway: Parameters<typeof readRecords>[0],
  map: Parameters<typeof readRecords>[1],
  filter: RecordFilter,
  fromMs: number,
  timeoutMs: number,
): Promise<number> {
  const seen = new Set<string>();
  let since = fromMs;
  let first = true;
  for (;;) {
    const now = Date.now();
    let fresh: RequestRecord[] = [];
    try {
      const { records, source } = await readRecords(gateway, map, { fromMs: since, toMs: now }, flags.limit, timeoutMs);
      // A trace whose server span has not arrived yet is still being exported (its request may
      // have more attempts to come): wait for it, unless it is too old to be completed.
      fresh = records.filter((r) => !seen.has(r.trace_id) && (r.route !== null || Date.parse(r.time) < now - FOLLOW_OVERLAP_MS / 2));
      if (first && !flags.json && !ctx.quiet) {
        print(ctx.stderr, renderSource(source, ctx.err));
        print(ctx.stdout, table(RECORD_HEAD, [], ctx.out));
      }
      first = false;
    } catch (err) {
      if (first) throw err;
      const message = (err as Error).message;
      if (flags.json)
        print(ctx.stdout, JSON.stringify({ ok: false, error: { kind: 'read-failed', message }, at: new Date().toISOString() }));
      else print(ctx.stderr, ctx.err.yellow(`! ${message}; trying again in ${FOLLOW_EVERY_MS / 1000} s`));
    }
    for (const r of fresh) {
      seen.add(r.trace_id);
      if (!matches(r, filter)) continue;
      if (flags.json) print(ctx.stdout, JSON.stringify(r));
      else print(ctx.stdout, recordRow(r, ctx.out).join('  '));
    }
    // Spans reach the backend after their request ends: ask again a little way back, and keep the
    // set of what was printed from growing without end.
    since = Math.max(fromMs, now - FOLLOW_OVERLAP_MS);
    if (seen.size > 100_000) seen.clear();
    await sleep(FOLLOW_EVERY_MS);
  }
}
