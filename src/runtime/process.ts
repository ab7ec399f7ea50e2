// Machines without Docker (and this project's own end-to-end tests): the CLI itself starts the
// gateway as a detached process, records its pid and log file in a state directory, and stops
// the previous one gracefully (SIGTERM to its process group, SIGKILL after a grace period).
import { closeSync, createWriteStream, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';

import { writeFileAtomic } from '../util/atomic-write.js';
import { excerpt, RuntimeError, substitute, type RuntimeAdapter } from './adapter.js';

interface PidRecord {
  pid: number;
  argv: string[];
  config: string;
  started: string;
  log: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A gateway this run started, with how it ended once it has. One per start: an earlier child's exit must never be reported as the current one's. */
interface Started {
  exit?: string;
}

export class ProcessRuntime implements RuntimeAdapter {
  readonly kind = 'process' as const;
  private current?: Started;

  constructor(
    private readonly argv: readonly string[],
    private readonly stateDir: string,
    private readonly graceS: number,
    private readonly env: Record<string, string>,
    private readonly cwd: string,
  ) {}

  get pidFile(): string {
    return path.join(this.stateDir, 'gateway.pid');
  }
  get logFile(): string {
    return path.join(this.stateDir, 'gateway.log');
  }

  describe(): string {
    return `stop the gateway process recorded in ${this.pidFile} and start \`${this.argv.join(' ')}\``;
  }

  async restart(deployedPath: string): Promise<void> {
    await this.stop();
    this.start(deployedPath);
  }

  /** Stops the recorded gateway process, if it is still ours and still running. */
  async stop(): Promise<void> {
    const rec = this.record();
    if (!rec) return;
    if (isOurs(rec)) {
      signalGroup(rec.pid, 'SIGTERM');
      const deadline = Date.now() + this.graceS * 1000;
      while (isAlive(rec.pid) && Date.now() < deadline) await sleep(20);
      if (isAlive(rec.pid)) {
        signalGroup(rec.pid, 'SIGKILL');
        const hard = Date.now() + 5000;
        while (isAlive(rec.pid) && Date.now() < hard) await sleep(50);
      }
      if (isAlive(rec.pid)) throw new RuntimeError(`gateway process ${rec.pid} did not stop, even after SIGKILL`);
    }
    rmSync(this.pidFile, { force: true });
  }

  private start(deployedPath: string): void {
    mkdirSync(this.stateDir, { recursive: true });
    if (existsSync(this.logFile)) renameSync(this.logFile, path.join(this.stateDir, 'gateway.prev.log'));
    const [cmd, ...args] = substitute(this.argv, deployedPath);
    // The log is handed over as an open file descriptor, not piped through this process: the
    // gateway must keep writing (and keep running) after the CLI exits.
    const fd = openSync(this.logFile, 'a');
    const log = createWriteStream('', { fd, autoClose: false });
    let child: ReturnType<typeof spawnDetached>;
    try {
      child = spawnDetached(cmd!, args, this.cwd, log, this.env);
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new RuntimeError(`could not start \`${this.argv.join(' ')}\``);
    // The exit is recorded on this start's own record. A gateway stopped earlier in the same run
    // (recovery restarts, then the reload restarts again) can be reaped after its successor has
    // started; writing into a shared field made the new gateway look dead.
    const started: Started = {};
    child.then((r) => {
      started.exit = r.code === 'ENOENT' ? `command not found: ${cmd}` : `exited with ${r.signal ? `signal ${r.signal}` : `code ${r.exitCode}`}`;
    }, () => undefined);
    child.unref();
    this.current = started;
    writeFileAtomic(this.pidFile, `${JSON.stringify({ pid: child.pid, argv: [cmd!, ...args], config: deployedPath, started: new Date().toISOString(), log: this.logFile } satisfies PidRecord)}\n`);
  }

  exited(): string | undefined {
    if (this.current?.exit) return `the gateway process ${this.current.exit} (log: ${this.logFile})`;
    return undefined;
  }

  running(): string {
    const rec = this.record();
    if (!rec) return 'no gateway process is recorded';
    return isOurs(rec) ? `gateway process ${rec.pid} (started ${rec.started}) with ${rec.config}; log ${rec.log}` : `no gateway process is running (pid ${rec.pid} is gone)`;
  }

  logExcerpt(): string | undefined {
    try {
      return excerpt(readFileSync(this.logFile, 'utf8'));
    } catch {
      return undefined;
    }
  }

  private record(): PidRecord | undefined {
    try {
      return JSON.parse(readFileSync(this.pidFile, 'utf8')) as PidRecord;
    } catch {
      return undefined;
    }
  }
}

function spawnDetached(cmd: string, args: string[], cwd: string, log: WriteStream, env: Record<string, string>) {
  return execa(cmd, args, { cwd, detached: true, reject: false, stdin: 'ignore', stdout: log, stderr: log, env });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie has exited; it only waits for its parent to notice.
  return processState(pid) !== 'Z';
}

/** The one-letter state /proc gives a process (R, S, Z, ...), or undefined where /proc cannot tell. */
export function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.charAt(stat.lastIndexOf(')') + 2) || undefined;
  } catch {
    return undefined;
  }
}

/** Alive and, where /proc tells, still running the command we started (pids get reused). */
function isOurs(rec: PidRecord): boolean {
  if (!isAlive(rec.pid)) return false;
  try {
    const cmdline = readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8');
    return cmdline.includes(path.basename(rec.argv[0] ?? ''));
  } catch {
    return true;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}
