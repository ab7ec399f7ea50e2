// The gateway's topology and its observability stack, as gateway.yaml declares them: replicas
// behind a load balancer (each on its own port, and for compose the services a roll drives), and
// the monitoring stack's prerequisites. What
// this version does not act upon yet is said plainly (not-implemented), never silently ignored.
import path from 'node:path';
import { imageOf, mismatchText, serviceOf } from '../load/compose-image.js';
import { COMPOSE_LB_SERVICE, HAPROXY_FILE, replicaService } from '../../deploy/rolling/haproxy.js';
import { imageProblems } from '../../util/image.js';
import { argvPort, LITELLM_DEFAULT_PORT, urlPort } from '../../deploy/runtime/argv.js';
import type { RuleContext } from './context.js';

export function checkTopology(ctx: RuleContext): void {
  const gw = ctx.gateway;
  if (!gw || !ctx.config.sources.gateway) return;
  const declared = ctx.config.sources.gateway.data as Record<string, unknown>;
  if (gw.replicas >= 2) {
    const at = ctx.at('gateway', ['replicas']);
    const ports = gw.replica_ports;
    const lb = urlPort(gw.gateway.url);
    if (!ports)
      ctx.error(
        'replica-ports',
        at,
        `replicas: ${gw.replicas} needs replica_ports, one port per replica (gateway.url's port ${lb} is the load balancer's)`,
      );
    else {
      const pat = ctx.at('gateway', ['replica_ports']);
      if (ports.length !== gw.replicas)
        ctx.error(
          'replica-ports',
          pat,
          `replica_ports lists ${ports.length} port${ports.length === 1 ? '' : 's'} for ${gw.replicas} replicas`,
        );
      ports.forEach((p, i) => {
        if (p === lb)
          ctx.error(
            'replica-ports',
            ctx.at('gateway', ['replica_ports', i]),
            `replica port ${p} is gateway.url's port, which the load balancer listens on`,
          );
        else if (ports.indexOf(p) !== i)
          ctx.error('replica-ports', ctx.at('gateway', ['replica_ports', i]), `replica port ${p} is listed twice`);
      });
    }
    if (gw.runtime.kind === 'process' && !gw.runtime.command.some((a) => a.includes('{port}'))) {
      ctx.error(
        'replica-port-placeholder',
        ctx.at('gateway', ['runtime', 'command']),
        `runtime.command has no {port}: all ${gw.replicas} replicas would start on the same port`,
      );
    }
    const routerRedis = Boolean(gw.passthrough.router_settings?.redis_host ?? gw.passthrough.router_settings?.redis_url);
    if (!gw.cache.enabled && !routerRedis) {
      ctx.warn(
        'replicas-without-redis',
        at,
        `${gw.replicas} replicas without Redis keep separate cooldowns, usage counts and caches; enable cache: (Redis) or set passthrough.router_settings.redis_host`,
      );
    }
    if (gw.runtime.kind === 'command' || gw.load_balancer.kind !== 'haproxy') {
      const what =
        gw.load_balancer.kind !== 'haproxy'
          ? `the ${gw.load_balancer.kind} load balancer is not compiled yet`
          : `generate compiles the HAProxy config (${HAPROXY_FILE} beside the output), but rolling reloads are done by the process and compose runtimes only`;
      ctx.warn(
        'not-implemented',
        at,
        `replicas: ${gw.replicas}: ${what}; with runtime.kind ${gw.runtime.kind}, reload restarts one gateway at gateway.url`,
      );
    } else if (gw.runtime.kind === 'compose' && ports) {
      checkComposeReplicas(ctx, gw.runtime, ports, gw.gateway.image);
    }
  }
  if (gw.monitoring.enabled) {
    const at = ctx.at('gateway', ['monitoring', 'enabled']);
    if (!gw.metrics.prometheus)
      ctx.error(
        'monitoring-needs-metrics',
        at,
        "monitoring.enabled needs metrics.prometheus: true: the dashboards and alerts read the gateway's /metrics/",
      );
    checkMonitoringDir(ctx, gw.monitoring.dir, ctx.config.escapes.monitoringDir);
  } else if (gw.tracing.enabled) {
    checkMonitoringDir(ctx, gw.monitoring.dir, ctx.config.escapes.monitoringDir);
  }
  checkAlerting(ctx, declared);
  // Pinned images everywhere the stack names one, with the compose service that runs each.
  const images: [string | undefined, (string | number)[], string][] = [
    [gw.load_balancer.image, ['load_balancer', 'image'], gw.load_balancer.kind],
    [gw.monitoring.prometheus.image, ['monitoring', 'prometheus', 'image'], 'prometheus'],
    [gw.monitoring.grafana.image, ['monitoring', 'grafana', 'image'], 'grafana'],
    [gw.monitoring.redis_exporter.image, ['monitoring', 'redis_exporter', 'image'], 'redis_exporter'],
    [gw.monitoring.alerting.alertmanager.image, ['monitoring', 'alerting', 'alertmanager', 'image'], 'alertmanager'],
    [gw.tracing.image, ['tracing', 'image'], 'jaeger'],
  ];
  const compose = ctx.config.compose?.readable ? ctx.config.compose : undefined;
  for (const [image, at, service] of images) {
    if (!image || !hasPath(declared, at)) continue;
    for (const p of imageProblems(image))
      if (p.kind === 'floating') ctx.warn('image-floating-tag', ctx.at('gateway', at), p.message, p.suggestion);
    // The compose file's service of that name must run the image gateway.yaml pins.
    const running = compose?.parsed ? imageOf(compose.parsed, service, ctx.options.env) : undefined;
    if (running && running.image !== image) {
      ctx.error(
        'image-mismatch',
        ctx.at('gateway', at),
        `${at.join('.')} is ${image}, but ${compose!.display} ${mismatchText(running)} for service '${service}' (line ${running.line}); make them the same`,
      );
    }
  }
}

/**
 * The compose file a rolling reload drives must have what it will ask for: a service per replica
 * (`<service>-r1`, ...) listening on its replica port, running gateway.image, and the load
 * balancer's service. A compose file that does not exist is reported by the gateway rule.
 */
function checkComposeReplicas(
  ctx: RuleContext,
  runtime: { file: string; service: string },
  ports: number[],
  image: string | undefined,
): void {
  const compose = ctx.config.compose;
  if (!compose?.parsed) return;
  const { path: file, display: shown, parsed } = compose;
  const declared = hasPath(ctx.config.sources.gateway!.data, ['runtime', 'file']);
  const fileAt = ctx.at('gateway', declared ? ['runtime', 'file'] : ['replicas']);
  ports.forEach((port, i) => {
    const name = replicaService(runtime.service, i);
    const svc = serviceOf(parsed, file, name);
    if ('problem' in svc) {
      ctx.error(
        'compose-file-missing',
        fileAt,
        `${shown} has no service '${name}' for replica ${i + 1} of ${ports.length} (runtime.service '${runtime.service}' with -r1, -r2, ...)`,
      );
      return;
    }
    const listens = argvPort(svc.command) ?? LITELLM_DEFAULT_PORT;
    if (listens !== port)
      ctx.error(
        'replica-ports',
        ctx.at('gateway', ['replica_ports', i]),
        `replica port ${port}: service '${name}' of ${shown} listens on ${listens}`,
      );
    const running = image ? imageOf(parsed, name, ctx.options.env) : undefined;
    if (running && running.image !== image)
      ctx.error(
        'image-mismatch',
        ctx.at('gateway', ['gateway', 'image']),
        `gateway.image is ${image}, but ${shown} ${mismatchText(running)} for service '${name}' (line ${running.line}); make them the same`,
      );
  });
  if ('problem' in serviceOf(parsed, file, COMPOSE_LB_SERVICE))
    ctx.error(
      'compose-file-missing',
      fileAt,
      `${shown} has no service '${COMPOSE_LB_SERVICE}' (the load balancer a rolling reload drives)`,
    );
}

/**
 * Alerting routes the alerts the monitoring stack raises: it needs that stack, and someone to tell.
 * Secrets are env: or file: references by the schema; credentials in a webhook URL are found by the
 * secret scanner (secret-in-source), as in every source.
 */
function checkAlerting(ctx: RuleContext, declared: Record<string, unknown>): void {
  const gw = ctx.gateway!;
  const a = gw.monitoring.alerting;
  if (!a.enabled) return;
  const at = ctx.at('gateway', hasPath(declared, ['monitoring', 'alerting', 'enabled']) ? ['monitoring', 'alerting', 'enabled'] : ['monitoring']);
  if (!gw.monitoring.enabled)
    ctx.error(
      'alerting-needs-monitoring',
      at,
      'monitoring.alerting.enabled needs monitoring.enabled: true: Alertmanager routes the alerts that the generated Prometheus rules raise',
    );
  if (Object.keys(a.receivers).length === 0)
    ctx.warn('alerting-no-receiver', at, 'monitoring.alerting has no receivers: Alertmanager would route every alert to nobody');
}

/** monitoring.dir holds generated files only: inside the project, apart from the sources. */
function checkMonitoringDir(ctx: RuleContext, dir: string, away: string | undefined): void {
  const { projectDir, configDir } = ctx.config.paths;
  const abs = path.resolve(projectDir, dir);
  const rel = path.relative(projectDir, abs);
  const declared = hasPath(ctx.config.sources.gateway!.data, ['monitoring', 'dir']);
  const at = ctx.at('gateway', declared ? ['monitoring', 'dir'] : ['monitoring', 'enabled']);
  if (rel.startsWith('..') || path.isAbsolute(rel)) {
    ctx.error('output-outside-project', at, `monitoring.dir '${dir}' resolves outside the project directory ${projectDir}`);
  } else if (away !== undefined) {
    ctx.error(
      'output-outside-project',
      at,
      `monitoring.dir '${dir}' leads through a symlink to ${away}, outside the project: generate writes there only inside it`,
    );
  } else if (rel === '' || abs === configDir || isInside(configDir, abs) || isInside(abs, configDir)) {
    ctx.error(
      'monitoring-dir-conflict',
      at,
      `monitoring.dir '${dir}' ${rel === '' ? 'is the project directory itself' : 'overlaps the config directory'}: generate writes its own files (and a .gitignore) there; use a directory of its own, e.g. monitoring`,
    );
  }
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

function hasPath(data: unknown, path: (string | number)[]): boolean {
  let cur = data;
  for (const k of path) {
    if (!cur || typeof cur !== 'object' || !(k in (cur as object))) return false;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return true;
}
