// Human rendering of status, discover and ports.
import type { AlertingStatus, TracingStatus } from '../operate/observability-status.js';
import type { ChalkInstance } from 'chalk';
import type { PortsReport } from '../operate/ports.js';
import type { McpServerStatus } from '../operate/mcp-status.js';
import type { MonitoringStatus } from '../operate/monitoring-status.js';
import { gatewayOk, type StatusReport } from '../operate/status.js';
import { table } from './table.js';

export function renderStatus(r: StatusReport, s: ChalkInstance): string {
  const g = r.gateway;
  const yes = (b: boolean) => (b ? s.green('yes') : s.red('no'));
  const out = [
    `${s.bold('gateway')} ${g.url}: live ${yes(g.live)}, ready ${yes(g.ready)}${g.missing.length ? `, ${s.red(`missing: ${g.missing.join(', ')}`)}` : g.live ? ', every compiled name served' : ''}${g.unexpected.length ? `, unexpected: ${g.unexpected.join(', ')}` : ''}${g.error ? s.dim(` (${g.error})`) : ''}`,
    ...(g.load_balancer
      ? [
          `  load balancer: HAProxy ${g.load_balancer.running ? 'running' : s.red('not running')}, admin socket ${g.load_balancer.admin ? s.green('answers') : s.red('does not answer')}${g.load_balancer.config_current === false ? `, ${s.yellow('haproxy.cfg changed since it started (the next reload applies it)')}` : ''}`,
        ]
      : []),
    ...(g.swarm
      ? [
          `  swarm service ${g.swarm.service}: ${g.swarm.exists ? `update ${g.swarm.update_state ?? 'none yet'}${g.swarm.update_message ? s.dim(` (${g.swarm.update_message})`) : ''}` : s.red('does not exist')}`,
          ...g.swarm.tasks.map(
            (t) =>
              `    task ${t.id} on ${t.node}: ${t.state === 'running' ? s.green(t.state) : t.desired === 'running' ? s.yellow(t.state) : s.dim(t.state)}${t.desired !== 'running' ? s.dim(` (desired ${t.desired})`) : ''}${t.config ? s.dim(` ${t.config}`) : ''}${t.error ? s.red(` ${t.error}`) : ''}`,
          ),
        ]
      : []),
    ...(g.replicas ?? []).map(
      (x) =>
        `  replica ${x.name} ${x.url}: ${x.foreign ? `${s.red(x.foreign)}, ` : x.process === 'dead' ? `${s.red('its process is not running')}, ` : ''}live ${yes(x.live)}, ready ${yes(x.ready)}${x.haproxy === null ? '' : `, HAProxy: ${/^UP/.test(x.haproxy) ? s.green(x.haproxy) : s.red(x.haproxy)}`}${x.runs_deployed === null ? '' : x.runs_deployed ? ', runs the deployed config' : `, ${s.yellow('does not run the deployed config')}`}${x.config_sha256 ? s.dim(` (sha256 ${x.config_sha256.slice(0, 12)})`) : ''}`,
    ),
    '',
  ];
  const rows = r.providers.map((p) => [
    p.id,
    p.type,
    p.reachable ? s.green('up') : s.red('down'),
    p.reachable ? `${p.latency_ms} ms` : s.dim(p.error ?? ''),
    String(p.served.length),
    p.missing.length ? s.red(p.missing.join(', ')) : '-',
    p.unregistered.length ? s.yellow(p.unregistered.join(', ')) : '-',
  ]);
  out.push(
    table(
      ['provider', 'type', 'state', 'latency', 'served', 'missing (registered, not served)', 'unregistered (served, not registered)'],
      rows,
      s,
    ),
  );
  for (const k of r.skipped) out.push(s.dim(`${k.id}: not probed (${k.reason})`));
  if (r.mcp_servers) out.push('', renderMcpStatus(r.mcp_servers, s));
  if (r.monitoring) out.push('', renderMonitoring(r.monitoring, s));
  if (r.alerting) out.push('', renderAlerting(r.alerting, s));
  if (r.tracing) out.push('', renderTracing(r.tracing, s));
  if (r.cache)
    out.push(
      '',
      `${s.bold('cache')} Redis ${r.cache.redis}: ${r.cache.up ? s.green(`up (${r.cache.latency_ms} ms)`) : `${s.red('down')}${r.cache.error ? s.dim(` (${r.cache.error})`) : ''}: the gateway caches nothing, and replicas share no cooldowns or usage counts`}`,
    );
  const watched = `${r.mcp_servers?.length ? ', every MCP server asked answers' : ''}${r.monitoring ? ', and Prometheus scrapes every target' : ''}`;
  const failing =
    [
      ...(!gatewayOk(g)
        ? [
            !g.live
              ? `the gateway does not answer on ${g.url}`
              : g.missing.length
                ? 'the gateway does not serve every compiled name'
                : 'a replica or the load balancer does not serve as declared (`aibackend reload` repairs it)',
          ]
        : []),
      ...(r.providers.some((p) => p.routed.length && (!p.reachable || p.routed.some((m) => p.missing.includes(m))))
        ? ['a provider that routes use is down or does not serve a routed model']
        : []),
      ...(r.mcp_servers?.some((m) => m.state === 'down') ? ['an MCP server is down'] : []),
      ...(r.monitoring && !r.monitoring.ok ? ['Prometheus is down or a target it should scrape is not up'] : []),
      ...(r.cache && !r.cache.up ? [`the cache's Redis (${r.cache.redis}) does not answer`] : []),
    ].join('; ') || 'a provider that routes use is down or does not serve a routed model';
  out.push(
    '',
    r.ok
      ? `${s.green('✔')} the gateway serves every compiled name, every routed provider is up and serves its routed models${watched}`
      : `${s.red('✖')} ${failing}`,
  );
  return out.join('\n');
}

function renderMcpStatus(list: McpServerStatus[], s: ChalkInstance): string {
  const rows = list.map((m) => [
    m.id,
    m.transport,
    m.state === 'up' ? s.green('up') : m.state === 'down' ? s.red('down') : s.dim('not probed'),
    m.state === 'up' ? `${m.latency_ms} ms` : s.dim(m.error ?? m.reason ?? ''),
    m.state === 'up' ? String(m.tools.length) : '-',
    m.tools.length ? m.tools.join(', ') : '-',
  ]);
  return table(['MCP server', 'transport', 'state', 'latency', 'tools', 'tool names'], rows, s);
}

function renderAlerting(a: AlertingStatus, s: ChalkInstance): string {
  const out = [
    `${s.bold('alerting')} Alertmanager ${a.alertmanager_url}: ${a.up ? s.green('ready') : `${s.red('down')}${a.error ? s.dim(` (${a.error})`) : ''}`}`,
  ];
  for (const f of a.secret_files.filter((x) => !x.exists))
    out.push(s.yellow(`  ${f.key} is read from ${f.path}, which does not exist: that receiver is never told`));
  return out.join('\n');
}

function renderTracing(t: TracingStatus, s: ChalkInstance): string {
  const state = t.up ? s.green('up') : `${s.red('down')}${t.error ? s.dim(` (${t.error})`) : ''}`;
  const spans =
    t.up && !t.has_gateway_spans
      ? s.dim(' (no span of the gateway yet: none since Jaeger started, or the gateway runs without tracing)')
      : '';
  return `${s.bold('tracing')} Jaeger ${t.query_url}: ${state}${spans}`;
}

function renderMonitoring(m: MonitoringStatus, s: ChalkInstance): string {
  const head = `${s.bold('monitoring')} Prometheus ${m.prometheus_url}: ${m.prometheus_up ? s.green('up') : `${s.red('down')}${m.error ? s.dim(` (${m.error})`) : ''}`}`;
  const health = (h: string) => (h === 'up' ? s.green('up') : h === 'unknown' ? s.dim('unknown') : s.red(h));
  const rows = m.targets.map((t) => [t.job, t.instance, health(t.health), t.last_error ? s.dim(t.last_error) : '']);
  const out = [head, table(['scrape job', 'target', 'state', 'last error'], rows, s)];
  if (m.master_key_file && !m.master_key_file.exists)
    out.push(
      s.yellow(
        `Prometheus reads the gateway's master key from ${m.master_key_file.path}, which does not exist (docker-compose.yml mounts it from LITELLM_MASTER_KEY)`,
      ),
    );
  if (m.targets.some((t) => t.health === 'not-scraped'))
    out.push(
      s.yellow(
        'Prometheus does not scrape every target the registry names: reload it with the generated prometheus.yml (POST /-/reload, or restart it)',
      ),
    );
  return out.join('\n');
}

export function renderPorts(r: PortsReport, s: ChalkInstance): string {
  const out: string[] = [];
  if (r.query) {
    const q = r.query;
    out.push(
      `port ${q.port}: ${q.registered.length ? `registered for ${q.registered.join(', ')}` : s.yellow('not in the registry')}${q.reserved ? s.yellow(', reserved') : ''}; ${q.listening ? `listening (${q.holders.map(holder).join('; ')})` : 'nothing listening'}`,
    );
  }
  if (r.ports.length) {
    const rows = r.ports.map((p) => [
      String(p.port),
      p.name,
      p.required ? 'required' : '',
      p.listening ? s.green('listening') : p.required ? s.red('DOWN') : s.dim('free'),
      p.holders.map(holder).join('; '),
    ]);
    out.push(table(['port', 'service', '', 'state', 'held by'], rows, s));
  }
  for (const c of r.conflicts) out.push(s.red(`conflict: port ${c.port} (${c.names.join(', ')}) is ${c.reason}`));
  if (r.down.length) out.push(s.red(`required but not listening: ${r.down.join(', ')}`));
  out.push(r.ok ? `${s.green('✔')} ports look right` : `${s.red('✖')} ports need attention`);
  return out.join('\n');
}

function holder(h: { address: string; pid?: number; process?: string }): string {
  return `${h.address}${h.pid !== undefined ? ` pid ${h.pid}` : ''}${h.process ? ` ${h.process}` : ''}`;
}
