// What a docker compose file says about its services: the image each runs (with its position, so
// that validate can compare it with gateway.image), and the command and ports reload's pre-flight
// needs. Parsing is pure; only readCompose touches the disk.
import { isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { readBounded } from './contain.js';
import { MAX_SOURCE_BYTES } from './read-source.js';

export interface ComposeImage {
  /** After compose's interpolation: compared, never shown (it may hold the runner's secrets). */
  image: string;
  /** The file's own text (`leak/${AWS_SECRET_ACCESS_KEY}`): what a message quotes. */
  raw: string;
  line: number;
  column: number;
}

/**
 * A value as docker compose interpolates it: `${VAR:-default}` (VAR when set and not empty),
 * `${VAR-default}` (VAR when set), `${VAR}` and `$VAR` (VAR, or empty), `$$` (a dollar sign).
 * `${VAR:?err}` and `${VAR?err}` give VAR when it is set (compose would stop otherwise).
 */
export function interpolate(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
      if (m === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const v = env[name!];
      const unset = v === undefined || (colon === ':' && v === '');
      if (op === '-') return unset ? (arg ?? '') : v!;
      return v ?? '';
    },
  );
}

/** A compose file parsed in memory: what the rules ask of it, with no further I/O. */
export interface ComposeDoc {
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}

/** Parse a compose file's text (pure). */
export function parseCompose(text: string): ComposeDoc {
  const lineCounter = new LineCounter();
  return { text, doc: parseDocument(text, { lineCounter, uniqueKeys: false, logLevel: 'error' }), lineCounter };
}

/** Read and parse a compose file, refusing what is not a regular file within the size limit. */
export function readCompose(file: string): ComposeDoc | { problem: string } {
  const read = readBounded(file, MAX_SOURCE_BYTES);
  if (!read.ok) return { problem: `the compose file ${file} cannot be read (${read.reason === 'missing' ? 'ENOENT' : read.detail})` };
  return parseCompose(read.text);
}

/** The image one service runs, with its position; undefined when the file does not say. */
export function imageOf(compose: ComposeDoc, service: string, env: NodeJS.ProcessEnv = {}): ComposeImage | undefined {
  const { doc, lineCounter } = compose;
  if (doc.errors.length) return undefined;
  const node = doc.getIn(['services', service, 'image'], true);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const p = lineCounter.linePos(node.range[0]);
  return { image: interpolate(node.value, env), raw: node.value, line: p.line, column: p.col };
}

/**
 * How a message names the image a compose service runs: the file's own text, never the value
 * interpolated from the environment (`leak/${AWS_SECRET_ACCESS_KEY}` must not print the secret).
 */
export function mismatchText(running: ComposeImage): string {
  return running.raw === running.image
    ? `runs ${running.raw}`
    : `runs ${running.raw} (another image once compose fills in the variables; their values are not shown)`;
}

/** What reload's pre-flight needs of one compose service. */
export interface ComposeService {
  command: string[];
  /** Port mappings as written ("4000:4000", "127.0.0.1:4000:4000/tcp"). */
  ports: string[];
  hostNetwork: boolean;
}

/** One service of a compose file read from disk (reload's pre-flight), or why it cannot be had. */
export function composeService(file: string, service: string): ComposeService | { problem: string } {
  const compose = readCompose(file);
  return 'problem' in compose ? compose : serviceOf(compose, file, service);
}

/** One service of a parsed compose file (named `file` in messages), or why it cannot be had. */
export function serviceOf(compose: ComposeDoc, file: string, service: string): ComposeService | { problem: string } {
  const { doc } = compose;
  if (doc.errors.length) return { problem: `the compose file ${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` };
  let data: { services?: Record<string, unknown> } | null;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) as typeof data;
  } catch (err) {
    // An unresolved alias, or more aliases than the limit: YAML that parses but has no value.
    return { problem: `the compose file ${file} cannot be read as data: ${(err as Error).message.split('\n')[0]}` };
  }
  const svc = data?.services?.[service] as Record<string, unknown> | undefined;
  if (!svc || typeof svc !== 'object') return { problem: `the compose file ${file} has no service '${service}'` };
  const cmd = svc.command;
  const command = Array.isArray(cmd) ? cmd.map(String) : typeof cmd === 'string' ? cmd.split(/\s+/).filter(Boolean) : [];
  const ports = Array.isArray(svc.ports)
    ? svc.ports.map((p) =>
        typeof p === 'object' && p ? `${(p as { published?: unknown }).published}:${(p as { target?: unknown }).target}` : String(p),
      )
    : [];
  return { command, ports, hostNetwork: svc.network_mode === 'host' };
}
