// What Linux /proc says about a process: alive or a zombie, its process group, and its start
// time. A pid alone names a process only until it is reused; pid plus start time names it for
// good, whatever it exec'd into (`sh -c "exec litellm ..."` keeps the pid, not the cmdline).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcIdentity {
  pid: number;
  /** Process group id, when /proc tells. */
  pgid?: number;
  /** Start time in clock ticks since boot (field 22 of /proc/PID/stat), when /proc tells. */
  start_time?: number;
}

/** The fields of /proc/PID/stat after the command name (which may itself hold spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The one-letter state /proc gives a process (R, S, Z, ...), or undefined where /proc cannot tell. */
export function processState(pid: number): string | undefined {
  return statFields(pid)?.[0] || undefined;
}

/** pid, process group and start time of a running process, as far as /proc tells. */
export function identify(pid: number): ProcIdentity {
  const f = statFields(pid);
  if (!f) return { pid };
  // After the name: state(3) ppid(4) pgrp(5) ... starttime(22); f[0] is field 3.
  return { pid, pgid: Number(f[2]), start_time: Number(f[19]) };
}

/** Exists and has not exited (a zombie only waits for its parent to notice). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return processState(pid) !== 'Z';
}

/** The very process that was recorded: alive, and where /proc tells, started at the same time. */
export function isSameProcess(rec: ProcIdentity): boolean {
  if (!isAlive(rec.pid)) return false;
  if (rec.start_time === undefined) return true;
  const now = identify(rec.pid).start_time;
  return now === undefined || now === rec.start_time;
}

/** Live (non-zombie) members of a process group; undefined where /proc cannot list processes. */
export function groupMembers(pgid: number): number[] | undefined {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const out: number[] = [];
  for (const p of pids) {
    const f = statFields(Number(p));
    if (f && Number(f[2]) === pgid && f[0] !== 'Z') out.push(Number(p));
  }
  return out;
}

/** The command line of a process, for people ("python .../litellm --port 4000"). */
export function commandLine(pid: number, width = 160): string | undefined {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (cmd.length) return cmd.join(' ').slice(0, width);
  } catch {
    // fall through
  }
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
