// aibackend logs: the gateway's log, wherever the runtime puts it, parsed, filtered and printed.
import type { LogsFlags } from '../cli/specs/operate.js';
import { gatewayZone, logSource, logSourceName, parseLogLine, passes, streamLog, type LogFilter, type LogLine } from '../operate/logs.js';
import { renderLogLine } from '../render/operate-text.js';
import { parseDuration } from '../util/duration.js';
import { EXIT, UsageError } from '../util/errors.js';
import { print, type CommandContext } from './shared/context.js';
import { stackSources } from './shared/sources.js';

/** --json without --follow is one object: it keeps the newest lines, up to this many. */
const MAX_JSON_LINES = 50_000;

export async function run(ctx: CommandContext, flags: LogsFlags): Promise<number> {
  const { gateway } = stackSources(ctx, flags.json);
  let sinceMs: number | undefined;
  if (flags.since) {
    try {
      sinceMs = Date.now() - parseDuration(flags.since);
    } catch (err) {
      throw new UsageError(`--since: ${(err as Error).message}`);
    }
  }
  const zone = gatewayZone(gateway, ctx.paths.projectDir);
  const filter: LogFilter = {
    ...(flags.level ? { level: flags.level } : {}),
    ...(flags.grep ? { grep: flags.grep } : {}),
    ...(flags.callId ? { callId: flags.callId } : {}),
    ...(sinceMs !== undefined ? { sinceMs, zone } : {}),
  };
  const source = logSource(gateway, ctx.paths.projectDir);
  let kept: LogLine[] = [];
  let omitted = 0;
  let timeOk = true;
  await streamLog(source, { follow: Boolean(flags.follow), ...(flags.since ? { since: flags.since } : {}) }, (raw) => {
    if (!raw.trim()) return;
    const line = parseLogLine(raw);
    const verdict = passes(line, filter, timeOk);
    timeOk = verdict.timeOk;
    if (!verdict.ok) return;
    // --follow --json streams one JSON object a line; --json alone collects the lines into one object.
    if (flags.json && flags.follow) print(ctx.stdout, JSON.stringify(line));
    else if (flags.json) {
      kept.push(line);
      if (kept.length >= 2 * MAX_JSON_LINES) {
        omitted += kept.length - MAX_JSON_LINES;
        kept = kept.slice(-MAX_JSON_LINES);
      }
    } else print(ctx.stdout, renderLogLine(line, ctx.out));
  });
  if (flags.json && !flags.follow) {
    if (kept.length > MAX_JSON_LINES) {
      omitted += kept.length - MAX_JSON_LINES;
      kept = kept.slice(-MAX_JSON_LINES);
    }
    const data = {
      ok: true,
      source: logSourceName(source),
      ...(sinceMs !== undefined ? { zone } : {}),
      lines: kept,
      ...(omitted ? { omitted } : {}),
    };
    print(ctx.stdout, JSON.stringify(data, null, 2));
  }
  return EXIT.ok;
}
