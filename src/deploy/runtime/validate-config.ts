// LiteLLM's own --validate_config on a config text: written beside `near` (where a compose mount
// can reach it), run with the given argv builder, then removed. Reload's pre-flight and
// `validate --deep` both use it. The copy it loads has no `mcp_servers`: with them, the pinned
// LiteLLM (1.106.12) loads the config and then never exits (asyncio.run waits forever on the MCP
// manager's background tasks), and a check must not contact or start what a registry names. The
// MCP servers are proven on the restarted gateway instead (deploy/mcp-presence.ts).
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { isMap, parseDocument } from 'yaml';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { maskSecrets } from '../../util/secrets.js';
import { tail, type ValidatorPlan } from './adapter.js';

export interface LoadOutcome {
  ok: boolean;
  /** The plan was unavailable: nothing ran. */
  skipped?: string;
  ms: number;
  /** LiteLLM's own words (the last lines, masked, the temp path shown as <candidate>). */
  output: string;
  /** How many MCP servers the loaded copy left out. */
  mcpOmitted: number;
  why?: string;
  /** The runtime never got LiteLLM to load the file (compose or the engine failed): the candidate was not judged. */
  notLoaded?: boolean;
}

/** Temp files of a load sit beside `near`, named so that a killed run's leftover is recognised and removed. */
export function candidateFile(near: string): string {
  return path.join(path.dirname(near), `.${path.basename(near)}.preflight-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function loadIntoLiteLLM(
  text: string,
  near: string,
  plan: (file: string) => ValidatorPlan,
  cwd: string,
): Promise<LoadOutcome> {
  const file = candidateFile(near);
  const { text: loaded, omitted: mcpOmitted } = withoutMcpServers(text);
  writeFileAtomic(file, loaded, 0o600);
  try {
    const p = plan(file);
    if ('unavailable' in p) return { ok: true, skipped: p.unavailable, ms: 0, output: '', mcpOmitted };
    const t0 = performance.now();
    const child = execa(p.argv[0]!, p.argv.slice(1), {
      reject: false,
      all: true,
      timeout: 300_000,
      stdin: 'ignore',
      cwd,
      ...(p.env ? { env: p.env, extendEnv: false } : {}),
    });
    // Loading LiteLLM takes seconds of CPU; the gateway (or the replicas) serving meanwhile come first.
    lowerPriority(child.pid);
    const r = await child;
    const ms = Math.round(performance.now() - t0);
    const output = maskSecrets(
      tail(
        String(r.all ?? '')
          .replace(/\u001b\[[0-9;]*m/g, '')
          .split(file)
          .join('<candidate>'),
        6,
      ),
    );
    if (!r.failed) return { ok: true, ms, output, mcpOmitted };
    const why =
      r.code === 'ENOENT' ? `${p.argv[0]} is not installed` : r.timedOut ? 'timed out after 300 s' : `exit ${r.exitCode ?? r.signal}`;
    const notLoaded = r.code === 'ENOENT' || Boolean(p.runtimeFailure?.test(String(r.all ?? '')));
    return { ok: false, ms, output, why, mcpOmitted, ...(notLoaded ? { notLoaded } : {}) };
  } finally {
    rmSync(file, { force: true });
  }
}

/** The config text without its top-level `mcp_servers`, and how many servers that was; other text untouched. */
export function withoutMcpServers(text: string): { text: string; omitted: number } {
  if (!/^mcp_servers:/m.test(text)) return { text, omitted: 0 };
  const doc = parseDocument(text);
  const servers = doc.get('mcp_servers');
  if (!isMap(servers)) return { text, omitted: 0 };
  doc.delete('mcp_servers');
  return { text: doc.toString({ lineWidth: 0 }), omitted: servers.items.length };
}

/** Nice 10 for a process that must not slow down the ones serving requests; best effort. */
export function lowerPriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, 10);
  } catch {
    // not permitted here: it runs at normal priority
  }
}
