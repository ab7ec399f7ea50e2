// Plain text tables for people: columns padded to their widest cell, colour codes not counted.
import type { ChalkInstance } from 'chalk';

export function table(head: string[], rows: string[][], s: ChalkInstance): string {
  const plain = (x: string) => x.replace(/\u001b\[[0-9;]*m/g, '');
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => plain(r[i] ?? '').length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c + ' '.repeat(Math.max(0, widths[i]! - plain(c).length)))
      .join('  ')
      .trimEnd();
  return [s.bold(fmt(head)), ...rows.map(fmt)].join('\n');
}
