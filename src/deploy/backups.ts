// Timestamped copies of the deployed file, each with a small metadata record, and the retention
// that keeps the newest N without ever deleting the one in use.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { parseGenerated } from '../config/emit/emit.js';
import { sha256 } from '../util/canonical.js';
import { writeFileAtomic } from '../util/atomic-write.js';

export interface BackupMeta {
  file: string;
  created: string;
  sha256: string;
  size: number;
  /** From the AUTO-GENERATED header of the backed-up file, when it has one. */
  source_hash?: string;
  git_commit?: string;
  command: string;
  /** The path it was copied from. */
  from: string;
}

export interface BackupEntry extends BackupMeta {
  path: string;
  deployed: boolean;
}

const META = '.meta.json';

export function stamp(d = new Date()): string {
  return d.toISOString().replace(/[-:]/g, '').replace('.', '-');
}

export async function createBackup(
  dir: string,
  deployedPath: string,
  text: string,
  command: string,
  projectDir: string,
): Promise<BackupEntry> {
  // The same bytes as the newest backup: that backup already holds them (and still verifies).
  const newest = listBackups(dir, deployedPath)[0];
  if (newest && newest.sha256 === sha256(text) && verifies(newest)) return newest;
  const base = path.basename(deployedPath).replace(/\.ya?ml$/, '');
  let name = `${base}.${stamp()}.yaml`;
  for (let i = 1; existsSync(path.join(dir, name)); i++) name = `${base}.${stamp()}-${i}.yaml`;
  const file = path.join(dir, name);
  writeFileAtomic(file, text);
  const header = parseGenerated(text)?.header;
  const git_commit = await gitHead(projectDir);
  const meta: BackupMeta = {
    file: name,
    created: new Date().toISOString(),
    sha256: sha256(text),
    size: Buffer.byteLength(text),
    ...(header ? { source_hash: header.sourceHash } : {}),
    ...(git_commit ? { git_commit } : {}),
    command,
    from: deployedPath,
  };
  writeFileAtomic(`${file}${META}`, `${JSON.stringify(meta, null, 2)}\n`);
  return { ...meta, path: file, deployed: false };
}

/** Newest first; `deployed` marks those whose content is the deployed file's. */
export function listBackups(dir: string, deployedPath: string): BackupEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  let deployedHash: string | undefined;
  try {
    deployedHash = sha256(readFileSync(deployedPath, 'utf8'));
  } catch {
    deployedHash = undefined;
  }
  const out: BackupEntry[] = [];
  for (const n of names) {
    if (!n.endsWith(META)) continue;
    const file = path.join(dir, n.slice(0, -META.length));
    try {
      const raw = JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as BackupMeta & { sourceHash?: string; gitCommit?: string };
      // Backups taken by earlier versions wrote camelCase keys.
      const { sourceHash, gitCommit, ...rest } = raw;
      const meta: BackupMeta = {
        ...rest,
        ...((raw.source_hash ?? sourceHash) ? { source_hash: raw.source_hash ?? sourceHash } : {}),
        ...((raw.git_commit ?? gitCommit) ? { git_commit: raw.git_commit ?? gitCommit } : {}),
      };
      if (!existsSync(file)) continue;
      out.push({ ...meta, path: file, deployed: meta.sha256 === deployedHash });
    } catch {
      // A metadata file that does not parse is not a backup we can vouch for.
    }
  }
  return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.file < b.file ? 1 : -1));
}

/** Deletes all but the newest `keep`, never one whose content is deployed. Returns the deleted. */
export function applyRetention(dir: string, deployedPath: string, keep: number): string[] {
  const all = listBackups(dir, deployedPath);
  const removed: string[] = [];
  all.slice(keep).forEach((b) => {
    if (b.deployed) return;
    rmSync(b.path, { force: true });
    rmSync(`${b.path}${META}`, { force: true });
    removed.push(b.path);
  });
  return removed;
}

/** A backup that is missing or no longer holds the bytes it recorded: never deployed. */
export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/** The bytes of a backup, verified against the sha256 recorded when it was taken. */
export function readBackup(entry: { path: string; sha256: string }): string {
  let text: string;
  try {
    text = readFileSync(entry.path, 'utf8');
  } catch (err) {
    throw new BackupError(`backup ${entry.path} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const now = sha256(text);
  if (now !== entry.sha256)
    throw new BackupError(
      `backup ${entry.path} was changed after it was taken (sha256 recorded ${entry.sha256.slice(0, 12)}, now ${now.slice(0, 12)})`,
    );
  return text;
}

function verifies(entry: { path: string; sha256: string }): boolean {
  try {
    readBackup(entry);
    return true;
  } catch {
    return false;
  }
}

/** A backup named by path, file name or unique prefix of its name. */
export function findBackup(dir: string, deployedPath: string, ref: string): BackupEntry | undefined {
  const all = listBackups(dir, deployedPath);
  const abs = path.resolve(ref);
  const exact = all.find((b) => b.path === abs || b.file === ref || b.file === path.basename(ref));
  if (exact) return exact;
  const prefixed = all.filter((b) => b.file.startsWith(ref) || b.sha256.startsWith(ref));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

async function gitHead(dir: string): Promise<string | undefined> {
  try {
    if (!statSync(dir).isDirectory()) return undefined;
    const r = await execa('git', ['rev-parse', 'HEAD'], { cwd: dir, reject: false, timeout: 5000, stdin: 'ignore' });
    return r.exitCode === 0 ? String(r.stdout).trim() : undefined;
  } catch {
    return undefined;
  }
}
