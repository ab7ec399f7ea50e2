// One reload at a time. The lock is a file created exclusively; it names its holder. A lock
// whose holder is no longer running (killed, crashed) is stale and is taken over.
import { hostname } from 'node:os';
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from '../errors.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command: string;
}

export interface HeldLock {
  file: string;
  /** The stale holder this run took the lock over from, if any. */
  takenOverFrom?: LockHolder;
  release(): void;
}

export function acquireLock(file: string, command: string): HeldLock {
  mkdirSync(path.dirname(file), { recursive: true });
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString(), command };
  let takenOverFrom: LockHolder | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    let fd: number;
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = readHolder(file);
      if (holder && holderAlive(holder)) {
        throw new CliError(
          `another reload holds the lock ${file}: pid ${holder.pid} on ${holder.host}, since ${holder.started} (\`${holder.command}\`)`,
          EXIT.locked,
        );
      }
      takenOverFrom = holder ?? { pid: 0, host: '?', started: '?', command: '(unreadable lock file)' };
      rmSync(file, { force: true });
      continue;
    }
    writeSync(fd, `${JSON.stringify(me)}\n`);
    closeSync(fd);
    let released = false;
    // Interrupted (Ctrl-C, kill): free the lock and stop. The journal keeps how far the
    // operation got, and the next run restores a consistent state from it.
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\naibackend: interrupted by ${signal}; the next reload will find the unfinished run in the journal and restore a consistent state first\n`);
      release();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
    };
    const release = () => {
      if (released) return;
      released = true;
      const now = readHolder(file);
      if (now && now.pid === me.pid && now.started === me.started) rmSync(file, { force: true });
      process.removeListener('exit', release);
      for (const s of SIGNALS) process.removeListener(s, onSignal);
    };
    process.on('exit', release);
    for (const s of SIGNALS) process.on(s, onSignal);
    return { file, ...(takenOverFrom ? { takenOverFrom } : {}), release };
  }
  throw new CliError(`could not take the lock ${file}: it keeps reappearing`, EXIT.locked);
}

function readHolder(file: string): LockHolder | undefined {
  try {
    const h = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof h.pid === 'number' ? h : undefined;
  } catch {
    return undefined;
  }
}

function holderAlive(h: LockHolder): boolean {
  // A holder on another host (shared filesystem) cannot be checked: assume it is alive.
  if (h.host !== hostname()) return true;
  try {
    process.kill(h.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
