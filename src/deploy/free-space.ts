// Pre-flight's free-space check: a reload writes the deployed file, a backup, the journal, pid
// records and the gateway's log. A full disk found half-way kills a replica and leaves a restore to
// chance, so each directory it writes to must have room before anything changes.
import { existsSync, statfsSync } from 'node:fs';
import path from 'node:path';
import type { PreflightCheck } from './runtime/adapter.js';

/** Never less than this much free: logs and pid records grow besides the config and its backup. */
export const MIN_FREE_BYTES = 16 * 1024 * 1024;

type Statfs = (dir: string) => { bavail: number | bigint; bsize: number | bigint };

/** The directory itself, or its nearest existing parent (it is created there). */
function existing(dir: string): string {
  let d = path.resolve(dir);
  while (!existsSync(d) && path.dirname(d) !== d) d = path.dirname(d);
  return d;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** One check over every directory: ok when each has `need` bytes free (at least MIN_FREE_BYTES). */
export function freeSpaceCheck(dirs: Record<string, string>, candidateBytes: number, statfs: Statfs = statfsSync): PreflightCheck {
  const need = Math.max(MIN_FREE_BYTES, candidateBytes * 4);
  const short: string[] = [];
  const seen: string[] = [];
  for (const [what, dir] of Object.entries(dirs)) {
    const at = existing(dir);
    let free: number;
    try {
      const s = statfs(at);
      free = Number(s.bavail) * Number(s.bsize);
    } catch (err) {
      short.push(`${what} ${dir}: cannot tell its free space (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      continue;
    }
    seen.push(`${what} ${mib(free)}`);
    if (free < need) short.push(`${what} ${dir} has ${mib(free)} free`);
  }
  return short.length
    ? {
        check: 'free space',
        ok: false,
        detail: `${short.join('; ')}; a reload needs at least ${mib(need)} in each directory it writes (the config, its backup, the journal, pid files and logs): free some space first`,
      }
    : { check: 'free space', ok: true, detail: `at least ${mib(need)} free where a reload writes (${seen.join(', ')})` };
}
