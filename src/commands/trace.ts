// aibackend trace CALL_ID: one request's whole story, from the spans LiteLLM exported for it.
import type { TraceFlags } from '../cli/specs/operate.js';
import { FIND_LIMIT, findRequest, recordSource, requireTracing } from '../operate/request-source.js';
import { renderTrace } from '../render/requests-text.js';
import { EXIT } from '../util/errors.js';
import { fail, print, type CommandContext } from './shared/context.js';
import { recordSources } from './shared/sources.js';

export async function run(ctx: CommandContext, id: string, flags: TraceFlags): Promise<number> {
  const { gateway, map } = recordSources(ctx, flags.json);
  requireTracing(gateway);
  const now = Date.now();
  const window = { fromMs: now - flags.since, toMs: now };
  const { record, trace } = await findRequest(gateway, map, id.trim(), window, flags.timeout * 1000);
  const source = recordSource(gateway, window, trace ? 1 : 0, FIND_LIMIT);
  if (!record) {
    const why = trace
      ? `trace ${trace.traceID} holds no attempt at a model (a health probe, or a request refused for its key)`
      : `the trace backend at ${source.url} has no request with call id or trace id '${id}' since ${source.from}: it never reached the gateway, tracing was off then, it was refused before a model was chosen (a bad or missing key), or the memory store has dropped it (it keeps the newest ${gateway.tracing.max_traces} traces)`;
    fail(ctx, flags.json, why);
  }
  if (flags.json) print(ctx.stdout, JSON.stringify({ source, request: record }, null, 2));
  else print(ctx.stdout, renderTrace(record, source, ctx.out));
  return EXIT.ok;
}
