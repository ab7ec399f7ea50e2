// Requests as records, read back from the spans an unmodified LiteLLM exports with its `otel`
// callback (gateway.yaml tracing:) into the trace backend. One client request is one trace: the
// FastAPI server span (method, route, HTTP status) and one `litellm_request` span per attempt,
// each with the call id the client saw (litellm.call_id = x-litellm-call-id), its model group,
// LiteLLM model, the answering deployment's api_base (hidden_params), tokens, cost and, on a
// failure, the error's type, code and message. Attempts map back to registry providers through
// the route map. Read from the pinned LiteLLM's integrations/opentelemetry.py and checked against
// what it exports (tests/gateway/tracing.test.ts).
import type { JaegerSpan, JaegerTrace } from '../client/jaeger.js';
import { tagsOf } from '../client/jaeger.js';
import { baseOf, identify, type RouteMap } from '../config/route-map.js';

export const ATTEMPT_SPAN = 'litellm_request';
/** The router span LiteLLM writes each time it picks a deployment to call. */
const PICK = { operation: 'router', call_type: 'async_get_available_deployment' } as const;

export interface Attempt {
  model_group: string | null;
  /** LiteLLM's model, e.g. openai/llama-2-13b-chat. */
  model: string | null;
  /** The registry provider: known when the api_base (success) or the model (failure) designates one route. */
  provider: string | null;
  /** The providers the attempt may have gone to when LiteLLM did not say which (a failure on a name with two routes of one model). */
  candidates?: string[];
  backend_model: string | null;
  api_base: string | null;
  ok: boolean;
  /** HTTP status the provider (or LiteLLM) gave this attempt, when it failed. */
  status: number | null;
  error?: { type: string; message: string };
  start: string;
  duration_ms: number;
  tokens: Tokens;
  cost: number | null;
}

export interface Tokens {
  prompt: number | null;
  completion: number | null;
  total: number | null;
}

export interface RequestRecord {
  call_id: string | null;
  trace_id: string;
  time: string;
  /** The name the client asked for (the first attempt's model group, or the model it sent). */
  public_name: string | null;
  route: string | null;
  status: number | null;
  ok: boolean;
  /** From the first span to the last: the whole request as the gateway saw it. */
  latency_ms: number;
  /** The part of latency_ms no attempt covers: LiteLLM's own work before, between and after the calls to providers. */
  outside_attempts_ms: number;
  stream: boolean;
  answered_by: { provider: string | null; backend_model: string | null; model_group: string | null; api_base: string | null } | null;
  /** Attempts at the name's own deployments after the first (LiteLLM's retries), as far as attempt spans show them. */
  retries: number;
  /**
   * Calls to providers: LiteLLM's router picks a deployment for each (a `router` span of call_type
   * async_get_available_deployment). More than the attempts when LiteLLM recorded only the first
   * failure of a name: its later calls there (a retry, the name's other deployment) have no span of their own.
   */
  provider_calls: number;
  /** Moves to another public name (LiteLLM's fallbacks), in order. */
  fallbacks: string[];
  tokens: Tokens;
  cost: number | null;
  error?: { type: string; message: string };
  attempts: Attempt[];
}

const num = (v: unknown): number | null =>
  typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const iso = (us: number): string => new Date(Math.floor(us / 1000)).toISOString();

function hiddenParams(tags: Map<string, unknown>): { api_base: string | null; model_id: string | null } {
  const raw = tags.get('hidden_params');
  if (typeof raw !== 'string') return { api_base: null, model_id: null };
  try {
    const h = JSON.parse(raw) as { api_base?: unknown; model_id?: unknown };
    return { api_base: str(h.api_base), model_id: str(h.model_id) };
  } catch {
    return { api_base: null, model_id: null };
  }
}

/** First line of an error message, without LiteLLM's repeated class prefixes, at most 300 characters. */
function errorMessage(v: unknown): string {
  const line = String(v ?? '').split('\n')[0]!;
  return line.replace(/^(litellm\.)?\w+Error: (\w+Error: )?/, '').slice(0, 300);
}

function attemptOf(span: JaegerSpan, map: RouteMap): Attempt {
  const t = tagsOf(span);
  const group = str(t.get('litellm.model_group'));
  const model = str(t.get('litellm.provider.model'));
  const hidden = hiddenParams(t);
  const ok = t.get('otel.status_code') !== 'ERROR' && t.get('error') !== true;
  let provider: string | null = null;
  let backend: string | null = null;
  let apiBase = baseOf(hidden.api_base);
  let candidates: string[] | undefined;
  const hit = identify(map, group, model, hidden.api_base);
  if (hidden.api_base && hit) {
    provider = hit.provider;
    backend = hit.backend;
  } else if (group) {
    // A failed attempt carries no api_base: the model group and LiteLLM model narrow it down.
    const routes = (map.routes.get(group) ?? []).filter((r) => r.model === model);
    const providers = [...new Set(routes.map((r) => r.provider))];
    if (providers.length === 1) {
      provider = providers[0]!;
      backend = routes[0]!.backend;
      apiBase ??= baseOf(routes[0]!.api_base);
    } else if (providers.length > 1) candidates = providers.sort();
  }
  const attempt: Attempt = {
    model_group: group,
    model,
    provider,
    ...(candidates ? { candidates } : {}),
    backend_model: backend,
    api_base: apiBase,
    ok,
    status: ok ? null : num(t.get('http.response.status_code') ?? t.get('error.code')),
    start: iso(span.startTime),
    duration_ms: Math.round(span.duration / 100) / 10,
    tokens: {
      prompt: num(t.get('gen_ai.usage.input_tokens')),
      completion: num(t.get('gen_ai.usage.output_tokens')),
      total: num(t.get('gen_ai.usage.total_tokens')),
    },
    cost: num(t.get('gen_ai.cost.total_cost')),
  };
  if (!ok) attempt.error = { type: String(t.get('error.type') ?? 'error'), message: errorMessage(t.get('error.message')) };
  return attempt;
}

/** The request a trace holds, or undefined when it holds no attempt (a health probe, a refused key). */
export function recordOf(trace: JaegerTrace, map: RouteMap): RequestRecord | undefined {
  const attemptSpans = trace.spans.filter((s) => s.operationName === ATTEMPT_SPAN).sort((a, b) => a.startTime - b.startTime);
  if (attemptSpans.length === 0) return undefined;
  const attempts = attemptSpans.map((s) => attemptOf(s, map));
  const first = tagsOf(attemptSpans[0]!);
  const server = trace.spans.filter((s) => tagsOf(s).get('span.kind') === 'server').sort((a, b) => a.startTime - b.startTime)[0];
  const st = server ? tagsOf(server) : undefined;
  const start = Math.min(...trace.spans.map((s) => s.startTime));
  const end = Math.max(...trace.spans.map((s) => s.startTime + s.duration));
  const last = attempts[attempts.length - 1]!;
  const answered = attempts.find((a) => a.ok);
  const status = num(st?.get('http.response.status_code')) ?? (answered ? 200 : last.status);
  const publicName = attempts[0]!.model_group ?? str(first.get('gen_ai.request.model'));
  let retries = 0;
  const fallbacks: string[] = [];
  for (let i = 1; i < attempts.length; i++) {
    const group = attempts[i]!.model_group;
    if (group === attempts[i - 1]!.model_group) retries++;
    else if (group) fallbacks.push(group);
  }
  const sum = (k: keyof Tokens): number | null => {
    const vs = attempts.map((a) => a.tokens[k]).filter((v): v is number => v !== null);
    return vs.length > 0 ? vs.reduce((x, y) => x + y, 0) : null;
  };
  const costs = attempts.map((a) => a.cost).filter((v): v is number => v !== null);
  const ok = answered !== undefined && (status === null || status < 400);
  const picks = trace.spans.filter((sp) => sp.operationName === PICK.operation && tagsOf(sp).get('call_type') === PICK.call_type).length;
  // The union of the attempts' spans, so that overlapping attempts are not counted twice.
  let covered = 0;
  let reach = -Infinity;
  for (const sp of attemptSpans) {
    const from = Math.max(sp.startTime, reach);
    const to = sp.startTime + sp.duration;
    if (to > from) covered += to - from;
    reach = Math.max(reach, to);
  }
  const record: RequestRecord = {
    call_id: str(first.get('litellm.call_id')),
    trace_id: trace.traceID,
    time: iso(start),
    public_name: publicName,
    route: str(st?.get('http.route')),
    status,
    ok,
    latency_ms: Math.round((end - start) / 100) / 10,
    outside_attempts_ms: Math.round((end - start - covered) / 100) / 10,
    stream: first.get('llm.is_streaming') === 'True' || first.get('llm.is_streaming') === true,
    answered_by: answered
      ? {
          provider: answered.provider,
          backend_model: answered.backend_model,
          model_group: answered.model_group,
          api_base: answered.api_base,
        }
      : null,
    retries,
    provider_calls: Math.max(picks, attempts.length),
    fallbacks,
    tokens: { prompt: sum('prompt'), completion: sum('completion'), total: sum('total') },
    cost: costs.length > 0 ? costs.reduce((x, y) => x + y, 0) : null,
    attempts,
  };
  if (!ok) record.error = last.error ?? { type: `HTTP ${status ?? '?'}`, message: '' };
  return record;
}

export interface RecordFilter {
  /** Public names or aliases, as the client sent them (LiteLLM records an alias under its own name). */
  names?: string[];
  errors?: boolean;
  /** Only requests slower than this, in ms. */
  slowMs?: number;
}

export function matches(r: RequestRecord, f: RecordFilter): boolean {
  if (f.names && f.names.length > 0 && !f.names.includes(r.public_name ?? '')) return false;
  if (f.errors && r.ok) return false;
  if (f.slowMs !== undefined && r.latency_ms < f.slowMs) return false;
  return true;
}
