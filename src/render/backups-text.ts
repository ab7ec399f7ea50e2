// Human rendering of the backup list.
import type { ChalkInstance } from 'chalk';
import type { BackupEntry } from '../deploy/backups.js';
import { table } from './table.js';

export function renderBackups(list: readonly BackupEntry[], dir: string, s: ChalkInstance): string {
  if (list.length === 0) return `no backups in ${dir}`;
  const rows = list.map((b) => {
    const row = [
      b.created.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      b.sha256.slice(0, 12),
      `${b.size} B`,
      b.source_hash ? b.source_hash.slice(0, 12) : '-',
      b.deployed ? 'deployed' : '',
      b.file,
    ];
    return b.deployed ? row.map((c) => s.green(c)) : row;
  });
  return `${table(['created', 'sha256', 'size', 'sources', 'state', 'file'], rows, s)}\n${s.dim(`${list.length} backup${list.length === 1 ? '' : 's'} in ${dir}`)}`;
}
