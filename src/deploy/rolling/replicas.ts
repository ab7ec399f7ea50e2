// Gateway replicas behind HAProxy, for the process runtime: a restart is a roll. For each replica
// in turn it is drained out of rotation (HAProxy's runtime API: state drain, wait for its sessions
// to end, state maint), restarted on its own port with the deployed file (SIGTERM lets LiteLLM
// finish what it serves), probed directly on that port (liveliness, readiness, names,
// deployments, MCP servers, identity), warmed up off rotation (warm-up.ts), and put back (state ready, then UP
// in HAProxy's own health check). The other replica serves meanwhile, so applications calling
// gateway.url see no outage. A replica that already runs the deployed bytes is left alone, which
// makes the transaction's rollback after a failed first replica restart that one replica only. A
// replica that fails its probe stays out of rotation and the roll stops (RuntimeError): the
// transaction then restores the backup. The replicas and HAProxy are processes this runtime owns,
// or compose services (processMembers, composeMembers).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { adminSocketOnHost, BACKEND, COMPOSE_LB_SERVICE, COMPOSE_STATE_DIR, replicaName, replicaService } from './haproxy.js';
import { adminCommand, serverStats, setState } from './admin.js';
import { probeGateway } from '../../client/probe.js';
import { deploymentsOf, mcpServersOf } from '../../client/deployments.js';
import type { GatewayFile } from '../../config/schema/gateway.js';
import { sha256 } from '../../util/canonical.js';
import { envValue } from '../../util/env-ref.js';
import { RuntimeError, type PreflightCheck, type RuntimeAdapter, type ValidatorPlan } from '../runtime/adapter.js';
import { findExecutable, urlPort } from '../runtime/argv.js';
import { ComposeService } from '../runtime/compose.js';
import { ProcessRuntime } from '../runtime/process.js';
import { warmUp } from './warm-up.js';
import { sleep } from '../../util/sleep.js';

type ProcessSpec = Extract<GatewayFile['runtime'], { kind: 'process' }>;
type ComposeSpec = Extract<GatewayFile['runtime'], { kind: 'compose' }>;

export interface RollStep {
  replica: string;
  port: number;
  action: 'skipped' | 'restarted';
  ms: number;
}

/** A gateway replica, or the load balancer, as a roll drives it: a process this runtime owns, or a compose service. */
export interface Member {
  restart(deployedPath: string, url: string): Promise<void>;
  /** The hash of the config it was started with, when known to run. */
  runningConfig(): { sha256?: string } | undefined;
  exited(): string | undefined;
  impostor(url: string): string | undefined;
  logExcerpt(): string | undefined;
  running(): string;
  describe(): string;
  preflight(url: string): Promise<PreflightCheck[]>;
  validator(candidate: string): ValidatorPlan;
  stop(): Promise<void>;
}

/** Process runtime: each replica and HAProxy are processes started here, with pid files in state_dir. */
export function processMembers(
  gw: GatewayFile,
  spec: ProcessSpec,
  projectDir: string,
  env: NodeJS.ProcessEnv,
): { replicas: Member[]; lb: Member } {
  const stateDir = path.resolve(projectDir, spec.state_dir);
  const haproxy = findExecutable('haproxy', projectDir, env) ?? (existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy');
  return {
    replicas: (gw.replica_ports ?? []).map((_, i) => new ProcessRuntime(spec, stateDir, projectDir, env, `gateway-${replicaName(i)}`)),
    lb: new ProcessRuntime({ command: [haproxy, '-f', '{config}', '-db'], stop_grace_s: 5 }, stateDir, projectDir, env, 'haproxy'),
  };
}

/** Compose runtime: the services `<service>-r1`, `<service>-r2`, ... and `haproxy` of runtime.file (docker-compose.replicas.yml). */
export function composeMembers(
  gw: GatewayFile,
  spec: ComposeSpec,
  projectDir: string,
  env: NodeJS.ProcessEnv,
): { replicas: Member[]; lb: Member } {
  const file = path.resolve(projectDir, spec.file);
  const stateDir = path.resolve(projectDir, COMPOSE_STATE_DIR);
  const member = (service: string) => new ComposeService(file, service, projectDir, env, stateDir);
  return { replicas: (gw.replica_ports ?? []).map((_, i) => member(replicaService(spec.service, i))), lb: member(COMPOSE_LB_SERVICE) };
}

export class ReplicaSetRuntime implements RuntimeAdapter {
  readonly kind: 'process' | 'compose';
  readonly replicas: Member[];
  readonly lb: Member;
  readonly ports: number[];
  private readonly socket: string;
  private readonly lbConfig: string;
  private failed?: Member;
  /** What the last roll did, replica by replica. */
  readonly steps: RollStep[] = [];

  constructor(
    private readonly gw: GatewayFile,
    members: { replicas: Member[]; lb: Member },
    projectDir: string,
    lbConfig: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly progress: (line: string) => void = () => undefined,
    /** How long a replica may take to finish its in-flight requests before it is restarted anyway. */
    private readonly drainMs = 30_000,
  ) {
    this.kind = gw.runtime.kind === 'compose' ? 'compose' : 'process';
    this.ports = gw.replica_ports ?? [];
    this.replicas = members.replicas;
    this.lb = members.lb;
    this.socket = path.resolve(projectDir, adminSocketOnHost(gw));
    this.lbConfig = lbConfig;
  }

  private url(i: number): string {
    const u = new URL(this.gw.gateway.url);
    u.port = String(this.ports[i]);
    return u.toString().replace(/\/+$/, '');
  }

  describe(): string {
    return `roll the new config over ${this.replicas.length} gateway replicas (ports ${this.ports.join(', ')}) behind HAProxy on ${this.gw.gateway.url}, one at a time (${this.replicas[0]?.describe() ?? ''}, then the next)`;
  }

  async restart(deployedPath: string, gatewayUrl: string): Promise<void> {
    this.steps.length = 0;
    this.failed = undefined;
    const text = readFileSync(deployedPath, 'utf8');
    const sha = sha256(text);
    const deployments = deploymentsOf(text);
    const mcpServers = mcpServersOf(text);
    const lbUp = await this.ensureLoadBalancer(gatewayUrl);
    // Replicas that serve nobody now (not running, or not answering) go first: taking a serving
    // replica out while another is down would leave HAProxy with no server.
    const serving = await Promise.all(this.replicas.map(async (r, i) => Boolean(r.runningConfig()) && (await this.healthy(i))));
    const order = this.replicas.map((_, i) => i).sort((a, b) => Number(serving[a]) - Number(serving[b]) || a - b);
    for (const i of order) {
      const name = replicaName(i);
      const r = this.replicas[i]!;
      const t0 = performance.now();
      const running = r.runningConfig();
      if (running?.sha256 === sha && serving[i]) {
        this.steps.push({ replica: name, port: this.ports[i]!, action: 'skipped', ms: 0 });
        continue;
      }
      if (lbUp && running) await this.drain(name);
      this.progress(`replica ${name} (port ${this.ports[i]}): restarting with the new config`);
      await r.restart(deployedPath, this.url(i));
      const probe = await probeGateway({
        url: this.url(i),
        masterKey: envValue(this.gw.gateway.master_key, this.env),
        expected: [...new Set(deployments.map((d) => d.model_name))].sort(),
        deployments,
        ...(mcpServers ? { mcpServers } : {}),
        timeoutMs: this.gw.health.timeout_s * 1000,
        intervalMs: this.gw.health.interval_ms,
        exited: () => r.exited(),
        impostor: () => r.impostor(this.url(i)),
      });
      if (!probe.ok) {
        this.failed = r;
        throw new RuntimeError(
          `replica ${name} (port ${this.ports[i]}) is not healthy with this config: ${probe.reason}; it stays out of rotation, the other replicas kept serving`,
          r.logExcerpt(),
        );
      }
      // Its first completion is slow (a fresh LiteLLM initialises on it): pay that off rotation.
      const warm = await warmUp(this.url(i), envValue(this.gw.gateway.master_key, this.env), deployments, this.gw.health.timeout_s * 1000);
      this.progress(
        `replica ${name} (port ${this.ports[i]}): warm-up ${warm.ok ? '' : 'failed, going on: '}${warm.detail}${warm.ms ? ` in ${warm.ms} ms` : ''}`,
      );
      await setState(this.socket, BACKEND, name, 'ready');
      await this.waitUp(name);
      this.steps.push({ replica: name, port: this.ports[i]!, action: 'restarted', ms: Math.round(performance.now() - t0) });
      this.progress(`replica ${name} (port ${this.ports[i]}): serving again`);
    }
  }

  /** Starts HAProxy when it is not running; true when it was running already. */
  private async ensureLoadBalancer(gatewayUrl: string): Promise<boolean> {
    if (this.lb.runningConfig() && (await this.adminAnswers())) return true;
    if (!existsSync(this.lbConfig))
      throw new RuntimeError(`the load balancer's config ${this.lbConfig} does not exist: run \`aibackend generate\``);
    // Where HAProxy creates its admin socket (for compose, a bind mount that must not be created by docker as root).
    mkdirSync(path.dirname(this.socket), { recursive: true });
    this.progress(`starting HAProxy on ${gatewayUrl}`);
    await this.lb.restart(this.lbConfig, gatewayUrl);
    const deadline = Date.now() + 10_000;
    while (!(await this.adminAnswers())) {
      if (this.lb.exited() || Date.now() > deadline)
        throw new RuntimeError(`HAProxy did not start: ${this.lb.exited() ?? 'its admin socket does not answer'}`, this.lb.logExcerpt());
      await sleep(50);
    }
    return false;
  }

  private async adminAnswers(): Promise<boolean> {
    try {
      await adminCommand(this.socket, 'show info', 1000);
      return true;
    } catch {
      return false;
    }
  }

  private async healthy(i: number): Promise<boolean> {
    try {
      const res = await fetch(`${this.url(i)}/health/readiness`, { signal: AbortSignal.timeout(2000) });
      return res.ok;
    } catch {
      return false;
    }
  }

  /** Out of rotation: no new requests (drain), the in-flight ones finish, then maintenance. */
  private async drain(name: string): Promise<void> {
    await setState(this.socket, BACKEND, name, 'drain');
    const deadline = Date.now() + this.drainMs;
    for (;;) {
      const s = (await serverStats(this.socket)).find((x) => x.backend === BACKEND && x.server === name);
      if (!s || s.scur === 0 || Date.now() > deadline) break;
      await sleep(50);
    }
    await setState(this.socket, BACKEND, name, 'maint');
  }

  private async waitUp(name: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = (await serverStats(this.socket)).find((x) => x.backend === BACKEND && x.server === name);
      if (s && /^UP/.test(s.status)) return;
      if (Date.now() > deadline)
        throw new RuntimeError(`HAProxy does not see replica ${name} as UP (${s?.status ?? 'unknown'}) although it answers its probe`);
      await sleep(50);
    }
  }

  exited(): string | undefined {
    return this.lb.exited() ?? this.failed?.exited();
  }

  running(): string {
    return [
      `load balancer: ${this.lb.running().replace('gateway process', 'HAProxy process')}`,
      ...this.replicas.map((r, i) => `replica ${replicaName(i)} (port ${this.ports[i]}): ${r.running()}`),
    ].join('; ');
  }

  logExcerpt(): string | undefined {
    return (this.failed ?? this.replicas[0])?.logExcerpt();
  }

  async preflight(gatewayUrl: string): Promise<PreflightCheck[]> {
    const checks: PreflightCheck[] = [];
    const haproxy = this.lb.describe();
    checks.push({
      check: 'load balancer',
      ok: existsSync(this.lbConfig),
      detail: existsSync(this.lbConfig)
        ? `HAProxy reads ${this.lbConfig} (${haproxy})`
        : `${this.lbConfig} does not exist: run \`aibackend generate\``,
    });
    for (let i = 0; i < this.replicas.length; i++) {
      for (const c of await this.replicas[i]!.preflight(this.url(i))) checks.push({ ...c, check: `${replicaName(i)} ${c.check}` });
    }
    const lbPort = urlPort(gatewayUrl);
    const imp = this.lb.impostor(gatewayUrl);
    checks.push(
      imp
        ? { check: 'load balancer port', ok: false, detail: imp }
        : { check: 'load balancer port', ok: true, detail: `port ${lbPort} is free or held by the HAProxy this runtime started` },
    );
    return checks;
  }

  validator(candidate: string): ValidatorPlan {
    return this.replicas[0]!.validator(candidate);
  }

  impostor(gatewayUrl: string): string | undefined {
    return this.lb.impostor(gatewayUrl);
  }

  /** Stops every replica and the load balancer (for tests and for people tearing the stack down). */
  async stopAll(): Promise<void> {
    for (const r of this.replicas) await r.stop();
    await this.lb.stop();
  }
}
