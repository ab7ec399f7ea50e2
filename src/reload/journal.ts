// An append-only record of every reload and rollback, as JSON lines beside the backups. It is
// also how a reload that was killed part-way is found by the next run.
import { appendFileSync, closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from 'node:fs';
import path from 'node:path';

export type JournalEvent =
  | 'begin'
  | 'backed-up'
  | 'writing'
  | 'written'
  | 'restarted'
  | 'healthy'
  | 'committed'
  | 'unchanged'
  | 'aborted'
  | 'rollback'
  | 'rolled-back'
  | 'rollback-failed'
  | 'recovered'
  | 'abandoned';

/** Events after which a reload is over, one way or another. */
const TERMINAL: ReadonlySet<JournalEvent> = new Set(['committed', 'unchanged', 'aborted', 'rolled-back', 'rollback-failed', 'recovered', 'abandoned']);

export interface JournalEntry {
  time: string;
  id: string;
  event: JournalEvent;
  [key: string]: unknown;
}

export class Journal {
  constructor(readonly file: string) {}

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
  lastApplied(): { sha256: string; body_sha256?: string; env?: Record<string, string> } | undefined {
    const entries = this.entries();
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i]!;
      if ((e.event === 'committed' || e.event === 'rolled-back' || e.event === 'recovered') && typeof e.sha256 === 'string') {
        return { sha256: e.sha256, ...(typeof e.body_sha256 === 'string' ? { body_sha256: e.body_sha256 } : {}), ...(e.env && typeof e.env === 'object' ? { env: e.env as Record<string, string> } : {}) };
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
  return `${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${process.pid}`;
}
