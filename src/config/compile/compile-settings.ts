// gateway.yaml to LiteLLM's router_settings, litellm_settings and general_settings.
import type { GatewayFile } from '../schema/gateway.js';
import { sortKeysDeep } from '../../util/canonical.js';
import { envToLiteLLM } from './compile-models.js';

export function compileRouterSettings(gw: GatewayFile, fallbacks: Record<string, string[]>[]): Record<string, unknown> {
  const r = gw.router;
  const out: Record<string, unknown> = {
    routing_strategy: r.strategy,
    num_retries: r.num_retries,
    timeout: r.timeout_s,
    allowed_fails: r.allowed_fails,
    cooldown_time: r.cooldown_s,
  };
  if (fallbacks.length > 0) out.fallbacks = fallbacks;
  if (gw.cache.enabled) {
    // The router shares the cache's Redis for usage tracking across gateway instances.
    out.redis_host = gw.cache.host;
    out.redis_port = gw.cache.port;
    if (gw.cache.password) out.redis_password = envToLiteLLM(gw.cache.password);
  }
  return merge(out, gw.passthrough.router_settings);
}

export function compileLiteLLMSettings(gw: GatewayFile): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (gw.logging.json) {
    out.json_logs = true;
    // Every line LiteLLM logs while it handles a request carries the request's trace_id, which
    // `aibackend try` sets to the call id it prints (`aibackend logs --call-id`).
    out.request_correlation_in_logs = true;
  }
  const callbacks = [...(gw.metrics.prometheus ? ['prometheus'] : []), ...(gw.tracing.enabled ? ['otel'] : [])];
  if (callbacks.length > 0) out.callbacks = callbacks;
  if (gw.cache.enabled) {
    out.cache = true;
    const params: Record<string, unknown> = {
      type: 'redis',
      host: gw.cache.host,
      port: gw.cache.port,
      namespace: gw.cache.namespace,
      ttl: gw.cache.ttl_s,
    };
    if (gw.cache.password) params.password = envToLiteLLM(gw.cache.password);
    out.cache_params = params;
  }
  return merge(out, gw.passthrough.litellm_settings);
}

/**
 * The environment LiteLLM sets from its own config before it loads its callbacks: the OpenTelemetry
 * exporter's settings when tracing is on (read by the pinned LiteLLM's integrations/opentelemetry.py
 * and by the OpenTelemetry SDK), so that every runtime (compose, process, command) traces alike.
 * Undefined without tracing, so that other configs keep their bytes.
 */
export function compileEnvironment(gw: GatewayFile): Record<string, string> | undefined {
  const t = gw.tracing;
  if (!t.enabled) return undefined;
  return {
    // LiteLLM appends /v1/traces to the endpoint.
    OTEL_ENDPOINT: t.endpoint,
    OTEL_EXPORTER: 'otlp_http',
    // Span export every second instead of every 5 s: `aibackend requests --follow` stays close to live.
    OTEL_BSP_SCHEDULE_DELAY: '1000',
    // Prompts and answers stay out of the spans unless capture_content says otherwise.
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: t.capture_content ? 'SPAN_ONLY' : 'NO_CONTENT',
    OTEL_SERVICE_NAME: t.service_name,
  };
}

export function compileGeneralSettings(gw: GatewayFile): Record<string, unknown> {
  return merge({ master_key: envToLiteLLM(gw.gateway.master_key) }, gw.passthrough.general_settings);
}

/**
 * Passthrough merged in deeply: maps such as cache_params keep the compiled keys that passthrough
 * does not name (validate refuses passthrough keys that would override compiled ones, unless
 * passthrough.overrides lists them); its own content is emitted sorted.
 */
function merge(generated: Record<string, unknown>, passthrough: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!passthrough) return generated;
  return deepMerge(generated, sortKeysDeep(passthrough) as Record<string, unknown>);
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isMap(b) && isMap(v) ? deepMerge(b, v) : v;
  }
  return out;
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
