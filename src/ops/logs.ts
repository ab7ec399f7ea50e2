// The gateway's log, wherever the runtime puts it (process: the log file it records; compose: the
// service's logs; command: runtime.log), each line parsed (LiteLLM's json_logs lines, uvicorn's and
// LiteLLM's plain lines) and filtered by level, text, call id and age. With
// request_correlation_in_logs (compiled with logging.json) every line LiteLLM writes while handling
// a request carries its trace_id, which `aibackend try` sets to the call id it prints.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { CliError } from '../errors.js';
import type { GatewayFile } from '../schema/gateway.js';
import { maskSecrets } from '../util/secrets.js';

export type LogSource = { kind: 'file'; path: string } | { kind: 'compose'; file: string; service: string };

export interface LogLine {
  timestamp: string | null;
  level: string | null;
  component: string | null;
  message: string;
  trace_id: string | null;
}

export interface LogFilter {
  level?: string;
  grep?: string;
  callId?: string;
  /** Lines older than this (ms since the epoch) are left out. */
  sinceMs?: number;
}

export const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;

export function logSource(gw: GatewayFile, projectDir: string): LogSource {
  const rt = gw.runtime;
  if (rt.kind === 'process') return { kind: 'file', path: path.resolve(projectDir, rt.state_dir, 'gateway.log') };
  if (rt.kind === 'compose') return { kind: 'compose', file: path.resolve(projectDir, rt.file), service: rt.service };
  if (rt.log) return { kind: 'file', path: path.resolve(projectDir, rt.log) };
  throw new CliError('runtime.kind command does not say where the gateway logs: set runtime.log in gateway.yaml to its log file (for systemd, e.g. a file that `journalctl -u litellm -f` is piped into)');
}

// LiteLLM's plain format: "13:53:04 - LiteLLM:ERROR: file.py:182 - message"; uvicorn's: "INFO:     message".
const PLAIN_LITELLM = /^(\d\d:\d\d:\d\d) - ([^:]+):([A-Z]+): (.*)$/;
const PLAIN_UVICORN = /^(DEBUG|INFO|WARNING|ERROR|CRITICAL):\s+(.*)$/;

export function parseLogLine(raw: string): LogLine {
  // eslint-disable-next-line no-control-regex
  const text = raw.replace(/\u001b\[[0-9;]*m/g, '');
  if (text.startsWith('{')) {
    try {
      const j = JSON.parse(text) as Record<string, unknown>;
      const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? null : String(v));
      return { timestamp: str(j.timestamp), level: str(j.level)?.toLowerCase() ?? null, component: str(j.component), message: maskSecrets(String(j.message ?? text).replace(/\u001b\[[0-9;]*m/g, '').trim()), trace_id: str(j.trace_id) };
    } catch {
      // not JSON after all
    }
  }
  const l = PLAIN_LITELLM.exec(text);
  if (l) return { timestamp: null, level: l[3]!.toLowerCase(), component: l[2]!, message: maskSecrets(l[4]!), trace_id: null };
  const u = PLAIN_UVICORN.exec(text);
  if (u) return { timestamp: null, level: u[1]!.toLowerCase(), component: 'uvicorn', message: maskSecrets(u[2]!), trace_id: null };
  return { timestamp: null, level: null, component: null, message: maskSecrets(text), trace_id: null };
}

/** Whether a line passes; a line without a timestamp follows the last one that had one (`prev`). */
export function passes(line: LogLine, f: LogFilter, prevTimeOk: boolean): { ok: boolean; timeOk: boolean } {
  let timeOk = prevTimeOk;
  if (f.sinceMs !== undefined && line.timestamp) {
    const t = Date.parse(line.timestamp);
    timeOk = Number.isNaN(t) || t >= f.sinceMs;
  }
  if (!timeOk) return { ok: false, timeOk };
  if (f.level) {
    const min = LEVELS.indexOf(f.level as (typeof LEVELS)[number]);
    const at = line.level ? LEVELS.indexOf(line.level === 'warn' ? 'warning' : (line.level as (typeof LEVELS)[number])) : -1;
    if (at < min) return { ok: false, timeOk };
  }
  if (f.callId && line.trace_id !== f.callId && !line.message.includes(f.callId)) return { ok: false, timeOk };
  if (f.grep && !`${line.component ?? ''} ${line.message}`.toLowerCase().includes(f.grep.toLowerCase())) return { ok: false, timeOk };
  return { ok: true, timeOk };
}

/** A duration such as 30s, 10m, 2h or 1d, in ms. */
export function parseDuration(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(v);
  if (!m) throw new Error('expected a duration such as 30s, 10m, 2h or 1d');
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
}

/**
 * Reads a log file from `offset` to its end: the complete lines, and the offset after the last
 * one. A file shorter than `offset` was replaced (the process runtime renames the log at each
 * start): reading starts again at 0.
 */
export function readFrom(file: string, offset: number): { lines: string[]; offset: number } {
  if (!existsSync(file)) return { lines: [], offset: 0 };
  const size = statSync(file).size;
  const start = size < offset ? 0 : offset;
  if (size === start) return { lines: [], offset: start };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - start);
    let read = 0;
    while (read < buf.length) {
      const n = readSync(fd, buf, read, buf.length - read, start + read);
      if (n === 0) break;
      read += n;
    }
    const text = buf.subarray(0, read).toString('utf8');
    const end = text.lastIndexOf('\n');
    if (end < 0) return { lines: [], offset: start };
    return { lines: text.slice(0, end).split('\n'), offset: start + Buffer.byteLength(text.slice(0, end + 1)) };
  } finally {
    closeSync(fd);
  }
}
