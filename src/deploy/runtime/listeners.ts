// Which process listens on which TCP port, read from Linux /proc (tcp and tcp6 tables, then the
// socket inodes held open by each process). Where /proc does not tell (another user's process,
// another OS), the port is still reported as listening, without an owner.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { commandLine } from './proc.js';

export interface Listener {
  port: number;
  address: string;
  pid?: number;
  process?: string;
}

const LISTEN = '0A';

export function listeners(): Listener[] {
  const byInode = new Map<string, { port: number; address: string }>();
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== LISTEN) continue;
      const [addrHex, portHex] = f[1]!.split(':') as [string, string];
      byInode.set(f[9]!, { port: parseInt(portHex, 16), address: v6 ? ipv6(addrHex) : ipv4(addrHex) });
    }
  }
  const owners = new Map<string, { pid: number; process: string }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    pids = [];
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && byInode.has(m[1]!) && !owners.has(m[1]!))
        owners.set(m[1]!, { pid: Number(pid), process: commandLine(Number(pid), 120) ?? '?' });
    }
  }
  const out: Listener[] = [];
  for (const [inode, l] of byInode) out.push({ ...l, ...(owners.get(inode) ?? {}) });
  return out.sort((a, b) => a.port - b.port || a.address.localeCompare(b.address));
}

function ipv4(hex: string): string {
  const n = parseInt(hex, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function ipv6(hex: string): string {
  if (/^0+$/.test(hex)) return '::';
  if (hex === '00000000000000000000000001000000') return '::1';
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8) {
    const w = hex
      .slice(i, i + 8)
      .match(/../g)!
      .reverse()
      .join('');
    words.push(w.slice(0, 4), w.slice(4));
  }
  return words.map((w) => w.replace(/^0{1,3}/, '')).join(':');
}
