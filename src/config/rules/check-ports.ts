// One port, one service: the registry must not double-book a port, and every local URL must use
// a registered, unreserved port.
import type { SourceKind } from '../load/load-config.js';
import type { PathSegment } from '../load/source-doc.js';
import type { RuleContext } from './context.js';
import { endpointOf } from '../../util/endpoint.js';
import { isActive } from '../schema/providers.js';

interface Use {
  who: string;
  /** The provider or MCP server id. */
  id?: string;
  kind: SourceKind;
  path: PathSegment[];
  host: string;
  port: number;
}

export function checkPorts(ctx: RuleContext): void {
  const registry = ctx.ports;
  const reserved = new Set(registry?.reserved ?? []);
  const byPort = new Map<number, string>();
  for (const [name, entry] of Object.entries(registry?.ports ?? {})) {
    const owner = byPort.get(entry.port);
    if (owner !== undefined) {
      ctx.error(
        'port-conflict',
        ctx.at('ports', ['ports', name, 'port']),
        `port ${entry.port} is registered for both '${owner}' and '${name}'`,
      );
    } else byPort.set(entry.port, name);
    if (reserved.has(entry.port)) {
      ctx.error('port-reserved', ctx.at('ports', ['ports', name, 'port']), `port ${entry.port} of '${name}' is in the reserved list`);
    }
  }

  const uses: Use[] = [];
  for (const [id, p] of Object.entries(ctx.providers?.providers ?? {})) {
    if (!isActive(p) || !p.base_url) continue;
    const ep = endpointOf(p.base_url);
    if (ep && (ep.local || ep.explicit))
      uses.push({ who: `provider '${id}'`, id, kind: 'providers', path: ['providers', id, 'base_url'], host: ep.host, port: ep.port });
  }
  for (const [id, s] of Object.entries(ctx.providers?.mcp_servers ?? {})) {
    if (!isActive(s) || !s.url) continue;
    const ep = endpointOf(s.url);
    if (ep && (ep.local || ep.explicit))
      uses.push({ who: `MCP server '${id}'`, id, kind: 'providers', path: ['mcp_servers', id, 'url'], host: ep.host, port: ep.port });
  }
  const gw = ctx.gateway;
  if (gw) {
    const ep = endpointOf(gw.gateway.url);
    if (ep && (ep.local || ep.explicit))
      uses.push({ who: 'the gateway', kind: 'gateway', path: ['gateway', 'url'], host: ep.host, port: ep.port });
    if (gw.cache.enabled) {
      const local = gw.cache.host === 'localhost' || gw.cache.host.startsWith('127.');
      uses.push({
        who: 'the Redis cache',
        kind: 'gateway',
        path: ['cache', 'port'],
        host: local ? 'loopback' : gw.cache.host,
        port: gw.cache.port,
      });
    }
    // With replicas, each has its own loopback port behind the load balancer on gateway.url.
    if (gw.replicas >= 2)
      (gw.replica_ports ?? []).forEach((port, i) =>
        uses.push({ who: `gateway replica ${i + 1}`, kind: 'gateway', path: ['replica_ports', i], host: 'loopback', port }),
      );
    // The observability stack's own listeners: [who, path in gateway.yaml, url].
    const m = gw.monitoring;
    const services: [string, string[], string][] = [];
    if (m.enabled) {
      services.push(['Prometheus', ['monitoring', 'prometheus', 'url'], m.prometheus.url], ['Grafana', ['monitoring', 'grafana', 'url'], m.grafana.url]);
      if (gw.cache.enabled) services.push(['redis_exporter', ['monitoring', 'redis_exporter', 'url'], m.redis_exporter.url]);
      if (m.alerting.enabled) services.push(['Alertmanager', ['monitoring', 'alerting', 'alertmanager', 'url'], m.alerting.alertmanager.url]);
    }
    if (gw.tracing.enabled)
      services.push(
        ["the trace backend's OTLP receiver", ['tracing', 'endpoint'], gw.tracing.endpoint],
        ["the trace backend's query API", ['tracing', 'query_url'], gw.tracing.query_url],
      );
    for (const [who, at, url] of services) {
      const mep = endpointOf(url);
      if (mep && (mep.local || mep.explicit))
        uses.push({ who: `${who} (${at.join('.')})`, kind: 'gateway', path: at, host: mep.host, port: mep.port });
    }
  }

  const seen = new Map<string, Use>();
  // One mistake, one finding: a provider on a port the registry gives to another provider is
  // reported there, and not again as "both use" when that provider comes next.
  const intruded = new Set<string>();
  for (const use of uses) {
    const at = ctx.config.sources[use.kind] ? ctx.at(use.kind, use.path) : { file: `${use.kind}.yaml (default)`, line: 1, column: 1 };
    const key = `${use.host}:${use.port}`;
    const other = seen.get(key);
    if (other) {
      if (!intruded.has(key))
        ctx.error(
          'port-conflict',
          at,
          `${use.who} and ${other.who} both use port ${use.port}${use.host === 'loopback' ? '' : ` on ${use.host}`}`,
        );
    } else seen.set(key, use);
    // The registry gives this port to a service named like another provider: two services, one port.
    const owner = use.host === 'loopback' ? byPort.get(use.port) : undefined;
    const named = owner !== undefined && (Object.hasOwn(ctx.providers?.providers ?? {}, owner) || Object.hasOwn(ctx.providers?.mcp_servers ?? {}, owner));
    if (owner !== undefined && owner !== use.id && named && !other) {
      ctx.error('port-conflict', at, `${use.who} uses port ${use.port}, which ports.yaml gives to '${owner}'`);
      intruded.add(key);
    }
    if (reserved.has(use.port)) {
      ctx.error('port-reserved', at, `${use.who} uses port ${use.port}, which ports.yaml reserves`);
    } else if (registry && use.host === 'loopback' && !byPort.has(use.port)) {
      ctx.warn('port-unregistered', at, `${use.who} uses port ${use.port}, which is not in the ports registry`, `add it to ports.yaml`);
    }
  }
}
