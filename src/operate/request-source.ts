// Where request records come from, and what that source can and cannot say: the trace backend
// (Jaeger's query API at tracing.query_url) holding the spans LiteLLM exports. Every answer names
// its source and its limits (sampling, retention, the search limit, what spans do not carry).
import { findTraces, getTrace, type JaegerTrace } from '../client/jaeger.js';
import type { RouteMap } from '../config/route-map.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import { CliError } from '../util/errors.js';
import { ATTEMPT_SPAN, recordOf, type RequestRecord } from './requests.js';

export interface RecordSource {
  backend: 'jaeger';
  url: string;
  service: string;
  from: string;
  to: string;
  /** Traces read; when equal to the limit, some requests of the window were left out (Jaeger chooses which). */
  traces: number;
  limit: number;
  limit_reached: boolean;
  limits: string[];
}

const SOURCE_LIMITS = (gw: GatewayFile): string[] => [
  "sampling: none, every request that reached a model is recorded (LiteLLM's otel callback does not sample)",
  `retention: Jaeger's memory store keeps the newest ${gw.tracing.max_traces} traces (tracing.max_traces), and none across a restart of Jaeger`,
  'not recorded: requests refused before a model is chosen (a bad or missing key) have no attempt span; time to first token is not in the spans (stats and the Performance dashboard have it from /metrics/)',
  'attempts: LiteLLM writes one failure span per public name a request tried, so a retry or a second deployment of the same name counts in provider_calls but has no outcome of its own',
  'spans reach the backend about a second after a request ends (batched export)',
];

/** Tracing must be on for any of this to exist. */
export function requireTracing(gw: GatewayFile): void {
  if (!gw.tracing.enabled)
    throw new CliError(
      "tracing is off in gateway.yaml: LiteLLM records requests as spans only with `tracing: { enabled: true }` (then `aibackend reload`, and run the trace backend: monitoring/jaeger.yml); until then, `aibackend logs` has the gateway's lines",
    );
}

export interface Window {
  fromMs: number;
  toMs: number;
}

/** The traces of the gateway's service that hold an attempt in the window (of one call id, when given). */
function attemptTraces(gw: GatewayFile, window: Window, limit: number, timeoutMs: number, callId?: string): Promise<JaegerTrace[]> {
  return findTraces(
    gw.tracing.query_url,
    {
      service: gw.tracing.service_name,
      operation: ATTEMPT_SPAN,
      ...(callId !== undefined ? { tags: { 'litellm.call_id': callId } } : {}),
      startUs: window.fromMs * 1000,
      endUs: window.toMs * 1000,
      limit,
    },
    timeoutMs,
  );
}

export async function readRecords(
  gw: GatewayFile,
  map: RouteMap,
  window: Window,
  limit: number,
  timeoutMs: number,
): Promise<{ records: RequestRecord[]; source: RecordSource }> {
  const traces = await attemptTraces(gw, window, limit, timeoutMs);
  const records = traces
    .map((t) => recordOf(t, map))
    .filter((r): r is RequestRecord => r !== undefined)
    .sort((a, b) => a.time.localeCompare(b.time) || a.trace_id.localeCompare(b.trace_id));
  return {
    records,
    source: recordSource(gw, window, traces.length, limit),
  };
}

/** What an answer read: the backend, the window, how many traces of how many it may read, and the limits. */
export function recordSource(gw: GatewayFile, window: Window, traces: number, limit: number): RecordSource {
  return {
    backend: 'jaeger',
    url: gw.tracing.query_url,
    service: gw.tracing.service_name,
    from: new Date(window.fromMs).toISOString(),
    to: new Date(window.toMs).toISOString(),
    traces,
    limit,
    limit_reached: traces >= limit,
    limits: SOURCE_LIMITS(gw),
  };
}

/** The OpenTelemetry trace id of the request with this call id, which LiteLLM's log lines carry when tracing is on. */
export async function traceIdOf(gw: GatewayFile, callId: string, window: Window, timeoutMs: number): Promise<string | undefined> {
  return (await attemptTraces(gw, window, 1, timeoutMs, callId))[0]?.traceID;
}

/** Traces one call id may have (a client that reuses its ids); the fullest is the request. */
export const FIND_LIMIT = 5;

const TRACE_ID_RE = /^[0-9a-f]{16,32}$/i;

/**
 * The request with this call id (x-litellm-call-id, which the client saw) or this OpenTelemetry
 * trace id, searched over the window; undefined when the backend has none.
 */
export async function findRequest(
  gw: GatewayFile,
  map: RouteMap,
  id: string,
  window: Window,
  timeoutMs: number,
): Promise<{ record: RequestRecord | undefined; trace: JaegerTrace | undefined }> {
  const traces = await attemptTraces(gw, window, FIND_LIMIT, timeoutMs, id);
  let trace = traces.sort((a, b) => b.spans.length - a.spans.length)[0];
  if (!trace && TRACE_ID_RE.test(id)) trace = await getTrace(gw.tracing.query_url, id.toLowerCase(), timeoutMs);
  return { record: trace ? recordOf(trace, map) : undefined, trace };
}
