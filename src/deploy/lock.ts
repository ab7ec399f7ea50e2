// One reload at a time. The lock file is created whole and atomically (written to a private file,
// then hard-linked into place: link fails when the lock exists). It names its holder by pid and
// process start time, so a reused pid is not mistaken for the holder. A stale lock is taken over
// by renaming it aside, and only when the file moved is the very one judged stale (same inode):
// two takers cannot both win. A lock whose holder cannot be judged (a live process that is not
// aibackend, another host) is reported with --break-lock as the way out.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { closeSync, fstatSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, EXIT } from '../util/errors.js';
import { commandLine, identify, isAlive } from './runtime/proc.js';

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
  command: string;
  /** Process start time (clock ticks since boot), where /proc tells. */
  start_time?: number;
}

export interface HeldLock {
  file: string;
  /** The stale holder this run took the lock over from, if any. */
  takenOverFrom?: LockHolder;
  /** Set when --break-lock removed a lock that could not be judged stale. */
  broken?: LockHolder;
  release(): void;
}

type Verdict = 'alive' | 'stale' | 'foreign' | 'other-host';

/** Whether the holder of a lock still holds it. */
export function judgeHolder(h: LockHolder | undefined): Verdict {
  if (!h) return 'stale';
  if (h.host !== hostname()) return 'other-host';
  if (!isAlive(h.pid)) return 'stale';
  if (h.start_time !== undefined) {
    const now = identify(h.pid).start_time;
    if (now !== undefined) return now === h.start_time ? 'alive' : 'stale';
  }
  // No start time to compare: alive only if the process is recognisably aibackend.
  return /aibackend/.test(commandLine(h.pid) ?? '') ? 'alive' : 'foreign';
}

export function acquireLock(file: string, command: string, options: { breakLock?: boolean } = {}): HeldLock {
  mkdirSync(path.dirname(file), { recursive: true });
  const own = identify(process.pid);
  const me: LockHolder = {
    pid: process.pid,
    host: hostname(),
    started: new Date().toISOString(),
    command,
    ...(own.start_time !== undefined ? { start_time: own.start_time } : {}),
  };
  const mine = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  let takenOverFrom: LockHolder | undefined;
  let broken: LockHolder | undefined;
  try {
    writeFileSync(mine, `${JSON.stringify(me)}\n`, { mode: 0o644, flag: 'wx' });
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(mine, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const seen = readLock(file);
        if (!seen) continue; // gone meanwhile: try again
        const verdict = judgeHolder(seen.holder);
        const h = seen.holder;
        const who = h ? `pid ${h.pid} on ${h.host}, since ${h.started} (\`${h.command}\`)` : 'an unreadable lock file';
        if (verdict === 'alive') throw new CliError(`another reload holds the lock ${file}: ${who}`, EXIT.locked);
        if (verdict !== 'stale' && !options.breakLock) {
          const why =
            verdict === 'other-host'
              ? 'it was taken on another host, where aibackend cannot tell whether it still runs'
              : `pid ${h!.pid} is alive but is not aibackend (${commandLine(h!.pid) ?? '?'}): the lock outlived its holder and the pid was reused`;
          throw new CliError(
            `the lock ${file} is held by ${who}; ${why}. If no reload is running, run again with --break-lock`,
            EXIT.locked,
          );
        }
        if (moveAsideIfSame(file, seen.ino)) {
          if (verdict === 'stale') takenOverFrom = h ?? { pid: 0, host: '?', started: '?', command: '(unreadable lock file)' };
          else broken = h;
        }
        continue;
      }
      return held(file, me, takenOverFrom, broken);
    }
    throw new CliError(`could not take the lock ${file}: it keeps changing hands`, EXIT.locked);
  } finally {
    rmSync(mine, { force: true });
  }
}

function held(file: string, me: LockHolder, takenOverFrom: LockHolder | undefined, broken: LockHolder | undefined): HeldLock {
  let released = false;
  // Interrupted (Ctrl-C, kill): free the lock and stop. The journal keeps how far the
  // operation got, and the next run restores a consistent state from it.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(
      `\naibackend: interrupted by ${signal}; the next reload will find the unfinished run in the journal and restore a consistent state first\n`,
    );
    release();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
  };
  const release = () => {
    if (released) return;
    released = true;
    const now = readLock(file)?.holder;
    if (now && now.pid === me.pid && now.started === me.started) rmSync(file, { force: true });
    process.removeListener('exit', release);
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  process.on('exit', release);
  for (const s of SIGNALS) process.on(s, onSignal);
  return { file, ...(takenOverFrom ? { takenOverFrom } : {}), ...(broken ? { broken } : {}), release };
}

/** The lock's holder and inode, read through one open file so that both describe the same file. */
function readLock(file: string): { holder?: LockHolder; ino: number } | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const ino = fstatSync(fd).ino;
    try {
      const h = JSON.parse(readFileSync(fd, 'utf8')) as LockHolder;
      return typeof h.pid === 'number' ? { holder: h, ino } : { ino };
    } catch {
      return { ino };
    }
  } finally {
    closeSync(fd);
  }
}

/** Renames the lock aside; if what moved is not the file that was judged, puts it back. */
function moveAsideIfSame(file: string, ino: number): boolean {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    renameSync(file, aside);
  } catch {
    return false;
  }
  if (statSync(aside).ino === ino) {
    rmSync(aside, { force: true });
    return true;
  }
  // Another run replaced the stale lock with its own between our read and our rename.
  try {
    linkSync(aside, file);
  } catch {
    // a third run took the free slot; the lock we moved has lost its place, and its holder will
    // find the lock is not its own when it releases
  }
  rmSync(aside, { force: true });
  return false;
}
