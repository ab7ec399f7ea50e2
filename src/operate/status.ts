// The whole stack at a glance: the gateway (liveliness, readiness, served names against the
// compiled ones) and every active provider, all probed concurrently, each with its own timeout.
import { cacheTarget, connect } from './cache.js';
import { SwarmRuntime, type SwarmSnapshot } from '../deploy/runtime/swarm.js';
import { alertingStatus, tracingStatus, type AlertingStatus, type TracingStatus } from './observability-status.js';
import type { MappingsFile } from '../config/schema/mappings.js';
import { HOSTED_TYPES, isActive, type Provider, type ProvidersFile } from '../config/schema/providers.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import { mcpStatus, type McpServerStatus } from './mcp-status.js';
import { monitoringStatus, type MonitoringStatus } from './monitoring-status.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { COMPOSE_STATE_DIR, HAPROXY_FILE, replicaName, replicaService } from '../deploy/rolling/haproxy.js';
import { ReplicaSetRuntime, type LoadBalancerState } from '../deploy/rolling/replicas.js';
import { makeRuntime } from '../deploy/runtimes.js';
import { configSha } from '../deploy/runtime/config-hash.js';
import { envValue } from '../util/env-ref.js';
import { getJson, modelIds } from '../client/http-json.js';
import { probeProvider, sameModel } from '../client/provider-probe.js';

export interface ProviderStatus {
  id: string;
  type: string;
  url: string;
  probe_url: string;
  reachable: boolean;
  latency_ms: number;
  served: string[];
  /** Registered backend models the provider does not serve. */
  missing: string[];
  /** Served models the registry does not list. */
  unregistered: string[];
  /** Backend models that some route uses. */
  routed: string[];
  error?: string;
}

export interface ReplicaStatus {
  name: string;
  url: string;
  live: boolean;
  ready: boolean;
  /** The sha256 of the config the replica was started with (process runtime), and whether that is the deployed file's. */
  config_sha256: string | null;
  runs_deployed: boolean | null;
  /** verified: the process the runtime started (pid and start time) still runs; dead: it does not; unknown: the runtime cannot tell. */
  process: 'verified' | 'dead' | 'unknown';
  /** Someone else holds its port. */
  foreign?: string;
  /** Its server's state in HAProxy (UP, DOWN, MAINT, DRAIN, ...); null when HAProxy's admin socket does not answer. */
  haproxy: string | null;
}

export interface StatusReport {
  gateway: {
    url: string;
    live: boolean;
    ready: boolean;
    missing: string[];
    unexpected: string[];
    error?: string;
    replicas?: ReplicaStatus[];
    /** runtime.kind swarm: the engine's update state and the gateway service's tasks. */
    swarm?: SwarmStatus;
    /** With replicas: HAProxy's process and admin socket. */
    load_balancer?: LoadBalancerState;
  };
  providers: ProviderStatus[];
  /** Providers that were not probed (hosted APIs without --remote, disabled ones). */
  skipped: { id: string; reason: string }[];
  /** When monitoring.enabled: Prometheus and each target it should scrape. */
  monitoring?: MonitoringStatus;
  /** When the registry names MCP servers: each one, asked directly. */
  mcp_servers?: McpServerStatus[];
  /** When tracing.enabled: the trace backend's query API. */
  tracing?: TracingStatus;
  /** When monitoring.alerting.enabled: Alertmanager, and the secret files its receivers read. */
  alerting?: AlertingStatus;
  /** When cache.enabled: the Redis the gateway (every replica) shares its cache and router state through. */
  cache?: CacheStatus;
  ok: boolean;
}

export interface CacheStatus {
  redis: string;
  up: boolean;
  latency_ms: number;
  error?: string;
}

export type SwarmStatus = SwarmSnapshot;

export interface StatusOptions {
  remote: boolean;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  expectedNames: string[];
  /** The project directory, where monitoring.dir is. */
  projectDir: string;
  /** The deployed config file, which replicas should run. */
  deployedPath?: string;
}

export function routedModels(mappings: MappingsFile | undefined): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [name, m] of Object.entries(mappings?.models ?? {})) {
    for (const r of m.routes) {
      const set = out.get(r.provider) ?? new Set<string>();
      set.add(r.model ?? name);
      out.set(r.provider, set);
    }
  }
  return out;
}

export async function collectStatus(
  providers: ProvidersFile,
  mappings: MappingsFile | undefined,
  gateway: GatewayFile,
  o: StatusOptions,
): Promise<StatusReport> {
  const routed = routedModels(mappings);
  const skipped: StatusReport['skipped'] = [];
  const targets: [string, Provider][] = [];
  for (const [id, p] of Object.entries(providers.providers)) {
    if (!isActive(p)) skipped.push({ id, reason: 'disabled' });
    else if (HOSTED_TYPES.has(p.type) && !o.remote) skipped.push({ id, reason: 'hosted API: probed only with --remote' });
    else targets.push([id, p]);
  }
  const watching = gateway.monitoring.enabled ? monitoringStatus(providers, gateway, o.projectDir, o.timeoutMs) : undefined;
  const replicas =
    gateway.replicas >= 2 && gateway.replica_ports && gateway.runtime.kind !== 'swarm' ? replicaStatus(gateway, o) : undefined;
  const swarmRt = gateway.runtime;
  const tasks =
    swarmRt.kind === 'swarm'
      ? new SwarmRuntime(swarmRt, o.projectDir, o.env, undefined, path.resolve(o.projectDir, gateway.backups.dir)).snapshot()
      : undefined;
  const mcp = providers.mcp_servers && Object.keys(providers.mcp_servers).length ? mcpStatus(providers, o.env, o.timeoutMs) : undefined;
  const traces = gateway.tracing.enabled ? tracingStatus(gateway, o.timeoutMs) : undefined;
  const alerts =
    gateway.monitoring.enabled && gateway.monitoring.alerting.enabled ? alertingStatus(gateway, o.projectDir, o.timeoutMs) : undefined;
  const redis = gateway.cache.enabled ? cacheStatus(gateway, o) : undefined;
  const [gw, ...probes] = await Promise.all([
    probeGatewayOnce(gateway, o),
    ...targets.map(([, p]) => probeProvider(p, o.env, o.timeoutMs)),
  ]);
  if (tasks) gw.swarm = await tasks;
  if (replicas) {
    const rs = await replicas;
    gw.replicas = rs.replicas;
    if (rs.lb) gw.load_balancer = rs.lb;
  }
  const monitoring = await watching;
  const mcp_servers = await mcp;
  const tracing = await traces;
  const alerting = await alerts;
  const cache = await redis;
  const list: ProviderStatus[] = targets.map(([id, p], i) => {
    const probe = probes[i]!;
    const registered = (p.models ?? []).map((m) => m.name);
    const missing = probe.reachable ? registered.filter((r) => !probe.served.some((s) => sameModel(p.type, r, s))) : registered;
    const unregistered = probe.served.filter((s) => !registered.some((r) => sameModel(p.type, r, s)));
    return {
      id,
      type: p.type,
      url: probe.url,
      probe_url: probe.probe_url,
      reachable: probe.reachable,
      latency_ms: probe.latency_ms,
      served: probe.served,
      missing,
      unregistered,
      routed: [...(routed.get(id) ?? [])].sort(),
      ...(probe.error ? { error: probe.error } : {}),
    };
  });
  // Healthy: every provider that a route uses is reachable and serves every model routed to it.
  // With monitoring on, also: Prometheus answers and every target it should scrape is up; with MCP
  // servers, every active one reached over HTTP answers; with tracing, the trace backend answers; with
  // alerting, Alertmanager is ready and has every secret file.
  const ok =
    gatewayOk(gw) &&
    list.every((s) => s.routed.length === 0 || (s.reachable && s.routed.every((m) => !s.missing.includes(m)))) &&
    (monitoring?.ok ?? true) &&
    (mcp_servers ?? []).every((m) => m.state !== 'down') &&
    (tracing?.ok ?? true) &&
    (alerting?.ok ?? true) &&
    (cache?.up ?? true);
  return {
    gateway: gw,
    providers: list,
    skipped,
    ...(monitoring ? { monitoring } : {}),
    ...(mcp_servers ? { mcp_servers } : {}),
    ...(tracing ? { tracing } : {}),
    ...(alerting ? { alerting } : {}),
    ...(cache ? { cache } : {}),
    ok,
  };
}

/** Redis answers PING (with cache.password): without it, replicas share no cache, cooldowns or usage counts. */
async function cacheStatus(gateway: GatewayFile, o: StatusOptions): Promise<CacheStatus> {
  const redis = `redis://${gateway.cache.host}:${gateway.cache.port}`;
  const t0 = performance.now();
  try {
    const client = await connect(cacheTarget(gateway, o.env, o.timeoutMs));
    client.destroy();
    return { redis, up: true, latency_ms: Math.round(performance.now() - t0) };
  } catch (err) {
    return { redis, up: false, latency_ms: Math.round(performance.now() - t0), error: (err as Error).message };
  }
}

/** The gateway answers on gateway.url and serves every compiled name; with replicas, each one serves as declared. */
export function gatewayOk(g: StatusReport['gateway']): boolean {
  const swarmOk = !g.swarm || g.swarm.tasks.filter((t) => t.desired === 'running' && t.state === 'running').length >= g.swarm.replicas;
  return (
    g.live && g.missing.length === 0 && (g.replicas ?? []).every(replicaOk) && (g.load_balancer ? g.load_balancer.admin : true) && swarmOk
  );
}

async function probeGatewayOnce(gateway: GatewayFile, o: StatusOptions): Promise<StatusReport['gateway']> {
  const base = gateway.gateway.url.replace(/\/+$/, '');
  const key = envValue(gateway.gateway.master_key, o.env);
  const [live, ready, models] = await Promise.all([
    getJson(`${base}/health/liveliness`, {}, o.timeoutMs),
    getJson(`${base}/health/readiness`, {}, o.timeoutMs),
    getJson(`${base}/v1/models`, key ? { authorization: `Bearer ${key}` } : {}, o.timeoutMs),
  ]);
  const served = modelIds(models.body);
  const missing = served ? o.expectedNames.filter((n) => !served.includes(n)) : [...o.expectedNames];
  const unexpected = served ? served.filter((n) => !o.expectedNames.includes(n)).sort() : [];
  const error = !live.ok
    ? (live.error ?? `HTTP ${live.status}`)
    : !models.ok
      ? `/v1/models: ${models.error ?? `HTTP ${models.status}`}`
      : undefined;
  return { url: gateway.gateway.url, live: live.ok, ready: ready.ok, missing, unexpected, ...(error ? { error } : {}) };
}

/** Each replica on its own port, who answers there, which config it was started with, and HAProxy's view of it. */
async function replicaStatus(gateway: GatewayFile, o: StatusOptions): Promise<{ replicas: ReplicaStatus[]; lb?: LoadBalancerState }> {
  const deployed = o.deployedPath ? (configSha(o.deployedPath) ?? null) : null;
  const deployedBody = o.deployedPath ? (configSha(o.deployedPath, true) ?? null) : null;
  // The process runtime verifies each replica's process (pid and start time) and HAProxy's server states.
  const rt =
    o.deployedPath && gateway.runtime.kind !== 'command'
      ? makeRuntime(gateway.runtime, o.projectDir, o.env, {
          gateway,
          lbConfig: path.join(path.dirname(o.deployedPath), HAPROXY_FILE),
        })
      : undefined;
  const topology = rt instanceof ReplicaSetRuntime ? await rt.inspect(o.deployedPath!).catch(() => undefined) : undefined;
  const replicas = await Promise.all(
    (gateway.replica_ports ?? []).map(async (port, i) => {
      const u = new URL(gateway.gateway.url);
      u.port = String(port);
      const url = u.toString().replace(/\/+$/, '');
      const [live, ready] = await Promise.all([
        getJson(`${url}/health/liveliness`, {}, o.timeoutMs),
        getJson(`${url}/health/readiness`, {}, o.timeoutMs),
      ]);
      // The process runtime records it in the replica's pid file, the compose runtime beside its state.
      const record =
        gateway.runtime.kind === 'process'
          ? path.join(o.projectDir, gateway.runtime.state_dir, `gateway-${replicaName(i)}.pid`)
          : gateway.runtime.kind === 'compose'
            ? path.join(o.projectDir, COMPOSE_STATE_DIR, `compose-${replicaService(gateway.runtime.service, i)}.json`)
            : undefined;
      let sha: string | null = null;
      let body: string | null = null;
      try {
        const rec = record ? (JSON.parse(readFileSync(record, 'utf8')) as { config_sha256?: string; config_body_sha256?: string }) : {};
        sha = rec.config_sha256 ?? null;
        body = rec.config_body_sha256 ?? null;
      } catch {
        sha = null;
      }
      // A header-only change (a description) rewrites the deployed file without restarting anything.
      const same = body && deployedBody ? body === deployedBody : sha && deployed ? sha === deployed : null;
      const t = topology?.replicas[i];
      // A recorded config means nothing once its process is gone or a stranger holds the port.
      const trusted = !t || (t.process !== 'dead' && !t.foreign);
      return {
        name: replicaName(i),
        url,
        live: live.ok,
        ready: ready.ok,
        process: t?.process ?? 'unknown',
        ...(t?.foreign ? { foreign: t.foreign } : {}),
        haproxy: t?.haproxy ?? null,
        config_sha256: trusted ? sha : null,
        runs_deployed: trusted ? same : false,
      };
    }),
  );
  return { replicas, ...(topology ? { lb: topology.load_balancer } : {}) };
}

/** A replica that serves as declared: its own process (where that can be told), ready, on the deployed config, in rotation. */
export function replicaOk(r: ReplicaStatus): boolean {
  return (
    r.process !== 'dead' && !r.foreign && r.live && r.ready && r.runs_deployed !== false && (r.haproxy === null || /^UP/.test(r.haproxy))
  );
}
