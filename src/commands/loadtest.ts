// aibackend bench | load: measure the gateway with the registry's names. Thin: options to
// src/loadgen/, figures to src/render/.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT, UsageError } from '../util/errors.js';
import { bench, overhead, regressions, type BenchReport, type RequestOptions } from '../bench/bench.js';
import { k6Script, locustFile } from '../bench/emit.js';
import { load, parseMix, scenario, SCENARIOS, type ScenarioName } from '../bench/load.js';
import { preflight } from '../bench/preflight.js';
import { routeMap } from '../config/route-map.js';
import { renderBench, renderLoad } from '../render/loadtest-text.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { envValue, envVarOf } from '../util/env-ref.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';
import { loadForOps } from './ops.js';
import { print, progress, type CommandContext } from './context.js';

interface Common {
  stream?: boolean;
  maxTokens: number;
  promptTokens: number;
  /** true: print JSON on stdout; a string: write it to that file. */
  json?: boolean | string;
  timeout: number;
}

export interface BenchFlags extends Common {
  concurrency: number[];
  requests?: number;
  duration?: number;
  compare?: boolean;
  baseline?: string;
  threshold: number;
  /** A level whose error rate is above this fails the run. */
  maxErrorRate?: number;
}

export interface LoadFlags extends Common {
  scenario: ScenarioName;
  users?: number;
  duration?: number;
  mix?: string;
  report?: string;
  emit?: 'locust' | 'k6';
  maxErrorRate?: number;
  maxP95?: number;
}

function setup(ctx: CommandContext, json: boolean) {
  const loaded = loadForOps(ctx, json);
  if (typeof loaded === 'number') return loaded;
  if (!loaded.mappings) throw new CliError('model-mappings.yaml must load: it names what to measure');
  const map = routeMap(loaded.providers!, loaded.mappings);
  const chat = Object.keys(loaded.mappings.models)
    .filter((n) => map.routes.get(n)?.[0]?.mode !== 'embedding')
    .sort();
  return { loaded, map, chat, gateway: loaded.gateway!, key: envValue(loaded.gateway!.gateway.master_key, ctx.env) };
}

function requestOptions(flags: Common, s: { gateway: { gateway: { url: string } }; key: string | undefined }): RequestOptions {
  return {
    stream: Boolean(flags.stream),
    maxTokens: flags.maxTokens,
    promptTokens: flags.promptTokens,
    gatewayUrl: s.gateway.gateway.url,
    key: s.key,
    timeoutMs: flags.timeout * 1000,
  };
}

function output(ctx: CommandContext, json: boolean | string | undefined, data: unknown, text: string): void {
  if (typeof json === 'string') {
    writeFileAtomic(path.resolve(ctx.paths.cwd, json), `${JSON.stringify(data, null, 2)}\n`);
    if (!ctx.quiet) print(ctx.stdout, `${text}\n\nwrote ${json}`);
  } else if (json) print(ctx.stdout, JSON.stringify(data, null, 2));
  else if (!ctx.quiet) print(ctx.stdout, text);
}

export async function benchCommand(ctx: CommandContext, names: string[], flags: BenchFlags): Promise<number> {
  const s = setup(ctx, flags.json === true);
  if (typeof s === 'number') return s;
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
  if (flags.compare) report.overhead = await overhead(o, s.map, (id) => directBase(s.loaded.providers!.providers[id], ctx.env), report);
  const regressed = baseline ? regressions(baseline, report, flags.threshold) : [];
  const data = baseline ? { ...report, baseline: { file: flags.baseline, threshold: flags.threshold, regressions: regressed } } : report;
  output(ctx, flags.json, data, renderBench(report, regressed, baseline ? flags.threshold : undefined, ctx.out));
  // A level that failed more than --max-error-rate of its requests fails the run, baseline or not.
  const failed = report.names.some((n) => n.levels.some((l) => l.figures.ok === 0 || l.figures.error_rate > (flags.maxErrorRate ?? 0.01)));
  return regressed.length > 0 || failed ? EXIT.failed : EXIT.ok;
}

/** A provider's OpenAI-compatible base for --compare (Ollama serves one under /v1); hosted APIs are left out. */
function directBase(
  p: import('../config/schema/providers.js').Provider | undefined,
  env: NodeJS.ProcessEnv,
): { base: string; headers: Record<string, string> } | undefined {
  if (!p?.base_url || p.type === 'openai' || p.type === 'anthropic') return undefined;
  const key = p.api_key ? envValue(p.api_key, env) : undefined;
  const base = p.type === 'ollama' ? `${p.base_url.replace(/\/+$/, '')}/v1` : p.base_url;
  return { base, headers: key ? { authorization: `Bearer ${key}` } : {} };
}

export async function loadCommand(ctx: CommandContext, dir: string | undefined, flags: LoadFlags): Promise<number> {
  const s = setup(ctx, flags.json === true);
  if (typeof s === 'number') return s;
  if (!SCENARIOS.includes(flags.scenario))
    throw new UsageError(`unknown scenario '${flags.scenario}'; expected one of: ${SCENARIOS.join(', ')}`);
  let mix: Record<string, number>;
  try {
    mix = flags.mix
      ? parseMix(
          flags.mix,
          s.map.names.filter((n) => s.map.routes.get(n)?.[0]?.mode !== 'embedding'),
        )
      : Object.fromEntries(s.chat.map((n) => [n, 1]));
  } catch (err) {
    throw new UsageError(`--mix: ${(err as Error).message}`);
  }
  if (Object.keys(mix).length === 0) throw new CliError('the registry has no chat public name to send load to');
  const sc = scenario(flags.scenario, flags.users, flags.duration);
  const alerts = s.gateway.monitoring.alerts;
  const thresholds = { error_rate: flags.maxErrorRate ?? alerts.error_rate, p95_ms: (flags.maxP95 ?? alerts.p95_latency_s) * 1000 };
  const header = `AUTO-GENERATED by ${TOOL_NAME} ${TOOL_VERSION} (aibackend load --scenario ${sc.name} --emit); edit freely, or regenerate.`;
  if (flags.emit) {
    if (!dir) throw new UsageError('--emit needs a directory: aibackend load --emit locust DIR');
    const out = path.resolve(ctx.paths.cwd, dir);
    mkdirSync(out, { recursive: true });
    const o = {
      scenario: sc,
      mix,
      gatewayUrl: s.gateway.gateway.url,
      keyVariable: envVarOf(s.gateway.gateway.master_key) ?? 'LITELLM_MASTER_KEY',
      maxTokens: flags.maxTokens,
      promptTokens: flags.promptTokens,
      thresholds,
      header,
    };
    const file = path.join(out, flags.emit === 'locust' ? 'locustfile.py' : 'k6.js');
    writeFileAtomic(file, flags.emit === 'locust' ? locustFile(o) : k6Script(o));
    output(
      ctx,
      flags.json,
      { ok: true, tool: flags.emit, file, scenario: sc, mix },
      `wrote ${path.relative(ctx.paths.cwd, file) || file} (${flags.emit}, scenario ${sc.name}, mix ${Object.entries(mix)
        .map(([n, w]) => `${n}=${w}`)
        .join(',')})`,
    );
    return EXIT.ok;
  }
  if (dir) throw new UsageError(`unexpected argument '${dir}' (a directory goes with --emit)`);
  const say = progress(ctx);
  let lastStep = -1;
  const bar = Boolean(ctx.stderr.isTTY) && !ctx.quiet;
  await preflight({ ...requestOptions(flags, s), masterKey: s.gateway.gateway.master_key });
  say(
    `scenario ${sc.name}: up to ${sc.spike ? sc.users * sc.spike.factor : sc.users} users for ${sc.durationS} s against ${s.gateway.gateway.url}`,
  );
  const report = await load({
    scenario: sc,
    mix,
    ...requestOptions(flags, s),
    thresholds,
    onTick: (done, ms) => {
      const frac = Math.min(1, ms / (sc.durationS * 1000));
      if (bar)
        ctx.stderr.write(
          `\r[${'#'.repeat(Math.round(frac * 30)).padEnd(30)}] ${Math.round(ms / 1000)}/${sc.durationS} s, ${done} requests `,
        );
      else if (Math.floor(frac * 10) > lastStep) {
        lastStep = Math.floor(frac * 10);
        say(`${Math.round(frac * 100)}%: ${done} requests`);
      }
    },
  });
  if (bar) ctx.stderr.write('\n');
  if (flags.report) {
    const { renderLoadReport } = await import('../render/load-report.js');
    writeFileAtomic(path.resolve(ctx.paths.cwd, flags.report), renderLoadReport(report, `${TOOL_NAME} ${TOOL_VERSION}`));
    say(`wrote the report ${flags.report}`);
  }
  output(ctx, flags.json, report, renderLoad(report, ctx.out));
  return report.passed ? EXIT.ok : EXIT.failed;
}
