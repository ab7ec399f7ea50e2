// An append-only record of every reload and rollback, as JSON lines beside the backups. It is
// also how a reload that was killed part-way is found by the next run.
import { createHmac, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { GatewayFile } from '../config/schema/gateway.js';
import { referencedVariables } from './runtime/gateway-env.js';

/** How the journal's secret fingerprints are made; journals written before recorded unkeyed ones. */
export const FINGERPRINT_SCHEME = 'hmac-sha256';

export type JournalEvent =
  | 'begin'
  | 'backed-up'
  | 'writing'
  | 'written'
  | 'restarted'
  | 'healthy'
  | 'committed'
  | 'unchanged'
  | 'healed'
  | 'aborted'
  | 'rollback'
  | 'rolled-back'
  | 'rollback-failed'
  | 'recovered'
  | 'abandoned';

/** Events after which a reload is over, one way or another. */
const TERMINAL: ReadonlySet<JournalEvent> = new Set([
  'committed',
  'unchanged',
  'healed',
  'aborted',
  'rolled-back',
  'rollback-failed',
  'recovered',
  'abandoned',
]);

export interface JournalEntry {
  time: string;
  id: string;
  event: JournalEvent;
  [key: string]: unknown;
}

/** What the process runtime gives the gateway besides the config's own references: its `env:` and `pass_env` names. */
export interface RuntimeEnv {
  own: Readonly<Record<string, string>>;
  pass: readonly string[];
}

/** The process runtime's part of the gateway's environment (other runtimes set theirs elsewhere). */
export function runtimeEnvOf(gw: GatewayFile): RuntimeEnv {
  return gw.runtime.kind === 'process' ? { own: gw.runtime.env ?? {}, pass: gw.runtime.pass_env ?? [] } : { own: {}, pass: [] };
}

/** Records whose fingerprints cover the runtime's environment too say so; a name missing there was unset. */
export const ENV_COVER = 'config+runtime';

export class Journal {
  private key?: Buffer;

  constructor(
    readonly file: string,
    private readonly runtimeEnv: RuntimeEnv = { own: {}, pass: [] },
  ) {}

  /**
   * Fingerprints of the secrets a config references, by name: enough to tell that one changed,
   * useless to test a guess offline (an HMAC under a random per-project key kept 0600 beside the
   * journal, not a bare hash a weak password could be confirmed against).
   */
  fingerprints(configText: string, env: NodeJS.ProcessEnv): Record<string, string> {
    // The gateway's whole chosen environment: what the config references, what pass_env names, and
    // the runtime's own env: (which wins, as it does when the process starts).
    const { own, pass } = this.runtimeEnv;
    const names = [...new Set([...referencedVariables(configText), ...pass, ...Object.keys(own)])].sort();
    if (names.length === 0) return {};
    const key = (this.key ??= this.fingerprintKey());
    return Object.fromEntries(
      names.map((n) => {
        const v = own[n] ?? env[n];
        return [n, v === undefined || v === '' ? 'unset' : createHmac('sha256', key).update(v).digest('hex').slice(0, 10)];
      }),
    );
  }

  private fingerprintKey(): Buffer {
    const file = path.join(path.dirname(this.file), 'fingerprint.key');
    try {
      const fd = openSync(file, 'r');
      try {
        const st = fstatSync(fd);
        if (st.isFile() && st.size === 32 && (st.mode & 0o077) === 0 && (!process.getuid || st.uid === process.getuid()))
          return readFileSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch {
      // made below
    }
    mkdirSync(path.dirname(file), { recursive: true });
    const key = randomBytes(32);
    try {
      // O_EXCL: never written through a link someone left there.
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, key);
      } finally {
        closeSync(fd);
      }
    } catch {
      // A key file this run cannot trust or replace: this run's fingerprints are its own.
    }
    return key;
  }

  append(id: string, event: JournalEvent, data: Record<string, unknown> = {}): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    // A line torn by a crash must not swallow the next one.
    const sep = endsWithNewline(this.file) ? '' : '\n';
    appendFileSync(this.file, `${sep}${JSON.stringify({ time: new Date().toISOString(), id, event, ...data })}\n`);
  }

  entries(): JournalEntry[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return [];
    }
    const out: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as JournalEntry);
      } catch {
        // A line cut short by a crash; the ones before it still count.
      }
    }
    return out;
  }

  /** The last operation that began and never ended, with all of its events. */
  interrupted(): JournalEntry[] | undefined {
    const byId = new Map<string, JournalEntry[]>();
    for (const e of this.entries()) {
      const list = byId.get(e.id) ?? [];
      list.push(e);
      byId.set(e.id, list);
    }
    let last: JournalEntry[] | undefined;
    for (const events of byId.values()) {
      if (events[0]?.event === 'begin' && !events.some((e) => TERMINAL.has(e.event))) last = events;
    }
    return last;
  }

  /** What the last successful reload, rollback or recovery left serving: hashes of the file and its body, and the secrets' fingerprints. */
  lastApplied(): { sha256: string; body_sha256?: string; env?: Record<string, string>; envCoversRuntime?: boolean } | undefined {
    const entries = this.entries();
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if ((e.event === 'committed' || e.event === 'rolled-back' || e.event === 'recovered') && typeof e.sha256 === 'string') {
        // Fingerprints of another scheme (older journals) cannot be compared with today's.
        const env =
          e.env && typeof e.env === 'object' && e.env_scheme === FINGERPRINT_SCHEME
            ? { env: e.env as Record<string, string>, ...(e.env_cover === ENV_COVER ? { envCoversRuntime: true } : {}) }
            : {};
        return { sha256: e.sha256, ...(typeof e.body_sha256 === 'string' ? { body_sha256: e.body_sha256 } : {}), ...env };
      }
    }
    return undefined;
  }

  /** How long the gateway last took to become healthy after a start, in ms (every phase counts). */
  lastBootMs(): number | undefined {
    const entries = this.entries();
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if (e.event === 'healthy' && typeof e.ms === 'number') return e.ms;
    }
    return undefined;
  }
}

function endsWithNewline(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return true;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return true;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] === 0x0a;
  } finally {
    closeSync(fd);
  }
}

export function newOperationId(): string {
  return `${new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
}
