// aibackend cache stats | keys | watch | flush: the gateway's Redis response cache, confined to
// its namespace. Every subcommand connects to the cache gateway.yaml configures.
import type { CacheFlushFlags, CacheKeysFlags, CacheStatsFlags, CacheWatchFlags } from '../cli/specs/operate.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import {
  cacheStats,
  cacheTarget,
  connect,
  flushNamespace,
  gatewayCacheHits,
  scanKeys,
  ttls,
  type CacheTarget,
  type Client,
} from '../operate/cache.js';
import { renderCacheKeys, renderCacheStats } from '../render/operate-text.js';
import { EXIT, UsageError } from '../util/errors.js';
import { askYesNo, canAsk } from '../util/prompt.js';
import { sleep } from '../util/sleep.js';
import { print, progress, report, type CommandContext } from './shared/context.js';
import { stackSources } from './shared/sources.js';

type Connected = { gateway: GatewayFile; target: CacheTarget; client: Client };

/** Connect to the configured cache, run `work`, and always close the connection. */
async function withCache(ctx: CommandContext, flags: { json?: boolean; timeout: number }, work: (c: Connected) => Promise<number>) {
  const { gateway } = stackSources(ctx, flags.json);
  const target = cacheTarget(gateway, ctx.env, flags.timeout * 1000);
  const client = await connect(target);
  try {
    return await work({ gateway, target, client });
  } finally {
    client.destroy();
  }
}

/** One reading of the namespace and of the gateway's own hits. */
async function reading(ctx: CommandContext, c: Connected, timeoutS: number) {
  const stats = await cacheStats(c.client, c.target);
  return { ...stats, gateway: await gatewayCacheHits(c.gateway, ctx.env, timeoutS * 1000) };
}

export async function stats(ctx: CommandContext, flags: CacheStatsFlags): Promise<number> {
  return withCache(ctx, flags, async (c) => {
    const data = await reading(ctx, c, flags.timeout);
    print(ctx.stdout, flags.json ? JSON.stringify(data, null, 2) : renderCacheStats(data, ctx.out));
    return EXIT.ok;
  });
}

export async function watch(ctx: CommandContext, flags: CacheWatchFlags): Promise<number> {
  return withCache(ctx, flags, async (c) => {
    for (;;) {
      const data = await reading(ctx, c, flags.timeout);
      // One JSON object a line; on a terminal the text redraws in place.
      if (flags.json) print(ctx.stdout, JSON.stringify(data));
      else {
        if (ctx.stdout.isTTY) ctx.stdout.write('\u001b[H\u001b[2J');
        print(ctx.stdout, renderCacheStats(data, ctx.out));
      }
      await sleep(flags.interval * 1000);
    }
  });
}

export async function keys(ctx: CommandContext, flags: CacheKeysFlags): Promise<number> {
  return withCache(ctx, flags, async ({ client, target }) => {
    const pattern = flags.pattern ?? '*';
    const found = await scanKeys(client, target.namespace, pattern, flags.limit + 1);
    const shown = found.slice(0, flags.limit);
    const ttl = await ttls(client, shown);
    const list = shown.map((key, i) => ({ key, ttl_s: ttl[i]! < 0 ? null : Math.round(ttl[i]! / 1000) }));
    const truncated = found.length > flags.limit;
    report(
      ctx,
      flags.json,
      { ok: true, namespace: target.namespace, pattern: `${target.namespace}:${pattern}`, keys: list, truncated },
      renderCacheKeys(list, truncated, ctx.out),
    );
    return EXIT.ok;
  });
}

/** Count, ask, delete in batches; router state and keys outside the namespace are never touched. */
export async function flush(ctx: CommandContext, flags: CacheFlushFlags): Promise<number> {
  return withCache(ctx, flags, async ({ client, target }) => {
    const count = (await scanKeys(client, target.namespace)).length;
    const what = `${count} cache entr${count === 1 ? 'y' : 'ies'} in the namespace '${target.namespace}:' on ${target.host}:${target.port}`;
    const nothingDeleted = (dryRun: boolean, text: string) => {
      report(ctx, flags.json, { ok: true, namespace: target.namespace, keys: count, deleted: 0, dry_run: dryRun }, text);
      return EXIT.ok;
    };
    if (count === 0)
      return nothingDeleted(Boolean(flags.dryRun), `nothing to flush: no cache entries in the namespace '${target.namespace}:'`);
    if (flags.dryRun) return nothingDeleted(true, `would delete ${what} (dry run: nothing deleted)`);
    if (!flags.yes) {
      if (!canAsk(ctx.stderr))
        throw new UsageError(`flush deletes ${what}; without a terminal to ask on, pass --yes (or --dry-run to count only)`);
      if (!(await askYesNo(`delete ${what}? Router state and other keys are left alone.`, ctx.stderr)))
        return nothingDeleted(false, 'nothing deleted');
    }
    const say = progress(ctx);
    const deleted = await flushNamespace(client, target.namespace, (n) => say(`deleted ${n} of ${count}`));
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
  });
}
