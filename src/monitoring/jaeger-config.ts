// The trace backend's configuration compiled from gateway.yaml's tracing: Jaeger v2 (an
// OpenTelemetry Collector distribution) with its memory store, receiving OTLP/HTTP where the
// gateway exports (tracing.endpoint) and answering queries where `aibackend requests` and
// `trace` read (tracing.query_url). Read from the pinned Jaeger's cmd/jaeger/internal/all-in-one.yaml;
// only what aibackend needs is on, and its own metrics server is off (it would take port 8888).
import type { GatewayFile } from '../config/schema/gateway.js';

export const JAEGER_FILE = 'jaeger.yml';
const STORE = 'aibackend_memory';

/** host:port of an http(s) URL, for a listener. */
export function listenAddress(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${u.hostname.replace(/^\[|\]$/g, '')}:${port}`;
}

export function jaegerConfig(gw: GatewayFile): Record<string, unknown> {
  const t = gw.tracing;
  const query = new URL(t.query_url);
  const grpcPort = Number(query.port || 80) === 65535 ? 65534 : Number(query.port || 80) + 1;
  return {
    service: {
      extensions: ['jaeger_storage', 'jaeger_query'],
      pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
      telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
    },
    extensions: {
      jaeger_storage: { backends: { [STORE]: { memory: { max_traces: t.max_traces } } } },
      jaeger_query: {
        storage: { traces: STORE },
        http: { endpoint: listenAddress(t.query_url) },
        // Jaeger's gRPC query API, unused by aibackend, next to the HTTP one.
        grpc: { endpoint: `${query.hostname.replace(/^\[|\]$/g, '')}:${grpcPort}` },
      },
    },
    receivers: { otlp: { protocols: { http: { endpoint: listenAddress(t.endpoint) } } } },
    processors: { batch: {} },
    exporters: { jaeger_storage_exporter: { trace_storage: STORE } },
  };
}
