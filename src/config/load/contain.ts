// What "inside the project" means once symlinks are resolved. validate, generate --check and the
// hook run on files a pull request wrote: a source, a compose file or a generated file that is a
// link to ~/.ssh/id_rsa must be refused by name, never read and quoted. The project is the
// directory above config/ and, when config/ itself is a link (a user who keeps the sources
// elsewhere and links them into place), the directory it points at.
import { closeSync, constants, fstatSync, openSync, readlinkSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type { ConfigPaths } from './paths.js';

/** The real directories a file may resolve into. */
export function projectRoots(paths: Pick<ConfigPaths, 'projectDir' | 'configDir'>): string[] {
  const roots = new Set<string>();
  for (const dir of [paths.projectDir, paths.configDir]) roots.add(realPath(dir));
  return [...roots];
}

/**
 * Where a path really leads: the real path of its nearest existing ancestor joined with the rest.
 * A dangling link is followed to where it points (a write would create that file).
 */
export function realPath(p: string): string {
  const abs = path.resolve(p);
  try {
    return realpathSync(abs);
  } catch {
    // missing, or a dangling link
  }
  return realPathOfMissing(abs, 0);
}

function realPathOfMissing(abs: string, depth: number): string {
  // A chain of dangling links longer than the kernel's own limit (40) is a loop: stop there.
  if (depth > 40) return abs;
  try {
    // realpathSync failed, so this is missing or a dangling link: follow the link where it points,
    // relative to the directory it really sits in (as the kernel resolves it).
    const target = readlinkSync(abs);
    return realPathOfMissing(path.resolve(realPathOfMissing(path.dirname(abs), depth + 1), target), depth + 1);
  } catch {
    // not a link
  }
  try {
    return realpathSync(abs);
  } catch {
    const parent = path.dirname(abs);
    if (parent === abs) return abs;
    return path.join(realPathOfMissing(parent, depth), path.basename(abs));
  }
}

export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** Undefined when `abs` resolves inside the project; else the real path it leads to, to name in a diagnostic. */
export function outsideProject(paths: Pick<ConfigPaths, 'projectDir' | 'configDir'>, abs: string): string | undefined {
  const real = realPath(abs);
  return projectRoots(paths).some((root) => isWithin(root, real)) ? undefined : real;
}

export type BoundedRead =
  { ok: true; text: string } | { ok: false; reason: 'missing' | 'not-regular' | 'too-large' | 'unreadable'; detail: string };

/**
 * A regular file of at most `maxBytes`, as UTF-8. Opened once and checked on the open descriptor,
 * so a device (/dev/zero), a FIFO or a file swapped in between is never read without end.
 */
export function readBounded(abs: string, maxBytes: number): BoundedRead {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading must not wait for a writer.
    fd = openSync(abs, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { ok: false, reason: code === 'ENOENT' ? 'missing' : 'unreadable', detail: code };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: 'not-regular', detail: st.isDirectory() ? 'a directory' : 'not a regular file' };
    if (st.size > maxBytes) return { ok: false, reason: 'too-large', detail: `${st.size} bytes, over the ${maxBytes}-byte limit` };
    const buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    if (n > maxBytes) return { ok: false, reason: 'too-large', detail: `over the ${maxBytes}-byte limit` };
    return { ok: true, text: buf.subarray(0, n).toString('utf8') };
  } catch (err) {
    return { ok: false, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? 'error' };
  } finally {
    closeSync(fd);
  }
}
