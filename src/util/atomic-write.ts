// Write a file so that readers see the old content or the new, never half of either: a temp file
// in the same directory, fsync, rename over the target, fsync the directory. As write-file-atomic
// does: a symlinked target is written through the link (the link stays a link), an existing
// file keeps its mode, and the temp file is removed when anything fails.
import { closeSync, fchmodSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export function writeFileAtomic(link: string, content: string | Buffer, newMode = 0o644): void {
  let target = link;
  let mode = newMode;
  try {
    target = realpathSync(link);
    mode = statSync(target).mode & 0o7777;
  } catch {
    // a new file (or a dangling link, written as a new file in its place)
  }
  const dir = path.dirname(target);
  mkdirSync(dir, { recursive: true });
  const tmp = path.join(dir, `.${path.basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    // The umask must not narrow an existing file's mode.
    fchmodSync(fd, mode);
    const buf = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // Some filesystems refuse to fsync a directory; the rename itself is still atomic.
  }
}
