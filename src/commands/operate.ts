// aibackend try | verify | logs | stats | cache: the live stack against what the registry says.
// Thin: load the sources, call src/ops/, render with src/render/operate-text.ts.
import { createInterface } from 'node:readline/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { unsetKeyVariable } from '../client/gateway-errors.js';
import { CliError, EXIT, UsageError } from '../util/errors.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import {
  gatewayZone,
  logFiles,
  logSource,
  parseDuration,
  parseLogLine,
  passes,
  readLines,
  type FollowState,
  type LogFilter,
  type LogLine,
} from '../operate/logs.js';
import { routeMap, type RouteMap } from '../config/route-map.js';
import { computeStats, readMetrics } from '../operate/stats.js';
import { tryName } from '../operate/try.js';
import { verify } from '../operate/verify.js';
import { renderCacheKeys, renderCacheStats, renderLogLine, renderStats, renderTry, renderVerify } from '../render/operate-text.js';
import { envValue } from '../util/env-ref.js';
import { suggestOne } from '../util/suggest.js';
import { loadForOps } from './ops.js';
import { print, progress, report, type CommandContext } from './context.js';

interface Live {
  gateway: GatewayFile;
  map: RouteMap;
  key: string | undefined;
}

function live(ctx: CommandContext, json: boolean | undefined): Live | number {
  const loaded = loadForOps(ctx, json);
  if (typeof loaded === 'number') return loaded;
  if (!loaded.mappings) throw new CliError('model-mappings.yaml must load: it says what each name should reach');
  const key = envValue(loaded.gateway!.gateway.master_key, ctx.env);
  // An unset key variable would make every request fail (HTTP 500 or 401) and look like every provider's fault.
  const unset = unsetKeyVariable(loaded.gateway!.gateway.master_key, key);
  if (unset) throw unset;
  return { gateway: loaded.gateway!, map: routeMap(loaded.providers!, loaded.mappings), key };
}

export async function tryCommand(
  ctx: CommandContext,
  name: string,
  flags: { prompt?: string; stream?: boolean; json?: boolean; timeout: number },
): Promise<number> {
  const l = live(ctx, flags.json);
  if (typeof l === 'number') return l;
  if (!l.map.routes.has(name)) {
    const close = suggestOne(name, l.map.names);
    throw new UsageError(
      `'${name}' is not a public name or alias${close ? `; did you mean '${close}'?` : ''} (served names: ${l.map.names.join(', ')})`,
    );
  }
  const r = await tryName(l.map, name, {
    gatewayUrl: l.gateway.gateway.url,
    key: l.key,
    prompt: flags.prompt ?? 'Say hello in five words.',
    stream: Boolean(flags.stream),
    timeoutMs: flags.timeout * 1000,
  });
  const code = r.ok && r.via === 'route' ? EXIT.ok : EXIT.failed;
  report(ctx, flags.json, { ...r, exit_code: code }, renderTry(r, ctx.out));
  if (ctx.quiet && !flags.json && code !== EXIT.ok) print(ctx.stderr, renderTry(r, ctx.err));
  return code;
}

export async function verifyCommand(ctx: CommandContext, flags: { json?: boolean; requests: number; timeout: number }): Promise<number> {
  const l = live(ctx, flags.json);
  if (typeof l === 'number') return l;
  const r = await verify(l.map, {
    gatewayUrl: l.gateway.gateway.url,
    key: l.key,
    timeoutMs: flags.timeout * 1000,
    requests: flags.requests,
    progress: progress(ctx),
  });
  if (flags.json) print(ctx.stdout, JSON.stringify(r, null, 2));
  else if (!(ctx.quiet && r.ok)) print(ctx.stdout, renderVerify(r, ctx.out));
  return r.ok ? EXIT.ok : EXIT.failed;
}

export interface LogsFlags {
  follow?: boolean;
  level?: string;
  grep?: string;
  callId?: string;
  since?: string;
  json?: boolean;
}

export async function logsCommand(ctx: CommandContext, flags: LogsFlags): Promise<number> {
  const loaded = loadForOps(ctx, flags.json);
  if (typeof loaded === 'number') return loaded;
  let sinceMs: number | undefined;
  if (flags.since) {
    try {
      sinceMs = Date.now() - parseDuration(flags.since);
    } catch (err) {
      throw new UsageError(`--since: ${(err as Error).message}`);
    }
  }
  const zone = gatewayZone(loaded.gateway!, ctx.paths.projectDir);
  const filter: LogFilter = {
    ...(flags.level ? { level: flags.level } : {}),
    ...(flags.grep ? { grep: flags.grep } : {}),
    ...(flags.callId ? { callId: flags.callId } : {}),
    ...(sinceMs !== undefined ? { sinceMs, zone } : {}),
  };
  const source = logSource(loaded.gateway!, ctx.paths.projectDir);
  // --json without --follow is one object: it keeps the newest lines, up to a bound.
  const MAX_JSON_LINES = 50_000;
  const shown: LogLine[] = [];
  let omitted = 0;
  let timeOk = true;
  const emit = (raw: string) => {
    if (!raw.trim()) return;
    const line = parseLogLine(raw);
    const v = passes(line, filter, timeOk);
    timeOk = v.timeOk;
    if (!v.ok) return;
    // --follow streams one JSON object a line; otherwise the lines are collected into one object.
    if (flags.json && flags.follow) print(ctx.stdout, JSON.stringify(line));
    else if (flags.json) {
      shown.push(line);
      if (shown.length > MAX_JSON_LINES) {
        shown.shift();
        omitted++;
      }
    } else print(ctx.stdout, renderLogLine(line, ctx.out));
  };
  const where = source.kind === 'file' ? source.path : `docker compose -f ${source.file} logs ${source.service}`;
  if (source.kind === 'compose') {
    const args = [
      'compose',
      '-f',
      source.file,
      'logs',
      '--no-color',
      '--no-log-prefix',
      ...(flags.follow ? ['--follow'] : []),
      ...(flags.since ? ['--since', flags.since] : []),
      source.service,
    ];
    const { execa } = await import('execa');
    const child = execa('docker', args, { reject: false, buffer: false, stdin: 'ignore', stderr: 'pipe' });
    const rl = createInterface({ input: child.stdout! });
    for await (const raw of rl) emit(raw);
    const done = await child;
    if (done.exitCode !== 0)
      throw new CliError(
        `\`docker ${args.join(' ')}\` failed (exit ${done.exitCode}): ${
          String(done.stderr ?? '')
            .trim()
            .split('\n')[0] ?? ''
        }`,
      );
  } else {
    // Streamed in chunks (bounded memory, whatever the log's size), rotated copies first.
    const files = logFiles(source.path);
    if (files.length === 0 && !flags.follow)
      throw new CliError(`no gateway log at ${source.path}: the gateway has not been started by this runtime yet`);
    let state: FollowState = { offset: 0 };
    for (const file of files) {
      const read = readLines(file, { offset: 0 }, emit);
      if (file === source.path) state = read;
    }
    if (flags.follow) {
      // Followed by inode: a log renamed away (rotated, or a restart's new log) is read from the
      // start of its replacement; a truncated one too, even when it grew again before this poll.
      for (;;) {
        await sleep(250);
        state = readLines(source.path, state, emit);
      }
    }
  }
  if (flags.json && !flags.follow)
    print(
      ctx.stdout,
      JSON.stringify(
        { ok: true, source: where, ...(sinceMs !== undefined ? { zone } : {}), lines: shown, ...(omitted ? { omitted } : {}) },
        null,
        2,
      ),
    );
  return EXIT.ok;
}

export async function statsCommand(
  ctx: CommandContext,
  flags: { json?: boolean; watch?: number; interval: number; timeout: number },
): Promise<number> {
  const l = live(ctx, flags.json);
  if (typeof l === 'number') return l;
  const url = l.gateway.gateway.url;
  const timeoutMs = flags.timeout * 1000;
  // --watch keeps going through a failed read (a gateway restarting) and says so; a single read fails.
  const read = async (): Promise<Awaited<ReturnType<typeof readMetrics>> | undefined> => {
    if (!flags.watch) return readMetrics(url, l.key, timeoutMs);
    try {
      return await readMetrics(url, l.key, timeoutMs);
    } catch (err) {
      const message = (err as Error).message;
      if (flags.json)
        print(ctx.stdout, JSON.stringify({ ok: false, error: { kind: 'read-failed', message }, at: new Date().toISOString() }));
      else print(ctx.stderr, ctx.err.yellow(`! ${message}; trying again in ${flags.watch} s`));
      return undefined;
    }
  };
  let before = await read();
  const every = flags.watch ?? flags.interval;
  if (!flags.json && !ctx.quiet) print(ctx.stderr, ctx.err.dim(`› reading ${url}/metrics/ again in ${every} s`));
  for (;;) {
    await sleep(every * 1000);
    const after = await read();
    // A failed read is skipped; the next good one is compared with the last good one, so that a
    // restart in between shows as a reset (restarted: true), not as a window that began after it.
    if (!after) continue;
    if (!before) {
      before = after;
      continue;
    }
    const r = computeStats(l.map, before, after);
    // --watch --json: one object a line, every line (JSON Lines); a single read: one indented object.
    if (flags.json) print(ctx.stdout, JSON.stringify(r, null, flags.watch ? undefined : 2));
    else {
      // --watch on a terminal redraws in place.
      if (flags.watch && ctx.stdout.isTTY) ctx.stdout.write('\u001b[H\u001b[2J');
      print(ctx.stdout, renderStats(r, ctx.out));
    }
    if (!flags.watch) return EXIT.ok;
    before = after;
  }
}

export interface CacheFlags {
  json?: boolean;
  pattern?: string;
  limit?: number;
  interval?: number;
  yes?: boolean;
  dryRun?: boolean;
  timeout: number;
}

export async function cacheCommand(ctx: CommandContext, action: 'stats' | 'keys' | 'watch' | 'flush', flags: CacheFlags): Promise<number> {
  const loaded = loadForOps(ctx, flags.json);
  if (typeof loaded === 'number') return loaded;
  const gw = loaded.gateway!;
  if (!gw.cache.enabled) throw new CliError('cache.enabled is false in gateway.yaml: the gateway has no response cache to manage');
  const password = gw.cache.password ? envValue(gw.cache.password, ctx.env) : undefined;
  if (gw.cache.password && password === undefined)
    throw new CliError(`cache.password names an environment variable that is not set (${gw.cache.password})`);
  const target = {
    host: gw.cache.host,
    port: gw.cache.port,
    namespace: gw.cache.namespace,
    timeoutMs: flags.timeout * 1000,
    ...(password ? { password } : {}),
  };
  const cache = await import('../operate/cache.js');
  const client = await cache.connect(target);
  try {
    if (action === 'stats' || action === 'watch') {
      for (;;) {
        const s = await cache.cacheStats(client, target);
        const gateway = await gatewayCacheHits(loaded.gateway!, ctx, flags.timeout);
        const data = { ...s, gateway };
        if (flags.json) print(ctx.stdout, JSON.stringify(data, action === 'watch' ? undefined : null, action === 'watch' ? undefined : 2));
        else {
          if (action === 'watch' && ctx.stdout.isTTY) ctx.stdout.write('\u001b[H\u001b[2J');
          print(ctx.stdout, renderCacheStats(data, ctx.out));
        }
        if (action === 'stats') return EXIT.ok;
        await sleep((flags.interval ?? 2) * 1000);
      }
    }
    if (action === 'keys') {
      const limit = flags.limit ?? 50;
      const keys = await cache.scanKeys(client, target.namespace, flags.pattern ?? '*', limit + 1);
      const shown = keys.slice(0, limit);
      const ttl = await cache.ttls(client, shown);
      const list = shown.map((k, i) => ({ key: k, ttl_s: ttl[i]! < 0 ? null : Math.round(ttl[i]! / 1000) }));
      report(
        ctx,
        flags.json,
        {
          ok: true,
          namespace: target.namespace,
          pattern: `${target.namespace}:${flags.pattern ?? '*'}`,
          keys: list,
          truncated: keys.length > limit,
        },
        renderCacheKeys(list, keys.length > limit, ctx.out),
      );
      return EXIT.ok;
    }
    // flush: count, ask, delete in batches.
    const count = (await cache.scanKeys(client, target.namespace)).length;
    const what = `${count} cache entr${count === 1 ? 'y' : 'ies'} in the namespace '${target.namespace}:' on ${target.host}:${target.port}`;
    if (flags.dryRun || count === 0) {
      report(
        ctx,
        flags.json,
        { ok: true, namespace: target.namespace, keys: count, deleted: 0, dry_run: Boolean(flags.dryRun) },
        count === 0
          ? `nothing to flush: no cache entries in the namespace '${target.namespace}:'`
          : `would delete ${what} (dry run: nothing deleted)`,
      );
      return EXIT.ok;
    }
    if (!flags.yes) {
      if (!(process.stdin.isTTY && ctx.stderr.isTTY))
        throw new UsageError(`flush deletes ${what}; without a terminal to ask on, pass --yes (or --dry-run to count only)`);
      const rl = createInterface({ input: process.stdin, output: ctx.stderr });
      const answer = await rl.question(`delete ${what}? Router state and other keys are left alone. [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        report(ctx, flags.json, { ok: true, namespace: target.namespace, keys: count, deleted: 0, dry_run: false }, 'nothing deleted');
        return EXIT.ok;
      }
    }
    const say = progress(ctx);
    const deleted = await cache.flushNamespace(client, target.namespace, (n) => say(`deleted ${n} of ${count}`));
    report(
      ctx,
      flags.json,
      {
        ok: true,
        namespace: target.namespace,
        keys: count,
        deleted,
        dry_run: false,
        in_process_copy:
          'not cleared: LiteLLM keeps recent answers in memory too and may serve them until they expire; aibackend reload --restart clears them',
      },
      `${ctx.out.green('✔')} deleted ${deleted} cache entr${deleted === 1 ? 'y' : 'ies'} in '${target.namespace}:'; router state and keys outside the namespace were not touched\n${ctx.out.yellow('!')} the gateway may still answer some of them from LiteLLM's own in-process copy until it expires: LiteLLM has no route that clears it alone; \`aibackend reload --restart\` does`,
    );
    return EXIT.ok;
  } finally {
    client.destroy();
  }
}

/** The gateway's own cache hits per backend model, when its metrics are on and it answers. */
async function gatewayCacheHits(gw: GatewayFile, ctx: CommandContext, timeoutS: number): Promise<Record<string, number> | null> {
  if (!gw.metrics.prometheus) return null;
  try {
    const read = await readMetrics(gw.gateway.url, envValue(gw.gateway.master_key, ctx.env), timeoutS * 1000);
    const out: Record<string, number> = {};
    for (const s of read.samples)
      if (s.name === 'litellm_cache_hits_metric_total') out[s.labels.model ?? ''] = (out[s.labels.model ?? ''] ?? 0) + s.value;
    return out;
  } catch {
    return null;
  }
}
