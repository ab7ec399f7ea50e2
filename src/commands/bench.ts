// aibackend bench: latency and throughput per public name over a concurrency sweep, optionally
// against a baseline. Options to src/bench/, figures to src/render/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { bench, directBase, overhead, regressions, type BenchReport } from '../bench/bench.js';
import { preflight } from '../bench/preflight.js';
import type { BenchFlags } from '../cli/specs/bench.js';
import { renderBench } from '../render/loadtest-text.js';
import { EXIT, UsageError } from '../util/errors.js';
import { progress, type CommandContext } from './shared/context.js';
import { measureSetup, output, requestOptions } from './shared/measure.js';

export async function run(ctx: CommandContext, names: string[], flags: BenchFlags): Promise<number> {
  const s = measureSetup(ctx, flags.json === true);
  const unknown = names.filter((n) => !s.map.routes.has(n));
  if (unknown.length) throw new UsageError(`not a public name or alias: ${unknown.join(', ')} (served names: ${s.map.names.join(', ')})`);
  const embeddings = names.filter((n) => s.map.routes.get(n)?.[0]?.mode === 'embedding');
  if (embeddings.length)
    throw new UsageError(
      `bench measures chat completions; ${embeddings.join(', ')} ${embeddings.length === 1 ? 'is an embedding name' : 'are embedding names'} (chat names: ${s.chat.join(', ')})`,
    );
  if (flags.requests !== undefined && flags.duration !== undefined) throw new UsageError('--requests and --duration exclude each other');
  let baseline: BenchReport | undefined;
  if (flags.baseline) {
    try {
      baseline = JSON.parse(readFileSync(path.resolve(ctx.paths.cwd, flags.baseline), 'utf8')) as BenchReport;
      if (baseline.kind !== 'aibackend-bench') throw new Error('not the JSON of aibackend bench');
    } catch (err) {
      throw new UsageError(`--baseline ${flags.baseline}: ${(err as Error).message}`);
    }
  }
  const o = {
    names: names.length ? names : s.chat,
    concurrency: flags.concurrency,
    ...(flags.requests !== undefined ? { requests: flags.requests } : {}),
    ...(flags.duration !== undefined ? { durationS: flags.duration } : {}),
    ...requestOptions(flags, s),
    progress: progress(ctx),
    // A bar on a terminal; elsewhere the plain line per level that progress() prints.
    ...(ctx.stderr.isTTY && !ctx.quiet
      ? {
          onTick: (done: number, ms: number, of: { requests?: number; durationS?: number }) => {
            const frac = Math.min(1, of.requests ? done / of.requests : ms / ((of.durationS ?? 1) * 1000));
            ctx.stderr.write(`\r  [${'#'.repeat(Math.round(frac * 30)).padEnd(30)}] ${done} requests `);
          },
        }
      : {}),
  };
  await preflight({ ...requestOptions(flags, s), masterKey: s.gateway.gateway.master_key });
  const report = await bench(o);
  if (ctx.stderr.isTTY && !ctx.quiet) ctx.stderr.write('\r\u001b[K');
  if (flags.compare) report.overhead = await overhead(o, s.map, (id) => directBase(s.loaded.providers.providers[id], ctx.env), report);
  const regressed = baseline ? regressions(baseline, report, flags.threshold) : [];
  const data = baseline ? { ...report, baseline: { file: flags.baseline, threshold: flags.threshold, regressions: regressed } } : report;
  output(ctx, flags.json, data, renderBench(report, regressed, baseline ? flags.threshold : undefined, ctx.out));
  // A level that failed more than --max-error-rate of its requests fails the run, baseline or not.
  const failed = report.names.some((n) => n.levels.some((l) => l.figures.ok === 0 || l.figures.error_rate > (flags.maxErrorRate ?? 0.01)));
  return regressed.length > 0 || failed ? EXIT.failed : EXIT.ok;
}
