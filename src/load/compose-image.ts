// The image a docker compose file runs for one service, with its position, so that validate can
// compare it with gateway.image. A compose file that cannot be read is simply not compared.
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

interface Parsed {
  text: string;
  doc: Document;
  lineCounter: LineCounter;
}
const parsedFiles = new Map<string, Parsed>();

/** The compose file parsed once per content: validate asks of it for each service it checks. Throws when unreadable, not a regular file or too large. */
function parseCompose(file: string): Parsed {
  const read = readBounded(file, MAX_SOURCE_BYTES);
  if (!read.ok) throw Object.assign(new Error(read.detail), { code: read.reason === 'missing' ? 'ENOENT' : read.detail });
  const text = read.text;
  const known = parsedFiles.get(file);
  if (known?.text === text) return known;
  const lineCounter = new LineCounter();
  const parsed = { text, doc: parseDocument(text, { lineCounter, uniqueKeys: false, logLevel: 'error' }), lineCounter };
  parsedFiles.set(file, parsed);
  return parsed;
}

export function composeImage(file: string, service: string, env: NodeJS.ProcessEnv = {}): ComposeImage | undefined {
  let parsed: Parsed;
  try {
    parsed = parseCompose(file);
  } catch {
    return undefined;
  }
  const { doc, lineCounter } = parsed;
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

/** One service of a compose file, or why it cannot be had. */
export function composeService(file: string, service: string): ComposeService | { problem: string } {
  let doc: Document;
  try {
    doc = parseCompose(file).doc;
  } catch (err) {
    return { problem: `the compose file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
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
