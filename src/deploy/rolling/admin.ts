// HAProxy's runtime API over its admin socket: one command a connection, the answer as text. What
// a rolling reload needs: a server's state (drain, maint, ready) and its current sessions and
// health, from `show stat`.
import net from 'node:net';

export async function adminCommand(socket: string, command: string, timeoutMs = 3000): Promise<string> {
  return await new Promise((resolve, reject) => {
    const conn = net.connect({ path: socket });
    let out = '';
    const timer = setTimeout(
      () => conn.destroy(new Error(`HAProxy's admin socket ${socket} did not answer \`${command}\` within ${timeoutMs} ms`)),
      timeoutMs,
    );
    conn.setEncoding('utf8');
    conn.on('connect', () => conn.end(`${command}\n`));
    conn.on('data', (d: string) => (out += d));
    conn.on('end', () => {
      clearTimeout(timer);
      resolve(out);
    });
    conn.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

export interface ServerStat {
  backend: string;
  server: string;
  /** Current sessions. */
  scur: number;
  /** UP, DOWN, MAINT, DRAIN, NOLB, "UP 1/2"... as HAProxy says. */
  status: string;
}

export async function serverStats(socket: string): Promise<ServerStat[]> {
  const csv = await adminCommand(socket, 'show stat');
  const lines = csv.split('\n').filter(Boolean);
  const header = (lines.shift() ?? '').replace(/^# /, '').split(',');
  const at = (name: string) => header.indexOf(name);
  return lines
    .map((l) => l.split(','))
    .filter((f) => f[at('svname')] !== 'FRONTEND' && f[at('svname')] !== 'BACKEND')
    .map((f) => ({ backend: f[at('pxname')]!, server: f[at('svname')]!, scur: Number(f[at('scur')] ?? 0), status: f[at('status')] ?? '' }));
}

export async function setState(socket: string, backend: string, server: string, state: 'ready' | 'drain' | 'maint'): Promise<void> {
  const answer = (await adminCommand(socket, `set server ${backend}/${server} state ${state}`)).trim();
  if (answer) throw new Error(`HAProxy refused \`set server ${backend}/${server} state ${state}\`: ${answer}`);
}
