// The image a docker compose file runs for one service, with its position, so that validate can
// compare it with gateway.image. A compose file that cannot be read is simply not compared.
import { readFileSync } from 'node:fs';
import { isScalar, LineCounter, parseDocument } from 'yaml';

export interface ComposeImage {
  image: string;
  line: number;
  column: number;
}

/**
 * A value as docker compose interpolates it: `${VAR:-default}` (VAR when set and not empty),
 * `${VAR-default}` (VAR when set), `${VAR}` and `$VAR` (VAR, or empty), `$$` (a dollar sign).
 * `${VAR:?err}` and `${VAR?err}` give VAR when it is set (compose would stop otherwise).
 */
export function interpolate(value: string, env: NodeJS.ProcessEnv): string {
  return value.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, name?: string, colon?: string, op?: string, arg?: string, bare?: string) => {
    if (m === '$$') return '$';
    if (bare) return env[bare] ?? '';
    const v = env[name!];
    const unset = v === undefined || (colon === ':' && v === '');
    if (op === '-') return unset ? (arg ?? '') : v!;
    return v ?? '';
  });
}

export function composeImage(file: string, service: string, env: NodeJS.ProcessEnv = {}): ComposeImage | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) return undefined;
  const node = doc.getIn(['services', service, 'image'], true);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const p = lineCounter.linePos(node.range[0]);
  return { image: interpolate(node.value, env), line: p.line, column: p.col };
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
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return { problem: `the compose file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
  const doc = parseDocument(text);
  if (doc.errors.length) return { problem: `the compose file ${file} is not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}` };
  const svc = doc.toJS({ maxAliasCount: 100 })?.services?.[service] as Record<string, unknown> | undefined;
  if (!svc || typeof svc !== 'object') return { problem: `the compose file ${file} has no service '${service}'` };
  const cmd = svc.command;
  const command = Array.isArray(cmd) ? cmd.map(String) : typeof cmd === 'string' ? cmd.split(/\s+/).filter(Boolean) : [];
  const ports = Array.isArray(svc.ports) ? svc.ports.map((p) => (typeof p === 'object' && p ? `${(p as { published?: unknown }).published}:${(p as { target?: unknown }).target}` : String(p))) : [];
  return { command, ports, hostNetwork: svc.network_mode === 'host' };
}
