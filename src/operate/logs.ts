// The gateway's log, wherever the runtime puts it (process: the log file it records; compose: the
// service's logs; command: runtime.log), each line parsed (LiteLLM's json_logs lines, uvicorn's and
// LiteLLM's plain lines) and filtered by level, text, call id and age. With
// request_correlation_in_logs (compiled with logging.json) every line LiteLLM writes while handling
// a request carries its trace_id, which `aibackend try` sets to the call id it prints.
import { createInterface } from 'node:readline';
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import path from 'node:path';
import { COMPOSE_STATE_DIR, replicaService } from '../deploy/rolling/haproxy.js';
import { COMPOSE_LOG_DIR } from '../deploy/runtime/compose.js';
import { CliError } from '../util/errors.js';
import type { GatewayFile } from '../config/schema/gateway.js';
import { maskSecrets } from '../util/secrets.js';
import { sleep } from '../util/sleep.js';

export type LogSource =
  | { kind: 'file'; path: string }
  | {
      kind: 'compose';
      file: string;
      /** The gateway's services: the one service, or each replica's. */
      services: string[];
      project?: string;
      /** The logs of containers a reload replaced (recreation throws a container's log away), oldest first. */
      archive: string[];
    }
  | { kind: 'swarm'; service: string };

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
  /** The call id's OpenTelemetry trace id: with tracing on, LiteLLM's lines carry it as their trace_id. */
  traceId?: string;
  /** Lines older than this (ms since the epoch) are left out. */
  sinceMs?: number;
  /** The IANA zone the gateway writes its local times in (LiteLLM's JSON timestamps carry none). */
  zone?: string;
}

export const LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;

export function logSource(gw: GatewayFile, projectDir: string): LogSource {
  const rt = gw.runtime;
  if (rt.kind === 'process') return { kind: 'file', path: path.resolve(projectDir, rt.state_dir, 'gateway.log') };
  if (rt.kind === 'compose') {
    const services =
      gw.replicas >= 2 && gw.load_balancer.kind === 'haproxy' && gw.replica_ports
        ? gw.replica_ports.map((_, i) => replicaService(rt.service, i))
        : [rt.service];
    const dir = path.resolve(projectDir, COMPOSE_STATE_DIR, COMPOSE_LOG_DIR);
    return {
      kind: 'compose',
      file: path.resolve(projectDir, rt.file),
      services,
      ...(rt.project ? { project: rt.project } : {}),
      archive: services.flatMap((svc) => logFiles(path.join(dir, `${svc}.log`))),
    };
  }
  if (rt.kind === 'swarm') return { kind: 'swarm', service: `${rt.stack}_${rt.service}` };
  if (rt.log) return { kind: 'file', path: path.resolve(projectDir, rt.log) };
  throw new CliError(
    'runtime.kind command does not say where the gateway logs: set runtime.log in gateway.yaml to its log file (for systemd, e.g. a file that `journalctl -u litellm -f` is piped into)',
  );
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
      return {
        timestamp: str(j.timestamp),
        level: str(j.level)?.toLowerCase() ?? null,
        component: str(j.component),
        message: maskSecrets(
          String(j.message ?? text)
            .replace(/\u001b\[[0-9;]*m/g, '')
            .trim(),
        ),
        trace_id: str(j.trace_id),
      };
    } catch {
      // not JSON after all
    }
  }
  const l = PLAIN_LITELLM.exec(text);
  if (l) return { timestamp: l[1]!, level: l[3]!.toLowerCase(), component: l[2]!, message: maskSecrets(l[4]!), trace_id: null };
  const u = PLAIN_UVICORN.exec(text);
  if (u) return { timestamp: null, level: u[1]!.toLowerCase(), component: 'uvicorn', message: maskSecrets(u[2]!), trace_id: null };
  return { timestamp: null, level: null, component: null, message: maskSecrets(text), trace_id: null };
}

/** ms since the epoch of a wall-clock time in `zone` (an IANA name); the zone's offset at that moment. */
export function zonedMs(y: number, mo: number, d: number, h: number, mi: number, sec: number, zone: string): number {
  const guess = Date.UTC(y, mo - 1, d, h, mi, sec);
  let offset = 0;
  try {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      })
        .formatToParts(new Date(guess))
        .map((p) => [p.type, p.value]),
    );
    offset =
      Date.UTC(
        Number(parts.year),
        Number(parts.month) - 1,
        Number(parts.day),
        Number(parts.hour),
        Number(parts.minute),
        Number(parts.second),
      ) - guess;
  } catch {
    // an unknown zone: UTC
  }
  return guess - offset;
}

/**
 * When a line was written, in ms since the epoch: an ISO timestamp with its own offset as it says;
 * one without (LiteLLM's JSON logs write the gateway's local time) in the gateway's zone, not the
 * CLI's; a plain line's time of day on the latest day on which it is not in the future.
 */
export function lineTime(line: LogLine, zone = 'UTC', now = Date.now()): number | undefined {
  const ts = line.timestamp;
  if (!ts) return undefined;
  const iso = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(ts);
  if (iso) {
    if (iso[8]) return Date.parse(ts.replace(' ', 'T'));
    const ms = iso[7] ? Math.round(Number(iso[7]) * 1000) : 0;
    return zonedMs(+iso[1]!, +iso[2]!, +iso[3]!, +iso[4]!, +iso[5]!, +iso[6]!, zone) + ms;
  }
  const clock = /^(\d\d):(\d\d):(\d\d)$/.exec(ts);
  if (clock) {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' })
      .format(new Date(now))
      .split('-')
      .map(Number) as [number, number, number];
    let t = zonedMs(today[0], today[1], today[2], +clock[1]!, +clock[2]!, +clock[3]!, zone);
    if (t > now + 60_000) t -= 86_400_000;
    return t;
  }
  const other = Date.parse(ts);
  return Number.isNaN(other) ? undefined : other;
}

/**
 * Whether a line passes. A line without a time of its own (a traceback, uvicorn's lines) follows
 * the last one that had one (`prevTimeOk`); before any, it is kept: it cannot be shown to be old.
 */
export function passes(line: LogLine, f: LogFilter, prevTimeOk: boolean): { ok: boolean; timeOk: boolean } {
  let timeOk = prevTimeOk;
  if (f.sinceMs !== undefined) {
    const t = lineTime(line, f.zone);
    if (t !== undefined) timeOk = t >= f.sinceMs;
  }
  if (!timeOk) return { ok: false, timeOk };
  if (f.level) {
    const min = LEVELS.indexOf(f.level as (typeof LEVELS)[number]);
    const at = line.level ? LEVELS.indexOf(line.level === 'warn' ? 'warning' : (line.level as (typeof LEVELS)[number])) : -1;
    if (at < min) return { ok: false, timeOk };
  }
  if (
    f.callId &&
    line.trace_id !== f.callId &&
    (f.traceId === undefined || line.trace_id !== f.traceId) &&
    !line.message.includes(f.callId)
  )
    return { ok: false, timeOk };
  if (f.grep && !`${line.component ?? ''} ${line.message}`.toLowerCase().includes(f.grep.toLowerCase())) return { ok: false, timeOk };
  return { ok: true, timeOk };
}

/**
 * The zone the gateway writes its local times in. A container runs in UTC unless told otherwise;
 * a process started by the process runtime has the TZ it was started with (its environment, read
 * from /proc), else the machine's zone (/etc/localtime), else UTC.
 */
export function gatewayZone(gw: GatewayFile, projectDir: string): string {
  const rt = gw.runtime;
  if (rt.kind !== 'process') return 'UTC';
  if (rt.env?.TZ) return rt.env.TZ.replace(/^:/, '');
  try {
    const rec = JSON.parse(readFileSync(path.resolve(projectDir, rt.state_dir, 'gateway.pid'), 'utf8')) as { pid?: number };
    const environ = readFileSync(`/proc/${rec.pid}/environ`, 'utf8').split('\0');
    const tz = environ.find((e) => e.startsWith('TZ='))?.slice(3);
    if (tz) return tz.replace(/^:/, '');
  } catch {
    // not running, or not Linux
  }
  try {
    const link = readlinkSync('/etc/localtime');
    const at = link.indexOf('zoneinfo/');
    if (at >= 0) return link.slice(at + 'zoneinfo/'.length);
  } catch {
    // no link
  }
  return 'UTC';
}

/** A duration such as 30s, 10m, 2h or 1d, in ms. */
/** Lines longer than this are cut: one runaway line must not take the memory a whole log would. */
const MAX_LINE = 1024 * 1024;
const CHUNK = 1024 * 1024;

/**
 * The log files to read, oldest first: logrotate's numbered copies (`gateway.log.2`, `.1`), the
 * process runtime's previous log (`gateway.prev.log`), then the log itself. Compressed copies are
 * left out.
 */
export function logFiles(file: string): string[] {
  const out: string[] = [];
  for (let n = 9; n >= 1; n--) if (existsSync(`${file}.${n}`)) out.push(`${file}.${n}`);
  const prev = file.replace(/\.log$/, '.prev.log');
  if (prev !== file && existsSync(prev)) out.push(prev);
  if (existsSync(file)) out.push(file);
  return out;
}

/** Where a followed file was read to, and how to tell that it is still the same file. */
export interface FollowState {
  offset: number;
  ino?: number;
  /** The first bytes of the file: a file truncated and written again past `offset` differs here. */
  head?: string;
}

/**
 * Reads a log file from `state.offset` to its end in chunks, calling `onLine` for each complete
 * line, in bounded memory. A file that is another one now (another inode: rotated by rename), or
 * was truncated (shorter than the offset, or its first bytes changed), is read again from 0.
 */
export function readLines(file: string, state: FollowState, onLine: (line: string) => void): FollowState {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return { offset: 0 };
  }
  try {
    const st = fstatSync(fd);
    const headBuf = Buffer.alloc(Math.min(256, st.size));
    readSync(fd, headBuf, 0, headBuf.length, 0);
    const head = headBuf.toString('latin1');
    const same =
      state.ino === undefined ||
      (state.ino === st.ino &&
        st.size >= state.offset &&
        (state.head === undefined || head.slice(0, state.head.length) === state.head.slice(0, head.length)));
    let pos = same ? state.offset : 0;
    let carry = '';
    const buf = Buffer.alloc(CHUNK);
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      const text = carry + buf.subarray(0, n).toString('utf8');
      const parts = text.split('\n');
      carry = parts.pop()!;
      for (const line of parts) onLine(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);
      // Only complete lines count as read; a partial one is read again at the next poll.
      pos += n;
      if (carry.length > MAX_LINE) {
        onLine(`${carry.slice(0, MAX_LINE)}…`);
        carry = '';
      }
    }
    return {
      offset: pos - Buffer.byteLength(carry),
      ino: st.ino,
      head: head.length >= (state.head?.length ?? 0) ? head : (state.head ?? head),
    };
  } finally {
    closeSync(fd);
  }
}

/** How often a followed log file is read again. */
const FOLLOW_POLL_MS = 250;

/**
 * Every raw line of the gateway's log, to `onLine`: from `docker compose logs` for a compose
 * runtime, else from the file, rotated copies first, read in chunks (bounded memory whatever its
 * size). With `follow` it never resolves; Ctrl-C ends it.
 */
export async function streamLog(
  source: LogSource,
  opts: { follow?: boolean; since?: string },
  onLine: (raw: string) => void,
): Promise<void> {
  if (source.kind === 'compose' || source.kind === 'swarm') {
    // Swarm: every task's log, those of tasks an update replaced included, as the engine keeps them.
    const args =
      source.kind === 'swarm'
        ? [
            'service',
            'logs',
            '--raw',
            '--no-task-ids',
            ...(opts.follow ? ['--follow'] : []),
            ...(opts.since ? ['--since', opts.since] : []),
            source.service,
          ]
        : [
            'compose',
            ...(source.project ? ['-p', source.project] : []),
            '-f',
            source.file,
            'logs',
            '--no-color',
            '--no-log-prefix',
            ...(opts.follow ? ['--follow'] : []),
            ...(opts.since ? ['--since', opts.since] : []),
            ...source.services,
          ];
    if (source.kind === 'compose') for (const file of source.archive) readLines(file, { offset: 0 }, onLine);
    const { execa } = await import('execa');
    // docker service logs passes each task's stderr (where LiteLLM logs) on its own stderr.
    const swarm = source.kind === 'swarm';
    const child = execa('docker', args, { reject: false, buffer: false, stdin: 'ignore', stderr: 'pipe', all: swarm });
    for await (const raw of createInterface({ input: swarm ? child.all! : child.stdout! })) onLine(raw);
    const done = await child;
    if (done.exitCode !== 0) {
      const why =
        String(done.stderr ?? '')
          .split('\n')
          .map((l) => l.trim())
          .find(Boolean) ?? (done.code === 'ENOENT' ? 'docker is not installed' : 'it printed nothing');
      if (/is not a docker command|unknown command/i.test(why))
        throw new CliError(
          "the docker compose plugin is not installed, and runtime.kind compose reads the gateway's log through it (Compose v1 is end of life; scripts/setup-docker.sh installs the plugin)",
        );
      throw new CliError(`\`docker ${args.join(' ')}\` failed (exit ${done.exitCode ?? done.code}): ${why}`);
    }
    return;
  }
  const files = logFiles(source.path);
  if (files.length === 0 && !opts.follow)
    throw new CliError(`no gateway log at ${source.path}: the gateway has not been started by this runtime yet`);
  let state: FollowState = { offset: 0 };
  for (const file of files) {
    const read = readLines(file, { offset: 0 }, onLine);
    if (file === source.path) state = read;
  }
  if (!opts.follow) return;
  // Followed by inode: a log renamed away (rotated, or a restart's new log) is read from the start
  // of its replacement; a truncated one too, even when it grew again before this poll.
  for (;;) {
    await sleep(FOLLOW_POLL_MS);
    state = readLines(source.path, state, onLine);
  }
}

/** Where the lines come from, as the JSON output names it. */
export function logSourceName(source: LogSource): string {
  if (source.kind === 'swarm') return `docker service logs ${source.service}`;
  return source.kind === 'file'
    ? source.path
    : `docker compose${source.project ? ` -p ${source.project}` : ''} -f ${source.file} logs ${source.services.join(' ')}`;
}
