// aibackend logs: the gateway's log, wherever the runtime puts it, parsed, filtered and printed.
import type { LogsFlags } from '../cli/specs/operate.js';
import { gatewayZone, logSource, logSourceName, parseLogLine, passes, streamLog, type LogFilter, type LogLine } from '../operate/logs.js';
import { renderLogLine } from '../render/operate-text.js';
import { traceIdOf } from '../operate/request-source.js';
import type { GatewayFile } from '../config/schema/gateway.js';
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
  const traceId = flags.callId ? await callTraceId(ctx, gateway, flags.callId, sinceMs) : undefined;
  const filter: LogFilter = {
    ...(flags.level ? { level: flags.level } : {}),
    ...(flags.grep ? { grep: flags.grep } : {}),
    ...(flags.callId ? { callId: flags.callId } : {}),
    ...(traceId ? { traceId } : {}),
    ...(sinceMs !== undefined ? { sinceMs, zone } : {}),
  };
  const source = logSource(gateway, ctx.paths.projectDir);
  let kept: LogLine[] = [];
  let omitted = 0;
  let timeOk = true;
  let matched = 0;
  await streamLog(source, { follow: Boolean(flags.follow), ...(flags.since ? { since: flags.since } : {}) }, (raw) => {
    if (!raw.trim()) return;
    const line = parseLogLine(raw);
    const verdict = passes(line, filter, timeOk);
    timeOk = verdict.timeOk;
    if (!verdict.ok) return;
    matched++;
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
  if (flags.callId && matched === 0 && !gateway.tracing.enabled)
    print(
      ctx.stderr,
      ctx.err.yellow(
        `! no line carries ${flags.callId}: LiteLLM's lines carry a trace id, which is the call id only for requests \`aibackend try\` sends. With \`tracing: { enabled: true }\` in gateway.yaml, any request is found by the call id its client saw (\`aibackend trace ${flags.callId}\`, and here)`,
      ),
    );
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

/**
 * With tracing on, the trace id of the request with this call id (its log lines carry it); a
 * trace backend that does not answer is said, and the lines are then matched by the call id alone.
 */
async function callTraceId(
  ctx: CommandContext,
  gateway: GatewayFile,
  callId: string,
  sinceMs: number | undefined,
): Promise<string | undefined> {
  if (!gateway.tracing.enabled) return undefined;
  const now = Date.now();
  try {
    return await traceIdOf(gateway, callId, { fromMs: sinceMs ?? now - 7 * 86_400_000, toMs: now }, 5000);
  } catch (err) {
    print(ctx.stderr, ctx.err.yellow(`! ${(err as Error).message}; matching lines by the call id alone`));
    return undefined;
  }
}
