// aibackend stats: live figures from two reads of the gateway's /metrics/, once or --watch.
import type { StatsFlags } from '../cli/specs/operate.js';
import { computeStats, readMetrics } from '../operate/stats.js';
import { renderStats } from '../render/operate-text.js';
import { EXIT } from '../util/errors.js';
import { sleep } from '../util/sleep.js';
import { print, type CommandContext } from './shared/context.js';
import { liveGateway } from './shared/sources.js';

export async function run(ctx: CommandContext, flags: StatsFlags): Promise<number> {
  const live = liveGateway(ctx, flags.json);
  const url = live.gateway.gateway.url;
  const timeoutMs = flags.timeout * 1000;
  // --watch keeps going through a failed read (a gateway restarting) and says so; a single read fails.
  const read = async (): Promise<Awaited<ReturnType<typeof readMetrics>> | undefined> => {
    if (!flags.watch) return readMetrics(url, live.key, timeoutMs);
    try {
      return await readMetrics(url, live.key, timeoutMs);
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
    const r = computeStats(live.map, before, after);
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
