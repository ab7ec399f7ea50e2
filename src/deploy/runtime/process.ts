// Machines without Docker (and this project's own end-to-end tests): the CLI itself starts the
// gateway as a detached process in its own process group, records who it is (pid, group, start
// time) and its log in a state directory, and stops it gracefully (SIGTERM to the group, SIGKILL
// after a grace period) until no process of the group remains.
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

import { listeners, type Listener } from './listeners.js';
import type { Runtime } from '../../config/schema/gateway.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { configSha } from './config-hash.js';
import { excerpt, RuntimeError, substitute, type PreflightCheck, type RuntimeAdapter, type ValidatorPlan } from './adapter.js';
import { argvPort, findExecutable, litellmExecutable, urlPort } from './argv.js';
import { gatewayEnv } from './gateway-env.js';
import { groupMembers, identify, isAlive, isSameProcess, type ProcIdentity } from './proc.js';
import { sleep } from '../../util/sleep.js';

export { processState } from './proc.js';

interface PidRecord extends ProcIdentity {
  argv: string[];
  config: string;
  /** What the config file held when the process started: which config a replica runs. */
  config_sha256?: string;
  /** The same without a generated file's provenance header (which names the sources' hash): what the process acts on. */
  config_body_sha256?: string;
  started: string;
  log: string;
}

type ProcessSpec = Extract<Runtime, { kind: 'process' }>;

/**
 * A gateway this run started, with how it ended once it has. One per start: an earlier child's exit
 * must never be reported as the current one's.
 */
interface Started {
  exit?: string;
}

export class ProcessRuntime implements RuntimeAdapter {
  readonly kind = 'process' as const;
  private current?: Started;

  constructor(
    private readonly spec: Pick<ProcessSpec, 'command' | 'stop_grace_s'> & Partial<Pick<ProcessSpec, 'env' | 'pass_env' | 'validate'>>,
    private readonly stateDir: string,
    private readonly cwd: string,
    private readonly from: NodeJS.ProcessEnv = process.env,
    /** The name of its pid and log files: `gateway`, or a replica's or the load balancer's. */
    private readonly name = 'gateway',
  ) {}

  get pidFile(): string {
    return path.join(this.stateDir, `${this.name}.pid`);
  }
  get logFile(): string {
    return path.join(this.stateDir, `${this.name}.log`);
  }

  /** The sha256 of the config the recorded process was started with, when it is still running. */
  runningConfig(): { path: string; sha256?: string; body_sha256?: string } | undefined {
    const rec = this.record();
    return rec && isSameProcess(rec)
      ? {
          path: rec.config,
          ...(rec.config_sha256 ? { sha256: rec.config_sha256 } : {}),
          ...(rec.config_body_sha256 ? { body_sha256: rec.config_body_sha256 } : {}),
        }
      : undefined;
  }

  describe(): string {
    return `stop the gateway process recorded in ${this.pidFile} and start \`${this.spec.command.join(' ')}\``;
  }

  /** Whether this runtime ever recorded a start here (a part that died, rather than one never started). */
  wasStarted(): boolean {
    return this.record() !== undefined;
  }

  /** The recorded process's pid, when it is still the process that was started. */
  pid(): number | undefined {
    const rec = this.record();
    return rec && isSameProcess(rec) ? rec.pid : undefined;
  }

  /**
   * Starts a successor beside the running process, with `extraArgs` telling it how to take over
   * (HAProxy: `-x SOCKET -sf OLDPID`): the predecessor is not stopped here, it leaves on its own once
   * its connections are done. The record then names the successor.
   */
  takeOver(deployedPath: string, extraArgs: string[]): void {
    this.start(deployedPath, undefined, extraArgs);
  }

  async restart(deployedPath: string, gatewayUrl?: string): Promise<void> {
    await this.stop();
    const port = gatewayUrl !== undefined ? urlPort(gatewayUrl) : undefined;
    if (port !== undefined) this.refuseHeldPort(port);
    this.start(deployedPath, port);
  }

  /** Stops the recorded gateway and every process of its group, if they are still ours. */
  async stop(): Promise<void> {
    const rec = this.record();
    if (!rec) return;
    const group = rec.pgid ?? rec.pid;
    // A group id is not reused while any member lives, so live members of the recorded group are
    // ours even when the leader (a wrapper shell) has gone.
    const members = () => groupMembers(group) ?? (isAlive(rec.pid) ? [rec.pid] : []);
    if (isSameProcess(rec) || (rec.pgid !== undefined && members().length > 0)) {
      signalGroup(group, 'SIGTERM');
      const deadline = Date.now() + this.spec.stop_grace_s * 1000;
      while (members().length > 0 && Date.now() < deadline) await sleep(20);
      if (members().length > 0) {
        signalGroup(group, 'SIGKILL');
        const hard = Date.now() + 5000;
        while (members().length > 0 && Date.now() < hard) await sleep(50);
      }
      const left = members();
      if (left.length > 0)
        throw new RuntimeError(`gateway process group ${group} did not stop, even after SIGKILL (pids ${left.join(', ')})`);
    }
    rmSync(this.pidFile, { force: true });
  }

  /** Never start a second gateway on a port someone holds: it would die of EADDRINUSE while the holder answers. */
  private refuseHeldPort(port: number): void {
    const held = holders(port);
    if (held.length)
      throw new RuntimeError(`port ${port} is held by ${who(held)}, which this runtime did not start; not starting a second gateway there`);
  }

  private start(deployedPath: string, port?: number, extraArgs: string[] = []): void {
    mkdirSync(this.stateDir, { recursive: true });
    if (existsSync(this.logFile)) renameSync(this.logFile, path.join(this.stateDir, `${this.name}.prev.log`));
    const [cmd, ...args] = [...substitute(this.spec.command, deployedPath, port), ...extraArgs];
    // The log is handed over as an open file descriptor, not piped through this process: the
    // gateway must keep writing (and keep running) after the CLI exits.
    const fd = openSync(this.logFile, 'a');
    const log = createWriteStream('', { fd, autoClose: false });
    let child: ReturnType<typeof spawnDetached>;
    try {
      child = spawnDetached(cmd!, args, this.cwd, log, this.envFor(deployedPath));
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new RuntimeError(`could not start \`${this.spec.command.join(' ')}\``);
    // The exit is recorded on this start's own record: a gateway stopped earlier in the same run
    // (recovery restarts, then the reload restarts again) can be reaped after its successor has
    // started, and its exit must not be taken for the successor's.
    const started: Started = {};
    child.then(
      (r) => {
        started.exit =
          r.code === 'ENOENT' ? `command not found: ${cmd}` : `exited with ${r.signal ? `signal ${r.signal}` : `code ${r.exitCode}`}`;
      },
      () => undefined,
    );
    child.unref();
    this.current = started;
    // Detached: the child called setsid, so it leads its own group.
    const id = identify(child.pid);
    const sha = configSha(deployedPath);
    const bodySha = configSha(deployedPath, true);
    const rec: PidRecord = {
      pid: child.pid,
      pgid: id.pgid ?? child.pid,
      ...(id.start_time !== undefined ? { start_time: id.start_time } : {}),
      argv: [cmd!, ...args],
      config: deployedPath,
      ...(sha ? { config_sha256: sha } : {}),
      ...(bodySha ? { config_body_sha256: bodySha } : {}),
      started: new Date().toISOString(),
      log: this.logFile,
    };
    writeFileAtomic(this.pidFile, `${JSON.stringify(rec)}\n`);
  }

  private envFor(configPath: string): Record<string, string> {
    let text = '';
    try {
      text = readFileSync(configPath, 'utf8');
    } catch {
      // the gateway will say that it cannot read its config
    }
    return gatewayEnv(text, this.spec.env ?? {}, this.spec.pass_env ?? [], this.from);
  }

  /** A gateway this runtime started that no longer runs: the declared topology has lost it. */
  async drift(): Promise<string[]> {
    const rec = this.record();
    if (!rec || isSameProcess(rec)) return [];
    return [`the gateway process ${rec.pid} recorded in ${this.pidFile} is not running`];
  }

  exited(): string | undefined {
    if (this.current?.exit) return `the gateway process ${this.current.exit} (log: ${this.logFile})`;
    return undefined;
  }

  running(): string {
    const rec = this.record();
    if (!rec) return 'no gateway process is recorded';
    return isSameProcess(rec)
      ? `gateway process ${rec.pid} (started ${rec.started}) with ${rec.config}; log ${rec.log}`
      : `no gateway process is running (pid ${rec.pid} is gone)`;
  }

  logExcerpt(): string | undefined {
    try {
      return excerpt(readFileSync(this.logFile, 'utf8'));
    } catch {
      return undefined;
    }
  }

  async preflight(gatewayUrl: string): Promise<PreflightCheck[]> {
    const checks: PreflightCheck[] = [];
    const exe = this.spec.command[0]!;
    const found = findExecutable(exe, this.cwd, this.from);
    checks.push({
      check: 'runtime',
      ok: Boolean(found),
      detail: found ? `${exe} is ${found}` : `runtime.command: ${exe} is not an executable file${exe.includes('/') ? '' : ' on PATH'}`,
    });
    const port = urlPort(gatewayUrl);
    const given = argvPort(substitute(this.spec.command, '', port));
    checks.push(
      given === undefined
        ? {
            check: 'port',
            ok: true,
            detail: `runtime.command does not say its port; assuming it listens on ${port}, the port of gateway.url`,
          }
        : given === port
          ? { check: 'port', ok: true, detail: `runtime.command and gateway.url agree on port ${port}` }
          : {
              check: 'port',
              ok: false,
              detail: `runtime.command starts LiteLLM on port ${given}, but gateway.url says ${port}: the probe would ask the wrong port`,
            },
    );
    const held = holders(port);
    const rec = this.record();
    const ours =
      rec && (isSameProcess(rec) || rec.pgid !== undefined) ? held.filter((h) => identify(h.pid!).pgid === (rec.pgid ?? rec.pid)) : [];
    const foreign = held.filter((h) => !ours.includes(h));
    checks.push(
      foreign.length
        ? {
            check: 'port holder',
            ok: false,
            detail: `port ${port} is held by ${who(foreign)}, which this runtime did not start; stop it, or point gateway.url and runtime.command at a free port`,
          }
        : {
            check: 'port holder',
            ok: true,
            detail: ours.length ? `port ${port} is held by the gateway this runtime started (pid ${rec!.pid})` : `port ${port} is free`,
          },
    );
    return checks;
  }

  validator(candidate: string): ValidatorPlan {
    const env = this.envFor(candidate);
    if (this.spec.validate) return { argv: substitute(this.spec.validate, candidate), env };
    const exe = litellmExecutable(this.spec.command);
    if (!exe) return { unavailable: 'runtime.command does not name a litellm executable; set runtime.validate to pre-flight candidates' };
    return { argv: [exe, '--config', candidate, '--validate_config'], env };
  }

  impostor(gatewayUrl: string): string | undefined {
    const rec = this.record();
    if (!rec) return undefined;
    const port = urlPort(gatewayUrl);
    const held = holders(port);
    if (!held.length) return undefined;
    const group = rec.pgid ?? rec.pid;
    if (held.some((h) => identify(h.pid!).pgid === group)) return undefined;
    return `port ${port} is answered by ${who(held)}, not by the gateway this run started (pid ${rec.pid})`;
  }

  private record(): PidRecord | undefined {
    try {
      const rec = JSON.parse(readFileSync(this.pidFile, 'utf8')) as PidRecord;
      return typeof rec.pid === 'number' ? rec : undefined;
    } catch {
      return undefined;
    }
  }
}

function spawnDetached(cmd: string, args: string[], cwd: string, log: WriteStream, env: Record<string, string>) {
  return execa(cmd, args, { cwd, detached: true, reject: false, stdin: 'ignore', stdout: log, stderr: log, env, extendEnv: false });
}

/** Who listens on a port, where /proc tells the owner. */
function holders(port: number): (Listener & { pid: number })[] {
  return listeners().filter((l): l is Listener & { pid: number } => l.port === port && l.pid !== undefined);
}

function who(held: Listener[]): string {
  const seen = [...new Map(held.map((h) => [h.pid, h])).values()];
  return seen.map((h) => `pid ${h.pid} (${h.process ?? '?'})`).join(', ');
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    try {
      process.kill(pgid, signal);
    } catch {
      // already gone
    }
  }
}
