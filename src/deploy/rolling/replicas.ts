// Gateway replicas behind HAProxy, for the process runtime: a restart is a roll, decided from what
// runs, not from pid files. First the topology is brought back to what is declared: HAProxy running
// with today's haproxy.cfg (a changed or deaf one is succeeded seamlessly: `-x` hands the listening
// sockets over, `-sf` lets the old one finish), and every replica that answers but that HAProxy
// holds out of rotation put back. Then, dead or foreign replicas first, each replica that runs
// other bytes (or every one, with `all`: a changed secret, --restart) is drained (state drain; wait
// while HAProxy reports sessions on it, up to drain_timeout_s; never the last server UP), restarted
// on its own port with the deployed file, probed there (liveliness, readiness, names, deployments,
// MCP servers, identity), warmed up off rotation (warm-up.ts), and put back (state ready, then UP in
// HAProxy's own health check). The others serve meanwhile, so applications calling gateway.url see
// no outage. A replica that fails its probe stays out of rotation and the roll stops (RuntimeError):
// the transaction then restores the backup, and HAProxy dying mid-roll is a RuntimeError too. What
// each step did, and what was repaired, is the roll's report. The replicas and HAProxy are
// processes this runtime owns, or compose services (processMembers, composeMembers).
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  adminSocketOnHost,
  BACKEND,
  drainTimeoutS,
  COMPOSE_LB_SERVICE,
  COMPOSE_STATE_DIR,
  replicaName,
  replicaService,
} from './haproxy.js';
import { adminCommand, serverStats, setState } from './admin.js';
import { probeGateway } from '../../client/probe.js';
import { deploymentsOf, mcpServersOf } from '../../client/deployments.js';
import type { GatewayFile } from '../../config/schema/gateway.js';
import { envValue } from '../../util/env-ref.js';
import {
  RuntimeError,
  type PreflightCheck,
  type RestartOptions,
  type RollReport,
  type RollStep,
  type RuntimeAdapter,
  type ValidatorPlan,
} from '../runtime/adapter.js';
import { findExecutable, urlPort } from '../runtime/argv.js';
import { ComposeService } from '../runtime/compose.js';
import { configSha } from '../runtime/config-hash.js';
import { ProcessRuntime } from '../runtime/process.js';
import { warmUp } from './warm-up.js';
import { sleep } from '../../util/sleep.js';

/** Whether a part runs the file on disk: compared without the provenance header (which names the sources' hash) when its record has that. */
function runsFile(running: { sha256?: string; body_sha256?: string } | undefined, file: string): boolean | null {
  if (!running) return null;
  if (running.body_sha256) return running.body_sha256 === configSha(file, true);
  return running.sha256 ? running.sha256 === configSha(file) : null;
}

type ProcessSpec = Extract<GatewayFile['runtime'], { kind: 'process' }>;
type ComposeSpec = Extract<GatewayFile['runtime'], { kind: 'compose' }>;

/** A gateway replica, or the load balancer, as a roll drives it: a process this runtime owns, or a compose service. */
export interface Member {
  restart(deployedPath: string, url: string): Promise<void>;
  /** The hash of the config it was started with (and of its body, without a provenance header), when known to run. */
  runningConfig(
    configPath?: string,
  ): { sha256?: string; body_sha256?: string } | undefined | Promise<{ sha256?: string; body_sha256?: string } | undefined>;
  exited(): string | undefined;
  impostor(url: string): string | undefined;
  logExcerpt(): string | undefined;
  running(): string;
  describe(): string;
  preflight(url: string): Promise<PreflightCheck[]>;
  validator(candidate: string): ValidatorPlan;
  stop(): Promise<void>;
  /** Whether a start was ever recorded (a part that died, rather than one never started); absent when the runtime cannot tell. */
  wasStarted?(): boolean;
  /** The pid of the running process, when this runtime started it and it still runs. */
  pid?(): number | undefined;
  /** Starts a successor beside the running process, which leaves on its own (HAProxy's seamless reload). */
  takeOver?(configPath: string, extraArgs: string[]): void;
  /** Makes the running load balancer re-read its config itself (HAProxy's master-worker reload, in a container). */
  reloadInPlace?(configPath: string): Promise<void>;
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
  const member = (service: string) => new ComposeService(file, service, projectDir, env, stateDir, spec.project);
  return { replicas: (gw.replica_ports ?? []).map((_, i) => member(replicaService(spec.service, i))), lb: member(COMPOSE_LB_SERVICE) };
}

/** What runs as one part of the topology, as the load balancer and the part's own port see it. */
export interface ReplicaState {
  name: string;
  port: number;
  url: string;
  /** verified: the process this runtime started (pid and start time) still runs; dead: it does not; unknown: the runtime cannot tell (compose). */
  process: 'verified' | 'dead' | 'unknown';
  /** Someone else holds its port (only the process runtime can tell). */
  foreign?: string;
  /** It answers /health/readiness on its own port. */
  answers: boolean;
  /** It was started with the deployed file's bytes; null when nothing says. */
  current: boolean | null;
  /** Its server's state in HAProxy (UP, DOWN, MAINT, DRAIN, ...), null when HAProxy does not answer. */
  haproxy: string | null;
  /** Its current sessions in HAProxy. */
  sessions: number | null;
}

export interface LoadBalancerState {
  running: boolean;
  /** Its admin socket answers. */
  admin: boolean;
  /** It was started with today's haproxy.cfg; null when not running or unknown. */
  config_current: boolean | null;
}

export interface TopologyState {
  load_balancer: LoadBalancerState;
  replicas: ReplicaState[];
}

/** A server HAProxy holds out of rotation by an admin command (a killed roll leaves these behind). */
const OUT_OF_ROTATION = /^(MAINT|DRAIN)/;

export class ReplicaSetRuntime implements RuntimeAdapter {
  readonly kind: 'process' | 'compose';
  readonly replicas: Member[];
  readonly lb: Member;
  readonly ports: number[];
  private readonly socket: string;
  private readonly lbConfig: string;
  private failed?: Member;
  /** What the last roll did, part by part, and what it repaired. */
  readonly steps: RollStep[] = [];
  readonly healed: string[] = [];

  constructor(
    private readonly gw: GatewayFile,
    members: { replicas: Member[]; lb: Member },
    projectDir: string,
    lbConfig: string,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly progress: (line: string) => void = () => undefined,
    /** How long a replica may take to finish its in-flight requests before it is restarted anyway. */
    private readonly drainMs = drainTimeoutS(gw) * 1000,
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

  report(): RollReport {
    return { steps: [...this.steps], healed: [...this.healed] };
  }

  /** Every part as it runs now: HAProxy's view of each server, the process behind each port, and what each answers. */
  async inspect(deployedPath: string): Promise<TopologyState> {
    const lbRunning = await this.lb.runningConfig(this.lbConfig);
    const admin = await this.adminAnswers();
    const stats = admin ? await serverStats(this.socket).catch(() => undefined) : undefined;
    const replicas = await Promise.all(
      this.replicas.map(async (r, i): Promise<ReplicaState> => {
        const name = replicaName(i);
        const running = await r.runningConfig(deployedPath);
        const known = r.wasStarted !== undefined;
        const foreign = r.impostor(this.url(i));
        const s = stats?.find((x) => x.backend === BACKEND && x.server === name);
        return {
          name,
          port: this.ports[i]!,
          url: this.url(i),
          process: !known ? 'unknown' : running ? 'verified' : 'dead',
          ...(foreign ? { foreign } : {}),
          answers: await this.healthy(i),
          current: runsFile(running, deployedPath),
          haproxy: s?.status ?? null,
          sessions: s ? s.scur : null,
        };
      }),
    );
    return {
      load_balancer: {
        running: Boolean(lbRunning),
        admin,
        config_current: runsFile(lbRunning, this.lbConfig),
      },
      replicas,
    };
  }

  async drift(deployedPath: string): Promise<string[]> {
    const state = await this.inspect(deployedPath);
    const out: string[] = [];
    const lb = state.load_balancer;
    if (!lb.running && !lb.admin) out.push('HAProxy is not running');
    else if (!lb.admin) out.push(`HAProxy runs but its admin socket ${this.socket} does not answer`);
    else if (lb.config_current === false) out.push(`${this.lbConfig} changed since HAProxy started`);
    for (const r of state.replicas) {
      const where = `replica ${r.name} (port ${r.port})`;
      if (r.foreign) out.push(`${where}: ${r.foreign}`);
      else if (r.process === 'dead') out.push(`${where} is not running`);
      else if (!r.answers) out.push(`${where} does not answer /health/readiness`);
      else if (r.current === false) out.push(`${where} runs another config than the deployed file`);
      if (r.haproxy && OUT_OF_ROTATION.test(r.haproxy)) out.push(`${where} is held out of rotation in HAProxy (${r.haproxy})`);
    }
    return out;
  }

  /**
   * Brings every part to the deployed file: HAProxy running with today's haproxy.cfg (applied
   * seamlessly), every replica that answers back in rotation, dead ones started first, then each
   * replica that runs other bytes (or every one, with `all`) drained and restarted, never the last one UP.
   */
  async restart(deployedPath: string, gatewayUrl: string, opts: RestartOptions = {}): Promise<void> {
    this.steps.length = 0;
    this.healed.length = 0;
    this.failed = undefined;
    const timeoutMs = opts.timeoutMs ?? this.gw.health.timeout_s * 1000;
    const text = readFileSync(deployedPath, 'utf8');
    const deployments = deploymentsOf(text);
    const mcpServers = mcpServersOf(text);
    await this.ensureLoadBalancer(gatewayUrl);
    const state = await this.admin("reading the servers' states", () => this.inspect(deployedPath));
    // A replica that runs and answers but that HAProxy holds out of rotation (a killed roll left it in
    // DRAIN or MAINT) goes back first: it must carry traffic while the others restart.
    for (const r of state.replicas) {
      if (r.process === 'dead' || r.foreign || !r.answers || !r.haproxy || !OUT_OF_ROTATION.test(r.haproxy)) continue;
      const t0 = performance.now();
      this.progress(`replica ${r.name} (port ${r.port}): answers but HAProxy held it out of rotation (${r.haproxy}); putting it back`);
      await this.admin(`putting ${r.name} back`, () => setState(this.socket, BACKEND, r.name, 'ready'));
      await this.waitUp(r.name);
      this.healed.push(`replica ${r.name} was held out of rotation in HAProxy (${r.haproxy}) although it answers: put back in rotation`);
      this.steps.push({ part: r.name, port: r.port, action: 'put-back', ms: Math.round(performance.now() - t0) });
      r.haproxy = 'UP';
    }
    // Replicas that serve nobody (dead, foreign, not answering) go first: taking a serving one out
    // while another is down would leave HAProxy with no server.
    const serving = state.replicas.map((r) => r.process !== 'dead' && !r.foreign && r.answers);
    const order = this.replicas.map((_, i) => i).sort((a, b) => Number(serving[a]) - Number(serving[b]) || a - b);
    for (const i of order) {
      const st = state.replicas[i]!;
      const name = st.name;
      const r = this.replicas[i]!;
      const t0 = performance.now();
      if (serving[i] && st.current === true && !opts.all) {
        this.steps.push({ part: name, port: st.port, action: 'skipped', ms: 0 });
        continue;
      }
      let cut = 0;
      if (serving[i]) {
        await this.refuseLastServer(name);
        cut = await this.admin(`draining ${name}`, () => this.drain(name));
      } else {
        const why = st.foreign ?? (st.process === 'dead' ? 'not running' : 'not answering');
        if (r.wasStarted?.() !== false) this.healed.push(`replica ${name} was not serving (${why}): started it with the deployed file`);
        // Off rotation while it boots, whatever HAProxy thought of it.
        await this.admin(`taking ${name} out of rotation`, () => setState(this.socket, BACKEND, name, 'maint'));
      }
      this.progress(`replica ${name} (port ${st.port}): ${serving[i] ? 'restarting' : 'starting'} with the deployed config`);
      await r.restart(deployedPath, this.url(i));
      const probe = await probeGateway({
        url: this.url(i),
        masterKey: envValue(this.gw.gateway.master_key, this.env),
        expected: [...new Set(deployments.map((d) => d.model_name))].sort(),
        deployments,
        ...(mcpServers ? { mcpServers } : {}),
        timeoutMs,
        intervalMs: this.gw.health.interval_ms,
        exited: () =>
          r.exited() ?? (this.lb.exited() ? `HAProxy died: ${this.lb.exited()!.replace('the gateway process ', '')}` : undefined),
        impostor: () => r.impostor(this.url(i)),
      });
      if (!probe.ok) {
        this.failed = r;
        throw new RuntimeError(
          `replica ${name} (port ${st.port}) is not healthy with this config: ${probe.reason}; it stays out of rotation, the other replicas kept serving`,
          r.logExcerpt(),
        );
      }
      // Its first completion is slow (a fresh LiteLLM initialises on it): pay that off rotation.
      const warm = await warmUp(this.url(i), envValue(this.gw.gateway.master_key, this.env), deployments, timeoutMs);
      this.progress(
        `replica ${name} (port ${st.port}): warm-up ${warm.ok ? '' : 'failed, going on: '}${warm.detail}${warm.ms ? ` in ${warm.ms} ms` : ''}`,
      );
      await this.admin(`putting ${name} back`, () => setState(this.socket, BACKEND, name, 'ready'));
      await this.waitUp(name);
      this.steps.push({
        part: name,
        port: st.port,
        action: serving[i] ? 'restarted' : 'started',
        ms: Math.round(performance.now() - t0),
        ...(cut ? { cut } : {}),
      });
      this.progress(`replica ${name} (port ${st.port}): serving again`);
    }
  }

  /** Never drain the only server HAProxy has UP: its traffic would have nowhere to go. */
  private async refuseLastServer(name: string): Promise<void> {
    // A HAProxy started a moment ago checks its servers within a second or two: give it that long.
    const deadline = Date.now() + 10_000;
    const read = () => this.admin(`reading the servers' states before draining ${name}`, () => serverStats(this.socket));
    let stats = await read();
    const othersUp = () => stats.some((s) => s.backend === BACKEND && s.server !== name && /^UP/.test(s.status));
    while (!othersUp() && Date.now() < deadline) {
      await sleep(250);
      stats = await read();
    }
    if (!othersUp())
      throw new RuntimeError(
        `not draining replica ${name}: it is the only server HAProxy has UP (${stats
          .filter((s) => s.backend === BACKEND)
          .map((s) => `${s.server} ${s.status}`)
          .join(', ')}), so its traffic would have nowhere to go`,
      );
  }

  /** An admin-socket step of the roll; HAProxy not answering mid-roll becomes a RuntimeError that says where the roll was. */
  private async admin<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      const dead = this.lb.exited();
      throw new RuntimeError(
        `HAProxy stopped answering while ${what}${dead ? ` (${dead.replace('gateway process', 'HAProxy process')})` : ''}: ${(err as Error).message}`,
        this.lb.logExcerpt(),
      );
    }
  }

  /**
   * HAProxy running with today's haproxy.cfg. A dead one is started; one that runs but whose admin
   * socket is gone, or whose config changed, is succeeded seamlessly: a new HAProxy takes the
   * listening sockets over (`-x` when the old admin socket answers) and the old one (`-sf`) finishes
   * its connections and leaves. Never a hard restart while it may be serving.
   */
  private async ensureLoadBalancer(gatewayUrl: string): Promise<void> {
    if (!existsSync(this.lbConfig))
      throw new RuntimeError(`the load balancer's config ${this.lbConfig} does not exist: run \`aibackend generate\``);
    const running = await this.lb.runningConfig(this.lbConfig);
    const answers = Boolean(running) && (await this.adminAnswers());
    const current = runsFile(running, this.lbConfig) !== false;
    if (running && answers && current) return;
    const t0 = performance.now();
    // Where HAProxy creates its admin socket (for compose, a bind mount that must not be created by docker as root).
    mkdirSync(path.dirname(this.socket), { recursive: true });
    const oldPid = this.lb.pid?.();
    if (running && oldPid !== undefined && this.lb.takeOver) {
      const why = answers ? `${path.basename(this.lbConfig)} changed` : 'its admin socket does not answer';
      this.progress(`HAProxy (pid ${oldPid}): ${why}; a new HAProxy takes its port over seamlessly, the old one finishes its connections`);
      const handed = answers && (await this.takeOver(oldPid, true));
      // An old HAProxy started without `expose-fd listeners` cannot hand its sockets over: the
      // successor binds the port beside it (SO_REUSEPORT) instead, and the old one still stops accepting.
      if (!handed) {
        if (answers)
          this.progress('the running HAProxy does not hand its listening sockets over; the new one binds the port beside it instead');
        const started = await this.takeOver(oldPid, false);
        if (!started)
          throw new RuntimeError(
            `the new HAProxy did not start: ${this.lb.exited() ?? 'its admin socket does not answer'}`,
            this.lb.logExcerpt(),
          );
      }
      if (!answers)
        this.healed.push(
          `HAProxy's admin socket did not answer: a new HAProxy took its port over (the old one, pid ${oldPid}, finished its connections)`,
        );
    } else if (running && answers && this.lb.reloadInPlace) {
      // A container's HAProxy (master-worker): it re-reads haproxy.cfg itself, the new worker takes
      // the listening sockets over and the old one finishes its connections.
      this.progress(`HAProxy: ${path.basename(this.lbConfig)} changed; reloading it in place (master-worker, seamless)`);
      const before = await this.workerPid();
      await this.lb.reloadInPlace(this.lbConfig);
      const deadline = Date.now() + 15_000;
      for (;;) {
        const now = await this.workerPid();
        if (now !== undefined && now !== before) break;
        if (Date.now() > deadline)
          throw new RuntimeError(
            `HAProxy did not reload ${path.basename(this.lbConfig)}: its worker is still pid ${before ?? '?'} after 15 s (\`docker compose logs haproxy\` says why)`,
          );
        await sleep(100);
      }
    } else {
      if (running) {
        // No successor can be started beside it: the service is recreated.
        this.progress(
          `HAProxy: ${answers ? `${path.basename(this.lbConfig)} changed` : 'its admin socket does not answer'}; ${this.lb.describe()}`,
        );
      } else {
        if (this.lb.wasStarted?.()) this.healed.push(`HAProxy was not running: started it on ${gatewayUrl}`);
        this.progress(`starting HAProxy on ${gatewayUrl}`);
      }
      await this.lb.restart(this.lbConfig, gatewayUrl);
      const deadline = Date.now() + 10_000;
      while (!(await this.adminAnswers())) {
        if (this.lb.exited() || Date.now() > deadline)
          throw new RuntimeError(`HAProxy did not start: ${this.lb.exited() ?? 'its admin socket does not answer'}`, this.lb.logExcerpt());
        await sleep(50);
      }
    }
    this.steps.push({ part: 'haproxy', action: running ? 'reloaded' : 'started', ms: Math.round(performance.now() - t0) });
  }

  /**
   * Starts a successor to HAProxy `oldPid` (with `-x`: taking its listening sockets over) and waits
   * until the admin socket is the successor's own (`show info` names its pid). False when it exited.
   */
  private async takeOver(oldPid: number, withSockets: boolean): Promise<boolean> {
    this.lb.takeOver!(this.lbConfig, [...(withSockets ? ['-x', this.socket] : []), '-sf', String(oldPid)]);
    const successor = this.lb.pid?.();
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.lb.exited()) return false;
      if (successor !== undefined && (await this.workerPid()) === successor) return true;
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
  }

  /** The pid of the HAProxy process that answers the admin socket (in master-worker mode, the worker). */
  private async workerPid(): Promise<number | undefined> {
    const info = await adminCommand(this.socket, 'show info', 1000).catch(() => '');
    const m = /^Pid: (\d+)$/m.exec(info);
    return m ? Number(m[1]) : undefined;
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

  /**
   * Out of rotation: no new requests (drain), the in-flight ones finish (up to drainMs), then
   * maintenance. Returns how many were still in flight when the limit passed (they are cut).
   */
  private async drain(name: string): Promise<number> {
    await setState(this.socket, BACKEND, name, 'drain');
    const started = Date.now();
    const deadline = started + this.drainMs;
    let said = started;
    let cut = 0;
    for (;;) {
      const s = (await serverStats(this.socket)).find((x) => x.backend === BACKEND && x.server === name);
      if (!s || s.scur === 0) break;
      if (Date.now() > deadline) {
        cut = s.scur;
        this.progress(
          `replica ${name}: ${s.scur} request${s.scur === 1 ? ' was' : 's were'} still in flight after the drain's limit (${this.drainMs / 1000} s, load_balancer.drain_timeout_s); restarting it cuts ${s.scur === 1 ? 'it' : 'them'}`,
        );
        break;
      }
      if (Date.now() - said >= 5000) {
        said = Date.now();
        this.progress(
          `replica ${name}: waiting for ${s.scur} request${s.scur === 1 ? '' : 's'} in flight to finish (${Math.round((Date.now() - started) / 1000)} s of up to ${this.drainMs / 1000} s)`,
        );
      }
      await sleep(100);
    }
    await setState(this.socket, BACKEND, name, 'maint');
    return cut;
  }

  private async waitUp(name: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = (await this.admin(`waiting for ${name} to be UP`, () => serverStats(this.socket))).find(
        (x) => x.backend === BACKEND && x.server === name,
      );
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
      ok: true,
      detail: existsSync(this.lbConfig)
        ? `HAProxy reads ${this.lbConfig} (${haproxy})`
        : `${this.lbConfig} does not exist yet: a reload writes it from the sources once the pre-flight passed (${haproxy})`,
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
