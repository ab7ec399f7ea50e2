// The load balancer in front of gateway replicas, compiled from gateway.yaml: HAProxy, because it
// does what a rolling reload needs with nothing but its own runtime API. A replica is taken out of
// rotation and put back with `set server litellm/rN state drain|maint|ready` on its admin socket
// (no reload of HAProxy itself); it health-checks each replica's GET /health/readiness; and
// `retry-on conn-failure` with `option redispatch` resends a request whose connection was refused
// to the other replica, which is safe for POST because nothing was sent. Caddy can health-check and
// retry too, but taking one upstream out means rewriting its config through the admin API.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { urlPort } from '../runtime/argv.js';
import type { GatewayFile } from '../../config/schema/gateway.js';

export const HAPROXY_FILE = 'haproxy.cfg';
export const BACKEND = 'litellm';

export function replicaName(i: number): string {
  return `r${i + 1}`;
}

/**
 * The compose runtime's load balancer service, and the project directory where its admin socket
 * appears (bind-mounted on SOCKET_DIR_IN_CONTAINER).
 */
export const COMPOSE_LB_SERVICE = 'haproxy';
export const COMPOSE_STATE_DIR = '.aibackend';
const SOCKET_DIR_IN_CONTAINER = '/var/run/haproxy';
const COMPOSE_SOCKET_DIR = `${COMPOSE_STATE_DIR}/haproxy`;

/** The compose service of replica i: `<runtime.service>-r1`, `-r2`, ... */
export function replicaService(service: string, i: number): string {
  return `${service}-${replicaName(i)}`;
}

/**
 * The admin socket's path as HAProxy sees it: in the process runtime's state directory (relative to
 * the project directory, where HAProxy runs), or at a fixed path in the container.
 */
export function adminSocket(gw: GatewayFile): string {
  return gw.runtime.kind === 'process'
    ? `${gw.runtime.state_dir.replace(/\/+$/, '')}/haproxy.sock`
    : `${SOCKET_DIR_IN_CONTAINER}/admin.sock`;
}

/**
 * The same socket as aibackend reaches it, relative to the project directory: for compose, through the
 * bind mount `./.aibackend/haproxy:/var/run/haproxy`.
 */
export function adminSocketOnHost(gw: GatewayFile): string {
  return gw.runtime.kind === 'process' ? adminSocket(gw) : `${COMPOSE_SOCKET_DIR}/admin.sock`;
}

/**
 * The compose runtime's socket directory, made by the user who runs aibackend before docker could
 * make it (as root) for a bind mount: the shipped HAProxy service runs as this directory's owner,
 * so the socket it creates there is that user's. Undefined when the topology has no such socket.
 */
export function ensureComposeSocketDir(gw: GatewayFile, projectDir: string): string | undefined {
  if (gw.runtime.kind !== 'compose' || gw.replicas < 2 || gw.load_balancer.kind !== 'haproxy') return undefined;
  const dir = path.resolve(projectDir, COMPOSE_SOCKET_DIR);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** How long a roll waits for a drained replica's requests: load_balancer.drain_timeout_s, or what covers the router's own request timeout. */
export function drainTimeoutS(gw: GatewayFile): number {
  return gw.load_balancer.drain_timeout_s ?? Math.ceil(gw.router.timeout_s) + 10;
}

export function haproxyConfig(gw: GatewayFile): string {
  const url = new URL(gw.gateway.url);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = urlPort(gw.gateway.url);
  const timeout = Math.ceil(gw.router.timeout_s) + 30;
  const servers = (gw.replica_ports ?? []).map(
    (p, i) => `    server ${replicaName(i)} ${host.includes(':') ? `[${host}]` : host}:${p} check`,
  );
  return [
    'global',
    // expose-fd listeners: a successor started with `-x <this socket> -sf <pid>` takes the listening
    // sockets over, so a config change is applied without refusing a single connection.
    `    stats socket unix@${adminSocket(gw)} mode 600 level admin expose-fd listeners`,
    '    maxconn 4096',
    '',
    'defaults',
    '    mode http',
    '    timeout connect 2s',
    `    timeout client ${timeout}s`,
    `    timeout server ${timeout}s`,
    '    timeout http-request 30s',
    '    timeout http-keep-alive 10s',
    '    # A replica booting next to this one can make it answer its health check slowly: only a',
    '    # replica that fails three checks of 5 s each in a row is taken out (a roll drains explicitly).',
    '    timeout check 5s',
    '    # A refused connection is resent to the other replica: safe for POST, nothing was sent.',
    '    retries 3',
    '    retry-on conn-failure',
    '    option redispatch 1',
    '',
    'frontend gateway',
    `    bind ${host.includes(':') ? `[${host}]` : host}:${port}`,
    `    default_backend ${BACKEND}`,
    '',
    `backend ${BACKEND}`,
    '    balance leastconn',
    '    option httpchk GET /health/readiness',
    '    http-check expect status 200',
    '    default-server inter 1s fall 3 rise 1',
    ...servers,
    '',
  ].join('\n');
}
