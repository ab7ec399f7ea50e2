// Jaeger's HTTP query API (/api/traces, the one its UI reads), which holds the spans the
// gateway's OpenTelemetry callback exports. Read-only; every call has its own deadline, and a
// backend that does not answer is one clear error, not a stack trace.
import { CliError } from '../util/errors.js';
import { getJson } from './http-json.js';

export interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: { refType: string; traceID: string; spanID: string }[];
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags: JaegerTag[];
  processID: string;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

export interface TraceQuery {
  service: string;
  operation?: string;
  tags?: Record<string, string>;
  /** Microseconds since the epoch. */
  startUs: number;
  endUs: number;
  limit: number;
}

function unreachable(queryUrl: string, why: string): CliError {
  return new CliError(
    `the trace backend at ${queryUrl} does not answer (${why}): is Jaeger running? (tracing.query_url in gateway.yaml; with compose: docker compose --profile monitoring up -d jaeger)`,
  );
}

async function get(queryUrl: string, pathAndQuery: string, timeoutMs: number): Promise<{ status?: number; body: unknown }> {
  const url = `${queryUrl.replace(/\/+$/, '')}${pathAndQuery}`;
  const r = await getJson(url, { accept: 'application/json' }, timeoutMs);
  if (r.status === undefined) throw unreachable(queryUrl, r.error ?? 'no answer');
  return { status: r.status, body: r.body };
}

function tracesOf(queryUrl: string, body: unknown): JaegerTrace[] {
  const data = (body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data))
    throw new CliError(`${queryUrl} answered, but not as Jaeger's query API (/api/traces): is tracing.query_url Jaeger's?`);
  return data as JaegerTrace[];
}

/** Traces of the service with a span matching operation and tags, in the window. */
export async function findTraces(queryUrl: string, q: TraceQuery, timeoutMs: number): Promise<JaegerTrace[]> {
  const params = new URLSearchParams({
    service: q.service,
    start: String(Math.floor(q.startUs)),
    end: String(Math.ceil(q.endUs)),
    limit: String(q.limit),
  });
  if (q.operation) params.set('operation', q.operation);
  if (q.tags && Object.keys(q.tags).length > 0) params.set('tags', JSON.stringify(q.tags));
  const r = await get(queryUrl, `/api/traces?${params.toString()}`, timeoutMs);
  // Jaeger answers 500 "service not found" before it has received any span of the service.
  if (r.status === 500 && /not found/i.test(JSON.stringify(r.body))) return [];
  if (r.status !== 200) throw new CliError(`${queryUrl}/api/traces answered HTTP ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return tracesOf(queryUrl, r.body);
}

/** One trace by its id, or undefined when the backend does not have it. */
export async function getTrace(queryUrl: string, traceId: string, timeoutMs: number): Promise<JaegerTrace | undefined> {
  const r = await get(queryUrl, `/api/traces/${encodeURIComponent(traceId)}`, timeoutMs);
  if (r.status === 404) return undefined;
  if (r.status !== 200) throw new CliError(`${queryUrl}/api/traces/${traceId} answered HTTP ${r.status}`);
  return tracesOf(queryUrl, r.body)[0];
}

/** The services the backend has spans of. */
export async function services(queryUrl: string, timeoutMs: number): Promise<string[]> {
  const r = await get(queryUrl, '/api/services', timeoutMs);
  const data = (r.body as { data?: unknown } | undefined)?.data;
  return Array.isArray(data) ? data.map(String) : [];
}

/** A span's tags as a map. */
export function tagsOf(span: JaegerSpan): Map<string, unknown> {
  return new Map(span.tags.map((t) => [t.key, t.value]));
}
